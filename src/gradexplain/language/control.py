"""Control flow: if, for, while, break/continue, return, with, try/except, raise, assert, and
comprehensions (loops that build a value).

Every loop is bounded: iterations of one loop by `max_loop_iterations`, statements by
`max_executed`; nested constant ranges are refused before they start.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
from collections.abc import Callable, Iterable
from typing import cast

import torch

from gradexplain.errors import BAD_INPUT_KINDS, GradexplainError, not_allowed
from gradexplain.language import guards
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import Compiler, Evaluate, Run, State
from gradexplain.language.statements import assignment_target
from gradexplain.language.values import (
    BreakSignal,
    CaughtError,
    ContinueSignal,
    ExceptionType,
    ReturnSignal,
    Scope,
    UserAssertionError,
)
from gradexplain.limits import check, exceeded

# What `with` accepts: PyTorch's grad modes and autograd-graph contexts.
CONTEXT_TYPES = (
    torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode,
    torch.autograd.graph.saved_tensors_hooks,
    torch.autograd.detect_anomaly, torch.autograd.set_detect_anomaly,
    contextlib._GeneratorContextManager,
)


def if_statement(compiler: Compiler, stmt: ast.If) -> Run:
    test_of = compiler.expr(stmt.test)
    body, orelse = compiler.block(stmt.body), compiler.block(stmt.orelse)

    def run(it: State) -> None:
        if test_of(it):
            body(it)
        else:
            orelse(it)

    return run


def for_statement(compiler: Compiler, stmt: ast.For) -> Run:
    """`for target in iterable:` (with `else:`). A constant range is counted whole before the
    loop starts: nested loops over constant ranges are refused at once, not after a million
    statements."""
    iterable_of = compiler.expr(stmt.iter)
    where = stmt.iter
    location = compiler.source.locate(where)
    cost = static_cost(stmt.body)
    store = assignment_target(compiler, stmt.target)
    name = stmt.target.id if isinstance(stmt.target, ast.Name) else None
    body = compiler.block(stmt.body)
    orelse = compiler.block(stmt.orelse)

    def run(it: State) -> None:
        iterable = iterable_of(it)
        items: Iterable[object]
        if isinstance(iterable, range):
            check("max_loop_iterations", len(iterable), it.limits, location)
            check("max_executed", it.executed + len(iterable) * cost, it.limits, location)
            items = iterable  # counted whole: stepped through directly
        else:
            items = it.iterate(iterable, where)
        for item in items:
            if name is None:
                store(it, item)
            elif type(item) is int and it.scope is None:
                it.env[name] = item  # `i`: a number, which the hooks do not hear of
            else:
                it.bind(name, item)
            try:
                body(it)
            except BreakSignal:
                return
            except ContinueSignal:
                pass
        orelse(it)

    return run


def while_statement(compiler: Compiler, stmt: ast.While) -> Run:
    test_of = compiler.expr(stmt.test)
    location = compiler.source.locate(stmt.test)
    endless = _endless(stmt)
    body, orelse = compiler.block(stmt.body), compiler.block(stmt.orelse)

    def run(it: State) -> None:
        if endless:
            raise exceeded("max_loop_iterations", "endless (`while True` with no break)",
                           it.limits.max_loop_iterations, location)
        count = 0
        while test_of(it):
            count += 1
            if count > it.limits.max_loop_iterations:
                check("max_loop_iterations", count, it.limits, location)
            try:
                body(it)
            except BreakSignal:
                return
            except ContinueSignal:
                pass
        orelse(it)

    return run


def _endless(stmt: ast.While) -> bool:
    """`while True:` (or any truthy literal) with no way out: it can only hit the limit."""
    if not (isinstance(stmt.test, ast.Constant) and stmt.test.value):
        return False
    exits = (ast.Break, ast.Return, ast.Raise, ast.Try, ast.Assert, ast.Call)
    return not any(isinstance(node, exits) for part in stmt.body for node in ast.walk(part))


def static_cost(body: list[ast.stmt]) -> int:
    """A lower bound on statements a block executes, multiplying constant nested ranges."""
    total = 0
    for stmt in body:
        total += 1
        if isinstance(stmt, ast.For):
            inner = static_cost(stmt.body)
            call = stmt.iter
            bounds = [a.value for a in getattr(call, "args", [])
                      if isinstance(a, ast.Constant) and isinstance(a.value, int)]
            if isinstance(call, ast.Call) and call.args and len(bounds) == len(call.args):
                try:
                    inner *= len(range(*bounds))
                except (TypeError, ValueError, OverflowError):
                    inner = 0
            total += inner
        elif isinstance(stmt, ast.With):
            total += static_cost(stmt.body)
    return total


def break_statement(compiler: Compiler, stmt: ast.Break) -> Run:
    def run(it: State) -> None:
        raise BreakSignal

    return run


def continue_statement(compiler: Compiler, stmt: ast.Continue) -> Run:
    def run(it: State) -> None:
        raise ContinueSignal

    return run


def return_statement(compiler: Compiler, stmt: ast.Return) -> Run:
    value_of = None if stmt.value is None else compiler.expr(stmt.value)

    def run(it: State) -> None:
        raise ReturnSignal(None if value_of is None else value_of(it))

    return run


def with_statement(compiler: Compiler, stmt: ast.With) -> Run:
    return _with(compiler, stmt.items, compiler.block(stmt.body))


def _with(compiler: Compiler, items: list[ast.withitem], body: Run) -> Run:
    """Each item's context entered in turn, then the body."""
    if not items:
        return body
    item = items[0]
    node = item.context_expr
    context_of = compiler.expr(node)
    inner = _with(compiler, items[1:], body)
    store = None if item.optional_vars is None else \
        assignment_target(compiler, item.optional_vars)
    location = compiler.source.locate(node)

    def run(it: State) -> None:
        context = context_of(it)
        if not isinstance(context, CONTEXT_TYPES):
            raise not_allowed("only PyTorch's grad modes and autograd graph contexts can be "
                              "used in `with`", location,
                              "e.g. with torch.no_grad(): or with torch.set_grad_enabled(False):")
        with context as entered:
            if store is not None:
                store(it, entered)
            inner(it)

    return run


