"""Letting go of a session's tensors without a deep recursion in PyTorch's C++.

Once Python has held the nodes of a graph (every graph walk does, through next_functions),
dropping the last reference to a long chain (a 50,000-step `y = y * 1.0`) destroys it node
by node recursively inside PyTorch and overflows the stack: a segfault (plain PyTorch does
the same after such a walk). So the nodes Python touches in numbers are held
(language/held_nodes.py) wherever the code drops their tensors (`y = 0` mid-run, a closure
let go of), and let go of one at a time once nothing else holds them. A session is closed
by walking what its holders reach (which holds a large graph's nodes too), dropping the
tensors, then letting go of the held nodes from the outputs down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

import torch

from gradexplain.engine.graphwalk import walk
from gradexplain.language import held_nodes


class Holder(Protocol):
    """What holds a session's tensors (its names, the recorder's tracked tensors...)."""

    def clear(self) -> None: ...


def release(holders: list[Holder], drop: Callable[[], None] | None = None) -> None:
    """Free the graphs behind the tensors in `holders` (dicts and lists, emptied here; `drop`
    removes any other reference), root first. Nothing outside may keep the tensors: the
    graph is held here while they go, then let go of node by node."""
    tensors = list(_tensors(holders))
    if tensors:
        walk(tensors)  # a large graph's nodes are now held (graphwalk.walk)
    tensors.clear()
    for holder in holders:
        holder.clear()
    if drop is not None:
        drop()
    held_nodes.let_go()  # each node whose tensors are gone, from the outputs down


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
