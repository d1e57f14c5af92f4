"""What a backward call costs to record: the snapshot before it and the numbers after it.

A call kept in full copies every tracked .grad before it runs (the ledger shows `before`).
A call recorded lightly (one of many by the same statement, see engine/folding.py) copies
only what it needs: nothing for a missing grad, a marker for an all-zero one (the usual
state after `zero_()`), a copy only of a grad that holds values. After the call, one norm
per grad gives both the trend and the finiteness check (a norm is finite only when every
element is, short of overflow, which the elementwise check then settles).

A small grad (a loop's few parameters) is read once as Python numbers (`Numbers`): one
transfer that is at once its exact copy, its zero check, its norm and its finiteness check,
each of which would otherwise be a tensor operation of its own (a few µs each on the CPU).
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import torch

from gradexplain.engine.values import is_non_finite


class Zero:
    """A grad that was all zeros before the call: its zeros are made only if shown."""

    __slots__ = ("like",)

    def __init__(self, like: torch.Tensor) -> None:
        self.like = like

    def tensor(self) -> torch.Tensor:
        return torch.zeros_like(self.like)


SMALL = 64  # elements: a grad this small is read as numbers (one transfer, no reduction)
# Read as numbers: exact in a Python float, and a norm taken in double precision is as close
# to the true norm as float32's own (half precision keeps torch's norm, in its own dtype).
READABLE = frozenset({torch.float32, torch.float64})


class Numbers:
    """A small grad read as Python numbers: an exact copy made by one transfer. Its zero
    check, norm and finiteness are plain arithmetic on `flat`."""

    __slots__ = ("dtype", "flat", "nested", "shape")

    def __init__(self, nested: Any, flat: list[float], dtype: torch.dtype,
                 shape: torch.Size) -> None:
        self.nested = nested  # as tolist() gives it
        self.flat = flat
        self.dtype = dtype
        self.shape = shape

    def tensor(self) -> torch.Tensor:
        return torch.tensor(self.nested, dtype=self.dtype)

    def norm(self) -> float:
        """The 2-norm, inf when an element is inf, nan when one is nan (and none inf)."""
        return math.hypot(*self.flat)

    def finite(self) -> bool:
        return math.isfinite(math.hypot(*self.flat))


Form = tuple[int, torch.dtype, torch.Size, int]  # a readable grad's dims, dtype, shape, numel
# Per label: the grad last read as numbers, its form, its Zero marker (made once) and its
# zeros as tolist() gives them (a grad equal to them is all zeros, in its form: one compare).
Forms = dict[str, tuple[torch.Tensor, Form, Zero, Any]]


def form_of(grad: torch.Tensor) -> Form | None:
    """How `grad` is read as numbers, or None when it is not: only a float32/float64 CPU
    tensor of at most SMALL elements and two dimensions that does not require grad."""
    numel = grad.numel()
    if numel > SMALL or grad.dtype not in READABLE or not grad.is_cpu or \
            grad.layout != torch.strided or grad.requires_grad:
        return None
    dims = grad.dim()
    return (dims, grad.dtype, grad.shape, numel) if dims <= 2 else None


def read_as(grad: torch.Tensor, form: Form) -> Numbers | None:
    """`grad` as numbers, read as `form` says; None when it no longer has that form."""
    return numbers_as(grad.tolist(), form)


def numbers_as(nested: Any, form: Form) -> Numbers | None:
    """A grad's `tolist()` as numbers, in `form`; None when it no longer has that form."""
    dims = form[0]
    if dims == 2:
        try:
            flat = [*chain.from_iterable(nested)]
        except TypeError:  # no longer two-dimensional
            return None
    elif dims == 1:
        if type(nested) is not list:  # no longer one-dimensional
            return None
        flat = nested
    else:
        flat = [nested]
    if len(flat) != form[3] or (flat and type(flat[0]) is not float):
        return None
    numbers = Numbers.__new__(Numbers)  # as Numbers(...) makes it, without a call to __init__
    numbers.nested, numbers.flat, numbers.dtype, numbers.shape = nested, flat, form[1], form[2]
    return numbers