def try_statement(compiler: Compiler, stmt: ast.Try) -> Run:
    """`try:` with `except` handlers chosen as Python would (refusals are never caught),
    `else:` and `finally:`."""
    body, orelse, final = (compiler.block(stmt.body), compiler.block(stmt.orelse),
                           compiler.block(stmt.finalbody))
    handlers = [(_catches(handler), handler.name, compiler.block(handler.body))
                for handler in stmt.handlers]

    def run(it: State) -> None:
        try:
            try:
                body(it)
            except GradexplainError as err:
                handler = next((h for h in handlers if h[0](err)), None) \
                    if err.kind not in BAD_INPUT_KINDS and err.kind != "unknown_name" else None
                if handler is None:
                    raise
                _, name, handle = handler
                if name is not None:
                    it.bind(name, _caught(err))
                it.handling.append(err)
                try:
                    handle(it)
                finally:
                    it.handling.pop()
            else:
                orelse(it)
        finally:
            final(it)

    return run


def _catches(handler: ast.ExceptHandler) -> Callable[[GradexplainError], bool]:
    """Whether `handler` catches an error: by the exception that caused it, as Python would
    choose; an error of the interpreter's own only by `Exception` or `RuntimeError`."""
    if handler.type is None:
        return lambda err: True
    names = list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]
    wanted: list[tuple[str, type]] = []
    for name in names:
        assert isinstance(name, ast.Name)
        wanted.append((name.id, getattr(builtins, name.id)))

    def catches(err: GradexplainError) -> bool:
        cause = err.__cause__ if isinstance(err.__cause__, Exception) else None
        return any((cause is not None and isinstance(cause, kind)) or
                   (cause is None and name in {"Exception", "RuntimeError"})
                   for name, kind in wanted)

    return catches


def _caught(err: GradexplainError) -> CaughtError:
    cause = err.__cause__
    if isinstance(cause, Exception):
        return CaughtError(type(cause).__name__, str(cause))
    return CaughtError("RuntimeError", err.message)


