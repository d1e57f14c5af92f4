"""The interpreter's own values: user functions and classes, scopes, control-flow signals.

None of these is callable by Python: a user function is an opaque value that only the
interpreter can run. Where torch needs a callable, `functions.torch_callable` makes a wrapper
that re-enters the interpreter.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Scope:
    """The local names of one function call (or comprehension); `parent` is the closure."""

    names: dict[str, Any] = field(default_factory=dict)
    parent: Scope | None = None


@dataclass(eq=False)
class UserFunction:
    """A `def` or `lambda`: its syntax, its closure, its defaults and its grad mode."""

    name: str
    args: ast.arguments
    body: list[ast.stmt] | ast.expr  # an expression for a lambda
    closure: Scope | None
    defaults: list[Any]
    kw_defaults: dict[str, Any]
    grad_mode: str | None = None  # "no_grad" | "enable_grad" | "inference_mode"
    static: bool = False

    def __repr__(self) -> str:
        return f"<function {self.name}>"


@dataclass(eq=False)
class BoundMethod:
    """`model.forward` or `model.helper`: a user method bound to its instance."""

    instance: Any
    function: UserFunction

    def __repr__(self) -> str:
        return f"<bound method {self.function.name}>"


@dataclass(eq=False)
class UserClass:
    """`class Net(nn.Module)` or `class Exp(torch.autograd.Function)`.

    `real` is the Python class built for it (a subclass of `modules.InterpretedModule` or of
    torch.autograd.Function) whose methods re-enter the interpreter; user code holds only this
    wrapper.
    """

    name: str
    kind: str  # "module" | "function"
    methods: dict[str, UserFunction]
    attributes: dict[str, Any]
    real: Any = None

    def __repr__(self) -> str:
        return f"<class {self.name}>"


@dataclass(eq=False)
class SuperProxy:
    """`super()` inside a user module's method: only `__init__` can be reached."""

    instance: Any


@dataclass(eq=False)
class CaughtError:
    """The `e` of `except RuntimeError as e:`: prints as the message, like Python."""

    type_name: str
    message: str

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{self.type_name}({self.message!r})"


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


class BreakSignal(Exception):
    """`break`: caught by the innermost loop."""


class ContinueSignal(Exception):
    """`continue`: caught by the innermost loop."""


class ReturnSignal(Exception):
    """`return value`: caught by the function call."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


@dataclass(frozen=True)
class Builtin:
    """`print`, `len`, `range`, ...: run by the interpreter (`builtins.call_builtin`)."""

    name: str


class UserAssertionError(AssertionError):
    """A failed `assert` in scenario code (not an assertion of gradexplain's own)."""
