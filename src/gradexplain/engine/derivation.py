"""`--why NAME`: the chain rule written out for one element of NAME's gradient, with the
learner's statements and numbers, and checked against what autograd gave.

Taken from the real graph of the call, before it runs (the saved tensors are still there):

1. From the element asked about, the elements that depend on it, node by node up to the
   outputs (engine/derivation_rules gives, per node input, which output elements an input
   element reaches and the local derivative ∂out[a]/∂in[b] on each such edge).
2. The total by dynamic programming over that element graph: the sum over every path of the
   product of its local derivatives, each output element weighted by grad_tensors (v).
3. The same paths a statement at a time: the nodes a statement made (engine/madeby tags
   them) form one step, whose local derivative sums the paths inside it (`y * y`: two).
   A few paths are written out, step by step, with the formula in the learner's names
   (`6·y`), in numbers (`6·3`) and as a value; the others are summed. Repeating steps fold.

After the call, `check` compares the total with what autograd gave that element; where they
differ the entry says so, and the explain layer does not print the equation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.autograd.graph import get_gradient_edge

from gradexplain.engine import formulas
from gradexplain.engine.derivation_rules import (
    MADE,
    MADE_CONSTANTS,
    RULES,
    Edges,
    Found,
    NodeView,
    NotDerivable,
    local_derivatives,
    ravel,
    rule_for,
    unravel,
)
from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.engine.madeby import made_by
from gradexplain.options import why_target
from gradexplain.record import WhyEntry, WhyPath, WhyStep, formula_number

MAX_PATHS = 6  # paths written out; the others are summed
MAX_EDGES = 200_000  # element edges followed before a derivation is too large to write
INNER_TERMS = 8  # paths inside one statement written as a formula
INNER_LENGTH = 12  # nodes on a path inside one statement written as a formula
MADE_DEPTH = 3  # operations followed to write an unnamed intermediate with names
SUM_WIDTH = 100  # characters of the paths added up with names, at most
MAX_STEPS = 24  # steps of one path written out (after folding); the rest fold into one
FOLD_AT = 3  # repetitions of a pattern of statements before they fold
MAX_PERIOD = 8
DERIVED_CALLS = 3  # calls of one statement derived (a loop's first ones)

Vertex = tuple[int, int, int]  # (id of the node, which output, flat element index)


class TooLarge(Exception):
    """More element edges than MAX_EDGES: the derivation would not be readable."""


@dataclass
class Target:
    """The element asked about, found in this call's graph."""

    asked: str
    name: str
    named_index: list[int]
    tensor: torch.Tensor  # whose gradient: the leaf (also behind a view), or the tensor
    label: str
    index: list[int]
    kind: str  # "leaf", "retained", "view", "non_leaf"
    node: Any  # the vertex's node: the leaf's AccumulateGrad, or the tensor's grad_fn
    output: int
    view: str = ""  # a view of a leaf: the view's node (`ViewBackward0`)

    @property
    def vertex(self) -> Vertex:
        return (id(self.node), self.output, _flat(self.index, list(self.tensor.shape)))


def resolve(asked: str, tracked: list[tuple[str, torch.Tensor]], env: dict[str, Any],
            graph: GraphWalk, inputs: list[tuple[torch.Tensor, str]] | None,
            outputs: list[torch.Tensor]) -> Target | WhyEntry | None:
    """The target in this call's graph; an entry saying why not (unknown name, bad index);
    None when the call does not reach it."""
    name, index = why_target(asked)
    tensor, label = _named(name, tracked, env)
    if tensor is None:
        return WhyEntry(target=asked, status="unknown", facts={"name": name})
    shape = list(tensor.shape)
    element = list(index) if index is not None else [0] * len(shape)
    if len(element) != len(shape) or any(not -s <= i < s for i, s in zip(element, shape,
                                                                             strict=True)):
        return WhyEntry(target=asked, status="bad_index",
                        facts={"name": name, "shape": shape, "index": element})
    element = [i % s for i, s in zip(element, shape, strict=True)]
    if not tensor.is_floating_point() or not tensor.requires_grad:
        return None
    if inputs is not None and not any(t is tensor for t, _ in inputs) and \
            not (tensor.grad_fn is not None and not tensor.retains_grad):
        return None  # `inputs=`/autograd.grad: only the inputs get a gradient
    found = _vertex(asked, name, element, tensor, label, graph)
    if found is None or (id(found.node) not in graph.node_ids and
                         not any(found.tensor is t for t in outputs)):
        return None
    if found.kind == "view":
        found.label = next((lb for lb, t in tracked if t is found.tensor), "") or "(leaf)"
    return found


