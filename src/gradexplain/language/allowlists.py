"""What scenario code may touch. Pure data: names only, no torch import.

Anything not listed here is refused before a scenario runs. Lists follow
shared/spec/scenario.md, plus a few harmless functions a tutorial might use.
"""

from __future__ import annotations

# torch.<name> callables.
TORCH_FUNCTIONS = frozenset({
    "tensor", "Tensor", "as_tensor", "ones", "zeros", "ones_like", "zeros_like", "full",
    "full_like", "empty", "empty_like", "rand", "randn", "rand_like", "randn_like", "randint",
    "arange", "linspace", "eye",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "neg",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "sqrt", "rsqrt",
    "square", "sign", "floor", "ceil", "round", "trunc", "reciprocal", "erf",
    "maximum", "minimum", "fmod", "remainder", "lerp", "addmm", "addmv",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "std",
    "var", "logsumexp", "cumsum", "cumprod", "all", "any",
    "mm", "bmm", "matmul", "mv", "dot", "outer", "inner", "cross", "diag", "trace", "tril",
    "triu", "cat", "concat", "stack", "hstack", "vstack", "split", "chunk", "where",
    "clamp", "clip", "softmax", "log_softmax", "transpose", "t", "reshape", "flatten",
    "squeeze", "unsqueeze", "permute", "flip", "roll", "gather", "masked_fill", "index_select",
    "broadcast_to", "isnan", "isinf", "isfinite", "allclose", "equal", "eq", "ne", "lt", "le",
    "gt", "ge", "numel", "is_tensor", "is_floating_point", "no_grad", "enable_grad", "device",
})

# torch.<dtype> attributes.
TORCH_DTYPES = frozenset({
    "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long",
    "int32", "int", "int16", "short", "int8", "uint8", "bool", "complex64", "complex128",
    "cfloat", "cdouble",
})

# Dotted paths below torch that are namespaces, and the callables inside them.
TORCH_NAMESPACES = frozenset({"torch", "torch.autograd", "torch.nn", "torch.nn.functional"})
AUTOGRAD_FUNCTIONS = frozenset({"backward", "grad"})
FUNCTIONAL = frozenset({
    "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "linear", "gelu", "leaky_relu", "elu", "silu",
    "softplus", "normalize", "pad", "dropout", "hardtanh", "logsigmoid",
})

# Every dotted callable path a scenario may reach, e.g. "torch.nn.functional.relu".
TORCH_PATHS = frozenset(
    {f"torch.{n}" for n in TORCH_FUNCTIONS | TORCH_DTYPES}
    | {f"torch.autograd.{n}" for n in AUTOGRAD_FUNCTIONS}
    | {f"torch.nn.functional.{n}" for n in FUNCTIONAL}
)

TENSOR_METHODS = frozenset({
    "backward", "retain_grad", "zero_", "requires_grad_", "detach", "detach_", "clone",
    "item", "tolist", "numel", "dim", "size", "nelement", "element_size",
    "view", "view_as", "reshape", "reshape_as", "flatten", "squeeze", "unsqueeze", "t",
    "transpose", "permute", "expand", "expand_as", "repeat", "contiguous", "is_contiguous",
    "flip", "roll", "chunk", "split", "narrow", "gather", "masked_fill", "index_select",
    "mm", "bmm", "mv", "dot", "matmul", "outer",
    "float", "double", "half", "bfloat16", "long", "int", "bool", "to", "cpu", "cuda", "type_as",
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "log1p", "sin", "cos", "tanh",
    "sigmoid", "relu", "abs", "sqrt", "rsqrt", "square", "sign", "floor", "ceil", "round",
    "reciprocal", "clamp", "clip", "softmax", "log_softmax", "maximum", "minimum", "lerp",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "std",
    "var", "logsumexp", "cumsum", "all", "any", "eq", "ne", "lt", "le", "gt", "ge",
    "isnan", "isinf", "isfinite", "allclose", "equal", "is_floating_point", "where",
    # In-place forms: they exist to show the in-place errors.
    "add_", "sub_", "mul_", "div_", "pow_", "fill_", "clamp_", "relu_", "sigmoid_", "neg_",
    "exp_", "copy_", "uniform_", "normal_", "abs_", "sqrt_", "tanh_", "masked_fill_",
    "unsqueeze_", "squeeze_", "t_", "transpose_",
})

