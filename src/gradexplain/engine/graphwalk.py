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
    return result
