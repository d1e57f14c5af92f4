"""What a backward call costs to record: the snapshot before it and the numbers after it.

A call kept in full copies every tracked .grad before it runs (the ledger shows `before`).
A call recorded lightly (one of many by the same statement, see engine/folding.py) copies
only what it needs: nothing for a missing grad, a marker for an all-zero one (the usual
state after `zero_()`), a copy only of a grad that holds values. After the call, one norm
per grad gives both the trend and the finiteness check (a norm is finite only when every
element is, short of overflow, which the elementwise check then settles).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from gradexplain.engine.folding import Pending
from gradexplain.engine.values import is_non_finite, to_value
from gradexplain.language.protocol import BackwardRequest
from gradexplain.record import CallRecord


@dataclass(frozen=True)
class Zero:
    """A grad that was all zeros before the call: its zeros are made only if shown."""

    like: torch.Tensor

    def tensor(self) -> torch.Tensor:
        return torch.zeros_like(self.like)


Before = torch.Tensor | Zero | None


def snapshot(tensors: list[tuple[str, torch.Tensor]], light: bool) -> dict[str, Before]:
    """Each tracked tensor's .grad before the call: copies, or (light) only where needed."""
    result: dict[str, Before] = {}
    for label, tensor in tensors:
        grad = tensor.grad
        if grad is None:
            result[label] = None
        elif light and not grad.is_meta and all_zero(grad):
            result[label] = Zero(grad)
        else:
            result[label] = copy_of(grad)
    return result


SMALL = 64  # elements: a grad this small is read as numbers (one transfer, no reduction)


def all_zero(grad: torch.Tensor) -> bool:
    """`not grad.any()` (nan counts as nonzero); a small grad of at most two dimensions is read
    as Python numbers instead, which costs a tenth of a reduction."""
    if grad.numel() <= SMALL and grad.layout == torch.strided:
        dims = grad.dim()
        if dims == 1:
            return not any(grad.tolist())
        if dims == 2:
            return not any(any(row) for row in grad.tolist())
    return not bool(grad.any())


def copy_of(grad: torch.Tensor) -> torch.Tensor:
    return grad.detach().clone() if grad.requires_grad else grad.clone()


def as_tensor(state: Before) -> torch.Tensor | None:
    return state.tensor() if isinstance(state, Zero) else state


def grad_norms(tensors: list[tuple[str, torch.Tensor]]) -> tuple[dict[str, float],
                                                                 frozenset[str]]:
    """The norm of each grad after the call, and the labels whose grad holds inf or nan."""
    present = [(label, grad) for label, tensor in tensors
               if (grad := tensor.grad) is not None and not grad.is_meta and
               (grad.is_floating_point() or grad.is_complex())]
    if not present:
        return {}, frozenset()
    if len(present) == 1:  # a loop's one parameter: the common case, without the lists
        label, grad = present[0]
        number = torch.linalg.vector_norm(grad.detach() if grad.requires_grad else grad).item()
        if math.isfinite(number):
            return {label: number}, frozenset()
    norms = [torch.linalg.vector_norm(grad.detach() if grad.requires_grad else grad)
             for _, grad in present]
    if len(norms) == 1:
        numbers = [norms[0].item()]
    elif len({(n.dtype, n.device) for n in norms}) == 1:
        numbers = torch.stack(norms).tolist()  # one transfer for all of them
    else:
        numbers = [float(n) for n in norms]
    by_label = {label: number for (label, _), number in zip(present, numbers, strict=True)}
    bad = frozenset(label for (label, grad), number in zip(present, numbers, strict=True)
                    if not math.isfinite(number) and is_non_finite(grad.detach()))
    return by_label, bad


def scalar_output(outputs: list[torch.Tensor]) -> float | None:
    """The value of a single-number output (the loss), for the trend of a loop."""
    if len(outputs) != 1:
        return None
    out = outputs[0]
    if out.numel() != 1 or out.is_meta or not out.is_floating_point():
        return None
    return float(out.item())


