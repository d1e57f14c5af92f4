"""The values user code holds besides PyTorch's own, and what it may hold at all.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function` and `Method` wrappers that only the interpreter can call,
and `checked_result` refuses anything that could run code outside the interpreter. The user's
own functions and classes are values too (run by language/functions.py and classes.py), as
are builtins and exception types as names, the `e` of an `except`; and the interpreter's own:
scopes and the signals that end loops and calls.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.errors import not_allowed


@dataclass(frozen=True)
class Namespace:
    """`torch`, `torch.autograd`, `torch.nn`, `torch.nn.functional` as seen by user code."""

    path: str

    def __str__(self) -> str:
        return f"<module {self.path}>"

    __repr__ = __str__


# What the names `torch` and `F` mean unless the code binds them (frozen: shared).
TORCH, FUNCTIONAL = Namespace("torch"), Namespace("torch.nn.functional")


@dataclass(frozen=True)
class Function:
    """An allowlisted torch function; `path` is its full dotted name. Printed by name only:
    the real function's repr would show a memory address."""

    path: str
    fn: Callable[..., object] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"<function {self.path}>"

    __repr__ = __str__

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Method:
    """A method looked up on a value (`x.backward`), callable only by the interpreter."""

    target: object = field(compare=False, repr=False)
    name: str
    target_label: str

    def __str__(self) -> str:
        return f"<method {self.target_label}.{self.name}>"

    __repr__ = __str__


@dataclass(frozen=True, eq=False)
class Placeholder:
    """`import os` of a known module the language does not run: nothing until the code
    touches it, and then the refusal, at the line that touches it. Every way Python could use
    a value (print, format, iterate, compare, compute, test its truth) refuses too."""

    module: str
    reason: str

    def refusal(self) -> Exception:
        return not_allowed(f"the module '{self.module}' is imported but not part of the "
                           f"statement language ({self.reason}): this line uses it",
                           hint="remove what uses it; an import that is never used costs "
                           "nothing", what=f"module '{self.module}'", module=self.module)

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise self.refusal()

    __hash__ = object.__hash__
    __str__ = __repr__ = __format__ = __iter__ = __len__ = __bool__ = _refuse
    __eq__ = __ne__ = _refuse
    __getitem__ = __setitem__ = __contains__ = __call__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = __pos__ = _refuse
    __int__ = __float__ = __index__ = __array__ = _refuse


@dataclass(frozen=True)
class Builtin:
    """`print`, `len`, `range`, ...: run by the interpreter (`builtins.call_builtin`)."""

    name: str


@dataclass(frozen=True)
class BaseClass:
    """`nn.Module` / `torch.autograd.Function` as user code sees them: only usable as a base."""

    path: str


@dataclass(frozen=True)
class ExceptionType:
    """`RuntimeError`, `ValueError`, ...: for `raise`, `except` and `isinstance`."""

    name: str

    def __repr__(self) -> str:  # what print(RuntimeError) shows in Python
        return f"<class '{self.name}'>"


@dataclass(eq=False)
class CaughtError:
    """The `e` of `except RuntimeError as e:`: prints as the message, like Python."""

    type_name: str
    message: str

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{self.type_name}({self.message!r})"


@dataclass(eq=False)
class SuperProxy:
    """`super()` inside a method of the user's class `owner`: the base's methods (its
    `__init__`, or the user's own base class's methods) bound to `instance`."""

    instance: object
    owner: UserClass | None = None


@dataclass(eq=False)
class UserFunction:
    """A `def` or `lambda`: its parameters, its compiled body (a lambda's body is its value;
    a `def`'s ends by a ReturnSignal or gives None), its closure, defaults and grad mode."""

    name: str
    args: ast.arguments
    body: Callable[..., object]  # (interpreter) -> value: compiled by language/functions.py
    is_lambda: bool
    closure: Scope | None
    defaults: list[object]
    kw_defaults: dict[str, object]
    grad_mode: str | None = None  # "no_grad" | "enable_grad" | "inference_mode"
    static: bool = False
    generator: bool = False  # its body has `yield`: calling it makes a UserGenerator
    owner: UserClass | None = None  # the class whose body defines it (for super())

    def __repr__(self) -> str:
        return f"<function {self.name}>"


@dataclass(eq=False)
class BoundMethod:
    """`model.forward` or `model.helper`: a user method bound to its instance."""

    instance: object
    function: UserFunction

    def __repr__(self) -> str:
        return f"<bound method {self.function.name}>"


@dataclass(eq=False)
class UserClass:
    """`class Net(nn.Module)` or `class Exp(torch.autograd.Function)`.

    `real` is the Python class built for it (language/classes.py: a subclass of
    `InterpretedModule` or of torch.autograd.Function) whose methods re-enter the
    interpreter; user code holds only this wrapper.
    """

    name: str
    kind: str  # "module" | "function" | "dataset" | "plain"
    methods: dict[str, UserFunction]  # its own and those it inherits from `base`
    attributes: dict[str, object]
    real: type | None = None
    base: UserClass | None = None  # the user's own class it extends, if any

    def __repr__(self) -> str:
        return f"<class {self.name}>"


class InterpretedObject:
    """The base of the real classes made for the user's plain classes and datasets
    (language/classes.py): attributes live in the instance's dict; each special method the
    user defines (`__getitem__`, `__len__`, ...) is added to the real class as a wrapper that
    re-enters the interpreter. Printed without an address."""

    gx_class: UserClass

    def __repr__(self) -> str:
        return f"<__main__.{type(self).gx_class.name} object>"


