"""The numpy subset: `import numpy as np` binds an interpreter-owned namespace whose functions,
array methods and random generators are run here, each sized before it allocates.

Every call's output size comes from one rule per kind of function (`SIZE_RULES`): a shape
argument, the inputs' broadcast, a matrix product, a concatenation, a repetition. A result
past the element limit is refused before numpy makes it; one within it is planned against the
memory budget. Arrays of Python objects (and structured arrays) are refused wherever one would
appear: numpy would run their methods outside the interpreter. Interpreted callables are never
handed to numpy. Random draws come from numpy's own generator, which the run seeds from the
scenario's seed and which the worker restores between scenarios (engine/process_state.py).
"""

from __future__ import annotations

import collections
import math
import operator
from collections.abc import Callable, Sequence

import numpy as np
import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import guards
from gradexplain.language.compiler import State
from gradexplain.language.functions import INTERPRETED
from gradexplain.language.values import Builtin, Function, Placeholder, checked_result
from gradexplain.limits import Limits, check

Shape = tuple[int, ...]
# Python objects numpy computes on and gives back.
ARRAY_TYPES: tuple[type, ...] = (np.ndarray, np.generic)
GENERATOR_TYPES: tuple[type, ...] = (np.random.Generator, np.random.RandomState)
NUMPY_VALUES: tuple[type, ...] = (*ARRAY_TYPES, *GENERATOR_TYPES)
NUMBER_BYTES = 32  # what one number of `tolist()` costs Python, as in guards.PIECEWISE
# Python's own types numpy reads as dtypes.
PYTHON_DTYPES: dict[str, type] = {"float": float, "int": int, "bool": bool, "complex": complex}


def call(it: State, callee: Function, args: list[object], kwargs: dict[str, object],
         location: SourceLocation | None) -> object:
    """`np.f(...)`, `np.random.f(...)`, `np.linalg.f(...)`, `np.float32(x)`: sized, then run."""
    name = callee.path.rsplit(".", 1)[-1]
    if callee.path == "numpy.set_printoptions":
        guards.check_print_options(args, kwargs, it.limits, location)
    args, kwargs = _plain_arguments(args, kwargs, location)
    _check_size(name, None, args, kwargs, it, location)
    return checked(callee.fn(*args, **kwargs), location)


def call_method(it: State, target: object, name: str, args: list[object],
                kwargs: dict[str, object], location: SourceLocation | None) -> object:
    """`a.reshape(...)`, `rng.normal(...)`: a method of an array or a generator."""
    args, kwargs = _plain_arguments(args, kwargs, location)
    if name == "tolist" and isinstance(target, np.ndarray):
        it.budget.check_memory(it.limits, location, target.size * NUMBER_BYTES)
    _check_size(name, target, args, kwargs, it, location)
    method: Callable[..., object] = getattr(target, name)
    return checked(method(*args, **kwargs), location)


def member(target: object, name: str) -> str | None:
    """Whether `name` on a numpy value is a method ("method"), a plain attribute ("value"),
    or not available (None)."""
    if isinstance(target, GENERATOR_TYPES):
        return "method" if name in allow.NUMPY_GENERATOR_METHODS else None
    if name in allow.NDARRAY_METHODS:
        return "method"
    if name in allow.NDARRAY_ATTRIBUTES:
        return "value"
    return None


def checked(result: object, location: SourceLocation | None = None) -> object:
    """A numpy result user code may hold: never an array of Python objects."""
    if isinstance(result, (np.ndarray, np.generic)):
        dtype = result.dtype
        if dtype.hasobject or dtype.kind == "V":
            raise not_allowed("numpy arrays of Python objects are not allowed: numpy would "
                              "run the objects' own methods outside the interpreter",
                              location, "make arrays of numbers (or use torch tensors)",
                              what="numpy object array")
        return result
    if isinstance(result, (tuple, list)):
        for item in result:
            checked(item, location)
    return checked_result(result)


def _plain_arguments(args: list[object], kwargs: dict[str, object],
                     location: SourceLocation | None
                     ) -> tuple[list[object], dict[str, object]]:
    """The arguments as numpy receives them: `np.float32` names its type; an interpreted
    callable is refused (numpy would run it outside the interpreter)."""
    return ([_plain(a, location) for a in args],
            {k: _plain(v, location) for k, v in kwargs.items()})


