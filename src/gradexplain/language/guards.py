"""Limit checks done before the work: output sizes of tensor operations, plain numbers.

Output sizes are computed from shapes with the operation's own rule (broadcasting, matmul,
expand, repeat, creation). Only rare operations fall back to PyTorch's `meta` device, which
computes shapes without allocating but costs far more than the formulas here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from gradexplain.errors import SourceLocation
from gradexplain.limits import Limits, check, exceeded

BROADCASTING = frozenset({
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "maximum", "minimum", "fmod", "remainder", "lerp", "where", "eq", "ne", "lt", "le", "gt",
    "ge", "masked_fill", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "clamp", "clip",
    "add_", "sub_", "mul_", "div_", "pow_", "masked_fill_", "copy_",
})
MATMUL = frozenset({"mm", "bmm", "mv", "dot", "matmul", "outer", "inner", "linear",
                    "addmm", "addmv"})
CREATION = frozenset({"ones", "zeros", "empty", "rand", "randn", "full", "randint"})
CONCAT = frozenset({"cat", "concat", "stack", "hstack", "vstack"})
META_FALLBACK = frozenset({"pad", "gather", "index_select", "diag", "kron", "cross"})


def product(shape: Sequence[int]) -> int:
    return math.prod(int(s) for s in shape)


def broadcast_shape(*shapes: Sequence[int]) -> list[int] | None:
    """PyTorch's broadcasting rule; None when the shapes do not broadcast."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        for i, size in enumerate(shape, start=ndim - len(shape)):
            if result[i] == 1:
                result[i] = int(size)
            elif size not in (1, result[i]):
                return None
    return result


def matmul_numel(name: str, shapes: list[list[int]]) -> int | None:
    """Output elements of a matrix product; None where the shapes don't fit (torch says why)."""
    if len(shapes) < 2:
        return None
    if name in {"addmm", "addmv"}:
        shapes = shapes[1:]
    a, b = shapes[0], shapes[1]
    if name == "outer":
        return product(a) * product(b)
    if name == "linear":  # input @ weight.T
        return product(a[:-1]) * (b[0] if len(b) == 2 else 1)
    if name in {"dot", "inner"} and len(a) <= 1 and len(b) <= 1:
        return 1
    if len(a) == 0 or len(b) == 0:
        return product(a) * product(b)
    rows = a[-2] if len(a) >= 2 else 1
    cols = b[-1] if len(b) >= 2 else 1
    batch = broadcast_shape(a[:-2], b[:-2])
    if batch is None:
        return None
    return product(batch) * rows * cols


def _shapes(values: Sequence[Any]) -> list[list[int]]:
    return [list(v.shape) for v in values if isinstance(v, torch.Tensor)]


def _shape_argument(args: Sequence[Any], kwargs: dict[str, Any]) -> list[int] | None:
    """The `size` of a creation call: ones(2, 3), ones((2, 3)), ones(size=[2, 3])."""
    size = kwargs.get("size", args[0] if len(args) == 1 else args)
    if isinstance(size, int) and not isinstance(size, bool):
        size = [size]
    if isinstance(size, (list, tuple, torch.Size)) and all(
            isinstance(s, int) and not isinstance(s, bool) for s in size):
        return [int(s) for s in size]
    return None


def output_numel(name: str, target: Any, args: Sequence[Any],
                 kwargs: dict[str, Any]) -> int | None:
    """Elements the call would produce, when it can grow beyond its inputs; else None."""
    tensors = ([target] if isinstance(target, torch.Tensor) else []) + list(args)
    if name in BROADCASTING:
        shapes = _shapes(tensors + list(kwargs.values()))
        shape = broadcast_shape(*shapes) if len(shapes) > 1 else None
        return product(shape) if shape is not None else None
    if name in MATMUL:
        return matmul_numel(name, _shapes(tensors))
    if name in CREATION:
        if name == "full":
            shape = _shape_argument(args[:1], kwargs)
        elif name == "randint":
            shape = _shape_argument([a for a in args if isinstance(a, (list, tuple))][:1] or
                                    [kwargs.get("size", [])], {})
        else:
            shape = _shape_argument(args, kwargs)
        return product(shape) if shape is not None else None
    if name == "Tensor" and args and all(isinstance(a, int) and not isinstance(a, bool)
                                         for a in args):
        return product(args)
    if name == "eye":
        n = args[0] if args else kwargs.get("n", 0)
        m = args[1] if len(args) > 1 else kwargs.get("m", n)
        return int(n) * int(m) if isinstance(n, int) and isinstance(m, int) else None
    if name in {"arange", "linspace"}:
        return _range_count(name, args, kwargs)
    if name in {"expand", "broadcast_to"} and isinstance(target, torch.Tensor | None):
        base = target if isinstance(target, torch.Tensor) else args[0]
        sizes = args if isinstance(target, torch.Tensor) else args[1:]
        shape = _shape_argument(list(sizes), kwargs)
        if shape is None:
            return None
        have = list(base.shape)
        have = [1] * (len(shape) - len(have)) + have
        return product([h if s == -1 else s for s, h in zip(shape, have, strict=False)])
    if name == "expand_as" and args and isinstance(args[0], torch.Tensor):
        return args[0].numel()
    if name == "repeat" and isinstance(target, torch.Tensor):
        reps = _shape_argument(args, kwargs)
        return product(reps) * target.numel() if reps is not None else None
    if name in CONCAT:
        seq = args[0] if args else kwargs.get("tensors", ())
        if isinstance(seq, (list, tuple)):
            return sum(t.numel() for t in seq if isinstance(t, torch.Tensor))
        return None
    return None


