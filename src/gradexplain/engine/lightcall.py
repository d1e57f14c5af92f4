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
from dataclasses import dataclass
from typing import Any

import torch

from gradexplain.engine.callmeasure import (
    Before,
    Numbers,
    Zero,
    all_zero,
    any_nonzero,
    as_tensor,
    copy_of,
    read,
    torch_norms,
)
from gradexplain.engine.values import is_non_finite, to_value
from gradexplain.language.protocol import BackwardRequest
from gradexplain.record import CallRecord

Marks = dict[str, tuple[torch.Tensor, int] | None]  # each grad and its version, before
Tracked = list[tuple[str, torch.Tensor, Any]]  # (label, tensor, entry), as Recorder.live()


def light_before(tracked: Tracked) -> tuple[dict[str, Before], Marks]:
    """Each grad before the call, copied only where it holds values (an all-zero grad, the
    usual state after `zero_()`, is a `Zero` marker), and its version counter."""
    before: dict[str, Before] = {}
    marks: Marks = {}
    for label, tensor, _ in tracked:
        grad = tensor.grad
        if grad is None:
            before[label] = marks[label] = None
            continue
        marks[label] = (grad, grad._version)
        numbers = read(grad)
        if numbers is not None:
            before[label] = numbers if any(numbers.flat) else Zero(grad)  # nan counts
        elif not grad.is_meta and all_zero(grad):
            before[label] = Zero(grad)
        else:
            before[label] = copy_of(grad)
    return before, marks


@dataclass
class LightAfter:
    """What a lightly recorded call left: each grad's norm (in the tracked order), the
    labels whose grad holds inf or nan, the (kind, tensor) of the notes the call would make,
    copies of the grads and the labels of the tensors it did not reach."""

    norms: dict[str, float]
    bad: frozenset[str]
    notes: set[tuple[str, str | None]]
    after: dict[str, Before]
    missed: list[str]


def light_after(function: str, tracked: Tracked, before: dict[str, Before], marks: Marks,
                noted: set[tuple[Any, ...]]) -> LightAfter:
    """Read each grad once after the call: see the module's docstring."""
    norms: dict[str, float] = {}
    bad: set[str] = set()
    notes: set[tuple[str, str | None]] = set()
    after: dict[str, Before] = {}
    missed: list[str] = []
    checked: list[str] = []  # tensors whose non_finite_grad note the call may make
    present: list[tuple[str, torch.Tensor]] = []  # grads whose norm torch takes
    ledger = function != "torch.autograd.grad"  # which leaves .grad alone: no notes
    for label, tensor, _ in tracked:
        grad = tensor.grad
        mark = marks[label]
        # Backward sets a new .grad or adds into the old one in place (bumping its version
        # counter): a tensor it did not reach keeps the same grad, unchanged.
        reached = grad is not None and (mark is None or mark[0] is not grad or
                                        mark[1] != grad._version)
        if not reached:
            missed.append(label)
        if grad is None:
            after[label] = None
        else:
            numbers = read(grad)
            if numbers is not None:
                after[label] = numbers
                norms[label] = norm = numbers.norm()
                if not math.isfinite(norm):  # hypot: inf or nan only from an element
                    bad.add(label)
            else:
                after[label] = copy_of(grad)
                if not grad.is_meta and (grad.is_floating_point() or grad.is_complex()):
                    norms[label] = math.nan  # its place in the order; torch_norms fills it
                    present.append((label, grad))
        if not ledger:
            continue
        if not reached and tensor.is_leaf and tensor.requires_grad:
            if ("no_gradient", label) not in noted:
                notes.add(("no_gradient", label))
            continue
        checked.append(label)
        old = before[label]
        if grad is not None and isinstance(old, (Numbers, torch.Tensor)) and \
                _accumulated(old, after[label], grad):
            notes.add(("accumulated", label))
    torch_norms(present, norms, bad)
    for label in checked:
        if label in bad and not _non_finite(before[label]):
            notes.add(("non_finite_grad", label))
    return LightAfter(norms, frozenset(bad), notes, after, missed)


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


def light_ledger(make_call: Callable[[], CallRecord], before: dict[str, Before],
                 measured: LightAfter, request: BackwardRequest, result: Any,
                 gradient_value: Callable[[Any], Any], full: bool) -> Callable[[], CallRecord]:
    """How to write a lightly recorded call's ledger entry later (if it turns out to be its
    group's last call): from the copies taken when it ran."""
    returned = [(lb, g.detach().clone() if isinstance(g, torch.Tensor) else g)
                for (_, lb), g in zip(request.inputs or [], result or (), strict=False)] \
        if isinstance(result, tuple) else []
    gradients = request.gradients

    def finish() -> CallRecord:
        call = make_call()
        call.grad_tensors = gradient_value(gradients)
        for label, state in before.items():
            old = as_tensor(state)
            new = as_tensor(measured.after.get(label))
            call.before[label] = to_value(old, full=full)
            call.after[label] = to_value(new, full=full)
            if label in measured.missed:  # as the full ledger has it: None, not reached
                call.added[label] = None
                call.not_reached.append(label)
            elif new is None:
                call.added[label] = 0
            elif old is None or old.shape != new.shape:
                call.added[label] = call.after[label]
            else:
                call.added[label] = to_value(new - old, full=full)
        if request.inputs is not None and isinstance(result, tuple):
            call.results = {lb: to_value(g, full=full) for lb, g in returned}
        return call

    return finish
