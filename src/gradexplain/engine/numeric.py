"""`--check-numeric`: central finite differences in float64 next to the grads autograd added.

The short form's expression is re-evaluated on perturbed float64 copies of the leaves by a
silent interpreter (the recorder hears nothing of it). Each entry is plain data; "reason"
names a catalogue phrase ("numeric.<reason>") the explain layer puts into words.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from gradexplain.language.evaluator import BackwardRequest, StatementContext
from gradexplain.record import NumericEntry

# Functions without a derivative at some points: a kink (relu and abs at 0, clamp at its
# bounds) or a tie (max/min of equal values).
KINKED = frozenset({"relu", "abs", "clamp", "clip", "sign", "round", "floor", "ceil",
                    "hardtanh", "relu6", "leaky_relu"})
TIED = frozenset({"max", "min", "amax", "amin", "maximum", "minimum"})
NON_SMOOTH = KINKED | TIED
EPS = 1e-6

Forward = Callable[[dict[str, torch.Tensor]], Any]  # names -> float64 tensors -> the output


def numeric_check(forward: Forward | None, expression: str | None, env: dict[str, Any],
                  leaves: list[tuple[str, torch.Tensor]], added: dict[str, torch.Tensor],
                  v: torch.Tensor) -> list[NumericEntry]:
    """One entry per leaf: numeric and autograd grads, the largest difference, agreement.

    `env` is the interpreter's names, `leaves` the (label, tensor) pairs checked, `added` the
    grad the call added to each, `v` the grad_tensors vector of the (first) output.
    """
    if forward is None:
        return [_entry(None, reason="needs_short_form")]
    by_identity = {id(t): name for name, t in env.items() if isinstance(t, torch.Tensor)}
    base = {name: t.detach().to(torch.float64).clone()
            for name, t in env.items() if isinstance(t, torch.Tensor) and t.is_floating_point()}
    weights = v.detach().to(torch.float64)
    entries: list[NumericEntry] = []
    for label, leaf in leaves:
        name = by_identity.get(id(leaf))
        if name is None or name not in base:
            entries.append(_entry(label, reason="unnamed_leaf"))
            continue
        numeric = central_differences(forward, base, name, weights)
        grad = added[label].detach().to(torch.float64).reshape(-1).cpu()
        diff = float((numeric - grad).abs().max()) if numeric.numel() else 0.0
        tolerance = 1e-3 * max(1.0, float(grad.abs().max()) if grad.numel() else 1.0)
        others = [t for n, t in base.items() if n != name and t.shape == base[name].shape]
        reason = non_smooth_reason(functions_used(expression or ""), base[name], others,
                                   diff <= tolerance)
        entry = NumericEntry(leaf=label, numeric=numeric.tolist(), autograd=grad.tolist(),
                             max_diff=diff, agrees=diff <= tolerance, reason=reason)
        element = element_of(numeric, grad, base[name], reason, diff <= tolerance)
        if element is not None:
            entry["element"] = element
        entries.append(entry)
    return entries


def element_of(numeric: torch.Tensor, autograd: torch.Tensor, leaf: torch.Tensor,
               reason: str | None, agrees: bool) -> dict[str, Any] | None:
    """The element a note is about, named so that no summary of the tensor can hide it:
    the largest difference when the two disagree, else the element sitting at a kink (0)."""
    flat = leaf.detach().reshape(-1).to(torch.float64).cpu()
    if not agrees and numeric.numel():
        j = int((numeric - autograd).abs().argmax())
    elif reason == "non_smooth_at_zero" and bool((flat == 0).any()):
        j = int((flat == 0).nonzero()[0, 0])
    else:
        return None
    index: list[int] = []
    rest = j
    for size in reversed(list(leaf.shape)):
        index.append(rest % size)
        rest //= size
    return {"index": list(reversed(index)), "value": float(flat[j]),
            "numeric": float(numeric[j]), "autograd": float(autograd[j])}


def _entry(label: str | None, *, reason: str) -> NumericEntry:
    return NumericEntry(leaf=label, numeric=None, autograd=None, max_diff=None, agrees=None,
                        reason=reason)


def non_smooth_reason(used: set[str], leaf: torch.Tensor, others: list[torch.Tensor],
                      agrees: bool) -> str | None:
    """Why autograd and finite differences may differ here, as a catalogue phrase key.

    `used`: the non-smooth functions the expression calls; `others`: the other leaves of the
    same shape (a tie in maximum(a, b) is a == b at some position).
    """
    if not used:
        return None
    if used & TIED and _has_ties(leaf, others):
        return "non_smooth_tie"
    if bool((leaf == 0).any()):
        return "non_smooth_at_zero"
    return None if agrees else "non_smooth_kink"


def _has_ties(leaf: torch.Tensor, others: list[torch.Tensor]) -> bool:
    flat = leaf.reshape(-1).sort().values
    if bool((flat[1:] == flat[:-1]).any()):  # sorted: equal values sit side by side
        return True
    return any(bool((leaf == other).any()) for other in others)


def functions_used(expression: str) -> set[str]:
    """The functions without a derivative somewhere that the expression calls, by name."""
    try:
        tree = ast.parse(expression, mode="eval")  # parsed only, never evaluated
    except SyntaxError:
        return {word for word in NON_SMOOTH if word in expression}
    used: set[str] = set()
    for node in ast.walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else (
            node.id if isinstance(node, ast.Name) else None)
        if name in NON_SMOOTH:
            used.add(name)
    return used


def central_differences(forward: Forward, base: dict[str, torch.Tensor], name: str,
                        v: torch.Tensor) -> torch.Tensor:
    """d sum(v * f) / d base[name], element by element: (f(x + eps) - f(x - eps)) / 2 eps."""
    leaf = base[name]
    flat = leaf.reshape(-1)
    result = torch.zeros(flat.numel(), dtype=torch.float64)
    with torch.no_grad():
        for j in range(flat.numel()):
            values = []
            for sign in (1.0, -1.0):
                moved = flat.clone()
                moved[j] += sign * EPS
                env = dict(base)
                env[name] = moved.reshape(leaf.shape)
                out = forward(env)
                values.append(float((v * out.detach().to(torch.float64)).sum()))
            result[j] = (values[0] - values[1]) / (2 * EPS)
    return result


class Silent:
    """Hooks that hear nothing: the numeric check's interpreter must not reach the recorder."""

    def backward(self, request: BackwardRequest) -> Any:
        raise RuntimeError("no backward calls in the numeric check")

    def printed(self, context: StatementContext, text: str) -> None:
        return None

    def shown(self, context: StatementContext, expression: str, value: Any) -> None:
        return None

    def read_non_leaf_grad(self, context: StatementContext, tensor: torch.Tensor,
                           label: str) -> None:
        return None

    def new_tensor(self, tensor: torch.Tensor, label: str) -> None:
        return None

    def assigned(self, name: str, value: Any) -> None:
        return None

    def retained(self, tensor: torch.Tensor, label: str) -> None:
        return None

    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str,
                  result: torch.Tensor | None = None) -> None:
        return None

    def made_without_grad(self, operation: str, operands: list[Any],
                          result: torch.Tensor) -> None:
        return None

    def event(self, context: StatementContext, kind: str, facts: dict[str, Any]) -> None:
        return None


def grad_vectors(request: Any, outputs: list[torch.Tensor]) -> list[torch.Tensor]:
    """The grad_tensors of each output of a backward request as a tensor (ones when none
    was given): the vectors a numeric check and the Jacobian views multiply by."""
    gradients = request.gradients or [None] * len(outputs)
    result = []
    for output, gradient in zip(outputs, gradients, strict=False):
        if isinstance(gradient, torch.Tensor):
            result.append(gradient.detach().to(output.dtype).expand_as(output))
        elif isinstance(gradient, (int, float)):
            result.append(torch.full_like(output, float(gradient)))
        else:
            result.append(torch.ones_like(output))
    return result