TENSOR_ATTRIBUTES = frozenset({
    "grad", "data", "shape", "T", "mT", "H", "ndim", "dtype", "device", "is_leaf",
    "requires_grad", "grad_fn", "is_cuda", "output_nr",
})

# On a grad_fn (autograd Node): read for display only.
NODE_ATTRIBUTES = frozenset({"next_functions", "name"})
# On torch.return_types (max/min with dim), torch.device and torch.dtype.
RESULT_ATTRIBUTES = frozenset({"values", "indices", "type", "index", "is_floating_point"})
# Inside print(): "...".format(...)
STRING_METHODS = frozenset({"format"})

# Every attribute name that can be allowed somewhere; anything else is refused statically.
ALL_ATTRIBUTE_NAMES = (
    TORCH_FUNCTIONS | TORCH_DTYPES | AUTOGRAD_FUNCTIONS | FUNCTIONAL | TENSOR_METHODS
    | TENSOR_ATTRIBUTES | NODE_ATTRIBUTES | RESULT_ATTRIBUTES | STRING_METHODS
    | {"autograd", "nn", "functional"}
)

BUILTINS = frozenset({"print", "len", "range"})

# Why a refused name is dangerous, for the not_allowed message. Checked by prefix too.
DANGEROUS: dict[str, str] = {
    "load": "it reads (and may unpickle) files",
    "save": "it writes files",
    "from_file": "it reads files",
    "hub": "it downloads and runs code",
    "jit": "it compiles and loads code",
    "compile": "it compiles code",
    "ops": "it reaches raw native operators",
    "library": "it registers native operators",
    "utils": "it reaches loaders, checkpoints and C++ extensions",
    "package": "it imports code from archives",
    "numpy": "it leaves PyTorch for raw memory that can be written anywhere",
    "storage": "it exposes raw memory",
    "untyped_storage": "it exposes raw memory",
    "data_ptr": "it exposes raw memory addresses",
    "register_hook": "it runs a callable during backward",
    "register_post_accumulate_grad_hook": "it runs a callable during backward",
    "apply_": "it runs a callable on every element",
    "map_": "it runs a callable on every element",
    "set_": "it swaps a tensor's memory",
    "share_memory_": "it shares memory with other processes",
    "distributed": "it opens network connections",
    "multiprocessing": "it starts processes",
    "backends": "it changes global library settings",
    "classes": "it reaches native classes",
    "_C": "it reaches PyTorch's C internals",
    "os": "it reaches the operating system",
    "sys": "it reaches the interpreter",
    "eval": "it runs arbitrary code",
    "exec": "it runs arbitrary code",
    "open": "it opens files",
    "getattr": "it reaches attributes by name, around the allowlist",
    "setattr": "it changes objects by name",
    "globals": "it exposes the interpreter's globals",
    "locals": "it exposes the interpreter's locals",
    "vars": "it exposes objects' internals",
    "__import__": "it imports modules",
    "breakpoint": "it opens a debugger",
    "input": "it reads the terminal",
}
DANGEROUS_PREFIXES: dict[str, str] = {
    "set_": "it changes global state",
    "_": "private and dunder attributes reach Python internals, the classic sandbox escape",
}


def why_dangerous(name: str) -> str | None:
    """A short reason a name is refused, or None when it is merely unknown."""
    if name in DANGEROUS:
        return DANGEROUS[name]
    for prefix, reason in DANGEROUS_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return None
