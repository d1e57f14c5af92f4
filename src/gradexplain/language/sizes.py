"""Exact output sizes of tensor calls, from the arguments bound to the operation's parameters.

The element limit is only as good as the size it checks, so sizes are computed the way PyTorch
binds the call: positional or keyword arguments are matched to the operation's own parameter
names (`torch.matmul(input=a, other=b)` is `torch.matmul(a, b)`), 0-d tensors given as sizes
or bounds are read as the numbers PyTorch reads them as (`torch.ones(n, n)`), and nested lists
are measured the way `torch.tensor` infers a shape (along the first element of each level,
however often one list is shared). An operation without a formula here runs on PyTorch's
`meta` device (shapes only, nothing allocated); one whose output can never be larger than its
largest input is named in SAME_OR_SMALLER and costs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from gradexplain.limits import arange_length

Bound = dict[str, object]

# Parameter names, in order, of the operations whose output can outgrow their inputs. A method
# call binds its tensor to the first name. Names ending in `_` use the rule of the plain name.
_BINARY = ("input", "other")
SIGNATURES: dict[str, tuple[str, ...]] = {
    **{name: _BINARY for name in (
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
        "maximum", "minimum", "fmod", "remainder", "eq", "ne", "lt", "le", "gt", "ge",
        "max", "min", "copy")},
    "pow": ("input", "exponent"),
    "lerp": ("input", "end", "weight"),
    "where": ("condition", "input", "other"),
    "masked_fill": ("input", "mask", "value"),
    "clamp": ("input", "min", "max"),
    "clip": ("input", "min", "max"),
    **{name: ("input", "target", "weight") for name in (
        "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
        "binary_cross_entropy_with_logits")},
    "matmul": _BINARY, "inner": _BINARY, "mm": ("input", "mat2"), "bmm": ("input", "mat2"),
    "mv": ("input", "vec"), "dot": ("input", "tensor"), "outer": ("input", "vec2"),
    "linear": ("input", "weight", "bias"), "addmm": ("input", "mat1", "mat2"),
    "addmv": ("input", "mat", "vec"),
    "expand": ("input", "size"), "broadcast_to": ("input", "size"),
    "expand_as": ("input", "other"), "repeat": ("input", "repeats"),
    "eye": ("n", "m"), "linspace": ("start", "end", "steps"),
    "full": ("size", "fill_value"),
    "cat": ("tensors", "dim"), "concat": ("tensors", "dim"), "stack": ("tensors", "dim"),
    "hstack": ("tensors",), "vstack": ("tensors",),
    "tensor": ("data",), "as_tensor": ("data",),
    "pad": ("input", "pad", "mode", "value"), "gather": ("input", "dim", "index"),
    "index_select": ("input", "dim", "index"), "diag": ("input", "diagonal"),
    "cross": ("input", "other", "dim"), "one_hot": ("input", "num_classes"),
}
BROADCASTING = frozenset({
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
    "maximum", "minimum", "fmod", "remainder", "lerp", "where", "eq", "ne", "lt", "le", "gt",
    "ge", "masked_fill", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "clamp", "clip", "copy",
    "max", "min",
})
MATMUL = frozenset({"mm", "bmm", "mv", "dot", "matmul", "outer", "inner", "linear",
                    "addmm", "addmv"})
CREATION = frozenset({"ones", "zeros", "empty", "rand", "randn"})  # (*size) or (size=)
CONCAT = frozenset({"cat", "concat", "stack", "hstack", "vstack"})
# Outputs never larger than the largest tensor argument (elementwise maths, reductions, views,
# conversions, splits into views of the input): nothing to compute before they run.
SAME_OR_SMALLER = frozenset({
    "neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "sqrt", "rsqrt",
    "square", "sign", "floor", "ceil", "round", "trunc", "reciprocal", "erf", "sum", "mean",
    "prod", "amax", "amin", "argmax", "argmin", "norm", "std", "var", "logsumexp", "cumsum",
    "cumprod", "all", "any", "trace", "tril", "triu", "split", "chunk", "softmax",
    "log_softmax", "transpose", "t", "reshape", "flatten", "squeeze", "unsqueeze", "permute",
    "flip", "roll", "isnan", "isinf", "isfinite", "allclose", "equal", "numel", "is_tensor",
    "is_floating_point", "ones_like", "zeros_like", "full_like", "empty_like", "rand_like",
    "randn_like", "relu6", "gelu", "leaky_relu", "elu", "silu", "softplus", "normalize",
    "dropout", "hardtanh", "logsigmoid", "cross_entropy", "nll_loss", "retain_grad", "zero_",
    "requires_grad_", "detach", "detach_", "clone", "item", "tolist", "dim", "size",
    "nelement", "element_size", "view", "view_as", "reshape_as", "contiguous",
    "is_contiguous", "narrow", "float", "double", "half", "bfloat16", "long", "int", "bool",
    "to", "cpu", "cuda", "type_as", "fill_", "uniform_", "normal_", "device", "no_grad",
    "enable_grad", "backward", "grad",
})


def as_number(value: object) -> object:
    """A 0-d (or one-element) tensor read as the Python number PyTorch reads it as."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.device.type != "meta":
        return value.item()
    return value