Marks = dict[str, tuple[torch.Tensor, int] | None]  # each grad and its version, before


def reached(tensor: torch.Tensor, mark: tuple[torch.Tensor, int] | None) -> bool:
    """Whether a call reached a tracked tensor, read from its grad rather than from a walk
    of the graph: backward either sets a new .grad or adds into the old one in place
    (bumping its version counter); a tensor it did not reach keeps the same grad unchanged."""
    grad = tensor.grad
    return grad is not None and (mark is None or mark[0] is not grad or
                                 mark[1] != grad._version)


def pending_call(index: int, make_call: Callable[[], CallRecord],
                 pairs: list[tuple[str, torch.Tensor]], before: dict[str, Before],
                 marks: Marks, request: BackwardRequest, result: Any,
                 gradient_value: Callable[[Any], Any], full: bool) -> Pending:
    """A folded call that may be its group's last: copies of its grads, written out as its
    ledger entry (made by `make_call`) only if no later call of the group replaces it."""
    after = {label: copy_of(grad) if (grad := t.grad) is not None else None
             for label, t in pairs}
    missed = [label for label, t in pairs if not reached(t, marks.get(label))]
    returned = [(lb, g.detach().clone() if isinstance(g, torch.Tensor) else g)
                for (_, lb), g in zip(request.inputs or [], result or (), strict=False)]
    gradients = request.gradients

    def finish() -> CallRecord:
        folded = make_call()
        folded.grad_tensors = gradient_value(gradients)
        write_ledger(folded, before, after, missed, full)
        if request.inputs is not None and isinstance(result, tuple):
            folded.results = {lb: to_value(g, full=full) for lb, g in returned}
        return folded

    return Pending(index, finish)


def write_ledger(call: CallRecord, before: dict[str, Before],
                 after: dict[str, torch.Tensor | None], missed: list[str], full: bool) -> None:
    """Fill a lightly recorded call's before / added / after from its copies."""
    for label, state in before.items():
        old = as_tensor(state)
        new = after.get(label)
        call.before[label] = to_value(old, full=full)
        call.after[label] = to_value(new, full=full)
        if label in missed:  # as the full ledger has it: None, listed as not reached
            call.added[label] = None
            call.not_reached.append(label)
        elif new is None:
            call.added[label] = 0
        elif old is None or old.shape != new.shape:
            call.added[label] = call.after[label]
        else:
            call.added[label] = to_value(new - old, full=full)


def note_candidates(function: str, tracked: list[tuple[str, torch.Tensor, Any]],
                    before: dict[str, Before], marks: Marks, bad: frozenset[str],
                    noted: set[tuple[Any, ...]]) -> set[tuple[str, str | None]]:
    """The (kind, tensor) of the notes a lightly recorded call would make (the recorder's
    own rules, without writing them): a call that would make a new one is kept in full."""
    found: set[tuple[str, str | None]] = set()
    if function == "torch.autograd.grad":
        return found
    for label, tensor, _ in tracked:
        grad = tensor.grad
        if not reached(tensor, marks.get(label)) and tensor.is_leaf and tensor.requires_grad:
            if ("no_gradient", label) not in noted:
                found.add(("no_gradient", label))
            continue
        old = before.get(label)
        if isinstance(old, torch.Tensor) and grad is not None and old.shape == grad.shape \
                and any_nonzero(old) and any_nonzero(grad.detach() - old):
            found.add(("accumulated", label))
        if label in bad and not (isinstance(old, torch.Tensor) and is_non_finite(old)):
            found.add(("non_finite_grad", label))
    return found


def any_nonzero(tensor: torch.Tensor) -> bool:
    """Whether a grad holds anything; meta tensors have no values, so they count as holding."""
    return True if tensor.is_meta else not all_zero(tensor)