def zeros_as_listed(form: Form) -> Any:
    """What `tolist()` gives for an all-zero grad of `form` (0.0 equals -0.0, not nan)."""
    dims, _, shape, _ = form
    if dims == 0:
        return 0.0
    if dims == 1:
        return [0.0] * shape[0]
    return [[0.0] * shape[1] for _ in range(shape[0])]


def read(grad: torch.Tensor, label: str = "", forms: Forms | None = None) -> Numbers | None:
    """`grad` as numbers when it is small (see `form_of`), else None. A grad's form is
    found once per tensor object and kept in `forms` under its label: a loop zeroes and
    refills the same grad, and asking torch for its size, dtype, device and layout costs
    more than reading its few numbers."""
    if forms is not None:
        known = forms.get(label)
        if known is not None and known[0] is grad:
            numbers = read_as(grad, known[1])
            if numbers is not None:
                return numbers
    form = form_of(grad)
    if form is None:
        if forms is not None:
            forms.pop(label, None)
        return None
    if forms is not None:
        # holds a small grad at most: a few numbers
        forms[label] = (grad, form, Zero(grad), zeros_as_listed(form))
    return read_as(grad, form)


Before = torch.Tensor | Zero | Numbers | None  # Numbers only for a grad that holds values


def snapshot(tracked: list[tuple[str, torch.Tensor, Any]]) -> dict[str, Before]:
    """Each tracked tensor's .grad before a call kept in full: a copy (the ledger shows it)."""
    return {label: None if (grad := tensor.grad) is None else copy_of(grad)
            for label, tensor, _ in tracked}


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


def holds_values(state: Before) -> bool:
    """Whether a grad before the call held anything but zeros (meta: counted as holding)."""
    if state is None or isinstance(state, Zero):
        return False
    return True if isinstance(state, Numbers) else any_nonzero(state)


def as_tensor(state: Before) -> torch.Tensor | None:
    return state.tensor() if isinstance(state, (Zero, Numbers)) else state


def grad_norms(tracked: list[tuple[str, torch.Tensor, Any]]
               ) -> tuple[dict[str, float], frozenset[str]]:
    """The norm of each grad after the call (in the tracked tensors' order), and the labels
    whose grad holds inf or nan: small grads as numbers, the others by torch."""
    norms: dict[str, float] = {}
    bad: set[str] = set()
    present: list[tuple[str, torch.Tensor]] = []
    for label, tensor, _ in tracked:
        grad = tensor.grad
        if grad is None:
            continue
        numbers = read(grad)
        if numbers is not None:
            norms[label] = norm = numbers.norm()
            if not math.isfinite(norm):  # hypot: inf or nan only from an element
                bad.add(label)
        elif not grad.is_meta and (grad.is_floating_point() or grad.is_complex()):
            norms[label] = math.nan  # its place in the order; filled in by torch_norms
            present.append((label, grad))
    torch_norms(present, norms, bad)
    return norms, frozenset(bad)


def torch_norms(present: list[tuple[str, torch.Tensor]], norms: dict[str, float],
                bad: set[str]) -> None:
    """The norms of grads not read as numbers, into `norms`; the non-finite ones into `bad`
    (a norm overflows on large finite values, so a non-finite one is checked elementwise)."""
    if not present:
        return
    found = [torch.linalg.vector_norm(grad.detach() if grad.requires_grad else grad)
             for _, grad in present]
    if len(found) == 1:
        values = [found[0].item()]
    elif len({(n.dtype, n.device) for n in found}) == 1:
        values = torch.stack(found).tolist()  # one transfer for all of them
    else:
        values = [float(n) for n in found]
    for (label, grad), value in zip(present, values, strict=True):
        norms[label] = value
        if not math.isfinite(value) and is_non_finite(grad.detach()):
            bad.add(label)


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


def any_nonzero(tensor: torch.Tensor) -> bool:
    """Whether a grad holds anything; meta tensors have no values, so they count as holding."""
    return True if tensor.is_meta else not all_zero(tensor)
