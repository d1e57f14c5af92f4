"""A tracked tensor's .grad read before or after a backward call (`GradSnapshot`), and the
numbers a call leaves for its group's trend (each grad's norm, the output's value).

A grad is read the same way at either depth (engine/folding.py chooses it). A small grad (a
loop's few parameters) is read as Python numbers: one transfer that is at once its exact
copy, its zero check, its norm and its finiteness check, each of which would otherwise be a
tensor operation of its own (a few µs each on the CPU). A larger grad stays a tensor. The
depth says only how much is kept of it: before the call, a full call copies it (its ledger
shows it) while a light one copies it only when it holds values (an all-zero grad, the usual
state after `zero_()`, is remembered as zeros); after the call, a full call reads the live
grad (its ledger is written at once) while a light one copies it (written only if the call
stays its group's last, see Folding.flush).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain

import torch

from gradexplain.engine.values import clean_numbers, displayable, is_non_finite, to_value
from gradexplain.record import Value

STRIDED = torch.strided  # a grad of another layout (sparse) is read as its dense values
SMALL = 64  # elements: a grad this small is read as numbers (one transfer, no reduction)
# Read as numbers: exact in a Python float, and a norm taken in double precision is as close
# to the true norm as float32's own (half precision keeps torch's norm, in its own dtype).
READABLE = frozenset({torch.float32, torch.float64})

Listed = object  # what tolist() gives for a readable grad: a float, or lists of floats


class Form:
    """How one grad object is read as numbers. Found once per tensor object and kept under
    its label (a loop zeroes and refills the same grad): asking torch for a grad's size,
    dtype, device and layout costs more than reading its few numbers."""

    __slots__ = ("dims", "dtype", "grad", "numel", "shape", "zero_flat", "zeros")

    def __init__(self, grad: torch.Tensor, dims: int, numel: int) -> None:
        self.grad = grad
        self.dims = dims
        self.dtype = grad.dtype
        self.shape = grad.shape
        self.numel = numel
        # its zeros as tolist() gives them: a grad equal to them is all zeros (0.0 equals
        # -0.0, not nan), in one compare
        self.zeros: Listed = 0.0 if dims == 0 else [0.0] * self.shape[0] if dims == 1 else \
            [[0.0] * self.shape[1] for _ in range(self.shape[0])]
        self.zero_flat = [0.0] * numel


Forms = dict[str, Form]  # per label: the grad it last read as numbers, and how


def form_of(grad: torch.Tensor) -> Form | None:
    """How `grad` is read as numbers, or None when it is not: only a float32/float64 CPU
    tensor of at most SMALL elements and two dimensions that does not require grad."""
    numel = grad.numel()
    if numel > SMALL or grad.dtype not in READABLE or not grad.is_cpu or \
            grad.layout != torch.strided or grad.requires_grad:
        return None
    dims = grad.dim()
    return Form(grad, dims, numel) if dims <= 2 else None


def flat_numbers(nested: Listed, form: Form) -> list[float] | None:
    """A grad's `tolist()` as a flat list, read as `form` says; None when it no longer has
    that form (another shape or dtype)."""
    dims = form.dims
    if dims == 0:
        return [nested] if type(nested) is float else None
    if type(nested) is not list:  # no longer one- or two-dimensional
        return None
    if dims == 2:
        try:
            nested = [*chain.from_iterable(nested)]
        except TypeError:  # no longer two-dimensional
            return None
    if len(nested) != form.numel or (nested and type(nested[0]) is not float):
        return None
    return nested


def all_finite(flat: list[float]) -> bool:
    """Whether every number is finite: hypot is inf or nan only when an element is, or when
    the norm of finite ones overflows a double (then each element settles it)."""
    return math.isfinite(math.hypot(*flat)) or all(map(math.isfinite, flat))


class GradSnapshot:
    """One tracked tensor's .grad at one moment, before a backward call or after it.

    `grad` is the grad object itself and `version` its version counter then: backward sets a
    new .grad or adds into the old one in place (bumping the counter), so a grad that is the
    same object at the same version after the call was left alone. Its values are kept as
    numbers (`nested` as tolist() gave them, `flat`), as a tensor (`copy`: a copy, or the live
    grad read after a full call), or, for a large grad known to be all zeros, not at all.
    `holds` and `finite` are worked out once, when first asked (None until then)."""

    __slots__ = ("added", "copy", "finite", "flat", "form", "grad", "holds", "nested",
                 "version")

    grad: torch.Tensor | None
    version: int
    nested: Listed | None
    flat: list[float] | None
    form: Form | None
    copy: torch.Tensor | None
    holds: bool | None
    finite: bool | None
    added: torch.Tensor | None  # after a call: what it added (added_to), once worked out

    def tensor(self) -> torch.Tensor | None:
        """The grad's values as a tensor (None: there was no grad)."""
        grad = self.grad
        if grad is None:
            return None
        if self.copy is not None:
            return self.copy
        form = self.form
        if form is None:  # a large grad that was all zeros
            return torch.zeros_like(grad)
        made = torch.tensor(self.nested, dtype=form.dtype)
        return made if made.shape == form.shape else made.reshape(form.shape)  # a (0, n) grad

    def value(self, full: bool) -> Value:
        """The grad as the ledger shows it (a VALUE, as values.to_value writes it)."""
        if self.grad is None:
            return None
        if self.nested is not None:
            return self.nested if self.is_finite() else clean_numbers(self.nested)
        return to_value(self.tensor(), full=full)

    def holds_values(self) -> bool:
        """Whether it held anything but zeros (nan counts; a meta tensor counts as holding)."""
        holds = self.holds
        if holds is None:
            copy = self.copy
            holds = self.holds = copy is not None and (copy.is_meta or not all_zero(copy))
        return holds

    def is_finite(self) -> bool:
        """Whether every element is finite (a missing grad, and a meta one, count as finite)."""
        finite = self.finite
        if finite is None:
            if self.flat is not None:
                finite = all_finite(self.flat)
            else:
                finite = self.copy is None or is_non_finite(self.copy) is None
            self.finite = finite
        return finite

    def added_to(self, before: GradSnapshot) -> torch.Tensor | None:
        """What the call added to the grad (`self` read after it, `before` before it): the
        difference, or all of it when there was no grad before (or one of another shape);
        None when there is no grad after the call."""
        if self.grad is None:
            return None
        added = self.added
        if added is None:
            new = self.tensor()
            assert new is not None
            new = new.detach()
            old = before.tensor()
            added = self.added = new - old if old is not None and old.shape == new.shape \
                else new
        return added