def as_int(value: object) -> int | None:
    value = as_number(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def product(shape: Sequence[int]) -> int:
    return math.prod(int(s) for s in shape)


def bind(name: str, target: object, args: Sequence[object], kwargs: dict[str, object]) -> Bound:
    """The call's arguments by parameter name; positional ones past the signature under
    `*0`, `*1`... (for the `*size` forms)."""
    names = SIGNATURES.get(name.rstrip("_") if name.endswith("_") else name, ())
    values = ([target] if isinstance(target, torch.Tensor) else []) + list(args)
    bound: Bound = {}
    for index, value in enumerate(values):
        key = names[index] if index < len(names) else f"*{index - len(names)}"
        bound[key] = value
    bound.update(kwargs)
    return bound


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


def _shape(value: object) -> list[int] | None:
    return list(value.shape) if isinstance(value, torch.Tensor) else None


def _broadcast_numel(name: str, bound: Bound) -> int | None:
    shapes = [list(v.shape) for v in bound.values() if isinstance(v, torch.Tensor)]
    if len(shapes) < 2:
        return None
    shape = broadcast_shape(*shapes)
    return product(shape) if shape is not None else None


def _matmul_numel(name: str, bound: Bound) -> int | None:
    """Output elements of a matrix product; None where the shapes don't fit (torch says why)."""
    first, second = {"addmm": ("mat1", "mat2"), "addmv": ("mat", "vec")}.get(
        name, SIGNATURES[name][:2])
    a, b = _shape(bound.get(first)), _shape(bound.get(second))
    if a is None or b is None:
        return None
    return matmul_numel(name, a, b)


def matmul_numel(name: str, a: Sequence[int], b: Sequence[int]) -> int | None:
    """Output elements of the matrix product `name` of operands shaped `a` and `b`."""
    if name == "outer":
        return product(a) * product(b)
    if len(a) == 0 or len(b) == 0:  # a scalar operand multiplies elementwise (inner, matmul)
        return product(a) * product(b)
    if name == "inner":  # contracts the last dimension of each
        return product(a[:-1]) * product(b[:-1])
    if name == "linear":  # input @ weight.T
        return product(a[:-1]) * (b[0] if len(b) == 2 else 1)
    if name == "dot":
        return 1
    rows = a[-2] if len(a) >= 2 else 1
    cols = b[-1] if len(b) >= 2 else 1
    batch = broadcast_shape(a[:-2], b[:-2]) if len(a) > 2 or len(b) > 2 else []
    if batch is None:
        return None
    return product(batch) * rows * cols


def _sizes(bound: Bound, key: str, first: int = 0) -> list[int] | None:
    """A size given as `key=`, as one list/tuple, or spread over the positional rest."""
    value = bound.get(key)
    spread = [bound[k] for k in sorted((k for k in bound if k.startswith("*")),
                                       key=lambda k: int(k[1:]))]
    if value is None:
        value = spread[first:] if spread[first:] else None
    elif spread:
        value = [value, *spread]
    if value is None:
        return None
    if isinstance(value, torch.Tensor) and value.dim() == 1 and value.device.type != "meta":
        value = value.tolist()
    if isinstance(value, (list, tuple)) and len(value) == 1 and \
            isinstance(value[0], (list, tuple, torch.Size)):
        value = value[0]
    items = list(value) if isinstance(value, (list, tuple, torch.Size)) else [value]
    numbers = [n for n in map(as_int, items) if n is not None]
    return numbers if len(numbers) == len(items) else None


def _creation_numel(name: str, bound: Bound) -> int | None:
    shape = _sizes(bound, "size")
    return product(shape) if shape is not None else None


def _full_numel(name: str, bound: Bound) -> int | None:
    shape = _sizes({"size": bound.get("size")}, "size")
    return product(shape) if shape is not None else None


def _randint_numel(name: str, bound: Bound) -> int | None:
    # randint(high, size), randint(low, high, size): the size is the one list/tuple.
    size = bound.get("size")
    if size is None:
        size = next((v for v in bound.values() if isinstance(v, (list, tuple, torch.Size))),
                    None)
    shape = _sizes({"size": size}, "size") if size is not None else None
    return product(shape) if shape is not None else None


def _legacy_tensor_numel(name: str, bound: Bound) -> int | None:
    values = [as_int(v) for k, v in bound.items() if k.startswith("*")]
    numbers = [v for v in values if v is not None]
    if values and len(numbers) == len(values):
        return product(numbers)
    data = bound.get("*0")
    return nested_numel(data) if isinstance(data, (list, tuple)) else None


def _eye_numel(name: str, bound: Bound) -> int | None:
    n = as_int(bound.get("n"))
    m = as_int(bound.get("m", bound.get("n")))
    return n * m if n is not None and m is not None else None


def _linspace_numel(name: str, bound: Bound) -> int | None:
    return as_int(bound.get("steps"))


def _arange_numel(name: str, bound: Bound) -> int | None:
    numbers = [as_number(bound[k]) for k in ("*0", "*1", "*2") if k in bound]
    start: object = 0.0
    end: object = None
    step: object = 1.0
    if len(numbers) == 1:
        end = numbers[0]
    elif len(numbers) >= 2:
        start, end = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) > 2 else step
    end = as_number(bound.get("end", end))
    start = as_number(bound.get("start", start))
    step = as_number(bound.get("step", step))
    real = (int, float)
    if not (isinstance(start, real) and isinstance(end, real) and isinstance(step, real)) or \
            step == 0:
        return None
    count = arange_length(start, end, step)
    if count is None:
        return None  # torch refuses an infinite range itself
    return max(count, 0)


