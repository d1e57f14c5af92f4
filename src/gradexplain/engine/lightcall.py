"""A loop's lightly recorded backward call (engine/folding.py says which calls are): the
least work that still tells whether the call differs in kind from its group's others.

Each tracked grad is read once before the call and once after it (a small grad as Python
numbers, see callmeasure.read). From those two reads come the trend (the grad's norm), the
finiteness check, the notes the call would make (the recorder's own rules, without writing
them), whether the call reached the tensor (its grad was replaced, or its version counter
moved), and the copies the group's last call is written from if no later call replaces it.
Nothing is walked, hooked or converted for display.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from gradexplain.engine.callmeasure import (
    Before,
    Forms,
    Numbers,
    Zero,
    all_zero,
    any_nonzero,
    as_tensor,
    copy_of,
    numbers_as,
    read,
    torch_norms,
)
from gradexplain.engine.recorder_parts import call_record
from gradexplain.engine.values import is_non_finite, to_value
from gradexplain.language.protocol import BackwardRequest
from gradexplain.record import CallRecord

# Each tracked grad before the call (in the tracked order) and its version counter, or None.
Marks = list[tuple[torch.Tensor, int] | None]
Tracked = list[tuple[str, torch.Tensor, Any]]  # (label, tensor, entry), as Recorder.live()


def light_before(tracked: Tracked, forms: Forms) -> tuple[dict[str, Before], Marks, list[str]]:
    """Each grad before the call, copied only where it holds values (an all-zero grad, the
    usual state after `zero_()`, is a `Zero` marker); its mark; the labels of the grads
    that held values."""
    before: dict[str, Before] = {}
    marks: Marks = []
    holding: list[str] = []
    for label, tensor, _ in tracked:
        grad = tensor.grad
        if grad is None:
            before[label] = None
            marks.append(None)
            continue
        marks.append((grad, grad._version))
        known = forms.get(label)
        if known is not None and known[0] is grad:
            nested = grad.tolist()
            if nested == known[3]:  # all zeros, the usual state after `zero_()`: its marker
                before[label] = known[2]
                continue
            numbers = numbers_as(nested, known[1])
        else:
            numbers = None
        if numbers is None:
            numbers = read(grad, label, forms)
        if numbers is not None:
            if any(numbers.flat):  # nan counts as nonzero, as in torch.any
                before[label] = numbers
                holding.append(label)
            else:
                before[label] = forms[label][2]  # this grad's marker
        elif not grad.is_meta and all_zero(grad):
            before[label] = Zero(grad)
        else:
            before[label] = copy_of(grad)
            holding.append(label)
    return before, marks, holding


# What a lightly recorded call left: each grad's norm (in the tracked order), the labels
# whose grad holds inf or nan, the (kind, tensor) of the notes the call would make, copies
# of the grads and the labels of the tensors it did not reach. (A plain tuple: one is made
# per call.)
LightAfter = tuple[dict[str, float], frozenset[str], set[tuple[str, str | None]],
                   dict[str, Before], list[str]]


NO_BAD: frozenset[str] = frozenset()
HELD = (Numbers, torch.Tensor)  # what a grad that held values before the call is kept as


def light_after(function: str, tracked: Tracked, before: dict[str, Before], marks: Marks,
                noted: set[tuple[Any, ...]], forms: Forms) -> LightAfter:
    """Read each grad once after the call: see the module's docstring."""
    norms: dict[str, float] = {}
    bad: set[str] = set()
    notes: set[tuple[str, str | None]] = set()
    after: dict[str, Before] = {}
    missed: list[str] = []
    checked: list[str] = []  # tensors whose non_finite_grad note the call may make
    present: list[tuple[str, torch.Tensor]] = []  # grads whose norm torch takes
    ledger = function != "torch.autograd.grad"  # which leaves .grad alone: no notes
    for (label, tensor, _), mark in zip(tracked, marks, strict=True):
        grad = tensor.grad
        # Backward sets a new .grad or adds into the old one in place (bumping its version
        # counter): a tensor it did not reach keeps the same grad, unchanged.
        if grad is None:
            reached = False
            after[label] = None
        else:
            reached = mark is None or mark[0] is not grad or mark[1] != grad._version
            known = forms.get(label)
            numbers = numbers_as(grad.tolist(), known[1]) \
                if known is not None and known[0] is grad else None
            if numbers is None:
                numbers = read(grad, label, forms)
            if numbers is not None:
                after[label] = numbers
                norms[label] = norm = math.hypot(*numbers.flat)
                if not math.isfinite(norm):  # hypot: inf or nan only from an element
                    bad.add(label)
            else:
                after[label] = copy_of(grad)
                if not grad.is_meta and (grad.is_floating_point() or grad.is_complex()):
                    norms[label] = math.nan  # its place in the order; torch_norms fills it
                    present.append((label, grad))
        if not reached:
            missed.append(label)
        if not ledger:
            continue
        if not reached and tensor.is_leaf and tensor.requires_grad:
            if ("no_gradient", label) not in noted:
                notes.add(("no_gradient", label))
            continue
        old = before[label]
        if grad is not None and isinstance(old, HELD) and \
                _accumulated(old, after[label], grad):
            notes.add(("accumulated", label))
        if present or bad:
            checked.append(label)
    if present:
        torch_norms(present, norms, bad)
    if not bad:
        return norms, NO_BAD, notes, after, missed
    for label in checked:
        if label in bad and not _non_finite(before[label]):
            notes.add(("non_finite_grad", label))
    return norms, frozenset(bad), notes, after, missed


def _accumulated(old: Numbers | torch.Tensor, new: Before, grad: torch.Tensor) -> bool:
    """Whether the call added something to a grad that already held values."""
    if isinstance(old, Numbers):  # holds values, or it would be a Zero
        if isinstance(new, Numbers):
            # A difference of two floats is 0 only when they are equal (inf - inf is nan,
            # nonzero, as it is in torch), so no subtraction in the grad's dtype is needed.
            return new.shape == old.shape and \
                any(a - b for a, b in zip(new.flat, old.flat, strict=True))
        return grad.shape == old.shape and any_nonzero(grad.detach() - old.tensor())
    return old.shape == grad.shape and any_nonzero(old) and any_nonzero(grad.detach() - old)


def _non_finite(state: Before) -> bool:
    if isinstance(state, Numbers):
        return not state.finite()
    return isinstance(state, torch.Tensor) and is_non_finite(state) is not None


def light_ledger(request: BackwardRequest, index: int, retain: bool, seq: int,
                 before: dict[str, Before], after: dict[str, Before], missed: list[str],
                 result: Any, gradient_value: Callable[[Any], Any], full: bool) -> CallRecord:
    """A lightly recorded call's ledger entry, written from the copies taken when it ran
    (only for a call that stays its group's last: see Folding.flush)."""
    call = call_record(request, index, retain, seq)
    call.grad_tensors = gradient_value(request.gradients)
    for label, state in before.items():
        old = as_tensor(state)
        new = as_tensor(after.get(label))
        call.before[label] = to_value(old, full=full)
        call.after[label] = to_value(new, full=full)
        if label in missed:  # as the full ledger has it: None, not reached
            call.added[label] = None
            call.not_reached.append(label)
        elif new is None:
            call.added[label] = 0
        elif old is None or old.shape != new.shape:
            call.added[label] = call.after[label]
        else:
            call.added[label] = to_value(new - old, full=full)
    if request.inputs is not None and isinstance(result, tuple):
        call.results = {lb: to_value(g, full=full)
                        for (_, lb), g in zip(request.inputs, result, strict=False)}
    return call
