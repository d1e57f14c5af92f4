"""The backward graph of one call as a tree of plain entries (`--graph`, the REPL's `:graph`).

Each entry is a dict: "depth" and "kind" ("node", "leaf", "shared", "fold", "more_below",
"more_inputs", "no_graph") plus what that kind needs ("node", "name", "shape", "saved",
"freed", "already_freed", "pattern", "count", "side", "hidden", "limit"). The explain
layer turns entries into text in the user's language; the engine only says what is there.

Saved tensors: autograd nodes keep the tensors their backward formula needs as `_saved_*`
attributes (`MmBackward0._saved_self`, `_saved_mat2`). A backward call without
`retain_graph=True` frees them, after which reading one raises; `SavedTensors` reads them
before the call and again after it, so the tree says which ones this call freed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import torch
from torch.autograd.graph import Node

from gradexplain.engine.graphwalk import walk
from gradexplain.record import GraphTree, TreeEntry

TREE_DEPTH = 30
TREE_WIDTH = 8
FOLD_AT = 3  # repetitions of one pattern before a chain is folded
MAX_PERIOD = 8  # longest repeated pattern of node types that folds

_SAVED_ATTRIBUTES: dict[type, list[str]] = {}


def _saved_attributes(node: Node) -> list[str]:
    """The `_saved_*` attribute names of a node's class (cached: 3,000-node graphs exist)."""
    kind = type(node)
    if kind not in _SAVED_ATTRIBUTES:
        _SAVED_ATTRIBUTES[kind] = sorted(a for a in dir(kind) if a.startswith("_saved_"))
    return _SAVED_ATTRIBUTES[kind]


@dataclass
class SavedTensors:
    """The tensors each node saved for backward, read before a call and re-checked after."""

    slots: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)
    nodes: dict[int, Node] = field(default_factory=dict)
    freed: dict[int, bool] = field(default_factory=dict)
    already_freed: set[int] = field(default_factory=set)  # freed by an earlier call

    @classmethod
    def before(cls, nodes: list[Node], names: dict[int, str],
               tensors: dict[int, str]) -> SavedTensors:
        """`names`: node id -> the user's name of its output; `tensors`: tensor id -> name."""
        found = cls()
        for node in nodes:
            slots: list[tuple[str, str | None]] = []
            for attribute in _saved_attributes(node):
                slot = attribute[len("_saved_"):]
                try:
                    value = getattr(node, attribute)
                except RuntimeError:  # freed by an earlier call: this call will fail on it
                    slots.append((slot, None))
                    found.already_freed.add(id(node))
                    continue
                if not isinstance(value, torch.Tensor):
                    continue  # sizes, dims, scalars: kept by the node, never freed
                # A saved output ("result") is unpacked as a new tensor object: it is the
                # node's own output, so it carries the node's name.
                owner = names.get(id(node)) if slot == "result" else tensors.get(id(value))
                slots.append((slot, owner))
            if slots:
                # self first, then the other operands: the order a formula names them in
                found.slots[id(node)] = sorted(slots, key=lambda s: (s[0] != "self", s[0]))
                found.nodes[id(node)] = node
        return found

    def check_after(self) -> None:
        """Which nodes' saved tensors can no longer be read: the call freed them."""
        for key, node in self.nodes.items():
            if key in self.already_freed:
                continue
            attribute = "_saved_" + self.slots[key][0][0]
            try:
                getattr(node, attribute)
                self.freed[key] = False
            except RuntimeError:
                self.freed[key] = True
        self.nodes = {}  # do not keep the graph alive through the record


@dataclass
class TreeContext:
    names: dict[int, str]  # node id -> the user's name of the node's output
    leaves: dict[int, str]  # leaf tensor id -> its label
    shapes: dict[int, list[int]]  # node id -> the shape of the gradient it received
    saved: SavedTensors | None = None


def graph_tree(outputs: list[tuple[torch.Tensor, str]], context: TreeContext) -> GraphTree:
    """{"entries": [...]}: each output's graph, depth-first in input order, deterministic."""
    entries: list[TreeEntry] = []
    seen: dict[int, TreeEntry] = {}

    def describe(node: Node, depth: int) -> TreeEntry:
        kind = type(node).__name__
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            return {"depth": depth, "kind": "leaf", "node": kind,
                    "name": context.leaves.get(id(variable)), "shape": list(variable.shape)}
        entry: TreeEntry = {"depth": depth, "kind": "node", "node": kind,
                                 "name": context.names.get(id(node)),
                                 "shape": context.shapes.get(id(node), _output_shape(node))}
        saved = context.saved
        if saved is not None and id(node) in saved.slots:
            entry["saved"] = [{"slot": slot, "tensor": owner}
                              for slot, owner in saved.slots[id(node)]]
            entry["freed"] = saved.freed.get(id(node))
            if id(node) in saved.already_freed:
                entry["already_freed"] = True
        return entry

    for output, label in outputs:
        if output.grad_fn is None:
            entries.append({"depth": 0, "kind": "no_graph", "name": label})
            continue
        stack: list[tuple[Node, int]] = [(output.grad_fn, 0)]
        while stack:
            node, depth = stack.pop()
            if id(node) in seen:
                entries.append({**seen[id(node)], "depth": depth, "kind": "shared",
                                "was": seen[id(node)]["kind"]})
                continue
            if depth >= TREE_DEPTH:
                entries.append({"depth": depth, "kind": "more_below",
                                "hidden": len(walk([], [node]).nodes), "limit": TREE_DEPTH})
                continue
            chain = _fold(node, context, seen)
            if chain is not None:
                entries.append({"depth": depth, "kind": "fold", **chain.entry})
                following = [c for c in _children(chain.last) if _spine(c)]
            else:
                seen[id(node)] = describe(node, depth)
                entries.append(seen[id(node)])
                following = _children(node)
            shown = following[:TREE_WIDTH]
            if len(following) > TREE_WIDTH:
                entries.append({"depth": depth + 1, "kind": "more_inputs",
                                "hidden": len(following) - TREE_WIDTH, "limit": TREE_WIDTH})
            for child in reversed(shown):
                stack.append((child, depth + 1))
    return GraphTree(entries=entries)