def _named(name: str, tracked: Iterable[tuple[str, torch.Tensor]], env: dict[str, Any]
           ) -> tuple[torch.Tensor | None, str]:
    """What the name means now: its binding, else a ledger label (an unnamed leaf's code, a
    module's parameter `net.fc.weight`)."""
    value = env.get(name)
    if isinstance(value, torch.Tensor):
        return value, name
    for label, tensor in tracked:
        if label == name:
            return tensor, label
    return None, name


def _vertex(asked: str, name: str, element: list[int], tensor: torch.Tensor, label: str,
            graph: GraphWalk) -> Target | None:
    if tensor.grad_fn is None:  # where autograd accumulates into the leaf
        node = get_gradient_edge(tensor).node
        return Target(asked, name, element, tensor, label, element, "leaf", node, 0)
    if tensor.retains_grad:
        return Target(asked, name, element, tensor, label, element, "retained",
                      tensor.grad_fn, tensor.output_nr)
    behind = _leaf_behind(tensor, element)
    if behind is not None:
        leaf, leaf_index = behind
        return Target(asked, name, element, leaf, "", leaf_index, "view",
                      get_gradient_edge(leaf).node, 0, type(tensor.grad_fn).__name__)
    return Target(asked, name, element, tensor, label, element, "non_leaf", tensor.grad_fn,
                  tensor.output_nr)


def _leaf_behind(tensor: torch.Tensor, element: list[int]) -> tuple[torch.Tensor,
                                                                    list[int]] | None:
    """A view (view, reshape, transpose, ...) of a leaf, followed down to the leaf: the
    leaf and the element of it that `element` of the view is."""
    node: Any = tensor.grad_fn
    number = tensor.output_nr
    flat = _flat(element, list(tensor.shape))
    for _ in range(64):
        rule = RULES.get(type(node).__name__)
        if rule is None or not rule.moves or len(node.next_functions) != 1:
            return None
        view = NodeView(node)
        gradients = [torch.zeros(view.out_shape(o), dtype=m.dtype, device=m.device)
                     for o, m in enumerate(node._input_metadata)]
        gradients[number].view(-1)[flat] = 1
        with torch.no_grad():
            result = node(*gradients)
        result = result[0] if isinstance(result, tuple) else result
        if result is None:
            return None
        result = result.reshape(-1).cpu()
        nonzero = torch.nonzero(result).reshape(-1)
        if len(nonzero) != 1 or float(result[nonzero[0]]) != 1.0:
            return None
        flat = int(nonzero[0])
        child, number = node.next_functions[0]
        variable = getattr(child, "variable", None)
        if isinstance(variable, torch.Tensor):
            return variable, _unflat(flat, list(variable.shape))
        node = child
    return None


# the element graph ---------------------------------------------------------------------------

@dataclass
class Edge:
    child: Vertex
    value: float
    slot: int
    scale: float  # the size of the numbers the value came from (Edges.scales)


@dataclass
class Reach:
    """From a vertex down to the boundary vertices below it (statement edges): the sum over
    the paths inside, and how many paths that is."""

    value: float
    paths: int


