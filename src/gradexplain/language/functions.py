"""User functions: `def`, `lambda`, closures, the grad-mode decorators, calls, recursion limit.

A user function is an opaque `UserFunction` holding its compiled body; calling it runs the
body in a new `Scope` whose parent is the scope it was defined in (its closure). Wherever
torch takes a callable, `torch_callable` gives it a plain Python function that re-enters the
interpreter: torch never receives a user function, a builtin or a raw torch function it could
run behind our back.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

import torch

from gradexplain.errors import SourceLocation
from gradexplain.language.checker import dotted_name
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import Compiler, Evaluate, Run, State
from gradexplain.language.values import (
    BoundMethod,
    Builtin,
    Function,
    Method,
    Placeholder,
    ReturnSignal,
    Scope,
    UserClass,
    UserFunction,
    UserGenerator,
)
from gradexplain.limits import check, exceeded

GRAD_MODES = {"no_grad": "no_grad", "enable_grad": "enable_grad",
              "inference_mode": "inference_mode"}
# Values that become interpreter-re-entering wrappers when handed to torch.
INTERPRETED = (UserFunction, BoundMethod, Builtin, Function, Method)
MakeFunction = Callable[[State], UserFunction]


def define_function(compiler: Compiler, stmt: ast.FunctionDef) -> Run:
    """`def name(...): ...` binds the function."""
    make = function_maker(compiler, stmt)
    name = stmt.name
    return lambda it: it.bind(name, make(it))


def function_maker(compiler: Compiler, stmt: ast.FunctionDef) -> MakeFunction:
    """What running `def` makes: the function, its defaults evaluated then (also a class's
    methods, language/classes.py)."""
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
    body = compiler.block(stmt.body)
    defaults = _defaults(compiler, stmt.args)
    name, args = stmt.name, stmt.args
    generator = _yields(stmt.body)

    def make(it: State) -> UserFunction:
        positional, keywords = defaults(it)
        return UserFunction(name, args, body, False, it.scope, positional, keywords,
                            grad_mode, static, generator)

    return make


def _yields(body: list[ast.stmt]) -> bool:
    """Whether a `def` body yields (its own statements: not those of a nested def or class,
    nor of a lambda, which the checker keeps yield out of)."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return False


def yield_expression(compiler: Compiler, node: ast.Yield | ast.YieldFrom) -> Evaluate:
    """`yield value` and `yield from iterable`: kept by the running generator's scope (the
    value of the expression is None, as in a generator stepped by a loop or next())."""
    value_of = None if node.value is None else compiler.expr(node.value)
    location = compiler.source.locate(node)
    every = isinstance(node, ast.YieldFrom)
    where = node.value if node.value is not None else node

    def run(it: State) -> object:
        scope = it.scope
        while scope is not None and scope.yielded is None:
            scope = scope.parent
        assert scope is not None and scope.yielded is not None  # the checker: inside a def
        yielded = scope.yielded
        value = None if value_of is None else value_of(it)
        if every:
            yielded.extend(it.iterate(value, where))
        else:
            yielded.append(value)
        if len(yielded) > it.limits.max_loop_iterations:
            check("max_loop_iterations", len(yielded), it.limits, location)
        return None

    return run


def define_lambda(compiler: Compiler, node: ast.Lambda) -> Evaluate:
    body = compiler.expr(node.body)
    defaults = _defaults(compiler, node.args)
    args = node.args

    def make(it: State) -> UserFunction:
        positional, keywords = defaults(it)
        return UserFunction("<lambda>", args, body, True, it.scope, positional, keywords)

    return make


def _defaults(compiler: Compiler, spec: ast.arguments
              ) -> Callable[[State], tuple[list[object], dict[str, object]]]:
    """The parameters' default values, evaluated where the function is defined."""
    positional = [compiler.expr(d) for d in spec.defaults]
    keywords = [(a.arg, compiler.expr(d)) for a, d in
                zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is not None]
    return lambda it: ([d(it) for d in positional], {k: d(it) for k, d in keywords})


def call_user(it: State, function: UserFunction, args: list[object],
              kwargs: dict[str, object], location: SourceLocation | None = None) -> object:
    """Run a user function (called at `location`; None where torch calls back): a new scope
    over its closure, the same budgets. A generator function gives its generator."""
    if function.generator:
        return _generator(it, function, args, kwargs, location)
    if it.call_depth >= it.limits.max_call_depth:
        if location is None and it.context is not None:
            location = it.context.location
        raise exceeded("max_call_depth", it.call_depth + 1, it.limits.max_call_depth, location)
    scope = Scope(_bind_arguments(function, args, kwargs), function.closure, function.owner)
    saved = it.scope, it.context, it.operation
    it.scope = scope
    it.call_depth += 1
    try:
        with _grad_mode(function.grad_mode):
            if function.is_lambda:
                return function.body(it)
            try:
                function.body(it)
            except ReturnSignal as returned:
                return returned.value
            return None
    finally:
        it.call_depth -= 1
        it.scope, it.context, it.operation = saved


def _generator(it: State, function: UserFunction, args: list[object],
               kwargs: dict[str, object], location: SourceLocation | None) -> UserGenerator:
    """A generator: its arguments bound now (as Python does), its body run when it is first
    stepped, each `yield` kept in its scope's list (bounded like a loop's iterations)."""
    names = _bind_arguments(function, args, kwargs)

    def produce() -> list[object]:
        if it.call_depth >= it.limits.max_call_depth:
            raise exceeded("max_call_depth", it.call_depth + 1, it.limits.max_call_depth,
                           location)
        yielded: list[object] = []
        saved = it.scope, it.context, it.operation
        it.scope = Scope(names, function.closure, function.owner, yielded)
        it.call_depth += 1
        try:
            with _grad_mode(function.grad_mode):
                function.body(it)
        except ReturnSignal:
            pass  # `return` ends a generator
        finally:
            it.call_depth -= 1
            it.scope, it.context, it.operation = saved
        return yielded

    return UserGenerator(function.name, produce)


def torch_callable(it: State, value: object) -> object:
    """What torch receives for `value`: a re-entering wrapper for anything interpreted."""
    if isinstance(value, Placeholder):
        raise value.refusal()
    if not isinstance(value, INTERPRETED) and not (
            isinstance(value, UserClass) and value.kind == "module"):
        return value

    def call_interpreted(*args: object, **kwargs: object) -> object:
        return it.call_back(value, list(args), dict(kwargs))

    return call_interpreted


def _grad_mode(mode: str | None) -> AbstractContextManager[object]:
    if mode == "no_grad":
        return torch.no_grad()
    if mode == "enable_grad":
        return torch.enable_grad()
    if mode == "inference_mode":
        return torch.inference_mode()
    return nullcontext()


def _bind_arguments(function: UserFunction, args: list[object],
                    kwargs: dict[str, object]) -> dict[str, object]:
    """Python's rules for matching arguments to parameters, with Python's messages."""
    spec = function.args
    positional = [a.arg for a in [*spec.posonlyargs, *spec.args]]
    names: dict[str, object] = {}
    name = function.name
    if len(args) > len(positional) and spec.vararg is None:
        raise CodeTypeError(f"{name}() takes {len(positional)} positional argument"
                            f"{'' if len(positional) == 1 else 's'} but {len(args)} "
                            f"{'was' if len(args) == 1 else 'were'} given")
    for param, value in zip(positional, args, strict=False):
        names[param] = value
    if spec.vararg is not None:
        names[spec.vararg.arg] = tuple(args[len(positional):])
    extra: dict[str, object] = {}
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