def node_names(named: Iterable[tuple[str, object]],
               outputs: Iterable[tuple[torch.Tensor, str]] = ()) -> dict[int, str]:
    """Node id -> the user's name of the tensor it made (the first such name), then the
    outputs' labels for nodes no name reaches."""
    names: dict[int, str] = {}
    for name, value in named:
        if isinstance(value, torch.Tensor) and value.grad_fn is not None:
            names.setdefault(id(value.grad_fn), name)
    for tensor, label in outputs:
        if tensor.grad_fn is not None:
            names.setdefault(id(tensor.grad_fn), label)
    return names


def tensor_names(leaves: dict[int, str],
                 named: Iterable[tuple[str, object]]) -> dict[int, str]:
    """Tensor id -> a name for a saved tensor: the user's name, else the leaf's label."""
    return {**leaves, **{id(t): name for name, t in named if isinstance(t, torch.Tensor)}}


def current_tree(tensor: torch.Tensor, label: str, env: dict[str, object],
                 leaves: dict[int, str]) -> GraphTree:
    """The graph behind `tensor` as it stands now (the REPL's `:graph NAME`), no call needed.

    `env` is the interpreter's names; saved tensors show as kept, or as already freed.
    """
    nodes = walk([tensor]).nodes
    names = node_names(env.items(), [(tensor, label)])
    saved = SavedTensors.before(nodes, names, tensor_names(leaves, env.items()))
    saved.nodes = {}  # nothing to check afterwards: no call runs
    return graph_tree([(tensor, label)], TreeContext(names, leaves, {}, saved))


def _output_shape(node: Node) -> list[int] | None:
    """The shape of the gradient a node receives (its forward output's shape), if known.

    `_input_metadata` is autograd's own record of it; private, so any failure means unknown.
    """
    try:
        metadata = getattr(node, "_input_metadata", None)
        return list(metadata[0].shape) if metadata else None
    except (AttributeError, RuntimeError, IndexError, TypeError):
        return None


def _children(node: Node) -> list[Node]:
    return [child for child, _ in node.next_functions if child is not None]


def _spine(node: Node) -> bool:
    return not isinstance(getattr(node, "variable", None), torch.Tensor)


@dataclass
class Fold:
    """A chain of nodes folded into one entry, and its last node (the chain goes on below)."""

    entry: TreeEntry
    last: Node


def _fold(node: Node, context: TreeContext, seen: dict[int, TreeEntry]) -> Fold | None:
    """A linear run of unnamed nodes repeating a pattern of types, at least FOLD_AT times."""
    names = context.names

    def step(current: Node) -> Node | None:
        spine = [c for c, _ in current.next_functions if c is not None and _spine(c)]
        nxt = spine[0] if len(spine) == 1 else None
        if nxt is None or id(nxt) in seen or id(nxt) in names:
            return None
        return nxt

    if id(node) in names or id(node) in seen:
        return None
    run: list[Node] = [node]
    while len(run) < MAX_PERIOD * FOLD_AT:
        nxt = step(run[-1])
        if nxt is None:
            break
        run.append(nxt)
    types = [type(n).__name__ for n in run]
    for period in range(1, MAX_PERIOD + 1):
        if len(types) < period * FOLD_AT or \
                any(types[i] != types[i % period] for i in range(period * FOLD_AT)):
            continue
        pattern = types[:period]
        # extend the run while the pattern goes on, a whole pattern at a time
        run = run[:period * FOLD_AT]
        while True:
            extra: list[Node] = []
            current: Node | None = run[-1]
            for kind in pattern:
                current = step(current) if current is not None else None
                if current is None or type(current).__name__ != kind:
                    break
                extra.append(current)
            if len(extra) != period:
                break
            run += extra
        side: list[str] = []
        freed: set[bool] = set()
        marker: TreeEntry = {"kind": "folded", "pattern": pattern}
        for n in run:
            seen[id(n)] = marker
            if context.saved is not None and id(n) in context.saved.freed:
                freed.add(context.saved.freed[id(n)])
            for c, _ in n.next_functions:
                variable = getattr(c, "variable", None) if c is not None else None
                if isinstance(variable, torch.Tensor):
                    side.append(context.leaves.get(id(variable)) or "(unnamed leaf)")
        entry: TreeEntry = {"pattern": pattern, "count": len(run) // period,
                            "side": sorted(set(side)),
                            "freed": freed.pop() if len(freed) == 1 else None}
        return Fold(entry, run[-1])
    return None
