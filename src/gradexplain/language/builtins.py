"""The builtins scenario code may call: print, len, range, enumerate, zip, min, max, ...

Each works on the values the language has and is bounded: sequences it builds are checked
against the loop limit before they are built.
"""

from __future__ import annotations

import ast
import builtins

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
    SuperProxy,
    UserClass,
)

# isinstance(x, NAME): the types a scenario may ask about.
ISINSTANCE_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,), "float": (float,), "bool": (bool,), "str": (str,), "list": (list,),
    "tuple": (tuple,), "dict": (dict,), "set": (set,),
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
    if name == "set" and args and isinstance(args[0], list):
        guards.check_keys(args[0], location)
    elif name == "dict" and args and isinstance(args[0], list):
        guards.check_keys((pair[0] for pair in args[0]
                           if isinstance(pair, (tuple, list)) and pair), location)
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
    shown = [display.show(a) for a in args]
    text = display.joined_text(shown, it.limits, str(sep)) + str(end).rstrip("\n")
    assert it.context is not None
    it.hooks.printed(it.context, text)


def _super(it: State, args: list[object], location: SourceLocation | None) -> SuperProxy:
    """`super()` or `super(Net, self)` inside a user module's method."""
    if len(args) == 2:
        instance = args[1]
    else:
        scope = it.scope
        instance = None
        while scope is not None and instance is None:
            instance = scope.names.get("self")
            scope = scope.parent
    if not isinstance(instance, torch.nn.Module) or not isinstance(
            getattr(type(instance), "gx_class", None), UserClass):
        raise not_allowed("super() is only available in the methods of your own nn.Module",
                          location)
    return SuperProxy(instance)


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
            if isinstance(value, torch.nn.Module if kind.path == "torch.nn.Module"
                          else torch.autograd.Function):
                return True
        else:
            raise CodeTypeError("isinstance() arg 2 must be a type the language knows")
    return False