@dataclass
class Derivation:
    """One element's derivation in one call (see the module docstring)."""

    outputs: list[tuple[torch.Tensor, str]]
    vectors: list[torch.Tensor | None]  # grad_tensors per output (None: a scalar's 1)
    target: Target
    names: dict[int, str]  # tensor id -> the user's name (formula symbols)
    env: dict[str, Any] = field(default_factory=dict)  # the user's names, for their values
    nodes: dict[int, Any] = field(default_factory=dict)
    views: dict[int, NodeView] = field(default_factory=dict)
    found: dict[int, Found] = field(default_factory=dict)
    down: dict[Vertex, list[Edge]] = field(default_factory=dict)
    order: list[Vertex] = field(default_factory=list)
    reach: dict[Vertex, dict[Vertex, Reach]] = field(default_factory=dict)
    boundary: set[Vertex] = field(default_factory=set)
    seeds: list[tuple[int, Vertex, int, float | None]] = field(default_factory=list)
    magnitude: float = 0.0  # the sum of |contributions|: the scale of rounding errors
    depth: int = 0  # the longest path in nodes
    eps: float = 0.0  # machine epsilon of the least precise dtype the graph computes in
    # While a path is written out: each step's vertices and its terms (not part of the record)
    _edges: dict[int, tuple[Vertex, Vertex]] = field(default_factory=dict)
    _terms: dict[int, list[formulas.Term]] = field(default_factory=dict)
    _seed_labels: dict[Vertex, str] = field(default_factory=dict)

    def run(self, graph: GraphWalk) -> WhyEntry:
        self.eps = torch.finfo(self.target.tensor.dtype).eps
        entry = WhyEntry(target=self.target.asked, status="derived", tensor=self.target.label,
                         index=self.target.index, kind=self.target.kind,
                         named=self.target.name, named_index=self.target.named_index,
                         facts={"view": self.target.view} if self.target.view else {})
        try:
            self._forward(graph)
        except NotDerivable as exc:
            return WhyEntry(target=self.target.asked, status="not_derivable",
                            facts={"node": exc.node, "reason": exc.reason})
        except TooLarge:
            return WhyEntry(target=self.target.asked, status="not_derivable",
                            facts={"node": "", "reason": "too_large", "limit": MAX_EDGES})
        total, strength = self._totals()
        self._statements()
        counts = self._path_counts()
        paths = self._paths()
        entry["total"] = total
        entry["paths_total"] = sum(counts.get(v, 0) for _, v, _, _ in self.seeds)
        written = [self._written(path) for path in paths]
        entry["paths"] = written
        shown = sum(p["product"] * (1.0 if p["weight"] is None else p["weight"])
                    for p in written)
        entry["rest"] = total - shown if entry["paths_total"] > len(written) else None
        entry["sum_formula"], entry["sum_numbers"] = self._sum_line(paths, written)
        self.magnitude = strength
        return entry

    # 1. element edges, from the target up --------------------------------------------------

    def _forward(self, graph: GraphWalk) -> None:
        target = self.target.vertex
        consumers: dict[int, list[tuple[Any, int, int]]] = {}
        for node in graph.nodes:
            for slot, (child, number) in enumerate(node.next_functions):
                if child is not None:
                    consumers.setdefault(id(child), []).append((node, slot, number))
        reached: dict[tuple[int, int], torch.Tensor] = {
            (target[0], target[1]): torch.tensor([target[2]])}
        self.nodes[target[0]] = self.target.node
        self.order.append(target)
        pending = {id(n) for n, _, _ in consumers.get(target[0], [])}
        edges = 0
        for node in graph.nodes:
            if id(node) not in pending or id(node) == target[0]:
                continue
            view = self._view(node)
            found = self.found[id(node)]
            made: dict[tuple[int, int], list[torch.Tensor]] = {}
            for slot, (child, number) in enumerate(node.next_functions):
                inputs = reached.get((id(child), number)) if child is not None else None
                if inputs is None:
                    continue
                local = local_derivatives(view, slot, found, inputs)
                edges += len(local.a)
                if edges > MAX_EDGES:
                    raise TooLarge
                assert local.values is not None
                scales = local.values.abs() if local.scales is None else local.scales
                for b, a, o, value, scale in zip(local.b.tolist(), local.a.tolist(),
                                                 local.outputs.tolist(),
                                                 local.values.tolist(), scales.tolist(),
                                                 strict=True):
                    vertex = (id(node), o, a)
                    if vertex not in self.down:
                        self.down[vertex] = []
                        self.order.append(vertex)
                    self.down[vertex].append(Edge((id(child), number, b), value, slot,
                                                  scale))
                for o in torch.unique(local.outputs).tolist():
                    made.setdefault((id(node), o), []).append(local.a[local.outputs == o])
            for key, parts in made.items():
                reached[key] = torch.unique(torch.cat(parts))
                pending.update(id(n) for n, _, number in consumers.get(key[0], [])
                               if number == key[1])
        self.seeds = []
        for k, (output, _) in enumerate(self.outputs):
            vector = self.vectors[k]
            if output.grad_fn is None:
                if output is self.target.tensor:  # backward on the leaf itself
                    self.seeds.append((k, target, target[2], _weight(vector, target[2])))
                continue
            key = (id(output.grad_fn), output.output_nr)
            for j in reached.get(key, torch.zeros(0, dtype=torch.long)).tolist():
                self.seeds.append((k, (key[0], key[1], j), j, _weight(vector, j)))
                self._seed_labels.setdefault((key[0], key[1], j), self.outputs[k][1])

    def _view(self, node: Any) -> NodeView:
        key = id(node)
        if key not in self.views:
            self.nodes[key] = node
            self.views[key] = NodeView(node)
            self.found[key] = rule_for(self.views[key])
            for metadata in node._input_metadata:
                if metadata.dtype.is_floating_point:
                    self.eps = max(self.eps, torch.finfo(metadata.dtype).eps)
        return self.views[key]

    # 2. the total ------------------------------------------------------------------------------

    def _totals(self) -> tuple[float, float]:
        """The derivation's number, and the sum of the paths' absolute values (its scale)."""
        target = self.target.vertex
        sensitivity = {target: 1.0}
        strength = {target: 1.0}
        depth = {target: 0}
        for vertex in self.order[1:]:
            total = size = 0.0
            longest = 0
            for edge in self.down[vertex]:
                total += edge.value * sensitivity[edge.child]
                size += edge.scale * strength[edge.child]
                longest = max(longest, depth[edge.child] + 1)
            sensitivity[vertex], strength[vertex], depth[vertex] = total, size, longest
        result = scale = 0.0
        for _, vertex, _, weight in self.seeds:
            w = 1.0 if weight is None else weight
            result += w * sensitivity[vertex]
            scale += abs(w) * strength[vertex]
            self.depth = max(self.depth, depth[vertex])
        return result, scale

    # 3. statements ---------------------------------------------------------------------------

    def _statements(self) -> None:
        """Boundary vertices (the target, the outputs' elements, elements of tensors a
        statement named) and, for each vertex, the boundary vertices right below it."""
        target = self.target.vertex
        self.boundary = {target} | {v for _, v, _, _ in self.seeds} | {
            v for v in self.order if made_by(self.nodes[v[0]]) is not None}
        entries = 0
        for vertex in self.order[1:]:
            below: dict[Vertex, Reach] = {}
            for edge in self.down[vertex]:
                if edge.child in self.boundary:
                    found = below.get(edge.child)
                    below[edge.child] = Reach(edge.value + (found.value if found else 0.0),
                                              1 + (found.paths if found else 0))
                    continue
                for child, inner in self.reach[edge.child].items():
                    found = below.get(child)
                    below[child] = Reach(edge.value * inner.value +
                                         (found.value if found else 0.0),
                                         inner.paths + (found.paths if found else 0))
            entries += len(below)
            if entries > MAX_EDGES:
                raise TooLarge
            self.reach[vertex] = below

    def _path_counts(self) -> dict[Vertex, int]:
        counts = {self.target.vertex: 1}
        for vertex in self.order[1:]:
            if vertex in self.boundary:
                counts[vertex] = sum(counts[c] for c in self.reach[vertex])
        return counts

    def _paths(self) -> list[tuple[int, int, float | None, list[Vertex]]]:
        """Up to MAX_PATHS paths (output, element, weight, boundary vertices), in order."""
        found: list[tuple[int, int, float | None, list[Vertex]]] = []
        target = self.target.vertex
        for k, seed, j, weight in self.seeds:
            for path in _walks(seed, target, lambda v: list(self.reach.get(v, {}))):
                found.append((k, j, weight, path))
                if len(found) >= MAX_PATHS:
                    return found
        return found

    # writing a path out -----------------------------------------------------------------------

    def _written(self, path: tuple[int, int, float | None, list[Vertex]]) -> WhyPath:
        k, j, weight, vertices = path
        output, label = self.outputs[k]
        steps = [self._step(u, c) for u, c in itertools.pairwise(vertices)]
        product = math.prod(s["value"] for s in steps) if steps else 1.0
        folded = _fold(steps)
        for step in folded:
            if step["kind"] == "step":
                self._formula(step)
        return WhyPath(output=label, output_index=_unflat(j, list(output.shape)),
                       weight=weight, steps=folded, product=product)

    def _step(self, upper: Vertex, lower: Vertex) -> WhyStep:
        made = made_by(self.nodes[upper[0]])
        name = self._name_of(upper)
        reach = self.reach[upper][lower]
        step = WhyStep(kind="step", statement=made.statement if made is not None else name,
                       line=made.line if made is not None else None, output=name,
                       output_index=self._index_of(upper), input=self._name_of(lower),
                       input_index=self._index_of(lower), nodes=[], formula=None,
                       numbers=None, value=reach.value, source="formula",
                       inner_paths=reach.paths)
        self._edges[id(step)] = (upper, lower)
        return step

    def _name_of(self, vertex: Vertex) -> str:
        if vertex == self.target.vertex:
            return self.target.label or self.target.name
        made = made_by(self.nodes[vertex[0]])
        if made is not None:
            return made.name
        return self._seed_labels.get(vertex) or type(self.nodes[vertex[0]]).__name__

    def _index_of(self, vertex: Vertex) -> list[int]:
        if vertex == self.target.vertex:
            return list(self.target.index)
        return _unflat(vertex[2], self._shape(vertex))

    def _shape(self, vertex: Vertex) -> list[int]:
        node = self.nodes[vertex[0]]
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            return list(variable.shape)
        return list(node._input_metadata[vertex[1]].shape)

    def _formula(self, step: WhyStep) -> None:
        """The step's formula: the paths inside the statement, each a product of its nodes'
        local derivatives, added up (like terms combined), with names and with numbers."""
        upper, lower = self._edges[id(step)]
        inner, whole = self._inner_paths(upper, lower)
        kinds = list(dict.fromkeys(type(self.nodes[v[0]]).__name__
                                   for path in inner for v, _ in path))
        step["nodes"] = kinds[:MAX_PERIOD] or [type(self.nodes[upper[0]]).__name__]
        if step["inner_paths"] > INNER_TERMS or not whole:
            step["source"] = "inner"
            return
        same = step["output_index"] == step["input_index"] and \
            self._shape(upper) == self._shape(lower)
        plain = (step["output_index"], self._shape(upper)) if same else None
        terms: list[formulas.Term] = []
        for path in inner:
            term = formulas.Term()
            for vertex, edge in path:
                found = self.found[vertex[0]]
                formula = found.formulas_[edge.slot] if found.rule is not None else None
                if formula is None:
                    step["source"] = "autograd"
                    return
                term = term.times(self._edge_term(vertex, edge, formula, plain))
            terms.append(term)
        together = formulas.combined(terms)
        raw = formulas.sum_text(terms, False)
        tidy = formulas.sum_text(together, False)
        step["formula"] = raw if raw == tidy else f"{raw} = {tidy}"
        numbers = formulas.sum_text(together, True)
        step["numbers"] = None if numbers == tidy else numbers
        self._terms[id(step)] = together

    def _inner_paths(self, upper: Vertex, lower: Vertex
                     ) -> tuple[list[list[tuple[Vertex, Edge]]], bool]:
        """Node paths from `upper` down to `lower` inside the statement, as (vertex, edge
        taken) pairs, and whether they are all there: the search stops past INNER_TERMS
        paths or INNER_LENGTH nodes on one (those are not written out)."""
        found: list[list[tuple[Vertex, Edge]]] = []
        path: list[tuple[Vertex, Edge]] = []
        choices = [iter(self.down[upper])]
        at = [upper]
        while choices and len(found) <= INNER_TERMS:
            edge = next(choices[-1], None)
            if edge is None:
                choices.pop()
                at.pop()
                if path:
                    path.pop()
                continue
            if edge.child == lower:
                found.append([*path, (at[-1], edge)])
            elif edge.child not in self.boundary and lower in self.reach.get(edge.child, {}):
                if len(path) >= INNER_LENGTH:
                    return found, False
                path.append((at[-1], edge))
                at.append(edge.child)
                choices.append(iter(self.down[edge.child]))
        return found, len(found) <= INNER_TERMS

    def _edge_term(self, vertex: Vertex, edge: Edge, formula: str,
                   plain: tuple[list[int], list[int]] | None) -> formulas.Term:
        view = self.views[vertex[0]]
        found = self.found[vertex[0]]
        rule = found.rule
        assert rule is not None
        family = found.families[edge.slot]
        one = _single_edge(vertex, edge)
        extras = view.extras(rule)

        def operand(name: str, where: formulas.Where) -> formulas.Operand:
            per_edge = family.edge_operand(view, edge.slot, rule, name, one)
            if per_edge is not None:
                return formulas.Operand(None, float(per_edge[0]))
            if name == "pi":
                return formulas.Operand("π", math.pi)
            source = extras[name] if name in extras else view.saved(name)
            if not isinstance(source, torch.Tensor):
                return formulas.Operand(None, float(source))
            shape = list(source.shape)
            flat = family.locate(view, edge.slot, rule, shape, where, one)
            value = float(view.values(source)[flat][0])
            symbol = self._symbol(source, name, vertex, shape, int(flat[0]), plain)
            if symbol is None and name != "result" and source.grad_fn is not None:
                made = self._made(source.grad_fn, int(flat[0]), shape, plain, MADE_DEPTH)
                if made is not None and math.isclose(made.value, value, rel_tol=1e-6,
                                                     abs_tol=1e-9):
                    return formulas.Operand(made.written(False), value, term=made)
            return formulas.Operand(symbol, value)

        return formulas.term_of(formula, operand)

    def _made(self, node: Any, flat: int, shape: list[int],
              plain: tuple[list[int], list[int]] | None, depth: int) -> formulas.Term | None:
        """An unnamed intermediate (the result of `node`, at `flat`) written with the names of
        what it was made from (derivation_rules.MADE), or None where that is not known:
        only elementwise, no broadcasting, a few nodes deep."""
        form = MADE.get(type(node).__name__)
        if form is None or depth == 0 or made_by(node) is not None:
            return None
        view = NodeView(node)

        def operand(name: str, where: formulas.Where) -> formulas.Operand:
            if name not in MADE_CONSTANTS:  # a saved number: alpha, exponent
                number = view.saved(name)
                if not isinstance(number, (int, float)):
                    raise LookupError(name)
                return formulas.Operand(None, float(number))
            slot = int(name[2:])
            child = node.next_functions[slot][0] if slot < len(node.next_functions) else None
            if child is None:  # a constant: kept as the saved self/other, if at all
                kept = view.saved(MADE_CONSTANTS[name]) if view.has(MADE_CONSTANTS[name]) \
                    else None
                if isinstance(kept, torch.Tensor) and kept.numel() == 1:
                    return formulas.Operand(None, float(kept))
                if isinstance(kept, (int, float)):
                    return formulas.Operand(None, float(kept))
                raise LookupError(name)
            tensor = self._tensor_of(child)
            if tensor is not None:
                if list(tensor.shape) != shape and tensor.numel() != 1:
                    raise LookupError(name)
                at = flat if tensor.numel() != 1 else 0
                value = float(tensor.detach().reshape(-1)[at])
                symbol = self._named_symbol(tensor, list(tensor.shape), at, plain)
                return formulas.Operand(symbol, value)
            inner = self._made(child, flat, shape, plain, depth - 1)
            if inner is None:
                raise LookupError(name)
            return formulas.Operand(inner.written(False), inner.value, term=inner)

        try:
            return formulas.term_of(form, operand)
        except (LookupError, RuntimeError, ValueError):
            return None

    def _tensor_of(self, node: Any) -> torch.Tensor | None:
        """The tensor a leaf's node accumulates into, or the named tensor a node made."""
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            return variable
        made = made_by(node)
        if made is None:
            return None
        found = self.env.get(made.name)
        return found if isinstance(found, torch.Tensor) and found.grad_fn is node else None

    def _named_symbol(self, tensor: torch.Tensor, shape: list[int], flat: int,
                      plain: tuple[list[int], list[int]] | None) -> str | None:
        known = self.names.get(id(tensor))
        if known is None:
            return None
        if tensor.numel() == 1:
            return known
        index = _unflat(flat, shape)
        if plain is not None and plain[1] == shape and plain[0] == index:
            return known
        return f"{known}[{','.join(str(i) for i in index)}]"

    def _symbol(self, source: torch.Tensor, name: str, vertex: Vertex, shape: list[int],
                flat: int, plain: tuple[list[int], list[int]] | None) -> str | None:
        """The user's name for an operand (with its element where that is not obvious), or
        None: then its number stands in the formula."""
        if name != "result":
            return self._named_symbol(source, shape, flat, plain)
        made = made_by(self.nodes[vertex[0]])
        if made is None:
            return None
        if source.numel() == 1:
            return made.name
        index = _unflat(flat, shape)
        if plain is not None and plain[1] == shape and plain[0] == index:
            return made.name
        return f"{made.name}[{','.join(str(i) for i in index)}]"

    def _sum_line(self, paths: list[tuple[int, int, float | None, list[Vertex]]],
                  written: list[WhyPath]) -> tuple[str | None, str | None]:
        """With several paths: each path's product, added up (`v[0,0]·y[1,0] + ...`)."""
        if len(written) < 2:
            return None, None
        terms: list[formulas.Term] = []
        several = len(self.outputs) > 1
        for (k, j, weight, _), path in zip(paths, written, strict=True):
            term = formulas.Term()
            if weight is not None:
                output = self.outputs[k]
                index = _unflat(j, list(output[0].shape))
                name = f"v_{output[1]}" if several else "v"
                symbol = f"{name}[{','.join(str(i) for i in index)}]" if index else name
                term = term.times(formulas.Term(factors=(formulas.Factor(
                    symbol, formula_number(weight), weight),)))
            for step in path["steps"]:
                together = self._terms.get(id(step))
                if step["kind"] != "step" or together is None:
                    return None, None
                if len(together) == 1:
                    term = term.times(together[0])
                else:
                    term = term.times(formulas.Term(factors=(formulas.Factor(
                        formulas.sum_text(together, False), formulas.sum_text(together, True),
                        step["value"], compound=True),)))
            terms.append(term)
        names = formulas.sum_text(terms, False)
        if len(names) > SUM_WIDTH:  # not readable as one line: the paths' numbers instead
            return None, None
        return names, formulas.sum_text(terms, True)


