"""User functions: `def`, `lambda`, closures, the grad-mode decorators, calls, recursion limit.

A user function is an opaque `UserFunction`; calling it runs its body in a new `Scope` whose
parent is the scope it was defined in (its closure). Wherever torch takes a callable,
`torch_callable` gives it a plain Python function that re-enters the interpreter: torch never
receives a user function, a builtin or a raw torch function it could run behind our back.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch

from gradexplain.language.classify import CodeTypeError
from gradexplain.language.core import Core
from gradexplain.language.objects import (
    BoundMethod,
    Builtin,
    ReturnSignal,
    Scope,
    UserClass,
    UserFunction,
)
from gradexplain.language.statements import dotted_name
from gradexplain.language.values import Function, Method
from gradexplain.limits import exceeded

GRAD_MODES = {"no_grad": "no_grad", "enable_grad": "enable_grad",
              "inference_mode": "inference_mode"}
# Values that become interpreter-re-entering wrappers when handed to torch.
INTERPRETED = (UserFunction, BoundMethod, Builtin, Function, Method)


class Functions(Core):
    """Defining and calling the user's functions."""

    def define_function(self, stmt: ast.FunctionDef) -> None:
        self.bind(stmt.name, self.make_function(stmt))

    def make_function(self, stmt: ast.FunctionDef) -> UserFunction:
        grad_mode = None
        static = False
        for decorator in stmt.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            path = dotted_name(target) or ""
            last = path.rsplit(".", 1)[-1]
            if last == "staticmethod":
                static = True
            elif last in GRAD_MODES:
                grad_mode = GRAD_MODES[last]
        defaults = [self._expr(d) for d in stmt.args.defaults]
        kw_defaults = {a.arg: self._expr(d) for a, d in
                       zip(stmt.args.kwonlyargs, stmt.args.kw_defaults, strict=True)
                       if d is not None}
        return UserFunction(stmt.name, stmt.args, stmt.body, self.scope, defaults, kw_defaults,
                            grad_mode, static)

    def make_lambda(self, node: ast.Lambda) -> UserFunction:
        defaults = [self._expr(d) for d in node.args.defaults]
        kw_defaults = {a.arg: self._expr(d) for a, d in
                       zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True)
                       if d is not None}
        return UserFunction("<lambda>", node.args, node.body, self.scope, defaults, kw_defaults)

    def call_user(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any],
                  node: ast.AST | None = None) -> Any:
        """Run a user function: a new scope over its closure, the same budgets."""
        if self.call_depth >= self.limits.max_call_depth:
            location = self._location(node) if node is not None else \
                (self._context.location if self._context else None)
            raise exceeded("max_call_depth", self.call_depth + 1, self.limits.max_call_depth,
                           location)
        scope = Scope(_bind_arguments(function, args, kwargs), function.closure)
        saved = self.scope, self._context, self._operation
        self.scope = scope
        self.call_depth += 1
        try:
            with _grad_mode(function.grad_mode):
                if isinstance(function.body, ast.expr):
                    return self._expr(function.body)
                try:
                    self.run_body(function.body)
                except ReturnSignal as returned:
                    return returned.value
                return None
        finally:
            self.call_depth -= 1
            self.scope, self._context, self._operation = saved

    def torch_callable(self, value: Any) -> Any:
        """What torch receives for `value`: a re-entering wrapper for anything interpreted."""
        if not isinstance(value, INTERPRETED) and not (
                isinstance(value, UserClass) and value.kind == "module"):
            return value
        interpreter = self

        def call_interpreted(*args: Any, **kwargs: Any) -> Any:
            return interpreter.call_value(value, list(args), dict(kwargs), None)

        return call_interpreted


def _grad_mode(mode: str | None) -> AbstractContextManager[Any]:
    if mode == "no_grad":
        return torch.no_grad()
    if mode == "enable_grad":
        return torch.enable_grad()
    if mode == "inference_mode":
        return torch.inference_mode()
    return nullcontext()


def _bind_arguments(function: UserFunction, args: list[Any],
                    kwargs: dict[str, Any]) -> dict[str, Any]:
    """Python's rules for matching arguments to parameters, with Python's messages."""
    spec = function.args
    positional = [a.arg for a in [*spec.posonlyargs, *spec.args]]
    names: dict[str, Any] = {}
    name = function.name
    if len(args) > len(positional) and spec.vararg is None:
        raise CodeTypeError(f"{name}() takes {len(positional)} positional argument"
                        f"{'' if len(positional) == 1 else 's'} but {len(args)} "
                        f"{'was' if len(args) == 1 else 'were'} given")
    for param, value in zip(positional, args, strict=False):
        names[param] = value
    if spec.vararg is not None:
        names[spec.vararg.arg] = tuple(args[len(positional):])
    extra: dict[str, Any] = {}
    keyword_names = set(positional[len(spec.posonlyargs):]) | {a.arg for a in spec.kwonlyargs}
    for key, value in kwargs.items():
        if key in names:
            raise CodeTypeError(f"{name}() got multiple values for argument '{key}'")
        if key in keyword_names:
            names[key] = value
        elif spec.kwarg is not None:
            extra[key] = value
        else:
            raise CodeTypeError(f"{name}() got an unexpected keyword argument '{key}'")
    if spec.kwarg is not None:
        names[spec.kwarg.arg] = extra
    first_default = len(positional) - len(function.defaults)
    missing = []
    for index, param in enumerate(positional):
        if param not in names:
            if index >= first_default:
                names[param] = function.defaults[index - first_default]
            else:
                missing.append(param)
    for arg in spec.kwonlyargs:
        if arg.arg not in names:
            if arg.arg in function.kw_defaults:
                names[arg.arg] = function.kw_defaults[arg.arg]
            else:
                missing.append(arg.arg)
    if missing:
        listed = " and ".join(f"'{m}'" for m in missing)
        raise CodeTypeError(f"{name}() missing {len(missing)} required positional argument"
                        f"{'' if len(missing) == 1 else 's'}: {listed}")
    return names


def is_interpreted(value: Any) -> bool:
    return isinstance(value, INTERPRETED)


CallableWrapper = Callable[..., Any]
