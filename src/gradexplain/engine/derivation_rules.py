"""The local derivatives of autograd's backward nodes: one table, one line per node kind.

For the chain rule written out (`--why`, engine/derivation.py) every node on a path needs
two things for one input element: which of its output elements depend on it, and by how
much (the local derivative, ∂out[a]/∂in[b]). A rule says both, from the tensors the node
saved for backward (`_saved_self`, `_saved_result`, ...): its *family* spreads an input
element over output elements (elementwise with broadcasting, a reduction, a softmax-like
operation along a dim, a contraction such as `mm`, or a move of elements such as `view`),
and one formula per input (engine/formulas.py) gives the value there and the text a learner
reads (`other`, written `y`). The formulas are the same in English and Chinese.

A node kind the table does not know still gets its step: `AUTOGRAD` asks the node itself
(its backward applied to a gradient that depends on a variable, differentiated again: the
column of its Jacobian), and the step says that its number comes from autograd. Nothing
here invents a formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.engine import formulas

Extras = Callable[["NodeView"], dict[str, Any]]


class NotDerivable(Exception):
    """A node whose local derivatives cannot be found (no formula, and autograd's own
    backward cannot be differentiated, or it is the user's own code)."""

    def __init__(self, node: str, reason: str) -> None:
        super().__init__(f"{node}: {reason}")
        self.node = node
        self.reason = reason


# the node, as a rule reads it ------------------------------------------------------------------

class NodeView:
    """One backward node: its kind, the shapes of its outputs and inputs, what it saved."""

    def __init__(self, node: Any) -> None:
        self.node = node
        self.kind = type(node).__name__
        self._saved: dict[str, Any] = {}
        self._values: dict[int, torch.Tensor] = {}
        self._extras: dict[str, Any] | None = None

    def out_shape(self, output: int = 0) -> list[int]:
        return list(self.node._input_metadata[output].shape)

    @property
    def outputs(self) -> int:
        return len(self.node._input_metadata)

    def in_shape(self, slot: int) -> list[int]:
        child, number = self.node.next_functions[slot]
        variable = getattr(child, "variable", None)
        if isinstance(variable, torch.Tensor):
            return list(variable.shape)
        return list(child._input_metadata[number].shape)

    @property
    def slots(self) -> int:
        return len(self.node.next_functions)

    def saved(self, name: str) -> Any:
        """`_saved_<name>` as PyTorch gives it (the user's tensor object for inputs)."""
        if name not in self._saved:
            self._saved[name] = getattr(self.node, f"_saved_{name}")
        return self._saved[name]

    def has(self, name: str) -> bool:
        return hasattr(self.node, f"_saved_{name}")

    def values(self, tensor: torch.Tensor) -> torch.Tensor:
        """A saved tensor's numbers, flat, in float64 on the CPU (read once per node)."""
        key = id(tensor)
        if key not in self._values:
            data = tensor.detach()
            if data.is_complex() or data.is_meta:
                raise NotDerivable(self.kind, "complex" if data.is_complex() else "meta")
            self._values[key] = data.to("cpu", torch.float64).reshape(-1)
        return self._values[key]

    def extras(self, rule: Rule) -> dict[str, Any]:
        if self._extras is None:
            self._extras = {"pi": math.pi, **(rule.extras(self) if rule.extras else {})}
        return self._extras


@dataclass
class Edges:
    """Local derivatives of one node input: input element b[i] -> output element a[i] of
    output `outputs[i]`, each worth `values[i]` (None until the formula is evaluated)."""

    b: torch.Tensor
    a: torch.Tensor
    outputs: torch.Tensor
    values: torch.Tensor | None = None
    # The size of the numbers each value was computed from (the largest tensor operand, or
    # the value): what rounding in the tensors' dtype is relative to, cancellation included.
    scales: torch.Tensor | None = None


# index arithmetic ------------------------------------------------------------------------------

def unravel(flat: torch.Tensor, shape: Sequence[int]) -> list[torch.Tensor]:
    """Flat indices into `shape` as one coordinate vector per dim."""
    coordinates = []
    rest = flat.clone()
    for size in reversed(shape):
        coordinates.append(rest % size if size else rest)
        rest = rest // size if size else rest
    return list(reversed(coordinates))


def ravel(coordinates: Sequence[torch.Tensor], shape: Sequence[int]) -> torch.Tensor:
    flat = torch.zeros_like(coordinates[0]) if coordinates else torch.zeros(1, dtype=torch.long)
    for coordinate, size in zip(coordinates, shape, strict=True):
        flat = flat * size + coordinate
    return flat


def project(flat: torch.Tensor, shape: Sequence[int], target: Sequence[int]) -> torch.Tensor:
    """Where elements of `shape` broadcast from in a tensor of shape `target`."""
    if list(shape) == list(target):
        return flat
    if not target:
        return torch.zeros_like(flat)
    coordinates = unravel(flat, shape)[len(shape) - len(target):]
    kept = [c if size != 1 else torch.zeros_like(c) for c, size in zip(coordinates, target,
                                                                          strict=True)]
    return ravel(kept, target)


def _one_output(b: torch.Tensor, a: torch.Tensor) -> Edges:
    return Edges(b, a, torch.zeros_like(a))


# families: how an input element spreads, and where operands are read --------------------------

class Family:
    """How one input's elements spread over the output, and where a formula reads."""

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        raise NotImplementedError

    def locate(self, view: NodeView, slot: int, rule: Rule, shape: list[int],
               where: formulas.Where, edges: Edges) -> torch.Tensor:
        """Flat indices into a tensor of `shape`, read `where` on each edge."""
        if where == "b" or (where is None and self.reads_input):
            return project(edges.b, view.in_shape(slot), shape)
        return project(edges.a, view.out_shape(), shape)

    reads_input = False

    def edge_operand(self, view: NodeView, slot: int, rule: Rule, name: str,
                     edges: Edges) -> torch.Tensor | None:
        """Values a family defines per edge (`delta`, `after`, `position`), else None."""
        return None


class Elementwise(Family):
    """Each output element from the input elements at its place (after broadcasting)."""

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        shape, out = view.in_shape(slot), view.out_shape()
        if shape == out:
            return _one_output(b, b)
        every = torch.arange(math.prod(out))
        source = project(every, out, shape)
        chosen = torch.isin(source, b)
        return _one_output(source[chosen], every[chosen])


def _dims(view: NodeView) -> tuple[list[int], bool]:
    """The dims a reduction reduced (every dim when it names none) and its keepdim."""
    rank = len(view.in_shape(0))
    dim = view.saved("dim") if view.has("dim") else None
    keep = bool(view.saved("keepdim")) if view.has("keepdim") else False
    if dim is None or dim in ((), []):
        return list(range(rank)), keep
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted(d % rank if rank else 0 for d in dims), keep


class Reduction(Family):
    """Each input element goes to the one output element its reduced dims collapse into."""

    reads_input = True

    def __init__(self, dims: Callable[[NodeView], tuple[list[int], bool]] = _dims) -> None:
        self.dims = dims

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        shape = view.in_shape(slot)
        dims, keep = self.dims(view)
        coordinates = unravel(b, shape)
        kept = [torch.zeros_like(c) if d in dims else c for d, c in enumerate(coordinates)
                if keep or d not in dims]
        return _one_output(b, ravel(kept, view.out_shape()) if kept else torch.zeros_like(b))

    def edge_operand(self, view: NodeView, slot: int, rule: Rule, name: str,
                     edges: Edges) -> torch.Tensor | None:
        if name == "position":  # b's place along the (one) reduced dim: max(dim)'s indices
            dims, _ = self.dims(view)
            return unravel(edges.b, view.in_shape(slot))[dims[0]].to(torch.float64)
        return None


def _reduced(view: NodeView) -> int:
    """How many elements each output element of a reduction is made of (mean's n)."""
    dims, _ = _dims(view)
    shape = view.in_shape(0)
    return math.prod(shape[d] for d in dims)


class Along(Family):
    """Each output element from every input element on its line along `dim` (softmax,
    cumsum): `delta` is 1 where a and b are the same element, `after` where a >= b."""

    reads_input = False

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        shape = view.in_shape(slot)
        dim = int(view.saved("dim")) % max(len(shape), 1)
        size = shape[dim] if shape else 1
        coordinates = unravel(b, shape)
        repeated = [c.repeat_interleave(size) for c in coordinates]
        if shape:
            repeated[dim] = torch.arange(size).repeat(len(b))
        return _one_output(b.repeat_interleave(size), ravel(repeated, shape))

    def edge_operand(self, view: NodeView, slot: int, rule: Rule, name: str,
                     edges: Edges) -> torch.Tensor | None:
        if name not in ("delta", "after"):
            return None
        shape = view.in_shape(slot)
        if not shape:
            return torch.ones(len(edges.a), dtype=torch.float64)
        dim = int(view.saved("dim")) % len(shape)
        at_a, at_b = unravel(edges.a, shape)[dim], unravel(edges.b, shape)[dim]
        return ((at_a == at_b) if name == "delta" else (at_a >= at_b)).to(torch.float64)


class Contraction(Family):
    """A product that sums over shared letters, as einsum writes it: `ik,kj->ij` is mm.
    An input element spreads over the output letters it does not fix (mm: x[i, k] reaches
    the whole row z[i, :]); formulas read other operands at letters (`mat2[k, j]`)."""

    def __init__(self, spec: str, operand: int) -> None:
        inputs, self.output = spec.split("->")
        self.letters = inputs.split(",")[operand]

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        shape, out = view.in_shape(slot), view.out_shape()
        known = dict(zip(self.letters, unravel(b, shape), strict=True))
        free = [(i, letter) for i, letter in enumerate(self.output) if letter not in known]
        count = math.prod(out[i] for i, _ in free)
        coordinates: list[torch.Tensor] = []
        rest = torch.arange(count)
        frees: dict[str, torch.Tensor] = {}
        for i, letter in reversed(free):
            frees[letter] = rest % out[i]
            rest = rest // out[i]
        for letter in self.output:
            if letter in known:
                coordinates.append(known[letter].repeat_interleave(count))
            else:
                coordinates.append(frees[letter].repeat(len(b)))
        a = ravel(coordinates, out) if self.output else torch.zeros(len(b) * count,
                                                                     dtype=torch.long)
        return _one_output(b.repeat_interleave(count), a)

    def locate(self, view: NodeView, slot: int, rule: Rule, shape: list[int],
               where: formulas.Where, edges: Edges) -> torch.Tensor:
        if not isinstance(where, tuple):
            return super().locate(view, slot, rule, shape, where, edges)
        letters = self.coordinates(view, slot, edges)
        return ravel([letters[letter] for letter in where], shape) if where else \
            torch.zeros_like(edges.a)

    def coordinates(self, view: NodeView, slot: int, edges: Edges) -> dict[str, torch.Tensor]:
        found = dict(zip(self.output, unravel(edges.a, view.out_shape()), strict=True))
        found.update(zip(self.letters, unravel(edges.b, view.in_shape(slot)), strict=True))
        return found


def _single_outputs(gradients: Any) -> tuple[torch.Tensor | None, ...]:
    return gradients if isinstance(gradients, tuple) else (gradients,)


def _variables(view: NodeView) -> list[torch.Tensor]:
    """One zero gradient per node output, requiring grad: the node's backward applied to
    them is a function of them we can differentiate again."""
    return [torch.zeros(view.out_shape(o), dtype=m.dtype, device=m.device, requires_grad=True)
            for o, m in enumerate(view.node._input_metadata)]


def _applied(view: NodeView, slot: int) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The node's backward on variable gradients, for one of its inputs."""
    if isinstance(view.node, torch.autograd.function.BackwardCFunction):
        raise NotDerivable(view.kind, "custom_backward")  # it would run the user's code
    variables = _variables(view)
    with torch.enable_grad():
        try:
            result: Any = _single_outputs(view.node(*variables))[slot]
        except RuntimeError as exc:
            raise NotDerivable(view.kind, "autograd_failed") from exc
    if result is None or not result.requires_grad:
        raise NotDerivable(view.kind, "autograd_failed")
    return variables, result


class Move(Family):
    """Elements moved, not computed (view, transpose, index, cat...): each output element is
    one input element, so its local derivative is 1. Which one comes from the node itself:
    its backward is the transpose J^T of a 0/1 matrix J; differentiating <J^T g, u> by g
    gives J u, and with u numbering the input elements (1, 2, 3...) J u names, at each
    output element, the input element it holds. One call for every element at once."""

    def __init__(self, same_order: bool = False) -> None:
        self.same_order = same_order  # view, reshape, clone: element k stays element k

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        if self.same_order and view.outputs == 1:
            return Edges(b, b, torch.zeros_like(b), torch.ones(len(b), dtype=torch.float64))
        variables, applied = _applied(view, slot)
        if applied.dtype not in (torch.float32, torch.float64) or \
                applied.numel() >= 2**24:  # the numbering must be exact in the node's dtype
            return AUTOGRAD_FAMILY.spread(view, slot, rule, b)
        numbering = torch.zeros(applied.numel(), dtype=applied.dtype)
        numbering[b] = (b + 1).to(applied.dtype)
        numbering = numbering.to(applied.device)
        moved: tuple[Any, ...] = torch.autograd.grad(
            applied, variables, numbering.reshape(applied.shape), allow_unused=True)
        sources, targets, outputs = [], [], []
        for o, found in enumerate(moved):
            if found is None:
                continue
            flat = found.detach().reshape(-1).cpu()
            where = torch.nonzero(flat).reshape(-1)
            sources.append(flat[where].round().to(torch.long) - 1)
            targets.append(where)
            outputs.append(torch.full_like(where, o))
        if not sources:
            empty = torch.zeros(0, dtype=torch.long)
            return Edges(empty, empty, empty, torch.zeros(0, dtype=torch.float64))
        source = torch.cat(sources)
        return Edges(source, torch.cat(targets), torch.cat(outputs),
                     torch.ones(len(source), dtype=torch.float64))


AUTOGRAD_LIMIT = 512  # input elements of one node asked of autograd one by one


class FromAutograd(Family):
    """A node the table has no formula for: its Jacobian's columns, one input element at a
    time, from its own backward differentiated again (labelled as such where shown)."""

    def spread(self, view: NodeView, slot: int, rule: Rule, b: torch.Tensor) -> Edges:
        if len(b) > AUTOGRAD_LIMIT:
            raise NotDerivable(view.kind, "too_large")
        variables, applied = _applied(view, slot)
        flat = applied.reshape(-1)
        sources, targets, outputs, values = [], [], [], []
        for element in b.tolist():
            try:
                columns: tuple[Any, ...] = torch.autograd.grad(
                    flat[element], variables, retain_graph=True, allow_unused=True)
            except RuntimeError as exc:
                raise NotDerivable(view.kind, "autograd_failed") from exc
            for o, column in enumerate(columns):
                if column is None:
                    continue
                found = column.detach().reshape(-1).cpu()
                where = torch.nonzero(found).reshape(-1)
                sources.append(torch.full_like(where, element))
                targets.append(where)
                outputs.append(torch.full_like(where, o))
                values.append(found[where].to(torch.float64))
        if not sources:
            empty = torch.zeros(0, dtype=torch.long)
            return Edges(empty, empty, empty, torch.zeros(0, dtype=torch.float64))
        return Edges(torch.cat(sources), torch.cat(targets), torch.cat(outputs),
                     torch.cat(values))


AUTOGRAD_FAMILY = FromAutograd()
ELEMENTWISE = Elementwise()
REDUCTION = Reduction()
ALONG = Along()


# rules -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One input of a node: how it spreads, and its local derivative (None: no formula)."""

    family: Family
    formula: str | None


@dataclass(frozen=True)
class Rule:
    slots: tuple[Slot, ...]
    extras: Extras | None = None  # values the formulas use beyond the saved ones (n, count)
    # The rule holds for the node only when this says so (e.g. gelu without approximation).
    applies: Callable[[NodeView], bool] | None = None
    moves: bool = False  # a Move: the step's formula is 1 (an element moved, not computed)


def unary(formula: str, *, applies: Callable[[NodeView], bool] | None = None,
          extras: Extras | None = None) -> Rule:
    return Rule((Slot(ELEMENTWISE, formula),), extras, applies)


def elementwise(*slots: str | None, extras: Extras | None = None,
                applies: Callable[[NodeView], bool] | None = None) -> Rule:
    return Rule(tuple(Slot(ELEMENTWISE, f) for f in slots), extras, applies)


def reduction(formula: str, extras: Extras | None = None,
              applies: Callable[[NodeView], bool] | None = None) -> Rule:
    return Rule((Slot(REDUCTION, formula),), extras, applies)


def contraction(spec: str, *formulas_: str) -> Rule:
    """One formula per operand of `spec`, in its order."""
    return Rule(tuple(Slot(Contraction(spec, i), f) for i, f in enumerate(formulas_)))


def move(slots: int = 1, same_order: bool = False) -> Rule:
    family = Move(same_order)
    return Rule(tuple(Slot(family, "1") for _ in range(slots)), moves=True)


def _n(view: NodeView) -> dict[str, Any]:
    return {"n": _reduced(view)}


def _ties(view: NodeView) -> dict[str, Any]:
    """`count`: how many elements hold the extreme value (PyTorch shares it among them)."""
    dims, keep = _dims(view)
    values = view.saved("self").detach().to(torch.float64)
    result = view.saved("result").detach().to(torch.float64)
    if not keep and dims:
        for d in dims:
            result = result.unsqueeze(d)
    count = (values == result).sum(dim=dims, keepdim=keep) if dims else \
        (values == result).to(torch.float64)
    return {"count": count.to(torch.float64)}


def _moments(view: NodeView) -> dict[str, Any]:
    dims, keep = _dims(view)
    values = view.saved("self").detach().to(torch.float64)
    correction = view.saved("correction") if view.has("correction") else None
    return {"n": _reduced(view), "mean": values.mean(dim=dims, keepdim=keep),
            "correction": 1 if correction is None else float(correction)}


def _clamp_bounds(view: NodeView) -> dict[str, Any]:
    low, high = view.saved("min"), view.saved("max")
    return {"min": -math.inf if low is None else low, "max": math.inf if high is None else high}


def _loss_scale(view: NodeView) -> dict[str, Any]:
    """Mean divides by the elements (n), sum and none by 1."""
    reduction_ = int(view.saved("reduction"))
    return {"n": math.prod(view.in_shape(0)) if reduction_ == 1 else 1}


def _loss_dims(view: NodeView) -> tuple[list[int], bool]:
    if int(view.saved("reduction")) == 0:
        return [], False
    return list(range(len(view.in_shape(0)))), False


def _nll_dims(view: NodeView) -> tuple[list[int], bool]:
    rank = len(view.in_shape(0))
    if int(view.saved("reduction")) == 0:
        return ([1] if rank > 1 else [0]), False
    return list(range(rank)), False


def _picked(view: NodeView) -> dict[str, Any]:
    """nll_loss: 1 at each row's target class (0 where the target is ignore_index)."""
    log_probabilities = view.saved("self")
    target = view.saved("target").detach().to("cpu", torch.long).reshape(-1)
    classes = log_probabilities.shape[-1]
    ignore = int(view.saved("ignore_index"))
    if ignore >= 2**63:  # an unsigned -100 as the node keeps it
        ignore -= 2**64
    kept = target != ignore
    picked = torch.zeros(target.numel(), classes, dtype=torch.float64)
    rows = torch.arange(target.numel())[kept]
    picked[rows, target[kept]] = 1.0
    reduction_ = int(view.saved("reduction"))
    norm = float(view.saved("total_weight")) if reduction_ == 1 else 1.0
    return {"picked": picked.reshape(log_probabilities.shape), "norm": norm}


def _saved_is(name: str, wanted: Any) -> Callable[[NodeView], bool]:
    return lambda view: view.saved(name) == wanted


def _no_weights(view: NodeView) -> bool:
    return all(not view.has(w) or view.saved(w) is None for w in ("weight", "pos_weight"))


_LOSS = Reduction(_loss_dims)
_DIFF = "(self[b] - target[b])"

# The table. Formulas name the node's saved values as PyTorch calls them (self, other, result,
# exponent, alpha, ...); engine/formulas.py documents the syntax.
RULES: dict[str, Rule] = {
    # elementwise, one input
    "NegBackward0": unary("-1"),
    "ExpBackward0": unary("result"),
    "Exp2Backward0": unary("result * log(2)"),
    "Expm1Backward0": unary("result + 1"),
    "LogBackward0": unary("1 / self"),
    "Log2Backward0": unary("1 / (self * log(2))"),
    "Log10Backward0": unary("1 / (self * log(10))"),
    "Log1PBackward0": unary("1 / (1 + self)"),
    "SinBackward0": unary("cos(self)"),
    "CosBackward0": unary("-sin(self)"),
    "TanBackward0": unary("1 + result ** 2"),
    "TanhBackward0": unary("1 - result ** 2"),
    "SigmoidBackward0": unary("result * (1 - result)"),
    "ReluBackward0": unary("(result > 0)"),
    "SqrtBackward0": unary("1 / (2 * result)"),
    "RsqrtBackward0": unary("-result ** 3 / 2"),
    "AbsBackward0": unary("sign(self)"),
    "ReciprocalBackward0": unary("-result ** 2"),
    "AsinBackward0": unary("1 / sqrt(1 - self ** 2)"),
    "AcosBackward0": unary("-1 / sqrt(1 - self ** 2)"),
    "AtanBackward0": unary("1 / (1 + self ** 2)"),
    "SinhBackward0": unary("cosh(self)"),
    "CoshBackward0": unary("sinh(self)"),
    "ErfBackward0": unary("2 / sqrt(pi) * exp(-self ** 2)"),
    "PowBackward0": unary("exponent * self ** (exponent - 1)"),
    "SoftplusBackward0": unary("sigmoid(beta * self)"),
    "GeluBackward0": unary("(1 + erf(self / sqrt(2))) / 2 + self * exp(-self ** 2 / 2) / "
                           "sqrt(2 * pi)", applies=_saved_is("approximate", "none")),
    "SiluBackward0": unary("sigmoid(self) * (1 + self * (1 - sigmoid(self)))"),
    "EluBackward0": unary("(self > 0) * scale + (self <= 0) * alpha * scale * input_scale * "
                          "exp(self * input_scale)"),
    "LeakyReluBackward0": unary("(self > 0) + (self <= 0) * negative_slope"),
    "HardtanhBackward0": unary("(self > min_val) * (self < max_val)"),
    "ClampBackward1": unary("(self >= min) * (self <= max)", extras=_clamp_bounds),
    "ClampMinBackward0": unary("(self >= min)"),
    "ClampMaxBackward0": unary("(self <= max)"),
    "SignBackward0": unary("0"),
    "FloorBackward0": unary("0"),
    "CeilBackward0": unary("0"),
    "RoundBackward0": unary("0"),
    "TruncBackward0": unary("0"),
    "FracBackward0": unary("1"),
    # elementwise, several inputs (broadcasting)
    "AddBackward0": elementwise("1", "alpha"),
    "SubBackward0": elementwise("1", "-alpha"),
    "RsubBackward0": elementwise("-alpha", "1"),
    "RsubBackward1": elementwise("-alpha"),
    "MulBackward0": elementwise("other", "self"),
    "DivBackward0": elementwise("1 / other", "-self / other ** 2"),
    "PowBackward1": elementwise("exponent * self ** (exponent - 1)", "result * log(self)"),
    "PowBackward2": elementwise("result * log(self)"),
    "MaximumBackward0": elementwise("(self > other) + (self == other) / 2",
                                    "(other > self) + (self == other) / 2"),
    "MinimumBackward0": elementwise("(self < other) + (self == other) / 2",
                                    "(other < self) + (self == other) / 2"),
    "WhereBackward0": elementwise("condition", "1 - condition"),
    "Atan2Backward0": elementwise("other / (self ** 2 + other ** 2)",
                                  "-self / (self ** 2 + other ** 2)"),
    "HypotBackward0": elementwise("self / result", "other / result"),
    "LerpBackward0": elementwise("1 - weight", "weight"),
    "LerpBackward1": elementwise("1 - weight", "weight", "end - self"),
    "AddcmulBackward0": elementwise("1", "value * tensor2", "value * tensor1"),
    "AddcdivBackward0": elementwise("1", "value / tensor2", "-value * tensor1 / tensor2 ** 2"),
    "MaskedFillBackward0": elementwise("1 - mask", None),
    # reductions
    "SumBackward0": reduction("1"),
    "SumBackward1": reduction("1"),
    "MeanBackward0": reduction("1 / n", _n),
    "MeanBackward1": reduction("1 / n", _n),
    "ProdBackward0": reduction("result[a] / self[b]"),
    "ProdBackward1": reduction("result[a] / self[b]"),
    "AmaxBackward0": reduction("(self[b] == result[a]) / count[a]", _ties),
    "AminBackward0": reduction("(self[b] == result[a]) / count[a]", _ties),
    "MaxBackward1": reduction("(self[b] == result[a]) / count[a]", _ties),
    "MinBackward1": reduction("(self[b] == result[a]) / count[a]", _ties),
    "MaxBackward0": reduction("(position == indices[a])"),
    "MinBackward0": reduction("(position == indices[a])"),
    "LinalgVectorNormBackward0": reduction("self[b] / result[a]", applies=_saved_is("ord", 2)),
    "StdBackward0": reduction("(self[b] - mean[a]) / ((n - correction) * result[a])",
                              _moments),
    "VarBackward0": reduction("2 * (self[b] - mean[a]) / (n - correction)", _moments),
    "LogsumexpBackward0": reduction("exp(self[b] - result[a])"),
    # along a dim
    "SoftmaxBackward0": Rule((Slot(ALONG, "result[a] * (delta - result[b])"),)),
    "LogSoftmaxBackward0": Rule((Slot(ALONG, "delta - exp(result[b])"),)),
    "CumsumBackward0": Rule((Slot(ALONG, "after"),)),
    "CumprodBackward0": Rule((Slot(ALONG, "after * result[a] / self[b]"),)),
    # contractions (letters a and b are taken: they name the output and input elements)
    "MmBackward0": contraction("ik,kj->ij", "mat2[k, j]", "self[i, k]"),
    "MvBackward0": contraction("ik,k->i", "vec[k]", "self[i, k]"),
    "DotBackward0": contraction("k,k->", "tensor[k]", "self[k]"),
    "BmmBackward0": contraction("nik,nkj->nij", "mat2[n, k, j]", "self[n, i, k]"),
    "AddmmBackward0": Rule((Slot(ELEMENTWISE, "beta"),
                            Slot(Contraction("ik,kj->ij", 0), "alpha * mat2[k, j]"),
                            Slot(Contraction("ik,kj->ij", 1), "alpha * mat1[i, k]"))),
    "AddmvBackward0": Rule((Slot(ELEMENTWISE, "beta"),
                            Slot(Contraction("ik,k->i", 0), "alpha * vec[k]"),
                            Slot(Contraction("ik,k->i", 1), "alpha * mat[i, k]"))),
    "BaddbmmBackward0": Rule((Slot(ELEMENTWISE, "beta"),
                              Slot(Contraction("nik,nkj->nij", 0), "alpha * batch2[n, k, j]"),
                              Slot(Contraction("nik,nkj->nij", 1), "alpha * batch1[n, i, k]"))),
    # losses (reduction: none, mean or sum)
    "MseLossBackward0": Rule((Slot(_LOSS, f"2 * {_DIFF} / n"),
                              Slot(_LOSS, f"-2 * {_DIFF} / n")), _loss_scale),
    "BinaryCrossEntropyBackward0": Rule(
        (Slot(_LOSS, "(self[b] - target[b]) / (self[b] * (1 - self[b])) / n"),
         Slot(_LOSS, None)), _loss_scale, _no_weights),
    "BinaryCrossEntropyWithLogitsBackward0": Rule(
        (Slot(_LOSS, "(sigmoid(self[b]) - target[b]) / n"), Slot(_LOSS, "-self[b] / n")),
        _loss_scale, _no_weights),
    "SmoothL1LossBackward0": Rule(
        (Slot(_LOSS, f"({_DIFF} / beta * (abs{_DIFF} < beta) + sign{_DIFF} * "
                     f"(abs{_DIFF} >= beta)) / n"),
         Slot(_LOSS, f"-({_DIFF} / beta * (abs{_DIFF} < beta) + sign{_DIFF} * "
                     f"(abs{_DIFF} >= beta)) / n")), _loss_scale),
    "HuberLossBackward0": Rule(
        (Slot(_LOSS, f"({_DIFF} * (abs{_DIFF} <= delta) + delta * sign{_DIFF} * "
                     f"(abs{_DIFF} > delta)) / n"),
         Slot(_LOSS, f"-({_DIFF} * (abs{_DIFF} <= delta) + delta * sign{_DIFF} * "
                     f"(abs{_DIFF} > delta)) / n")), _loss_scale),
    "NllLossBackward0": Rule((Slot(Reduction(_nll_dims), "-picked[b] / norm"), Slot(
        REDUCTION, None)), _picked, _no_weights),
    # elements moved: the local derivative is 1 where an element lands
    **{kind: move(same_order=True) for kind in (
        "ViewBackward0", "UnsafeViewBackward0", "CloneBackward0", "ToCopyBackward0",
        "SqueezeBackward0", "SqueezeBackward1",
        "SqueezeBackward2", "UnsqueezeBackward0")},
    **{kind: move() for kind in (
        "TBackward0", "TransposeBackward0", "TransposeBackward1", "PermuteBackward0",
        "ExpandBackward0", "SliceBackward0", "SelectBackward0", "IndexBackward0",
        "FlipBackward0", "RepeatBackward0", "RollBackward0", "SplitBackward0",
        "SplitWithSizesBackward0", "UnbindBackward0", "DiagonalBackward0", "GatherBackward0",
        "TrilBackward0", "TriuBackward0", "ConstantPadNdBackward0", "MaskedSelectBackward0",
        "TakeBackward0")},
    "CatBackward0": move(slots=0),
    "StackBackward0": move(slots=0),
}


# How a few common operations make their result, written in the same formula language over
# their inputs (in0, in1) and saved numbers: an unnamed intermediate a formula reads (the 6
# that `2 * x` made from x = 3) is written with names instead (`2·x`), so that like terms
# meet (`2·x + 2·x = 4·x`). Used only where it gives back the very value the node saved.
MADE: dict[str, str] = {
    "MulBackward0": "in0 * in1",
    "DivBackward0": "in0 / in1",
    "AddBackward0": "in0 + alpha * in1",
    "SubBackward0": "in0 - alpha * in1",
    "NegBackward0": "-in0",
    "PowBackward0": "in0 ** exponent",
    "ExpBackward0": "exp(in0)",
    "LogBackward0": "log(in0)",
    "SinBackward0": "sin(in0)",
    "CosBackward0": "cos(in0)",
    "TanhBackward0": "tanh(in0)",
    "SigmoidBackward0": "sigmoid(in0)",
    "SqrtBackward0": "sqrt(in0)",
    "AbsBackward0": "abs(in0)",
}
# Where a constant input of those operations is kept (`2 * x`: in1 is the saved `other`).
MADE_CONSTANTS = {"in0": "self", "in1": "other"}


@dataclass
class Found:
    """The rule for one node: the table's, or autograd's columns."""

    rule: Rule | None
    families: list[Family] = field(default_factory=list)
    formulas_: list[str | None] = field(default_factory=list)


def rule_for(view: NodeView) -> Found:
    """The table's rule for the node (per input), or, where it has none, autograd's."""
    rule = RULES.get(view.kind)
    if rule is not None and (rule.applies is None or rule.applies(view)):
        slots = rule.slots
        if not slots:  # cat, stack: as many inputs as the node has, all moved
            family = Move()
            return Found(rule, [family] * view.slots, ["1"] * view.slots)
        if len(slots) >= view.slots:
            return Found(rule, [s.family for s in slots[:view.slots]],
                         [s.formula for s in slots[:view.slots]])
    return Found(None, [AUTOGRAD_FAMILY] * view.slots, [None] * view.slots)


def gather(view: NodeView, slot: int, found: Found, formula: str, edges: Edges
           ) -> formulas.Values:
    """Each operand of `formula`, read on every edge."""
    assert found.rule is not None
    family = found.families[slot]
    extras = view.extras(found.rule)
    values: formulas.Values = {}
    for name, where in formulas.operands_of(formula):
        per_edge = family.edge_operand(view, slot, found.rule, name, edges)
        if per_edge is not None:
            values[(name, where)] = per_edge
            continue
        source = extras[name] if name in extras else view.saved(name)
        if isinstance(source, torch.Tensor):
            flat = family.locate(view, slot, found.rule, list(source.shape), where, edges)
            values[(name, where)] = view.values(source)[flat]
        elif isinstance(source, (bool, int, float)):
            values[(name, where)] = float(source)
        else:
            raise NotDerivable(view.kind, f"unreadable operand {name}")
    return values


def local_derivatives(view: NodeView, slot: int, found: Found, b: torch.Tensor) -> Edges:
    """The output elements input `slot`'s elements `b` reach, with ∂out[a]/∂in[b]."""
    family = found.families[slot]
    edges = family.spread(view, slot, found.rule or Rule(()), b)
    if edges.values is None:
        formula = found.formulas_[slot]
        if formula is None:
            raise NotDerivable(view.kind, "no_formula")
        operands = gather(view, slot, found, formula, edges)
        value = formulas.evaluate(formula, operands)
        edges.values = value.to(torch.float64) if isinstance(value, torch.Tensor) and \
            value.dim() else torch.full((len(edges.a),), float(value), dtype=torch.float64)
        scales = edges.values.abs()
        for operand in operands.values():
            if isinstance(operand, torch.Tensor) and operand.shape == scales.shape:
                scales = torch.maximum(scales, operand.abs())
        edges.scales = scales
    return edges