def check(entry: WhyEntry, autograd: float | None, before: float | None,
          after: float | None, eps: float, magnitude: float, depth: int) -> None:
    """Fill in what autograd gave and whether the derivation's number equals it: within
    the rounding a computation of that depth can make with that machine epsilon (of the
    least precise dtype the graph computed in)."""
    entry["autograd"], entry["before"], entry["after"] = autograd, before, after
    total = entry.get("total")
    if autograd is None or total is None:
        entry["agrees"] = None
        return
    if not (math.isfinite(total) and math.isfinite(autograd)):
        entry["agrees"] = (math.isnan(total) and math.isnan(autograd)) or total == autograd
        return
    tolerance = eps * (8 + 2 * depth) * max(magnitude, abs(total), abs(autograd)) + 1e-12
    entry["agrees"] = abs(total - autograd) <= tolerance


# helpers -----------------------------------------------------------------------------------------

def _weight(vector: torch.Tensor | None, flat: int) -> float | None:
    return None if vector is None else float(vector.reshape(-1)[flat])


def _flat(index: list[int], shape: list[int]) -> int:
    return int(ravel([torch.tensor([i]) for i in index], shape)[0]) if shape else 0


def _unflat(flat: int, shape: list[int]) -> list[int]:
    return [int(c[0]) for c in unravel(torch.tensor([flat]), shape)]


