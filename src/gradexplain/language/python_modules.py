"""Python's small modules as the language has them: `collections`, `random`, `time`, `copy`.

`random` draws from Python's own generator, which the run seeds from the scenario's seed and
the worker restores between scenarios (engine/process_state.py); `time.sleep` waits only
within the time budget; `copy.deepcopy` plans the memory of the tensors and arrays it copies;
`collections.namedtuple` makes a `NamedTupleType`, whose instances read their own fields; a
`defaultdict`'s factory is a re-entering wrapper like every callable torch receives.
"""

from __future__ import annotations

import ast
import collections
import time
from collections.abc import Callable

import numpy as np
import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language.budget import out_of_time
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import ITERABLE_TYPES, State
from gradexplain.language.functions import torch_callable
from gradexplain.language.values import Function, NamedTupleType, Placeholder, checked_result
from gradexplain.limits import check

MAX_WALKED = 100_000  # values a deepcopy's memory plan looks at (as engine/release.py)


def call(it: State, callee: Function, args: list[object], kwargs: dict[str, object],
         location: SourceLocation | None) -> object:
    """`random.shuffle(x)`, `time.time()`, `copy.deepcopy(m)`, `collections.deque(...)`."""
    path = callee.path
    for value in (*args, *kwargs.values()):
        if isinstance(value, Placeholder):
            raise value.refusal()
    if path == "time.sleep":
        _sleep(it, args, location)
        return None
    if path in {"copy.deepcopy", "copy.copy"}:
        if args:
            it.budget.check_memory(it.limits, location, copied_bytes(args[0]))
        return checked_result(callee.fn(*args, **kwargs))
    if path == "collections.namedtuple":
        return _namedtuple(args, kwargs, location)
    if path == "collections.defaultdict" and args:
        args = [torch_callable(it, args[0]), *args[1:]]
    if path.startswith("collections."):
        # deque(range(10**12)), Counter(...): what they step through counts as a loop's items
        args = [a if isinstance(a, (dict, str)) or not isinstance(a, ITERABLE_TYPES) or
                callable(a) else list(it.iterate(a, ast.Pass())) for a in args]
    if path == "random.sample" and len(args) > 1 and isinstance(args[1], int):
        check("max_elements", args[1], it.limits, location)
    function: Callable[..., object] = callee.fn
    return checked_result(function(*args, **kwargs))


def _sleep(it: State, args: list[object], location: SourceLocation | None) -> None:
    """`time.sleep(s)`: refused at once (as running out of time) when it would end past the
    run's deadline, or past --max-seconds without one."""
    seconds = args[0] if args else None
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise CodeTypeError("time.sleep() takes a number of seconds")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = it.budget.deadline
    if (deadline is not None and time.monotonic() + seconds > deadline) or \
            seconds > it.limits.max_seconds:
        raise out_of_time(it.limits, location)
    time.sleep(seconds)


def _namedtuple(args: list[object], kwargs: dict[str, object],
                location: SourceLocation | None) -> NamedTupleType:
    """`Point = namedtuple("Point", ["x", "y"])`: a type of the interpreter's own (Python's
    own checks the names; none may start with an underscore)."""
    if kwargs.keys() - {"defaults"}:
        raise not_allowed("namedtuple takes a name, its fields and defaults= here", location)
    make: Callable[..., type] = collections.namedtuple
    made = make(*args, **kwargs)
    return NamedTupleType(made.__name__, made)


def copied_bytes(value: object) -> int:
    """Bytes of the tensors and arrays a deep copy of `value` would copy (each once)."""
    total = 0
    pending = [value]
    seen: set[int] = set()
    while pending and len(seen) < MAX_WALKED:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, torch.Tensor):
            total += item.numel() * item.element_size()
        elif isinstance(item, np.ndarray):
            total += item.nbytes
        elif isinstance(item, torch.nn.Module):
            pending.extend(item.parameters())
            pending.extend(item.buffers())
            pending.extend(v for k, v in vars(item).items() if not k.startswith("_"))
        elif isinstance(item, (list, tuple, set, collections.deque)):
            pending.extend(list(item)[:MAX_WALKED])
        elif isinstance(item, dict):
            pending.extend(list(item.values())[:MAX_WALKED])
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            pending.extend(vars(item).values())  # a function's closure, a namedtuple type
    return total
