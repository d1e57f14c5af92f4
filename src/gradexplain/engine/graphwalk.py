"""Walking autograd's backward graph from an output's grad_fn (iteratively: graphs get deep)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.autograd.graph import Node

from gradexplain.language import held_nodes


@dataclass
class GraphWalk:
    """The nodes reachable from some outputs, and the leaf tensors they accumulate into."""

    nodes: list[Node] = field(default_factory=list)
    node_ids: set[int] = field(default_factory=set)
    leaf_ids: set[int] = field(default_factory=set)


# Below this many nodes a graph is let go of in any order: destroying it recursively (what
# release_order guards against) needs a deep chain to overflow the stack. A walk that visits
# more holds the nodes it touched until each can go alone (language/held_nodes.py).
SAFE_TO_DROP = held_nodes.SAFE_TO_DROP
_HOLDS_VARIABLE: dict[type, bool] = {}  # node type -> whether it names a leaf (AccumulateGrad)


def walk(outputs: list[torch.Tensor], roots: list[Node] | None = None, *,
         ordered: bool = True) -> GraphWalk:
    """Walk from the outputs' grad_fn nodes (and any extra root nodes). The nodes come in
    release order (see release_order); `ordered=False` leaves a small graph's nodes in the
    order they were found, for a caller that only looks them up."""
    result = GraphWalk()
    node_ids, nodes, leaf_ids = result.node_ids, result.nodes, result.leaf_ids
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None] + list(roots or [])
    while stack:
        node = stack.pop()
        if id(node) in node_ids:
            continue
        node_ids.add(id(node))
        nodes.append(node)
        kind = type(node)
        holds = _HOLDS_VARIABLE.get(kind)
        if holds is None:  # asked once per node type (a missing attribute costs an exception)
            holds = _HOLDS_VARIABLE[kind] = hasattr(kind, "variable")
        if holds:
            variable = getattr(node, "variable", None)
            if isinstance(variable, torch.Tensor):
                leaf_ids.add(id(variable))
        for child, _ in node.next_functions:
            if child is not None and id(child) not in node_ids:
                stack.append(child)
    for tensor in outputs:
        if tensor.grad_fn is None and tensor.requires_grad:
            leaf_ids.add(id(tensor))
    if ordered or len(nodes) >= SAFE_TO_DROP:
        result.nodes = release_order(nodes)
    if len(nodes) >= SAFE_TO_DROP:
        held_nodes.hold(result.nodes)
    return result


def release_order(nodes: list[Node]) -> list[Node]:
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
    consumers_first: list[Node] = []
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