def _single_edge(vertex: Vertex, edge: Edge) -> Edges:
    return Edges(torch.tensor([edge.child[2]]), torch.tensor([vertex[2]]),
                 torch.tensor([vertex[1]]))


def _walks(start: Vertex, end: Vertex, below: Any) -> Iterable[list[Vertex]]:
    """Every path from `start` down to `end` (depth first, in order), one at a time."""
    path = [start]
    choices = [iter(below(start))] if start != end else []
    if start == end:
        yield [start]
        return
    while choices:
        child = next(choices[-1], None)
        if child is None:
            choices.pop()
            path.pop()
            continue
        if child == end:
            yield [*path, child]
            continue
        path.append(child)
        choices.append(iter(below(child)))


def _fold(path: list[WhyStep]) -> list[WhyStep]:
    """Repeated patterns of statements (a loop's iterations) as one line each, and a path
    longer than MAX_STEPS cut to its first steps and one line for the rest. The last step,
    the one into the element asked about, is always written out."""
    steps, last = path[:-1], path[-1:]
    keys = [(s["statement"], s["line"]) for s in steps]
    result: list[WhyStep] = []
    i = 0
    while i < len(steps):
        folded = False
        for period in range(1, MAX_PERIOD + 1):
            if i + period * FOLD_AT > len(steps):
                break
            pattern = keys[i:i + period]
            count = 1
            while keys[i + count * period:i + (count + 1) * period] == pattern:
                count += 1
            if count >= FOLD_AT:
                run = steps[i:i + count * period]
                result.append(WhyStep(
                    kind="fold", pattern=[s["statement"] for s in run[:period]], count=count,
                    value=math.prod(s["value"] for s in run),
                    nodes=[], output=run[0]["output"], output_index=run[0]["output_index"],
                    input=run[-1]["input"], input_index=run[-1]["input_index"]))
                i += count * period
                folded = True
                break
        if not folded:
            result.append(steps[i])
            i += 1
    if len(result) > MAX_STEPS:
        rest = result[MAX_STEPS - 1:]
        result = [*result[:MAX_STEPS - 1], WhyStep(
            kind="fold", pattern=[], count=sum(s.get("count", 1) for s in rest),
            value=math.prod(s["value"] for s in rest), nodes=[], output=rest[0]["output"],
            output_index=rest[0]["output_index"], input=rest[-1]["input"],
            input_index=rest[-1]["input_index"])]
    return result + last


