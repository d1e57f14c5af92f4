"""Tensors to VALUEs: plain, JSON-ready data (see gradexplain.record)."""

from __future__ import annotations

import math
from typing import Any

import torch

DISPLAY_LIMIT = 10_000  # elements; larger tensors are summarized unless --full
HEAD = 6


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def to_value(tensor: torch.Tensor | None, *, full: bool = False) -> Any:
    """A tensor as nested lists (a number for 0-d), or a summary when it is large."""
    if tensor is None:
        return None
    data = tensor.detach()
    if data.device.type == "meta":  # shapes only: there is no data to show
        return {"summary": {"shape": list(data.shape), "min": None, "max": None,
                            "mean": None, "std": None, "head": []}}
    if data.numel() > DISPLAY_LIMIT and not full:
        return summarize(data)
    if data.is_complex():
        return _clean(torch.view_as_real(data).cpu().tolist())
    values = data.cpu().tolist()
    if data.is_floating_point() and not bool(torch.isfinite(data).all()):
        return _clean(values)
    return values


_SUMMARY_CHUNK = 1 << 20  # elements converted to float64 at a time
_SUMMARY_CACHE: list[tuple[tuple[Any, ...], torch.Tensor, dict[str, Any]]] = []
_SUMMARY_CACHE_SIZE = 4


def _summary_key(data: torch.Tensor) -> tuple[Any, ...] | None:
    """Identifies the data of `data`; the cache holds the tensor, so the memory is not reused."""
    try:
        return (data.device, data.dtype, data.data_ptr(), data.storage_offset(),
                tuple(data.shape), data.stride(), data._version)
    except (RuntimeError, NotImplementedError):  # inference tensors, odd subclasses
        return None


def summarize(tensor: torch.Tensor) -> dict[str, Any]:
    """{"summary": {shape, min, max, mean, std, head}}, as PyTorch's printing would show.

    The same data (a grad shown as "added", "after" and in the tensor table) is summarized
    once; float tensors with finite values are reduced in float64 chunks, so a summary needs
    no float64 copy of the whole tensor.
    """
    data = tensor.detach()
    key = _summary_key(data)
    if key is not None:
        for cached_key, _, cached in _SUMMARY_CACHE:
            if cached_key == key:
                return _copy_summary(cached)
    result = _summarize(data)
    if key is not None:
        _SUMMARY_CACHE.append((key, data, result))
        del _SUMMARY_CACHE[:-_SUMMARY_CACHE_SIZE]
        return _copy_summary(result)
    return result


def _copy_summary(result: dict[str, Any]) -> dict[str, Any]:
    summary = result["summary"]
    return {"summary": {**summary, "shape": list(summary["shape"]),
                        "head": list(summary["head"])}}


def _summarize(data: torch.Tensor) -> dict[str, Any]:
    head = data.flatten()[:HEAD].cpu().tolist()
    n = data.numel()
    low = high = math.nan
    if data.is_floating_point() and n and data.dtype != torch.float64:
        # min and max propagate nan, so both finite means every value is finite.
        low_t, high_t = torch.aminmax(data)
        low, high = float(low_t.item()), float(high_t.item())
    if math.isfinite(low) and math.isfinite(high):
        flat = data.reshape(-1)
        mean = flat.sum(dtype=torch.float64).item() / n
        squares = 0.0
        for start in range(0, n, _SUMMARY_CHUNK):
            chunk = flat[start:start + _SUMMARY_CHUNK].double()
            chunk -= mean
            squares += float(chunk.square_().sum().item())
        return {"summary": {
            "shape": list(data.shape),
            "min": _number(low),
            "max": _number(high),
            "mean": _number(mean),
            "std": _number(math.sqrt(squares / (n - 1))) if n > 1 else 0.0,
            "head": _clean(head),
        }}
    as_float = data.double()
    finite = as_float[torch.isfinite(as_float)] if data.is_floating_point() else as_float
    stats = finite if finite.numel() else as_float
    return {"summary": {
        "shape": list(data.shape),
        "min": _number(stats.min().item()),
        "max": _number(stats.max().item()),
        "mean": _number(stats.mean().item()),
        "std": _number(stats.std().item()) if stats.numel() > 1 else 0.0,
        "head": _clean(head),
    }}


def _number(value: float) -> Any:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return _number(value)
    return value


def is_non_finite(tensor: torch.Tensor | None) -> str | None:
    """"inf", "nan", "inf and nan" or None."""
    if tensor is None or not tensor.is_floating_point():
        return None
    has_nan = bool(torch.isnan(tensor).any())
    has_inf = bool(torch.isinf(tensor).any())
    if has_nan and has_inf:
        return "inf and nan"
    return "nan" if has_nan else ("inf" if has_inf else None)