def _range_count(name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> int | None:
    numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    if name == "linspace":
        steps = numbers[2] if len(numbers) > 2 else kwargs.get("steps")
        return int(steps) if isinstance(steps, (int, float)) else None
    start, end, step = 0.0, None, 1.0
    if len(numbers) == 1:
        end = numbers[0]
    elif len(numbers) >= 2:
        start, end = numbers[0], numbers[1]
        if len(numbers) > 2:
            step = numbers[2]
    end = kwargs.get("end", end)
    start = kwargs.get("start", start)
    step = kwargs.get("step", step)
    if not (isinstance(start, (int, float)) and isinstance(end, (int, float))
            and isinstance(step, (int, float))) or step == 0:
        return None
    return max(math.ceil((float(end) - float(start)) / float(step)), 0)


def check_call(name: str, target: Any, args: Sequence[Any], kwargs: dict[str, Any],
               limits: Limits, location: SourceLocation | None, fn: Any = None) -> None:
    """Refuse a call whose output would pass the element limit, before it runs."""
    numel = output_numel(name, target, args, kwargs)
    if numel is None and name in META_FALLBACK and fn is not None:
        numel = _meta_numel(fn, target, args, kwargs)
    if numel is not None:
        check("max_elements", numel, limits, location)


def _to_meta(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return torch.empty_strided(value.shape, value.stride(), dtype=value.dtype,
                                   device="meta")
    if isinstance(value, (list, tuple)):
        return type(value)(_to_meta(v) for v in value)
    return value


def _meta_numel(fn: Any, target: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> int | None:
    """Run the operation on the meta device: shapes only, nothing allocated."""
    try:
        meta_args = [_to_meta(a) for a in args]
        meta_kwargs = {k: _to_meta(v) for k, v in kwargs.items()}
        if isinstance(target, torch.Tensor):
            result = getattr(_to_meta(target), fn)(*meta_args, **meta_kwargs)
        else:
            result = fn(*meta_args, **meta_kwargs)
    except Exception:
        return None
    if isinstance(result, torch.Tensor):
        return result.numel()
    if isinstance(result, (list, tuple)):
        return max((r.numel() for r in result if isinstance(r, torch.Tensor)), default=0)
    return None


def check_index(target: torch.Tensor, index: Any, limits: Limits,
                location: SourceLocation | None) -> None:
    """Advanced indexing with integer tensors can produce more elements than its input."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, torch.Tensor) and p.dtype != torch.bool for p in parts):
        numel = _meta_numel(lambda t, i: t[i], None, [target, index], {})
        if numel is not None:
            check("max_elements", numel, limits, location)


def check_number_op(op: str, left: Any, right: Any, limits: Limits,
                    location: SourceLocation | None) -> None:
    """Bound plain-number arithmetic (9**9**9) and sequence repetition ([0] * 10**9)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return
    if op == "mult":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (list, tuple, str)) and isinstance(count, int):
                check("max_elements", len(seq) * max(count, 0), limits, location)
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    bits = 0
    if op == "pow" and right > 0:
        bits = right * max(abs(left).bit_length() - 1, 0) if abs(left) > 1 else 0
    elif op == "mult":
        bits = abs(left).bit_length() + abs(right).bit_length()
    elif op == "lshift" and right > 0:
        bits = abs(left).bit_length() + right
    if bits > limits.max_number_bits:
        raise exceeded("max_number_bits", bits, limits.max_number_bits, location)