class UserGenerator:
    """What calling a function with `yield` gives. Its body runs to its end (bounded like a
    loop) the first time the generator is stepped; then it gives what it yielded, one by one.
    `produce` runs the body (language/functions.py)."""

    def __init__(self, name: str, produce: Callable[[], list[object]]) -> None:
        self.name = name
        self._produce: Callable[[], list[object]] | None = produce
        self._items: list[object] = []
        self._next = 0

    def __iter__(self) -> UserGenerator:
        return self

    def __next__(self) -> object:
        if self._produce is not None:
            produce, self._produce = self._produce, None
            self._items = produce()
        if self._next >= len(self._items):
            raise StopIteration
        self._next += 1
        return self._items[self._next - 1]

    def __repr__(self) -> str:
        return f"<generator object {self.name}>"


@dataclass(eq=False)
class NamedTupleType:
    """What `collections.namedtuple("Point", "x y")` gives: calling it makes a Point (a
    tuple whose fields read by name); the class itself never reaches user code."""

    name: str
    real: type

    def __repr__(self) -> str:
        return f"<class '__main__.{self.name}'>"


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

    @property
    def module_name(self) -> str:
        user_class = getattr(self._kind, "gx_class", None)
        return "__main__" if isinstance(user_class, UserClass) else self._kind.__module__

    @property
    def kind_name(self) -> str:
        """`type(x).__name__`: the user's module class by its own name."""
        user_class = getattr(self._kind, "gx_class", None)
        return user_class.name if isinstance(user_class, UserClass) else self._kind.__name__

    def __repr__(self) -> str:
        return f"<class '{_qualified(self._kind)}'>"


def _qualified(kind: type) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


@dataclass(eq=False)
class Scope:
    """The local names of one function call (or comprehension); `parent` is the closure.
    `owner` is the class whose method runs in it (super()); `yielded`, what a generator's
    body has yielded so far (None outside a generator)."""

    names: dict[str, object] = field(default_factory=dict)
    parent: Scope | None = None
    owner: UserClass | None = None
    yielded: list[object] | None = None


class BreakSignal(Exception):
    """`break`: caught by the innermost loop."""


class ContinueSignal(Exception):
    """`continue`: caught by the innermost loop."""


class ReturnSignal(Exception):
    """`return value`: caught by the function call."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class UserAssertionError(AssertionError):
    """A failed `assert` in scenario code (not an assertion of gradexplain's own)."""


# The modules an allowlisted path may start with besides torch (imported when first reached).
ROOT_MODULES = frozenset({"math", "numpy", "collections", "random", "time", "copy"})


def resolve(path: str) -> Any:
    """The real object behind an allowlisted dotted path (the interpreter's eyes only)."""
    root, *parts = path.split(".")
    found: object = importlib.import_module(root) if root in ROOT_MODULES else torch
    for part in parts:
        found = getattr(found, part)
    return found


def checked_result(result: object) -> object:
    """User code may hold any value but a raw Python callable, class or module.

    Such a value could be handed to torch as a callback, which torch would then run outside
    the interpreter. nn modules are callable but run their forward through the interpreter
    (or are PyTorch's own layers); grad-mode objects only enter and leave their mode.
    """
    if isinstance(result, torch.Tensor) or type(result) in PLAIN_RESULTS:  # the usual answers
        return result
    if isinstance(result, (type, types.ModuleType)) or (
            callable(result) and not isinstance(result, CALLABLE_VALUES)
            and not is_node(result)):
        raise not_allowed(f"a value of type {type(result).__name__} cannot be used here: "
                          "it could run code outside the interpreter")
    if isinstance(result, (list, tuple)) and not isinstance(result, torch.Size):
        for item in result:
            checked_result(item)
    return result


CALLABLE_VALUES: tuple[type, ...] = (
    torch.nn.Module, InterpretedObject, torch.no_grad, torch.enable_grad, torch.set_grad_enabled,
    torch.inference_mode, torch.autograd.graph.saved_tensors_hooks,
    contextlib._GeneratorContextManager,
)


# Results that are never callable, nor hold anything (exact types: a subclass could be either),
# and the grad modes, which CALLABLE_VALUES allows.
PLAIN_RESULTS = frozenset({int, float, bool, str, type(None), torch.Size, torch.dtype,
                           torch.no_grad, torch.enable_grad, torch.inference_mode})


def is_node(value: object) -> bool:
    """An autograd graph node (`y.grad_fn`): it has next_functions and is not a tensor."""
    return hasattr(value, "next_functions") and not isinstance(value, torch.Tensor)


class ModuleTable:
    """`self._modules` or `self._parameters` of the user's own module (d2l's MySequential):
    read and filled by key, but only with what the table holds (a module; a Parameter or
    None), so nothing else can stand where PyTorch expects one."""

    def __init__(self, table: dict[str, Any], holds: type, what: str) -> None:
        self._table = table
        self._holds = holds
        self._what = what

    def __getitem__(self, key: str) -> object:
        return self._table[key]

    def __setitem__(self, key: object, value: object) -> None:
        if not isinstance(key, str):
            raise TypeError(f"{self._what} keys are strings, not {type(key).__name__}")
        if not (value is None or isinstance(value, self._holds)):
            raise TypeError(f"cannot assign '{type(value).__name__}' to {self._what}['{key}']"
                            f": it holds {self._holds.__name__}s")
        self._table[key] = value

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._table))

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def keys(self) -> list[str]:
        return list(self._table)

    def values(self) -> list[object]:
        return list(self._table.values())

    def items(self) -> list[tuple[str, object]]:
        return list(self._table.items())

    def get(self, key: str, default: object = None) -> object:
        return self._table.get(key, default)

    def __repr__(self) -> str:  # as PyTorch's table prints
        return repr(self._table)