def _expand_numel(name: str, bound: Bound) -> int | None:
    base = bound.get("input")
    shape = _sizes(bound, "size")
    if not isinstance(base, torch.Tensor) or shape is None:
        return None
    have = [1] * (len(shape) - base.dim()) + list(base.shape)
    return product([h if s == -1 else s for s, h in zip(shape, have, strict=False)])


def _expand_as_numel(name: str, bound: Bound) -> int | None:
    other = bound.get("other")
    return other.numel() if isinstance(other, torch.Tensor) else None


def _repeat_numel(name: str, bound: Bound) -> int | None:
    base = bound.get("input")
    reps = _sizes(bound, "repeats")
    if not isinstance(base, torch.Tensor) or reps is None:
        return None
    return product(reps) * base.numel()


def _concat_numel(name: str, bound: Bound) -> int | None:
    seq = bound.get("tensors")
    if isinstance(seq, (list, tuple)):
        return sum(t.numel() for t in seq if isinstance(t, torch.Tensor))
    return None


def _data_numel(name: str, bound: Bound) -> int | None:
    data = bound.get("data")
    return nested_numel(data) if isinstance(data, (list, tuple)) else None


def nested_shape(data: object) -> tuple[list[int], object]:
    """The shape `torch.tensor(data)` infers (lengths along the first elements) and the
    first leaf, without visiting the rest."""
    shape: list[int] = []
    level = data
    while isinstance(level, (list, tuple)) and len(shape) < 64:
        shape.append(len(level))
        if not level:
            break
        level = level[0]
    return shape, level


def index_numel(shape: Sequence[int], index: object) -> int | None:
    """An upper bound on the elements `tensor[index]` makes, from the index alone: kept
    dimensions (slices can only shrink them) times the broadcast shape of the advanced parts
    (integer lists and tensors); a boolean mask keeps at most the elements it covers. None
    where torch will refuse the index itself."""
    parts = list(index) if isinstance(index, tuple) else [index]
    consumed = [_index_dims(p) for p in parts]
    if sum(1 for p in parts if p is Ellipsis) > 1:
        return None
    free = len(shape) - sum(consumed)
    if free < 0:
        return None
    dims = list(shape)
    kept = 1
    advanced: list[list[int]] = []
    position = 0
    for part, consumes in zip(parts, consumed, strict=True):
        count = free if part is Ellipsis else consumes
        masks = isinstance(part, torch.Tensor) and part.dtype == torch.bool
        if part is Ellipsis or part is None or isinstance(part, slice) or masks:
            kept *= product(dims[position:position + count])
        elif isinstance(part, (list, torch.Tensor)):
            advanced.append(nested_shape(part)[0] if isinstance(part, list)
                            else list(part.shape))
        position += count
    kept *= product(dims[position:])  # dimensions the index does not reach are kept
    if advanced:
        together = broadcast_shape(*advanced)
        if together is None:
            return None
        kept *= product(together)
    return kept