def _snapshot(grad: torch.Tensor | None) -> GradSnapshot:
    """A snapshot of `grad` with nothing read yet (the caller sets its values)."""
    snapshot = NEW(GradSnapshot)
    snapshot.grad = grad
    snapshot.version = 0 if grad is None else grad._version
    snapshot.added = None
    return snapshot


NEW = object.__new__  # a snapshot made without a call to __init__: one is made per grad read
NO_GRAD = _snapshot(None)  # a grad that is None: one snapshot stands for every such read
NO_GRAD.nested = NO_GRAD.flat = NO_GRAD.form = NO_GRAD.copy = None
NO_GRAD.holds, NO_GRAD.finite = False, True

TrackedGrads = Sequence[tuple[str, torch.Tensor, object]]  # label, tensor, entry: Recorder.live()


def read_grad(grad: torch.Tensor, label: str, forms: Forms, copy: bool) -> GradSnapshot:
    """`grad` as numbers when it is small (see form_of; its form is kept in `forms` under its
    label while the same grad object keeps it), else as a tensor: a copy, or (`copy` False)
    the grad itself. `holds` and `finite` are left to be worked out."""
    snapshot = _snapshot(grad)
    snapshot.holds = snapshot.finite = None
    known = forms.get(label)
    if known is not None and known.grad is grad:
        nested = grad.tolist()
        flat = flat_numbers(nested, known)
        if flat is not None:
            snapshot.nested, snapshot.flat, snapshot.form, snapshot.copy = \
                nested, flat, known, None
            return snapshot
    form = form_of(grad)
    if form is not None:
        forms[label] = form  # holds a small grad at most: a few numbers
        nested = grad.tolist()
        flat = flat_numbers(nested, form)
        if flat is not None:
            snapshot.nested, snapshot.flat, snapshot.form, snapshot.copy = \
                nested, flat, form, None
            return snapshot
    else:
        forms.pop(label, None)
    snapshot.nested = snapshot.flat = snapshot.form = None
    snapshot.copy = copy_of(grad) if copy else grad
    return snapshot


def read_before(tracked: TrackedGrads, forms: Forms, light: bool
                ) -> tuple[list[GradSnapshot], bool]:
    """Each tracked grad before a call, in the tracked order; and whether any held values
    (or may have: a full call does not check the grads it copies until asked)."""
    snapshots: list[GradSnapshot] = []
    holding = False
    for label, tensor, _ in tracked:
        grad = tensor.grad
        if grad is None:
            snapshots.append(NO_GRAD)
            continue
        if grad.layout != STRIDED:
            grad = displayable(grad)
        known = forms.get(label)
        if known is not None and known.grad is grad:  # the usual case in a loop, written out
            nested = grad.tolist()
            if nested == known.zeros:  # all zeros, the usual state after `zero_()`
                snapshot = NEW(GradSnapshot)
                snapshot.grad, snapshot.version, snapshot.added = grad, grad._version, None
                snapshot.nested, snapshot.flat, snapshot.form = nested, known.zero_flat, known
                snapshot.copy, snapshot.holds, snapshot.finite = None, False, True
                snapshots.append(snapshot)
                continue
        snapshot = read_grad(grad, label, forms, not light)
        if snapshot.flat is not None:
            snapshot.holds = any(snapshot.flat)  # nan counts as nonzero, as in torch.any
        elif light:  # a light call copies a grad only when it holds values
            if not grad.is_meta and all_zero(grad):
                snapshot.copy, snapshot.holds, snapshot.finite = None, False, True
            else:
                snapshot.copy, snapshot.holds = copy_of(grad), True
        holding = holding or snapshot.holds is not False
        snapshots.append(snapshot)
    return snapshots, holding


