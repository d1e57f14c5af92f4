"""The builtins scenario code may call: print, len, range, enumerate, zip, min, max, ...

Each works on the values the language has and is bounded: sequences it builds are checked
against the loop limit before they are built.
"""

from __future__ import annotations

import ast
import builtins
import types
import weakref

import numpy as np
import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards
from gradexplain.language.attributes import read_attribute
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import State
from gradexplain.language.functions import torch_callable
from gradexplain.language.values import (
    BaseClass,
    Builtin,
    CaughtError,
    ExceptionType,
    Function,
    InterpretedObject,
    Namespace,
    Placeholder,
    SuperProxy,
    TypeName,
    UserClass,
    UserGenerator,
    is_node,
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
    if name == "id":
        if len(args) != 1 or kwargs:
            raise CodeTypeError(f"id() takes exactly one argument ({len(args)} given)")
        return identity(it, args[0])
    if name == "dir":
        return directory(it, args)
    if name == "hasattr":
        return has_attribute(it, args, node)
    if name in {"map", "filter"}:
        return _map_or_filter(it, name, args, node)
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
        # (dict(mapping) copies the mapping, a defaultdict or Counter too: not its keys.)
        if not (name in {"min", "max"} and len(args) > 1) and \
                not (name == "dict" and args and isinstance(args[0], dict)):
            args = [list(it.iterate(a, node or ast.Pass())) if i == 0 or name == "zip"
                    else a for i, a in enumerate(args)]
        if name in {"min", "max", "sorted"} and kwargs.get("key") is not None:
            # Python calls the key for each item: the key re-enters the interpreter.
            kwargs = {**kwargs, "key": torch_callable(it, kwargs["key"])}
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


def _map_or_filter(it: State, name: str, args: list[object], node: ast.expr | None
                   ) -> list[object]:
    """`map(f, xs, ...)` and `filter(f, xs)`, made at once as lists (Python's are lazy; the
    code only ever steps through them): each call runs `f` through the interpreter."""
    if len(args) < 2 or (name == "filter" and len(args) != 2):
        raise CodeTypeError(f"{name}() must have at least two arguments")
    function, *iterables = args
    columns = [list(it.iterate(i, node or ast.Pass())) for i in iterables]
    if name == "filter":
        if function is None:
            return [v for v in columns[0] if v]
        return [v for v in columns[0] if it.call_back(function, [v], {})]
    return [it.call_back(function, list(row), {}) for row in zip(*columns, strict=False)]


def identity(it: State, value: object) -> int:
    """`id(x)`: a number of the run's own for each object asked about (from 1, in the order
    asked): equal for the same object, different for different ones, never an address. The
    entry lives as long as its object (held weakly where the object allows it, else held),
    so no other object can take its number."""
    key = builtins.id(value)
    identities = it.identities
    found = identities.get(key)
    if found is None:
        number = it.identity_count = it.identity_count + 1
        def forget(_: object, key: int = key) -> None:
            identities.pop(key, None)

        try:
            held: object = weakref.ref(value, forget)
        except TypeError:  # ints, lists, tuples: kept
            held = value
        found = identities[key] = (held, number)
    return found[1]


# The protocols `hasattr(x, "__len__")` may ask about: answered from the value's type.
PROTOCOLS = frozenset({"__len__", "__iter__", "__getitem__", "__call__"})


def has_attribute(it: State, args: list[object], node: ast.expr | None) -> bool:
    """`hasattr(x, "name")` through the allowlist: True when the code could read `x.name`
    (a protocol dunder: when the value has it); reading it runs nothing of the value's."""
    name = args[1] if len(args) == 2 else None
    if not isinstance(name, str):
        raise CodeTypeError("hasattr(): attribute name must be a string")
    value = args[0]
    if isinstance(value, Placeholder):
        raise value.refusal()
    if name.startswith("__"):
        return name in PROTOCOLS and hasattr(type(value), name)
    try:
        read_attribute(it, value, name, None)
    except (GradexplainError, AttributeError):
        return False
    return True


def directory(it: State, args: list[object]) -> list[str]:
    """`dir()`: the code's own names; `dir(x)`: what the language lets the code reach on x."""
    if len(args) > 1:
        raise CodeTypeError(f"dir expected at most 1 argument, got {len(args)}")
    if args and isinstance(args[0], Placeholder):
        raise args[0].refusal()
    if not args:
        return sorted(it.scope.names if it.scope is not None else it.env)
    value = args[0]
    if isinstance(value, torch.Tensor):
        return sorted(allow.TENSOR_METHODS | allow.TENSOR_ATTRIBUTES)
    if isinstance(value, (np.ndarray, np.generic)):
        return sorted(allow.NDARRAY_METHODS | allow.NDARRAY_ATTRIBUTES)
    if isinstance(value, Namespace):
        prefix = value.path + "."
        reachable = allow.TORCH_PATHS | allow.CONSTANT_PATHS | allow.TORCH_NAMESPACES
        return sorted({p[len(prefix):].split(".")[0] for p in reachable
                       if p.startswith(prefix)})
    if isinstance(value, torch.nn.Module):
        user_class = getattr(type(value), "gx_class", None)
        own = set(user_class.methods) | set(user_class.attributes) \
            if isinstance(user_class, UserClass) else set()
        tables = {n for t in ("_parameters", "_buffers", "_modules")
                  for n in value.__dict__.get(t, {})}
        public = {n for n in value.__dict__ if not n.startswith("_")}
        attributes = {n for n in allow.MODULE_ATTRIBUTES if hasattr(value, n)}
        return sorted(own | tables | public | attributes | allow.MODULE_METHODS)
    if isinstance(value, UserClass):
        return sorted(set(value.methods) | set(value.attributes))
    if is_node(value):
        return sorted({n for n in dir(value) if n in allow.NODE_ATTRIBUTES
                       or n.startswith(allow.SAVED_PREFIX)})
    for kind, methods in ((str, allow.STRING_METHODS), (list, allow.LIST_METHODS),
                          (dict, allow.DICT_METHODS)):
        if isinstance(value, kind):
            return sorted(methods)
    return []


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
        elif isinstance(kind, Function) and kind.path.startswith("torch.nn.") and \
                isinstance(kind.fn, type):  # isinstance(m, nn.Linear): a layer class
            if isinstance(value, kind.fn):
                return True
        elif isinstance(kind, BaseClass):
            if isinstance(value, BASE_TYPES[kind.path]):
                return True
        else:
            raise CodeTypeError("isinstance() arg 2 must be a type the language knows")
    return False