def _index_dims(part: object) -> int:
    if part is None or part is Ellipsis:
        return 0
    if isinstance(part, torch.Tensor) and part.dtype == torch.bool:
        return max(part.dim(), 1)
    return 1


def nested_numel(data: object) -> int:
    """Elements `torch.tensor(data)` would hold: the lengths along the first element of each
    level multiplied (how torch infers the shape), so a list shared a thousand times counts a
    thousand times. Tensors inside count their own elements."""
    count = 1
    level = data
    for _ in range(64):  # torch refuses deeper nesting; so does the checker
        if isinstance(level, torch.Tensor):
            return count * level.numel()
        if not isinstance(level, (list, tuple)):
            return count
        count *= len(level)
        if not level:
            return count
        level = level[0]
    return count


def _pad_numel(name: str, bound: Bound) -> int | None:
    base, pad = bound.get("input"), bound.get("pad")
    if not isinstance(base, torch.Tensor) or not isinstance(pad, (list, tuple)):
        return None
    amounts = [a for a in map(as_int, pad) if a is not None]
    if len(amounts) != len(pad) or len(amounts) % 2 or len(amounts) // 2 > base.dim():
        return None
    shape = list(base.shape)
    for i in range(len(amounts) // 2):  # pairs pad the last dimension first
        shape[-1 - i] += amounts[2 * i] + amounts[2 * i + 1]
    return product(shape)


def _gather_numel(name: str, bound: Bound) -> int | None:
    base, index, dim = bound.get("input"), bound.get("index"), as_int(bound.get("dim"))
    if not isinstance(base, torch.Tensor) or not isinstance(index, torch.Tensor):
        return None
    if name == "gather":
        return index.numel()
    if dim is None or base.dim() == 0 or not -base.dim() <= dim < base.dim():
        return None
    along = base.shape[dim]
    return (base.numel() // along if along else 0) * index.numel()


def _diag_numel(name: str, bound: Bound) -> int | None:
    base, offset = bound.get("input"), as_int(bound.get("diagonal", 0))
    if not isinstance(base, torch.Tensor) or offset is None:
        return None
    if base.dim() == 1:
        return (base.numel() + abs(offset)) ** 2
    return base.numel()


def _one_hot_numel(name: str, bound: Bound) -> int | None:
    # num_classes=-1 (the default) reads the largest class from the values: meta cannot.
    base, classes = bound.get("input"), as_int(bound.get("num_classes", -1))
    if not isinstance(base, torch.Tensor) or classes is None:
        return None
    if classes < 0 and base.numel() and not base.is_floating_point():
        classes = int(base.max().item()) + 1
    return base.numel() * max(classes, 0)


RULES: dict[str, Callable[[str, Bound], int | None]] = {
    **{name: _broadcast_numel for name in BROADCASTING},
    **{name: _matmul_numel for name in MATMUL},
    **{name: _creation_numel for name in CREATION},
    "full": _full_numel, "randint": _randint_numel, "Tensor": _legacy_tensor_numel,
    "eye": _eye_numel, "linspace": _linspace_numel, "arange": _arange_numel,
    "expand": _expand_numel, "broadcast_to": _expand_numel, "expand_as": _expand_as_numel,
    "repeat": _repeat_numel, **{name: _concat_numel for name in CONCAT},
    "tensor": _data_numel, "as_tensor": _data_numel, "pad": _pad_numel,
    "gather": _gather_numel, "index_select": _gather_numel, "diag": _diag_numel,
    "cross": _broadcast_numel, "one_hot": _one_hot_numel,
}


def rule_for(name: str) -> Callable[[str, Bound], int | None] | None:
    rule = RULES.get(name)
    if rule is None and name.endswith("_"):
        rule = RULES.get(name[:-1])
    return rule


# Per operation name: the name its rule is keyed by (None: no rule) and whether it runs on
# `meta` first. Worked out once per name: a loop asks for the same few names every iteration.
_NAMES: dict[str, tuple[str | None, bool]] = {}


def _name_facts(name: str) -> tuple[str | None, bool]:
    found = _NAMES.get(name)
    if found is None:
        rule = rule_for(name)
        plain = None if rule is None else \
            name[:-1] if name not in RULES and name.endswith("_") else name
        meta = rule is None and name not in SAME_OR_SMALLER and \
            name.rstrip("_") not in SAME_OR_SMALLER
        found = _NAMES[name] = (plain, meta)
    return found


def plain_name(name: str) -> str | None:
    """The name whose rule sizes `name` (`add_` -> `add`), or None when no rule does."""
    return _name_facts(name)[0]


def output_numel(name: str, target: object, args: Sequence[object],
                 kwargs: dict[str, object]) -> int | None:
    """Elements the call would produce, when it has a formula here; else None."""
    plain = _name_facts(name)[0]
    if plain is None:
        return None
    return RULES[plain](plain, bind(plain, target, args, kwargs))


def needs_meta(name: str) -> bool:
    """Operations with neither a formula nor a place in SAME_OR_SMALLER run on `meta` first."""
    return _name_facts(name)[1]


def to_meta(value: object) -> object:
    """The argument as the meta device sees it: tensors become shape-only tensors, 0-d ones the
    numbers they hold (so sizes and bounds keep their values)."""
    if isinstance(value, torch.Tensor):
        if value.dim() == 0 and value.device.type != "meta" and not value.requires_grad:
            return value.item()
        return torch.empty_strided(value.shape, value.stride(), dtype=value.dtype,
                                   device="meta")
    if isinstance(value, (list, tuple)) and len(value) <= 4096:
        return type(value)(to_meta(v) for v in value)
    return value


def layer_numel(make: Callable[..., object], args: Sequence[object],
                kwargs: dict[str, object]) -> int | None:
    """Elements of the parameters and buffers an nn layer would hold: the layer built on the
    meta device first (nothing allocated, no random numbers drawn). None where it cannot be
    built there (the real call then fails the same way)."""
    try:
        with torch.device("meta"):
            layer = make(*[to_meta(a) for a in args], **{k: to_meta(v) for k, v in
                                                          kwargs.items()})
    except Exception:
        return None
    if not isinstance(layer, torch.nn.Module):
        return None
    tensors = [*layer.parameters(), *layer.buffers()]
    return sum(t.numel() for t in tensors if not torch.nn.parameter.is_lazy(t))


# Parameterless layers whose output can outgrow their input (upsampling, padding, unfolding,
# unpooling): their forward runs on the meta device first (`module_output_numel`).
_PADDING = torch.nn.modules.padding
GROWING_LAYERS = (torch.nn.Upsample, torch.nn.Fold, torch.nn.Unfold, torch.nn.PixelShuffle,
                  _PADDING._ConstantPadNd, _PADDING._ReflectionPadNd, _PADDING._ReplicationPadNd,
                  _PADDING._CircularPadNd, torch.nn.modules.pooling._MaxUnpoolNd)


def module_output_numel(module: torch.nn.Module, args: Sequence[object]) -> int | None:
    """Elements a layer's call would produce where it can outgrow its input: a growing
    parameterless layer's forward on meta inputs, an embedding's lookups, a transposed
    convolution on meta weights. None for every other layer."""
    first = args[0] if args else None
    if not isinstance(first, torch.Tensor):
        return None
    if isinstance(module, GROWING_LAYERS):
        return meta_numel(module.forward, args, {})
    if isinstance(module, torch.nn.Embedding):
        return first.numel() * module.embedding_dim
    if isinstance(module, torch.nn.EmbeddingBag):
        return (first.shape[0] if first.dim() == 2 else first.numel()) * module.embedding_dim
    if isinstance(module, torch.nn.modules.conv._ConvTransposeNd) and \
            not torch.nn.parameter.is_lazy(module.weight):
        transposed = module
        return meta_numel(lambda x, w: _transposed(transposed, x, w), [first, module.weight], {})
    return None


def _transposed(module: torch.nn.modules.conv._ConvTransposeNd, x: torch.Tensor,
                weight: torch.Tensor) -> torch.Tensor:
    convolve = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d,
                3: torch.nn.functional.conv_transpose3d}[len(module.kernel_size)]
    padding: Any = module.padding  # an int tuple: a transposed convolution has no "same"
    return convolve(x, weight, None, module.stride, padding, module.output_padding,
                    module.groups, module.dilation)


def meta_numel(call: Callable[..., object], args: Sequence[object],
               kwargs: dict[str, object]) -> int | None:
    """Run the call on the meta device: shapes only, nothing allocated. None if it fails
    there (the real call then fails the same way, or makes nothing larger)."""
    meta_kwargs = {k: to_meta(v) for k, v in kwargs.items()}
    if not any(isinstance(v, torch.Tensor) for v in [*args, *kwargs.values()]):
        # A factory call (torch.normal(0, 1, size=...)): without a tensor to follow it would
        # run for real on the CPU, allocating and drawing from the user's random stream.
        meta_kwargs["device"] = "meta"
    try:
        result = call(*[to_meta(a) for a in args], **meta_kwargs)
    except Exception:
        return None
    if isinstance(result, torch.Tensor):
        return result.numel()
    if isinstance(result, (list, tuple)):
        return sum(r.numel() for r in result if isinstance(r, torch.Tensor))
    return None