def _plain(value: object, location: SourceLocation | None) -> object:
    if isinstance(value, Function) and value.path.startswith("numpy.") and \
            value.path.rsplit(".", 1)[-1] in allow.NUMPY_DTYPES:
        return value.fn
    if isinstance(value, Builtin) and value.name in PYTHON_DTYPES:  # `dtype=int`, astype(float)
        return PYTHON_DTYPES[value.name]
    if isinstance(value, Placeholder):
        raise value.refusal()
    if isinstance(value, INTERPRETED) or (
            callable(value) and not isinstance(value, (*ARRAY_TYPES, type))):
        raise not_allowed("numpy cannot be given a function here: it would run it outside the "
                          "interpreter", location, "compute the values with a loop or a "
                          "comprehension", what="numpy callable")
    if isinstance(value, type) and not issubclass(value, (np.generic, float, int, bool,
                                                          complex)):
        raise not_allowed("numpy cannot be given this type: only numeric dtypes", location,
                          what="numpy dtype")
    return value


# sizes --------------------------------------------------------------------------------------

def _check_size(name: str, target: object, args: Sequence[object], kwargs: dict[str, object],
                it: State, location: SourceLocation | None) -> None:
    for value in (*args, *kwargs.values()):
        # numpy makes an array of every list or range it is given first (a list that holds
        # one list 4096 times, three deep, is 68 billion numbers; range(10**12) a million
        # times the element limit): measured, as torch.tensor's lists are.
        if isinstance(value, (list, tuple, range, collections.deque)):
            check("max_elements", math.prod(shape_of(value)), it.limits, location)
    rule = SIZE_RULES.get(name)
    if rule is None:
        return  # never larger than its inputs (elementwise on one array, reductions, views)
    numel = rule(target, args, kwargs)
    if numel is None:
        return  # numpy itself refuses such arguments
    check("max_elements", numel, it.limits, location)
    it.budget.check_memory(it.limits, location, numel * _itemsize(name, target, args, kwargs))


def _itemsize(name: str, target: object, args: Sequence[object], kwargs: dict[str, object]
              ) -> int:
    """Bytes per element of the result: the dtype asked for (`astype`'s first argument),
    else the widest input's, else 8."""
    dtype = args[0] if name == "astype" and args else kwargs.get("dtype")
    if dtype is not None:
        try:
            return max(int(np.dtype(dtype).itemsize), 1)  # type: ignore[call-overload]
        except TypeError:
            return 8
    sizes = [int(v.itemsize) for v in (target, *args) if isinstance(v, (np.ndarray, np.generic))]
    return max(sizes, default=8)


def shape_of(value: object) -> Shape:
    """The shape numpy gives `value` (a list's from its first items, as sizes.nested_numel)."""
    if isinstance(value, (np.ndarray, np.generic, torch.Tensor)):
        return tuple(int(n) for n in value.shape)
    shape: list[int] = []
    level = value
    for _ in range(64):
        if isinstance(level, (np.ndarray, torch.Tensor)):
            return (*shape, *(int(n) for n in level.shape))
        if isinstance(level, (range, collections.deque)):  # numpy steps through it whole
            return (*shape, len(level))
        if not isinstance(level, (list, tuple)):
            break
        shape.append(len(level))
        if not level:
            break
        level = level[0]
    return tuple(shape)


def _numel(shape: object) -> int | None:
    """Elements of a shape argument as numpy reads it: an integer (anything with __index__:
    a 0-d array, a 0-d tensor) or a sequence of them; None for what numpy refuses."""
    try:
        return max(operator.index(shape), 0)  # type: ignore[arg-type]
    except TypeError:
        pass
    if not isinstance(shape, (list, tuple, np.ndarray, torch.Tensor, range)):
        return None
    try:
        return math.prod(max(operator.index(n), 0) for n in shape)
    except TypeError:
        return None


def _argument(args: Sequence[object], kwargs: dict[str, object], index: int, key: str
              ) -> object:
    return kwargs[key] if key in kwargs else args[index] if len(args) > index else None


