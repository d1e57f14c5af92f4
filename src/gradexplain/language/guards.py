"""Limit checks done before the work: output sizes of tensor operations, plain numbers.

Output sizes are computed from shapes with the operation's own rule (broadcasting, matmul,
expand, repeat, creation). Only rare operations fall back to PyTorch's `meta` device, which
computes shapes without allocating but costs far more than the formulas here. A size that
passes the element limit is refused; one that passes is planned against the memory budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language import layer_sizes, sizes
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits, check, exceeded

BROADCASTING = sizes.BROADCASTING  # the broadcast_sum note's operations read this
# One operator's check (`operator_checker`): (left, right, limits, budget, location) -> whether
# the two shapes differ.
OperatorCheck = Callable[[torch.Tensor, torch.Tensor, Limits, Budget, SourceLocation], bool]


def check_call(name: str, target: object, args: Sequence[object], kwargs: dict[str, object],
               limits: Limits, budget: Budget, location: SourceLocation | None,
               fn: Callable[..., object] | str | None = None) -> None:
    """Refuse a call whose output would pass the element limit, before it runs.

    `fn` is the torch function, or the method's name when `target` is the tensor; operations
    without a size formula run on the meta device first (see language/sizes.py).
    """
    if name in PIECEWISE:  # first: sizing unbind on the meta device makes every view too
        _check_pieces(name, target, args, kwargs, budget, limits, location)
    numel = sizes.output_numel(name, target, args, kwargs)
    if numel is None and fn is not None and sizes.needs_meta(name):
        if isinstance(target, torch.Tensor):
            method = str(fn)
            numel = sizes.meta_numel(lambda t, *a, **k: getattr(t, method)(*a, **k),
                                     [target, *args], kwargs)
        elif callable(fn):
            numel = sizes.meta_numel(fn, args, kwargs)
    if numel is not None:
        check_elements(numel, limits, budget, location, _element_size(target, args, kwargs))


def check_elements(numel: int, limits: Limits, budget: Budget,
                   location: SourceLocation | None, element_size: int = 0) -> None:
    """Refuse a result of `numel` elements past the element limit, and plan its bytes
    (`element_size` each, by default the default dtype's) against the memory budget."""
    check("max_elements", numel, limits, location)
    size = element_size or torch.get_default_dtype().itemsize
    budget.check_memory(limits, location, numel * size)


def call_is_sized(name: str) -> bool:
    """Whether `check_call(name, ...)` checks anything: a call with neither a size rule nor a
    need for the meta device (elementwise maths, reductions, views, `zero_`) never outgrows
    its largest input, so its check is skipped where the name is known in advance."""
    return name in PIECEWISE or sizes.plain_name(name) is not None or sizes.needs_meta(name)


# Calls that turn one tensor into many Python objects: views (unbind, split, chunk) or numbers
# (tolist). Their output holds no more elements than the input, so the element limit lets
# them pass; what they cost is an object per piece (about 600 bytes per view, 30 per number,
# measured), planned against --max-memory before the call: x.unbind() of 16 million
# elements would otherwise take gigabytes before any check runs.
PIECEWISE = frozenset({"unbind", "split", "chunk", "tolist"})
VIEW_BYTES = 640
NUMBER_BYTES = 32


def _check_pieces(name: str, target: object, args: Sequence[object],
                  kwargs: dict[str, object], budget: Budget, limits: Limits,
                  location: SourceLocation | None) -> None:
    if not isinstance(target, torch.Tensor):  # torch.split(x, 1): the tensor comes first
        if not args or not isinstance(args[0], torch.Tensor):
            return
        target, args = args[0], args[1:]
    if name == "tolist":
        budget.check_memory(limits, location, target.numel() * NUMBER_BYTES)
        return
    pieces = _piece_count(name, target, args, kwargs)
    if pieces is not None:
        budget.check_memory(limits, location, pieces * VIEW_BYTES)


def _piece_count(name: str, tensor: torch.Tensor, args: Sequence[object],
                 kwargs: dict[str, object]) -> int | None:
    """How many views the call makes; None when the arguments are not plain (PyTorch then
    reports them)."""
    dim_at = 0 if name == "unbind" else 1  # unbind(dim), split(size, dim), chunk(n, dim)
    dim = kwargs.get("dim", args[dim_at] if len(args) > dim_at else 0)
    if tensor.dim() == 0 or not isinstance(dim, int) or not -tensor.dim() <= dim < tensor.dim():
        return None
    length = int(tensor.shape[dim])
    if name == "unbind":
        return length
    how = kwargs.get("split_size_or_sections", kwargs.get("split_size",
                     kwargs.get("chunks", args[0] if args else None)))
    if isinstance(how, (list, tuple)):
        return len(how)
    if not isinstance(how, int) or isinstance(how, bool) or how <= 0:
        return None
    if name == "chunk":
        return min(how, length)
    return -(-length // how)  # split: pieces of `how` rows, the last one shorter


def operator_checker(name: str) -> OperatorCheck:
    """The size check of one operator in the code (`a * b`, `a @ b`, and `a -= b` as `sub_`),
    bound to it when it is compiled: `check_call(name, None, [left, right], {})` without
    binding a signature, for two tensors (a tensor and a number make a result of the
    tensor's size, which the rules leave unchecked). The last pair of shapes it met, their
    result's size and whether they differ are remembered: a loop meets the same ones there
    on every iteration. Returns whether the shapes differ: only then can the result be
    larger than an operand (a broadcast)."""
    last = _Met()

    def check_operator(left: torch.Tensor, right: torch.Tensor, limits: Limits,
                       budget: Budget, location: SourceLocation) -> bool:
        left_shape, right_shape = left.shape, right.shape
        if left_shape == last.left and right_shape == last.right:
            numel, differ = last.numel, last.differ
        else:
            numel, remembered = binary_numel(name, left_shape, right_shape, left, right)
            differ = left_shape != right_shape
            if remembered:
                last.left, last.right, last.numel, last.differ = \
                    left_shape, right_shape, numel, differ
        if numel is not None:
            if numel > limits.max_elements:
                check("max_elements", numel, limits, location)
            budget.check_memory(limits, location,
                                numel * max(left.element_size(), right.element_size()))
        return differ

    return check_operator


class _Met:
    """The last pair of shapes an operator met, their result's size and whether they differ."""

    __slots__ = ("differ", "left", "numel", "right")

    def __init__(self) -> None:
        self.left: torch.Size | None = None
        self.right: torch.Size | None = None
        self.numel: int | None = None
        self.differ = False


def binary_numel(name: str, left_shape: torch.Size, right_shape: torch.Size,
                 left: torch.Tensor, right: torch.Tensor) -> tuple[int | None, bool]:
    """The operator's output size, and whether it follows from the shapes alone (so it can
    be remembered for them)."""
    plain = sizes.plain_name(name)
    if plain is None:
        return None, True
    if plain in BROADCASTING:
        shape = sizes.broadcast_shape(left_shape, right_shape)
        return (sizes.product(shape) if shape is not None else None), True
    if plain == "matmul":
        return sizes.matmul_numel(plain, left_shape, right_shape), True
    # no operator has another rule: sized from the tensors, not remembered
    return sizes.output_numel(name, None, [left, right], {}), False


def _element_size(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int:
    """Bytes per element of the result: the dtype asked for, else the widest operand's."""
    dtype = kwargs.get("dtype")
    if isinstance(dtype, torch.dtype):
        return dtype.itemsize
    sizes_seen = [v.element_size() for v in (target, *args) if isinstance(v, torch.Tensor)]
    return max(sizes_seen, default=torch.get_default_dtype().itemsize)


def check_index(target: torch.Tensor, index: object, limits: Limits,
                location: SourceLocation | None) -> None:
    """Advanced indexing (integer tensors or lists) can produce more elements than its input."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, list):
            check("max_elements", sizes.nested_numel(part), limits, location)
    if any(isinstance(p, (list, torch.Tensor)) for p in parts):
        numel = sizes.index_numel(list(target.shape), index)
        if numel is not None:
            check("max_elements", numel, limits, location)


def check_number_op(op: str, left: object, right: object, limits: Limits,
                    location: SourceLocation | None) -> None:
    """Bound plain-number arithmetic (9**9**9, True << 10**8), sequence growth ([0] * 10**9,
    a + a doubling) and %-formatting widths ("%0300000000d" % 1)."""
    if op == "mult":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (list, tuple, str)) and isinstance(count, int):
                check("max_elements", len(seq) * max(count, 0), limits, location)
    elif op == "add" and isinstance(left, (list, tuple, str)) and \
            isinstance(right, (list, tuple, str)):
        check("max_elements", len(left) + len(right), limits, location)
    elif op == "mod" and isinstance(left, str):
        check("max_elements", formatted_length(left, right), limits, location)
    if not (isinstance(left, int) and isinstance(right, int)):
        return
    left, right = int(left), int(right)  # bools are ints here: True << 10**8 is a big int
    bits = 0
    if op == "pow" and right > 0:
        bits = right * max(abs(left).bit_length() - 1, 0) if abs(left) > 1 else 0
    elif op == "mult":
        bits = abs(left).bit_length() + abs(right).bit_length()
    elif op == "lshift" and right > 0:
        bits = abs(left).bit_length() + right
    if bits > limits.max_number_bits:
        raise exceeded("max_number_bits", bits, limits.max_number_bits, location)


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def formatted_length(template: str, values: object) -> int:
    """An upper bound on the length of `template % values`, computed before formatting: the
    template, each field's width or precision, and each value's own text."""
    if isinstance(values, dict):  # "%(x)s" % d: each named field prints its own value
        names = re.findall(r"%\(([^)]*)\)", template)
        items = [values.get(name) for name in names]
    else:
        items = list(values) if isinstance(values, tuple) else [values]
    total = len(template)
    for found in _PERCENT_FIELD.finditer(template):
        for number in found.groups():
            if number == "*":
                width = next((v for v in items if isinstance(v, int)), 0)
                total += abs(int(width))
            elif number:
                total += int(number) if len(number) < 20 else 10**20
    for item in items:
        if isinstance(item, (str, list, tuple, dict)):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3 + 2
        else:
            total += 64  # numbers and tensor summaries print short
    return total


# Hashing a tuple hashes its items, each in a C call of its own that Python 3.11 does not
# count (unlike printing and comparing, which count against the recursion limit): a tuple
# nested 100,000 deep (`t = ((t,),)` in a loop) overflows the C stack when it is hashed, as a
# set item, a dict key or `in` a set. So a key's tuple nesting is measured before it is
# hashed, against the nesting a printed value may have (display.py, the same number).
MAX_KEY_DEPTH = 256


def check_keys(keys: Iterable[object], location: SourceLocation | None = None) -> None:
    """Refuse, before Python hashes them, keys whose tuples nest deeper than MAX_KEY_DEPTH."""
    for key in keys:
        if type(key) is tuple:
            depth = tuple_depth(key, MAX_KEY_DEPTH)
            if depth > MAX_KEY_DEPTH:
                raise exceeded("max_depth", f"more than {MAX_KEY_DEPTH}", MAX_KEY_DEPTH,
                               location)


def tuple_depth(value: tuple[object, ...], cap: int) -> int:
    """How deep tuples nest in `value` (tuples inside tuples only: hashing stops at anything
    else), counted iteratively and at most to `cap + 1`; a tuple met twice is measured once."""
    deepest = 0
    seen: set[int] = set()
    pending: list[tuple[tuple[object, ...], int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > cap:
            return depth
        for part in item:
            if type(part) is tuple and id(part) not in seen:
                seen.add(id(part))
                pending.append((part, depth + 1))
    return deepest


def check_layer_weights(kind: object, args: Sequence[object], kwargs: dict[str, object],
                        limits: Limits, budget: Budget, location: SourceLocation | None
                        ) -> None:
    """Before a layer is built: each weight or buffer it would hold against the element
    limit, all of them against the memory budget (built on `meta` first, layer_sizes.py)."""
    if not isinstance(kind, type):
        return
    found = layer_sizes.weight_sizes(kind, args, kwargs)
    if not found:
        return
    check("max_elements", max(found), limits, location)
    dtype = kwargs.get("dtype")
    size = dtype.itemsize if isinstance(dtype, torch.dtype) else \
        torch.get_default_dtype().itemsize
    budget.check_memory(limits, location, sum(found) * size)


# Layers inside layers: calling, printing or listing the parameters of a module recurses
# once per level (in PyTorch's Python, and in C beneath it), so a module may not contain
# itself (it would call itself forever) and its layers nest at most `--max-depth` deep.
MODULE_ADDING = frozenset({"append", "extend", "insert", "add_module", "register_module"})


def check_submodules(parent: torch.nn.Module | None, children: Iterable[object],
                     limits: Limits, location: SourceLocation | None) -> None:
    """Before `children` become layers of `parent` (None: of a container being made):
    refuse one that is the parent or holds it, and one nested past `limits.max_depth`."""
    for child in children:
        if isinstance(child, (list, tuple)):  # nn.ModuleList([...]), m.extend([...])
            check_submodules(parent, child, limits, location)
            continue
        if isinstance(child, dict):  # nn.ModuleDict({...})
            check_submodules(parent, child.values(), limits, location)
            continue
        if not isinstance(child, torch.nn.Module):
            continue
        depth, holds_parent = _module_depth(child, parent)
        if holds_parent:
            raise not_allowed("a layer cannot contain itself: calling it would call itself "
                              "forever", location, "add a new layer instead of the same one",
                              what="a module inside itself")
        if depth + 1 > limits.max_depth:
            raise exceeded("max_depth", depth + 1, limits.max_depth, location)


def _module_depth(module: torch.nn.Module, looking_for: torch.nn.Module | None
                  ) -> tuple[int, bool]:
    """How deep layers nest in `module` (itself 1), walked iteratively, and whether
    `looking_for` is among them."""
    deepest = 0
    seen: set[int] = set()
    pending = [(module, 1)]
    while pending:
        current, depth = pending.pop()
        if current is looking_for:
            return depth, True
        if id(current) in seen:
            continue
        seen.add(id(current))
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in current.children())
    return deepest, False


# Text the language builds is bounded like any sequence, by --max-elements (characters here),
# before the text is made: a string grown in a loop cannot be multiplied past it by `%`,
# `join`, `replace`, `upper`, f-strings or print.
def check_text(length: int, limits: Limits, location: SourceLocation | None = None) -> None:
    """Refuse text of `length` characters past the element limit, before it is built."""
    if length > limits.max_elements:
        check("max_elements", length, limits, location)


def string_method_length(text: str, name: str, args: Sequence[object]) -> int | None:
    """An upper bound on the length of `text.name(*args)` for the string methods that may
    build a longer string; None for those that cannot."""
    if name == "join" and args and isinstance(args[0], (list, tuple)):
        parts = args[0]
        return sum(len(p) if isinstance(p, str) else 0 for p in parts) + \
            len(text) * max(len(parts) - 1, 0)
    if name in {"upper", "lower", "title", "capitalize"}:
        return 3 * len(text)  # a character may change into up to three ('ß' -> 'SS')
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and \
            isinstance(args[1], str):
        grows = len(args[1]) - len(args[0])
        if grows <= 0:
            return None
        count = text.count(args[0]) if args[0] else len(text) + 1
        return len(text) + count * grows
    return None
# `set_printoptions(precision, threshold, edgeitems, linewidth)`, torch's and numpy's: the
# positions of the numbers that widen what one value prints as.
PRINT_WIDTHS = {"precision": 0, "edgeitems": 2, "linewidth": 3}
MAX_PRINT_WIDTH = 10_000


def check_print_options(args: Sequence[object], kwargs: dict[str, object], limits: Limits,
                        location: SourceLocation | None) -> None:
    """Print options that would make one number print as megabytes (`precision=10**9`), and
    numpy's formatters (functions numpy would run outside the interpreter), refused."""
    for key, index in PRINT_WIDTHS.items():
        value = kwargs.get(key, args[index] if len(args) > index else None)
        if isinstance(value, int) and value > MAX_PRINT_WIDTH:
            raise exceeded("max_output_chars", value, MAX_PRINT_WIDTH, location)
    if kwargs.get("formatter") is not None:
        raise not_allowed("print formatters are functions numpy would run outside the "
                          "interpreter", location, what="print formatter")