NO_BAD: frozenset[str] = frozenset()


def read_after(tracked: TrackedGrads, before: list[GradSnapshot], forms: Forms, light: bool
               ) -> tuple[list[GradSnapshot], dict[str, float], frozenset[str], bool]:
    """Each tracked grad after a call (in the tracked order), the norm of each grad there is
    (the group's trend), the labels whose grad holds inf or nan, and whether the call wrote
    into every grad (`before` holds them before it: backward sets a new .grad or adds into
    the old one in place, bumping its version counter)."""
    snapshots: list[GradSnapshot] = []
    norms: dict[str, float] = {}
    bad: set[str] = set()
    present: list[tuple[str, torch.Tensor, GradSnapshot]] | None = None  # norms torch takes
    written = True
    for (label, tensor, _), old in zip(tracked, before, strict=True):
        grad = tensor.grad
        if grad is None:
            snapshots.append(NO_GRAD)
            written = False
            continue
        if grad.layout != STRIDED:  # a sparse grad (nn.Embedding(sparse=True)): its values
            grad = displayable(grad)
        version = grad._version
        if grad is old.grad and version == old.version:
            written = False
        known = forms.get(label)
        if known is not None and known.grad is grad:  # the usual case in a loop, written out
            nested = grad.tolist()
            flat = flat_numbers(nested, known)
        else:
            flat = None
        if flat is not None:
            snapshot = NEW(GradSnapshot)
            snapshot.grad, snapshot.version, snapshot.added = grad, version, None
            snapshot.nested, snapshot.flat, snapshot.form = nested, flat, known
            snapshot.copy, snapshot.holds = None, None
        else:  # a light call's snapshot outlives the call: it copies what it does not read
            snapshot = read_grad(grad, label, forms, light)
            flat = snapshot.flat
        if flat is not None:
            if not light:  # the ledger is written now: the live grad is its tensor
                snapshot.copy = grad
            norms[label] = norm = math.hypot(*flat)
            # hypot: inf or nan only from an element, short of overflowing a double
            snapshot.finite = finite = math.isfinite(norm) or all(map(math.isfinite, flat))
            if not finite:
                bad.add(label)
        else:
            snapshot.finite = True  # unless torch_norms finds otherwise
            if not grad.is_meta and (grad.is_floating_point() or grad.is_complex()):
                norms[label] = math.nan  # its place in the order; torch_norms fills it
                if present is None:
                    present = []
                present.append((label, grad, snapshot))
        snapshots.append(snapshot)
    if present is not None:
        torch_norms(present, norms, bad)
    return snapshots, norms, frozenset(bad) if bad else NO_BAD, written


def torch_norms(present: list[tuple[str, torch.Tensor, GradSnapshot]],
                norms: dict[str, float], bad: set[str]) -> None:
    """The norms of grads not read as numbers, into `norms`; the non-finite ones into `bad`
    and their snapshots (a norm overflows on large finite values, so a non-finite one is
    checked elementwise)."""
    found = [torch.linalg.vector_norm(grad.detach() if grad.requires_grad else grad)
             for _, grad, _ in present]
    if len(found) == 1:
        values = [found[0].item()]
    elif len({(n.dtype, n.device) for n in found}) == 1:
        values = torch.stack(found).tolist()  # one transfer for all of them
    else:
        values = [float(n) for n in found]
    for (label, grad, snapshot), value in zip(present, values, strict=True):
        norms[label] = value
        if not math.isfinite(value) and is_non_finite(grad.detach()):
            bad.add(label)
            snapshot.finite = False


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


def any_nonzero(tensor: torch.Tensor) -> bool:
    """Whether a tensor holds anything; meta tensors have no values, so they count as holding."""
    return True if tensor.is_meta else not all_zero(tensor)


def copy_of(grad: torch.Tensor) -> torch.Tensor:
    return grad.detach().clone() if grad.requires_grad else grad.clone()


def scalar_output(outputs: list[tuple[torch.Tensor, str]]) -> float | None:
    """The value of a single-number output (the loss), for the trend of a loop: one call to
    torch (item() refuses several elements and meta tensors; an integer, bool or complex
    output gives no float). `outputs` as the request has them: (tensor, label)."""
    if len(outputs) != 1:
        return None
    try:
        value = outputs[0][0].item()
    except (RuntimeError, ValueError):
        return None
    return value if type(value) is float else None