# one target around one call ----------------------------------------------------------------------

@dataclass
class Watch:
    """One --why target during one call: its derivation (made before the call, while the
    graph holds its saved tensors) and what autograd gives its element, read around it."""

    entry: WhyEntry
    target: Target | None = None
    before: float | None = None
    arrived: list[float] = field(default_factory=list)
    handle: Any = None
    magnitude: float = 0.0
    depth: int = 0
    eps: float = 1e-7
    start: float | None = None  # the target is an output: the gradient autograd starts from

    def finish(self, results: list[tuple[torch.Tensor, Any]] | None) -> WhyEntry:
        """After the call: what autograd gave the element, and the check. `results`: an
        autograd.grad call's (input, gradient) pairs."""
        if self.handle is not None:
            self.handle.remove()
            self.handle = None
        target = self.target
        if target is None or self.entry.get("status") != "derived":
            return self.entry
        flat = _flat(target.index, list(target.tensor.shape))
        autograd: float | None
        after: float | None = None
        if results is not None and any(t is target.tensor for t, _ in results):
            grad = next((g for t, g in results if t is target.tensor), None)
            autograd = _element(grad, flat)
        elif target.kind == "non_leaf":
            autograd = sum(self.arrived) if self.arrived else self.start
        else:
            after = _element(target.tensor.grad, flat)
            autograd = None if after is None else after - (self.before or 0.0)
        before = self.before if after is not None else None
        check(self.entry, autograd, before, after, self.eps, self.magnitude, self.depth)
        self.target = None  # the record keeps no tensor
        return self.entry


