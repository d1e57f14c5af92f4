"""Each backward call's graph as plain data, for `run --dot`: nodes, edges, saved tensors."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import torch
from torch.autograd.graph import Node

from gradexplain.engine.graphtree import SavedTensors, node_names, tensor_names
from gradexplain.engine.values import to_value
from gradexplain.record import DotGraph

GRAPH_MAX_NODES = 500  # a drawing with more nodes than this helps nobody


@dataclass
class Drawing:
    """One call's backward graph as drawn before the call, finished once it has run."""

    graph: DotGraph
    leaves: list[tuple[dict[str, Any], torch.Tensor]]  # leaf entries, and their tensors
    saved: SavedTensors  # the nodes' saved tensors, read before the call
    node_ids: dict[str, int]  # entry id -> id of its node

    def finish(self, *, full: bool) -> DotGraph:
        """Fill in the leaves' values and grads and what the call freed, once it has run."""
        for entry, tensor in self.leaves:
            entry["value"] = to_value(tensor.detach(), full=full)
            entry["grad"] = to_value(tensor.grad, full=full) \
                if tensor.grad is not None else None
        saved = self.saved
        saved.check_after()
        for entry in self.graph["nodes"]:
            node_id = self.node_ids.get(entry["id"])
            if node_id in saved.slots:
                entry["saved"] = [f"{slot}={owner}" if owner else slot
                                  for slot, owner in saved.slots[node_id]]
                entry["freed"] = "already" if node_id in saved.already_freed else \
                    saved.freed.get(node_id)
        return self.graph


def drawing_data(outputs: list[torch.Tensor],
                 named_refs: dict[str, weakref.ReferenceType[torch.Tensor]],
                 labels: dict[int, str]) -> Drawing:
    """The backward graph as plain data, walked breadth-first from the outputs.

    Nodes are autograd Nodes (type name, and the user's names for tensors whose grad_fn
    it is); AccumulateGrad nodes carry their leaf's label and shape. Leaf values and
    grads, and which saved tensors the call freed, are filled in by `Drawing.finish` once
    the call has run.
    """
    names: dict[int, list[str]] = {}
    for name, ref in named_refs.items():
        tensor = ref()
        if tensor is not None and tensor.grad_fn is not None:
            names.setdefault(id(tensor.grad_fn), []).append(name)
    ids: dict[int, str] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []
    leaves: list[tuple[dict[str, Any], torch.Tensor]] = []
    truncated = False

    def add(node: Node) -> str | None:
        nonlocal truncated
        if id(node) in ids:
            return ids[id(node)]
        if len(nodes) >= GRAPH_MAX_NODES:
            truncated = True
            return None
        key = f"n{len(nodes)}"
        ids[id(node)] = key
        entry: dict[str, Any] = {"id": key, "type": type(node).__name__,
                                 "names": names.get(id(node), [])}
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            entry["leaf"] = labels.get(id(variable), "leaf")
            entry["shape"] = list(variable.shape)
            leaves.append((entry, variable))
        nodes.append(entry)
        queue.append(node)
        return key

    queue: list[Node] = []
    for tensor in outputs:
        if tensor.grad_fn is not None:
            add(tensor.grad_fn)
        elif tensor.requires_grad:  # backward on a leaf itself
            key = f"n{len(nodes)}"
            entry = {"id": key, "type": "AccumulateGrad", "names": [],
                     "leaf": labels.get(id(tensor), "leaf"), "shape": list(tensor.shape)}
            nodes.append(entry)
            leaves.append((entry, tensor))
    position = 0
    while position < len(queue):
        node = queue[position]
        position += 1
        parent = ids[id(node)]
        for child, _ in node.next_functions:
            if child is None:
                continue
            target = add(child)
            if target is not None:
                edges.append({"from": parent, "to": target})
    named = [(name, ref()) for name, ref in named_refs.items()]
    saved = SavedTensors.before(queue, node_names(named), tensor_names(labels, named))
    by_key = {ids[id(node)]: id(node) for node in queue}
    return Drawing(DotGraph(nodes=nodes, edges=edges, truncated=truncated), leaves, saved, by_key)
