"""Tensors to VALUEs: plain, JSON-ready data (see gradexplain.record)."""

from __future__ import annotations

import copy
import math
import weakref
from itertools import chain
from typing import Any

import torch

from gradexplain.record import non_finite_name

DISPLAY_LIMIT = 10_000  # elements; larger tensors are summarized unless --full
HEAD = 6


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def displayable(tensor: torch.Tensor) -> torch.Tensor:
    """The tensor whose numbers PyTorch prints for `tensor`: a sparse one's dense values (a
    sparse grad of nn.Embedding(sparse=True)), a conjugate or negated view (`z.H`,
    `z.conj()`) resolved: view_as_real, tolist and the reductions refuse unresolved ones."""
    data = tensor.detach() if tensor.requires_grad else tensor
    if data.layout != torch.strided:
        data = data.to_dense()
    return data.resolve_conj().resolve_neg()


def to_value(tensor: torch.Tensor | None, *, full: bool = False) -> Any:
    """A tensor as nested lists (a number for 0-d), or a summary when it is large. A tensor
    PyTorch cannot read back as numbers (a layout or view this does not know yet) shows its
    shape only: showing the session never fails on a value the code made."""
    if tensor is None:
        return None
    try:
        return _value(tensor, full)
    except (RuntimeError, ValueError, TypeError):
        return _shape_only(tensor)


def _shape_only(tensor: torch.Tensor) -> Any:
    return {"summary": {"shape": list(tensor.shape), "min": None, "max": None,
                        "mean": None, "std": None, "head": []}}


def _value(tensor: torch.Tensor, full: bool) -> Any:
    data = displayable(tensor)
    if data.is_meta:  # shapes only: there is no data to show
        return _shape_only(data)
    numel = data.numel()
    if numel > DISPLAY_LIMIT and not full:
        return _summary_of(data)
    if data.is_complex():
        return clean_numbers(torch.view_as_real(data).cpu().tolist())
    values = (data if data.is_cpu else data.cpu()).tolist()
    # (flat: reductions take at most 64 dimensions, a tensor may have more)
    if data.is_floating_point() and not _finite_numbers(values, numel, data.dim()) and \
            not bool(torch.isfinite(data.reshape(-1)).all()):
        return clean_numbers(values)
    return values


SCANNED = 64  # elements: a tensor this small is checked for inf and nan as numbers


def _finite_numbers(values: Any, numel: int, dims: int) -> bool:
    """Whether the numbers `tolist()` gave (of at most two dimensions and SCANNED
    elements) are all finite, read as numbers instead of by a reduction: hypot is inf or nan
    only when an element is (or, on finite ones, when their norm overflows a double: then
    the reduction settles it). False means: not known."""
    if numel > SCANNED or dims > 2:
        return False
    flat = chain.from_iterable(values) if dims == 2 else values if dims == 1 else (values,)
    return math.isfinite(math.hypot(*flat))


# A large tensor's summary costs two passes over it, and one run shows the same grad in the
# ledger and again in the tensor table: summaries are kept per tensor object (by id, with a
# weak reference, so no tensor lives longer for it) and reused while its version counter
# says it is unchanged. (A WeakKeyDictionary would compare tensors with ==.)
_SUMMARIES: dict[int, tuple[weakref.ReferenceType[torch.Tensor], int, dict[str, Any]]] = {}


def _summary_of(tensor: torch.Tensor) -> dict[str, Any]:
    key, version = id(tensor), tensor._version
    found = _SUMMARIES.get(key)
    if found is not None and found[0]() is tensor and found[1] == version:
        return copy.deepcopy(found[2])
    summary = summarize(tensor)
    _SUMMARIES[key] = (weakref.ref(tensor, lambda _: _SUMMARIES.pop(key, None)), version,
                       summary)
    return copy.deepcopy(summary)


def summarize(tensor: torch.Tensor) -> dict[str, Any]:
    """{"summary": {shape, min, max, mean, std, head}}, as PyTorch's printing would show.

    Finite floating tensors are reduced in their own dtype in two passes (aminmax, std_mean):
    a display needs four significant digits, and a float64 copy of a large grad would cost
    more time and memory than the user's own backward.
    """
    data = displayable(tensor)
    head = clean_numbers(data.flatten()[:HEAD].cpu().tolist())
    shape = list(data.shape)
    if data.is_floating_point() and data.numel():
        # min and max propagate nan, so both finite means every value is finite.
        low_t, high_t = torch.aminmax(data)
        low, high = float(low_t.item()), float(high_t.item())
        if math.isfinite(low) and math.isfinite(high):
            std, mean = torch.std_mean(data)
            return {"summary": {"shape": shape, "min": low, "max": high,
                                "mean": _number(float(mean.item())),
                                "std": _number(float(std.item())) if data.numel() > 1 else 0.0,
                                "head": head}}
    as_float = data.double()
    finite = as_float[torch.isfinite(as_float)] if data.is_floating_point() else as_float
    stats = finite if finite.numel() else as_float
    return {"summary": {
        "shape": shape,
        "min": _number(stats.min().item()),
        "max": _number(stats.max().item()),
        "mean": _number(stats.mean().item()),
        "std": _number(stats.std().item()) if stats.numel() > 1 else 0.0,
        "head": head,
    }}


def _number(value: float) -> Any:
    name = non_finite_name(value)
    return value if name is None else name


def grad_added(before: torch.Tensor | None, after: torch.Tensor | None) -> torch.Tensor | None:
    """What a call added to a .grad: after - before; all of `after` when there was no grad
    before (or one of another shape); None when there is no grad after the call."""
    if after is None:
        return None
    after = after.detach()
    return after - before if before is not None and before.shape == after.shape else after


def clean_numbers(value: Any) -> Any:
    """tolist()'s numbers as a VALUE writes them: inf, -inf and nan by name."""
    if isinstance(value, list):
        return [clean_numbers(v) for v in value]
    if isinstance(value, float):
        return _number(value)
    return value


def is_non_finite(tensor: torch.Tensor | None) -> str | None:
    """"inf", "nan", "inf and nan" or None (meta tensors have no values to check)."""
    if tensor is None or not tensor.is_floating_point() or tensor.is_meta:
        return None
    flat = displayable(tensor).reshape(-1)  # reductions take at most 64 dimensions
    has_nan = bool(torch.isnan(flat).any())
    has_inf = bool(torch.isinf(flat).any())
    if has_nan and has_inf:
        return "inf and nan"
    return "nan" if has_nan else ("inf" if has_inf else None)


def non_finite_positions(tensor: torch.Tensor | None, shown: int = 3) -> dict[str, Any]:
    """Where a tensor holds inf or nan: the first `shown` positions (each a list of indices),
    how many there are, and of how many elements. A note names them, so no summary of the
    tensor can hide them."""
    if tensor is None:
        return {}
    bad = ~torch.isfinite(displayable(tensor))
    flat = bad.reshape(-1).nonzero()[:shown, 0].tolist()
    positions = []
    for j in flat:
        index: list[int] = []
        rest = int(j)
        for size in reversed(list(tensor.shape)):
            index.append(rest % size)
            rest //= size
        positions.append(list(reversed(index)))
    return {"positions": positions, "count": int(bad.sum()), "numel": tensor.numel()}