def _shaped(index: int, key: str = "size") -> Callable[..., int | None]:
    """The output's shape is an argument (`np.zeros(shape)`, `np.random.normal(0, 1, size)`)."""
    def numel(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
        shape = _argument(args, kwargs, index, key)
        return None if shape is None else _numel(shape)

    return numel


def _dimensions(target: object, args: Sequence[object], kwargs: dict[str, object]
                ) -> int | None:
    """`np.random.rand(2, 3)`: every positional argument is a dimension."""
    return _numel(list(args)) if args else None


def _broadcast(target: object, args: Sequence[object], kwargs: dict[str, object]
               ) -> int | None:
    """Elementwise functions of several arrays: the broadcast of their shapes."""
    shapes = [shape_of(v) for v in (target, *args, *kwargs.values())
              if isinstance(v, (*ARRAY_TYPES, list, tuple, torch.Tensor))]
    try:
        return math.prod(np.broadcast_shapes(*shapes)) if shapes else None
    except ValueError:
        return None


def _operands(target: object, args: Sequence[object]) -> tuple[Shape, Shape] | None:
    found = [shape_of(v) for v in (target, *args) if v is not None][:2]
    return (found[0], found[1]) if len(found) == 2 else None


def _matmul(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`a @ b`, `np.matmul`: the batch dimensions broadcast, rows of a by columns of b."""
    shapes = _operands(target, args)
    if shapes is None:
        return None
    a, b = shapes
    if not a or not b:
        return math.prod(a) * math.prod(b)
    if len(a) == 1 or len(b) == 1:
        return max(math.prod(a) // max(a[-1], 1), 1) * max(math.prod(b) // max(
            b[-2] if len(b) >= 2 else b[-1], 1), 1)
    try:
        batch = math.prod(np.broadcast_shapes(a[:-2], b[:-2]))
    except ValueError:
        return None
    return batch * a[-2] * b[-1]


def _dot(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`np.dot(a, b)`: a's last axis summed with b's second to last (or its only one)."""
    shapes = _operands(target, args)
    if shapes is None:
        return None
    a, b = shapes
    if not a or not b:
        return math.prod(a) * math.prod(b)
    summed = b[-2] if len(b) >= 2 else b[-1]
    return math.prod(a[:-1]) * (math.prod(b) // max(summed, 1))


def _inner(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    shapes = _operands(target, args)
    if shapes is None:
        return None
    a, b = shapes
    if not a or not b:
        return math.prod(a) * math.prod(b)
    return math.prod(a[:-1]) * math.prod(b[:-1])


def _outer(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`np.outer`, `np.kron`: every element of one with every element of the other."""
    shapes = _operands(target, args)
    return None if shapes is None else math.prod(shapes[0]) * math.prod(shapes[1])


def _joined(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`concatenate`, `stack`, `hstack`, `vstack`, `meshgrid` (every array for every array)."""
    items = _argument(args, kwargs, 0, "arrays")
    if not isinstance(items, (list, tuple)):
        return None
    return sum(math.prod(shape_of(item)) for item in items)


def _meshgrid(target: object, args: Sequence[object], kwargs: dict[str, object]
              ) -> int | None:
    lengths = [math.prod(shape_of(a)) for a in args]
    return len(lengths) * math.prod(lengths) if lengths else None


def _repeated(target: object, args: Sequence[object], kwargs: dict[str, object]
              ) -> int | None:
    """`np.tile(a, reps)`, `np.repeat(a, n)`, `a.repeat(n)`: the input times the repeats
    (a list of repeats, one per slice along an axis: at most the input times the largest)."""
    source, rest = (target, list(args)) if target is not None else \
        (args[0] if args else None, list(args[1:]))
    times = rest[0] if rest else kwargs.get("reps", kwargs.get("repeats"))
    base = math.prod(shape_of(source))
    if isinstance(times, (list, tuple, np.ndarray)):
        counts = np.asarray(times).reshape(-1)
        if counts.size == 0 or counts.dtype.kind not in "iu":
            return None
        return base * int(counts.max()) if counts.size > 1 and counts.size <= base else \
            base * math.prod(max(int(n), 0) for n in counts)
    numel = _numel(times)
    return None if numel is None else base * numel


def _arange(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`np.arange(stop)`, `(start, stop[, step])`, any of them by keyword."""
    given = dict(zip(("start", "stop", "step") if len(args) > 1 else ("stop",), args,
                     strict=False))
    given.update({k: v for k, v in kwargs.items() if k in {"start", "stop", "step"}})
    start, stop, step = given.get("start", 0), given.get("stop"), given.get("step", 1)
    if stop is None:  # np.arange(start=5): numpy counts from 0 to 5
        start, stop = 0, start
    if not all(isinstance(v, (int, float, np.number)) for v in (start, stop, step)) or \
            step == 0:
        return None
    assert isinstance(start, (int, float, np.number)) and \
        isinstance(stop, (int, float, np.number)) and isinstance(step, (int, float, np.number))
    count = (float(stop) - float(start)) / float(step)
    return max(math.ceil(count), 0) if math.isfinite(count) else None


def _linspace(target: object, args: Sequence[object], kwargs: dict[str, object]
              ) -> int | None:
    return _numel(_argument(args, kwargs, 2, "num") or 50)


def _eye(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    rows = _argument(args, kwargs, 0, "N")
    columns = _argument(args, kwargs, 1, "M")
    return _numel([rows, rows if columns is None else columns])


def _diagonal_matrix(target: object, args: Sequence[object], kwargs: dict[str, object]
                     ) -> int | None:
    shape = shape_of(args[0]) if args else ()
    return (shape[0] + abs(int(str(kwargs.get("k", 0))))) ** 2 if len(shape) == 1 else None


def _histogram(target: object, args: Sequence[object], kwargs: dict[str, object]
               ) -> int | None:
    bins = _argument(args, kwargs, 1, "bins")
    return _numel(bins) if isinstance(bins, int) else None


def _choice(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    return _numel(_argument(args, kwargs, 1, "size") or 1)


def _permutation(target: object, args: Sequence[object], kwargs: dict[str, object]
                 ) -> int | None:
    """`permutation(n)` draws n numbers; `permutation(a)` copies a."""
    first = args[0] if args else None
    return _numel(first) if isinstance(first, (int, np.integer)) else \
        math.prod(shape_of(first))


def _sections(target: object, args: Sequence[object], kwargs: dict[str, object]
              ) -> int | None:
    """`np.split(a, n)`: n arrays (each costs an object, however small)."""
    sections = _argument(args, kwargs, 1, "indices_or_sections")
    return _numel(sections) if isinstance(sections, int) else \
        (len(sections) if isinstance(sections, (list, tuple)) else None)


def _svd(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    """`np.linalg.svd(a)` gives square factors of both sides unless full_matrices=False."""
    shape = shape_of(args[0]) if args else ()
    if len(shape) < 2:
        return None
    rows, columns = shape[-2], shape[-1]
    batch = math.prod(shape[:-2])
    if _argument(args, kwargs, 1, "full_matrices") is False:
        return batch * (rows + columns + 1) * min(rows, columns)
    return batch * (rows * rows + columns * columns + min(rows, columns))


def _like(target: object, args: Sequence[object], kwargs: dict[str, object]) -> int | None:
    shape = kwargs.get("shape")
    return _numel(shape) if shape is not None else \
        (math.prod(shape_of(args[0])) if args else None)


def _converted(target: object, args: Sequence[object], kwargs: dict[str, object]
               ) -> int | None:
    """`np.array(x)`, `a.astype(t)`, `a.copy()`: the same elements, in a new array (its bytes
    are what counts: a bool array made complex grows sixteenfold)."""
    source = target if target is not None else (args[0] if args else None)
    return math.prod(shape_of(source))


def _multivariate(target: object, args: Sequence[object], kwargs: dict[str, object]
                  ) -> int | None:
    mean = _argument(args, kwargs, 0, "mean")
    draws = _numel(_argument(args, kwargs, 2, "size") or 1)
    return None if draws is None else draws * max(math.prod(shape_of(mean)), 1)


SIZE_RULES: dict[str, Callable[[object, Sequence[object], dict[str, object]], int | None]] = {
    "zeros": _shaped(0, "shape"), "ones": _shaped(0, "shape"), "empty": _shaped(0, "shape"),
    "full": _shaped(0, "shape"), "zeros_like": _like, "ones_like": _like,
    "empty_like": _like, "full_like": _like, "broadcast_to": _shaped(1, "shape"),
    "rand": _dimensions, "randn": _dimensions, "random": _shaped(0),
    "random_sample": _shaped(0), "standard_normal": _shaped(0), "normal": _shaped(2),
    "uniform": _shaped(2), "randint": _shaped(2), "integers": _shaped(2),
    "binomial": _shaped(2), "poisson": _shaped(1), "exponential": _shaped(1),
    "beta": _shaped(2), "gamma": _shaped(2), "choice": _choice,
    "multivariate_normal": _multivariate,
    "arange": _arange, "linspace": _linspace, "logspace": _linspace, "eye": _eye,
    "identity": _eye, "permutation": _permutation, "split": _sections,
    "array_split": _sections, "svd": _svd, "diag": _diagonal_matrix, "meshgrid": _meshgrid,
    "tile": _repeated,
    "repeat": _repeated, "histogram": _histogram,
    "array": _converted, "asarray": _converted, "copy": _converted, "astype": _converted,
    "flatten": _converted,
    "add": _broadcast, "subtract": _broadcast, "multiply": _broadcast, "divide": _broadcast,
    "true_divide": _broadcast, "floor_divide": _broadcast, "power": _broadcast,
    "mod": _broadcast, "fmod": _broadcast, "remainder": _broadcast, "arctan2": _broadcast,
    "maximum": _broadcast, "minimum": _broadcast, "fmax": _broadcast, "fmin": _broadcast,
    "where": _broadcast, "clip": _broadcast, "isclose": _broadcast, "equal": _broadcast,
    "not_equal": _broadcast, "less": _broadcast, "less_equal": _broadcast,
    "greater": _broadcast, "greater_equal": _broadcast, "logical_and": _broadcast,
    "logical_or": _broadcast, "logical_xor": _broadcast, "hypot": _broadcast,
    "heaviside": _broadcast, "allclose": _broadcast, "cross": _broadcast,
    "dot": _dot, "matmul": _matmul, "outer": _outer, "kron": _outer, "inner": _inner,
    "vdot": _inner,
    "concatenate": _joined, "stack": _joined, "hstack": _joined, "vstack": _joined,
    "column_stack": _joined,
}


INDEX_TRICKS: tuple[type, ...] = (type(np.c_), type(np.r_))


def joined_items(it: State, joiner: object, index: object,
                 location: SourceLocation | None) -> object:
    """`np.c_[a, b]`, `np.r_[0:5, x]`: each piece sized (a slice as the range it stands for,
    a complex step as its count, as numpy reads them), then joined by numpy."""
    total = 0
    for item in index if isinstance(index, tuple) else (index,):
        if isinstance(item, slice):
            step = item.step
            if isinstance(step, complex):
                total += abs(int(step.imag))
            else:
                numel = _arange(None, [item.start or 0, item.stop, step or 1], {})
                if numel is None:
                    return None
                total += numel
        elif isinstance(item, str):
            raise not_allowed("np.r_ and np.c_ directives are not part of the language",
                              location, "use np.concatenate or np.stack",
                              what="numpy directive")
        else:
            total += math.prod(shape_of(item))
        check("max_elements", total, it.limits, location)
    it.budget.check_memory(it.limits, location, total * 8)
    return checked(joiner[index], location)  # type: ignore[index]


def array_operator(op: str, left: object, right: object, limits: Limits,
                   location: SourceLocation | None) -> None:
    """`a + b`, `a @ b`, `a == b` where one side is a numpy array: the broadcast (or the
    matrix product) sized before numpy makes it."""
    rule = _matmul if op == "matmul" else _broadcast
    numel = rule(None, [left, right], {})
    if numel is not None:
        check("max_elements", numel, limits, location)


def check_index(array: np.ndarray, index: object, limits: Limits,
                location: SourceLocation | None) -> None:
    """Advanced indexing with arrays or lists: the broadcast of the index arrays times the
    dimensions they leave."""
    parts = index if isinstance(index, tuple) else (index,)
    arrays = [shape_of(p) for p in parts if isinstance(p, (list, np.ndarray, torch.Tensor))
              and not (isinstance(p, np.ndarray) and p.dtype == np.bool_)]
    if not arrays:
        return
    try:
        indexed = math.prod(np.broadcast_shapes(*arrays))
    except ValueError:
        return  # numpy refuses the index itself
    left = math.prod(array.shape[len(parts):]) if len(parts) < array.ndim else 1
    check("max_elements", indexed * left, limits, location)
