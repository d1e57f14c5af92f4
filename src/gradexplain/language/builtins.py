"""The builtins scenario code may call: print, len, range, enumerate, zip, min, max, ...

Each works on the values the language has and is bounded: sequences it builds are checked
against the loop limit before they are built.
"""

from __future__ import annotations

import ast
import builtins
import types

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language import display, guards
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import State
from gradexplain.language.values import (
    BaseClass,
    Builtin,
    CaughtError,
    ExceptionType,
    Function,
    InterpretedObject,
    SuperProxy,
    UserClass,
    UserGenerator,
)

# isinstance(x, NAME): the types a scenario may ask about.
ISINSTANCE_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (float,), "bool": (bool,), "str": (str,), "list": (list,),
    "tuple": (tuple,), "dict": (dict,), "set": (set,),
}
BASE_TYPES: dict[str, type] = {
    "torch.nn.Module": torch.nn.Module, "torch.autograd.Function": torch.autograd.Function,
    "torch.utils.data.Dataset": torch.utils.data.Dataset,
}
ISINSTANCE_PATHS: dict[str, type] = {
    "torch.Tensor": torch.Tensor, "torch.nn.Parameter": torch.nn.Parameter,
    "torch.autograd.graph.Node": torch.autograd.graph.Node,
}


class TypeName:
    """What `type(x)` gives: prints and compares like the class, reaches nothing."""

    def __init__(self, kind: type) -> None:
        self._kind = kind

    def __eq__(self, other: object) -> bool:
        # `type(m) == nn.Linear` (d2l's init functions): the allowlisted class is a Function.
        if isinstance(other, Function):
            return other.fn is self._kind
        return isinstance(other, TypeName) and other._kind is self._kind

    def __hash__(self) -> int:
        return hash(self._kind)

    def __repr__(self) -> str:
        return f"<class '{_qualified(self._kind)}'>"


def _qualified(kind: type) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


# Builtins that take one iterable (or more) and step through it.
STEPPING = {"list", "tuple", "set", "sorted", "sum", "any", "all", "enumerate", "zip",
            "reversed", "min", "max", "dict"}


def call_builtin(it: State, name: str, args: list[object], kwargs: dict[str, object],
                 node: ast.expr | None, location: SourceLocation | None) -> object:
    """`name(*args, **kwargs)` at `node` (None where torch calls back)."""
    if name == "print":
        _print(it, args, kwargs)
        return None
    if name == "super":
        return _super(it, args, location)
    if name == "isinstance":
        return _isinstance(args)
    if name == "type":
        if len(args) != 1 or kwargs:
            raise not_allowed("type(...) takes one value here: making classes is not part of "
                              "the language", location)
        return TypeName(type(args[0]))
    if name == "iter":
        return _iter(it, args, kwargs, node)
    if name == "next":
        return _next(args, kwargs)
    if name == "range":
        bounds = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        if len(bounds) != len(args) or not 1 <= len(args) <= 3 or kwargs:
            raise CodeTypeError("range() takes 1 to 3 integers")
        return range(*bounds)
    if name == "pow" and len(args) >= 2:
        guards.check_number_op("pow", args[0], args[1], it.limits, location)
    if name in STEPPING:
        # min(a, b) and max(a, b) compare their arguments; everything else steps through one.
        if not (name in {"min", "max"} and len(args) > 1):
            args = [list(it.iterate(a, node or ast.Pass())) if i == 0 or name == "zip"
                    else a for i, a in enumerate(args)]
        if name in {"min", "max", "sorted"} and "key" in kwargs:
            raise not_allowed(f"{name}(key=...) is not part of the language", location)
    if name in {"str", "repr"} and args:
        return display.show(args[0]) if name == "str" else display.represent(args[0])
    if name in {"float", "int", "bool"} and args and isinstance(args[0], CaughtError):
        raise CodeTypeError(f"{name}() argument must be a number, not an exception")
    function = getattr(builtins, name)
    result = function(*args, **kwargs)
    if isinstance(result, (enumerate, zip, reversed)):
        return list(result)
    return result


def _print(it: State, args: list[object], kwargs: dict[str, object]) -> None:
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    kwargs.pop("flush", None)
    if kwargs:
        raise CodeTypeError(f"print() got an unexpected keyword argument {sorted(kwargs)[0]!r}")
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    text = str(sep).join(display.show(a) for a in args) + str(end).rstrip("\n")
    assert it.context is not None
    it.hooks.printed(it.context, text)


def _super(it: State, args: list[object], location: SourceLocation | None) -> SuperProxy:
    """`super()` or `super(Net, self)` inside a method of the user's own class: the class
    whose method runs (or `Net`) decides where the search for a method starts."""
    owner = args[0] if len(args) == 2 and isinstance(args[0], UserClass) else None
    if len(args) == 2:
        instance = args[1]
    else:
        scope = it.scope
        instance = None
        while scope is not None and instance is None:
            instance = scope.names.get("self")
            owner = owner or scope.owner
            scope = scope.parent
    if not isinstance(getattr(type(instance), "gx_class", None), UserClass):
        raise not_allowed("super() is only available in the methods of your own classes",
                          location)
    return SuperProxy(instance, owner)


def _iter(it: State, args: list[object], kwargs: dict[str, object], node: ast.expr | None
          ) -> object:
    """`iter(x)`: x stepped through as a `for` loop would (bounded by max_loop_iterations)."""
    if len(args) != 1 or kwargs:
        raise CodeTypeError("iter() takes one iterable here")
    return it.iterate(args[0], node or ast.Pass())


# What next() steps: generators, the iterators iter() gives, a DataLoader's iterator, and
# the user's objects with a __next__ (run by the interpreter).
ITERATOR_TYPES: tuple[type, ...] = (types.GeneratorType, UserGenerator, InterpretedObject,
                                    torch.utils.data.dataloader._BaseDataLoaderIter)


def _next(args: list[object], kwargs: dict[str, object]) -> object:
    """`next(iterator)` and `next(iterator, default)`: StopIteration at the end, as Python's."""
    if not 1 <= len(args) <= 2 or kwargs:
        raise CodeTypeError(f"next expected 1 or 2 arguments, got {len(args)}")
    iterator = args[0]
    if not isinstance(iterator, ITERATOR_TYPES) or not hasattr(iterator, "__next__"):
        raise CodeTypeError(f"'{type(iterator).__name__}' object is not an iterator")
    try:
        return builtins.next(iterator)
    except StopIteration:
        if len(args) == 2:
            return args[1]
        raise


def _isinstance(args: list[object]) -> bool:
    if len(args) != 2:
        raise CodeTypeError(f"isinstance expected 2 arguments, got {len(args)}")
    value, kinds = args
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    for kind in wanted:
        if isinstance(kind, ExceptionType):
            if isinstance(value, CaughtError) and kind.name in {value.type_name, "Exception"}:
                return True
            continue
        if isinstance(kind, UserClass):
            if kind.real is not None and isinstance(value, kind.real):
                return True
            continue
        if isinstance(kind, Builtin) and kind.name in ISINSTANCE_TYPES:
            if isinstance(value, ISINSTANCE_TYPES[kind.name]):
                return True
        elif isinstance(kind, Function) and kind.path in ISINSTANCE_PATHS:
            if isinstance(value, ISINSTANCE_PATHS[kind.path]):
                return True
        elif isinstance(kind, BaseClass):
            if isinstance(value, BASE_TYPES[kind.path]):
                return True
        else:
            raise CodeTypeError("isinstance() arg 2 must be a type the language knows")
    return False
