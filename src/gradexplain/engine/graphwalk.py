"""Walking autograd's backward graph from an output's grad_fn (iteratively: graphs get deep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class GraphWalk:
    """The nodes reachable from some outputs, and the leaf tensors they accumulate into."""

    nodes: list[Any] = field(default_factory=list)
    node_ids: set[int] = field(default_factory=set)
    leaf_ids: set[int] = field(default_factory=set)


def walk(outputs: list[torch.Tensor], roots: list[Any] | None = None) -> GraphWalk:
    """Walk from the outputs' grad_fn nodes (and any extra root nodes)."""
    result = GraphWalk()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None] + list(roots or [])
    while stack:
        node = stack.pop()
        if id(node) in result.node_ids:
            continue
        result.node_ids.add(id(node))
        result.nodes.append(node)
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            result.leaf_ids.add(id(variable))
        for child, _ in node.next_functions:
            if child is not None and id(child) not in result.node_ids:
                stack.append(child)
    for tensor in outputs:
        if tensor.grad_fn is None and tensor.requires_grad:
            result.leaf_ids.add(id(tensor))
    result.nodes = release_order(result.nodes)
    return result


def release_order(nodes: list[Any]) -> list[Any]:
    """The nodes with every node after all the nodes it feeds (leaves first, roots last).

    A Python list drops its items from the end, so a list in this order lets go of a node's
    consumers before the node itself: each node is freed while the nodes below it are still
    held, and no deep chain is ever destroyed in one go. The other way round, dropping the
    last reference to a 50,000-step chain's root destroys the whole chain recursively in
    PyTorch's C++ and overflows the stack (a segfault plain PyTorch shows too).
    """
    ids = {id(node) for node in nodes}
    waiting = dict.fromkeys(ids, 0)  # node id -> consumers of it not yet placed
    for node in nodes:
        for child, _ in node.next_functions:
            if child is not None and id(child) in ids:
                waiting[id(child)] += 1
    ready = [node for node in nodes if waiting[id(node)] == 0]  # the roots
    consumers_first: list[Any] = []
    while ready:
        node = ready.pop()
        consumers_first.append(node)
        for child, _ in node.next_functions:
            if child is not None and id(child) in ids:
                waiting[id(child)] -= 1
                if waiting[id(child)] == 0:
                    ready.append(child)
    consumers_first.reverse()
    return consumers_first