def raise_statement(compiler: Compiler, stmt: ast.Raise) -> Run:
    """`raise ValueError("...")`, or a bare `raise` inside an `except` block."""
    value_of = None if stmt.exc is None else compiler.expr(stmt.exc)

    def run(it: State) -> None:
        if value_of is None:
            if it.handling:
                raise it.handling[-1]
            raise RuntimeError("No active exception to reraise")
        value = value_of(it)
        if isinstance(value, ExceptionType):
            value = getattr(builtins, value.name)()
        if not isinstance(value, Exception):
            raise CodeTypeError("exceptions must derive from BaseException")
        if isinstance(value, AssertionError):
            raise UserAssertionError(*value.args)
        raise value

    return run


def assert_statement(compiler: Compiler, stmt: ast.Assert) -> Run:
    test_of = compiler.expr(stmt.test)
    message_of = None if stmt.msg is None else compiler.expr(stmt.msg)

    def run(it: State) -> None:
        if not test_of(it):
            message = "" if message_of is None else str(message_of(it))
            raise UserAssertionError(message)

    return run


Comprehension = ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp


def comprehension(compiler: Compiler, node: Comprehension) -> Evaluate:
    """Comprehensions and generator expressions, run at once in their own scope (a generator
    expression is consumed at once, as a list). Each item counts as a statement run."""
    lengths = [_constant_range_length(compiler, generator.iter)
               for generator in node.generators]
    levels = [(compiler.expr(generator.iter), generator.iter,
               assignment_target(compiler, generator.target),
               [compiler.expr(condition) for condition in generator.ifs])
              for generator in node.generators]
    element = _pair(compiler, node.key, node.value) if isinstance(node, ast.DictComp) else \
        compiler.expr(node.elt)
    location = compiler.source.locate(node)
    last = len(levels)
    pairs, unique = isinstance(node, ast.DictComp), isinstance(node, ast.SetComp)

    def generate(it: State, level: int, found: list[object]) -> None:
        if level == last:
            found.append(element(it))
            if len(found) > it.limits.max_loop_iterations:
                check("max_loop_iterations", len(found), it.limits, location)
            return
        iterable_of, where, store, conditions = levels[level]
        for item in it.iterate(iterable_of(it), where):
            it.executed += 1
            if it.executed > it.limits.max_executed:
                check("max_executed", it.executed, it.limits, location)
            store(it, item)
            if all(condition(it) for condition in conditions):
                generate(it, level + 1, found)

    def evaluate(it: State) -> object:
        total = 1
        for length in lengths:  # nested constant ranges: refuse before starting
            total *= length(it)
        if total > it.limits.max_loop_iterations:
            check("max_loop_iterations", total, it.limits, location)
        saved = it.scope
        it.scope = Scope(parent=saved)
        found: list[object] = []
        try:
            generate(it, 0, found)
        finally:
            it.scope = saved
        if pairs:
            pairs_found = cast("list[tuple[object, object]]", found)
            guards.check_keys((key for key, _ in pairs_found), location)
            return dict(pairs_found)
        if unique:
            guards.check_keys(found, location)
            return set(found)
        return found

    return evaluate


def _pair(compiler: Compiler, key: ast.expr, value: ast.expr) -> Evaluate:
    """A dict comprehension's item: its key, then its value."""
    key_of, value_of = compiler.expr(key), compiler.expr(value)
    return lambda it: (key_of(it), value_of(it))


def _constant_range_length(compiler: Compiler, node: ast.expr) -> Callable[[State], int]:
    """len(range(...)) when its bounds are arithmetic on literals, else 1 (not known yet)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and
            node.func.id == "range" and not node.keywords and 1 <= len(node.args) <= 3):
        return lambda it: 1
    literal = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)
    if not all(isinstance(n, literal) for a in node.args for n in ast.walk(a)):
        return lambda it: 1
    bounds_of = [compiler.expr(a) for a in node.args]  # literals only: no side effects

    def length(it: State) -> int:
        bounds = [bound(it) for bound in bounds_of]
        numbers = [b for b in bounds if isinstance(b, int)]
        if len(numbers) == len(bounds):
            try:
                return len(range(*numbers))
            except (ValueError, OverflowError):
                return 1
        return 1

    return length
