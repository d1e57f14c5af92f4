"""Letting go of a session's tensors without a deep recursion in PyTorch's C++.

Once Python has held the nodes of a graph (every graph walk does, through next_functions),
dropping the last reference to a long chain (a 50,000-step `y = y * 1.0`) destroys it node
by node recursively inside PyTorch and overflows the stack: a segfault (plain PyTorch does
the same after such a walk). So a session is closed by first holding every node reachable
from its tensors, leaves first and roots last (graphwalk.release_order), then dropping the
tensors, then the nodes from the roots down: each node dies while the nodes below it are
still held, one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import torch

from gradexplain.engine.graphwalk import walk


class Holder(Protocol):
    """What holds a session's tensors (its names, the recorder's tracked tensors...)."""

    def clear(self) -> None: ...


def release(holders: list[Holder], drop: Callable[[], None] | None = None) -> None:
    """Free the graphs behind the tensors in `holders` (dicts and lists, emptied here; `drop`
    removes any other reference), root first. Nothing outside may keep the tensors: the
    graph is held here while they go, then let go of node by node."""
    tensors = list(_tensors(holders))
    held = walk(tensors).nodes if tensors else []
    tensors.clear()
    for holder in holders:
        holder.clear()
    if drop is not None:
        drop()
    while held:
        held.pop()  # the last item is a root: everything it feeds on is still held


MAX_VISITED = 100_000  # values looked at for tensors (a list of 16 M numbers is not walked)


def _tensors(values: Iterable[object]) -> Iterable[torch.Tensor]:
    pending = list(values)
    seen: set[int] = set()
    while pending and len(seen) < MAX_VISITED:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, torch.Tensor):
            if value.grad_fn is not None:
                yield value
        elif isinstance(value, (list, tuple)):
            pending.extend(v for v in value[:MAX_VISITED]
                           if isinstance(v, (torch.Tensor, list, tuple, dict)))
        elif isinstance(value, dict):
            pending.extend(value.values())