def watch(asked: str, outputs: list[tuple[torch.Tensor, str]], gradients: list[Any] | None,
          env: dict[str, Any], tracked: list[tuple[str, torch.Tensor]],
          inputs: list[tuple[torch.Tensor, str]] | None, graph: GraphWalk | None = None
          ) -> Watch | None:
    """Derive `asked` (NAME or NAME[i, j]) for a call about to run; None when the call does
    not reach it."""
    graph = graph or walk([t for t, _ in outputs])
    found = resolve(asked, tracked, env, graph, inputs, [t for t, _ in outputs])
    if found is None:
        return None
    if not isinstance(found, Target):
        return Watch(found)
    vectors: list[torch.Tensor | None] = []
    for k, (output, _) in enumerate(outputs):
        given = gradients[k] if gradients is not None and k < len(gradients) else None
        if isinstance(given, torch.Tensor):
            vectors.append(given.detach().to(output.dtype).expand_as(output))
        elif isinstance(given, (int, float)):
            vectors.append(torch.full_like(output, float(given)))
        else:
            vectors.append(None)
    derivation = Derivation(outputs, vectors, found, names_of(env), env)
    entry = derivation.run(graph)
    result = Watch(entry, found, magnitude=derivation.magnitude, depth=derivation.depth,
                   eps=derivation.eps)
    flat = _flat(found.index, list(found.tensor.shape))
    if found.kind == "non_leaf":
        def arrived(gradient: torch.Tensor | None) -> None:
            # Called inside the user's call: it reads, and must never fail. A node with
            # several outputs passes None for an output that got no gradient.
            if gradient is None:
                result.arrived.append(0.0)
            elif isinstance(gradient, torch.Tensor) and gradient.numel() > flat:
                result.arrived.append(float(gradient.detach().reshape(-1)[flat]))

        result.handle = found.tensor.register_hook(arrived)  # type: ignore[no-untyped-call]
        for k, (output, _) in enumerate(outputs):
            if output is found.tensor:  # where autograd starts: v (1 for a scalar)
                result.start = 1.0 if vectors[k] is None else _weight(vectors[k], flat)
    else:
        result.before = _element(found.tensor.grad, flat)
    return result


def names_of(env: dict[str, Any]) -> dict[int, str]:
    """Tensor id -> the user's name (the first name bound to it; a module's parameters by
    their path, `net.fc.weight`)."""
    names: dict[int, str] = {}
    for name, value in env.items():
        if isinstance(value, torch.Tensor):
            names.setdefault(id(value), name)
        elif isinstance(value, torch.nn.Module):
            for path, parameter in value.named_parameters():
                names.setdefault(id(parameter), f"{name}.{path}")
    return names


def _element(tensor: torch.Tensor | None, flat: int) -> float | None:
    if tensor is None:
        return None
    return float(tensor.detach().reshape(-1)[flat])
