"""Control flow: if, for, while, break/continue, with, try/except, assert, del, raise.

Every loop is bounded: iterations of one loop by `max_loop_iterations`, statements by
`max_executed`; nested constant ranges are refused before they start.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import types
from collections.abc import Iterator
from typing import Any

import torch

from gradexplain.errors import BAD_INPUT_KINDS, GradexplainError, not_allowed
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.core import Core
from gradexplain.language.objects import (
    BreakSignal,
    CaughtError,
    ContinueSignal,
    ExceptionType,
    Scope,
    UserAssertionError,
)
from gradexplain.language.values import _static_cost
from gradexplain.limits import check, exceeded

# What `with` accepts: PyTorch's grad modes and autograd-graph contexts.
CONTEXT_TYPES: tuple[type, ...] = (
    torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode,
    torch.autograd.graph.saved_tensors_hooks,
    torch.autograd.detect_anomaly, torch.autograd.set_detect_anomaly,
    contextlib._GeneratorContextManager,
)
# Values a loop, `*` or a builtin may step through.
ITERABLE_TYPES: tuple[type, ...] = (
    list, tuple, dict, str, range, set, frozenset, torch.Size, torch.Tensor, enumerate, zip,
    reversed, types.GeneratorType, type({}.keys()), type({}.values()), type({}.items()),
    torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ParameterList, torch.nn.ModuleDict,
)


class ControlFlow(Core):
    """The statements that steer: run by `Interpreter._execute` through `control`."""

    handling: list[GradexplainError]  # the errors whose `except` blocks are running

    def control(self, stmt: ast.stmt) -> None:
        if type(stmt) is ast.With:  # `with torch.no_grad():` in a training loop
            self._with(stmt.items, stmt.body)
        elif isinstance(stmt, ast.If):
            self.run_body(stmt.body if self.truth(self._expr(stmt.test)) else stmt.orelse)
        elif isinstance(stmt, ast.For):
            self._for(stmt)
        elif isinstance(stmt, ast.While):
            self._while(stmt)
        elif isinstance(stmt, ast.Break):
            raise BreakSignal
        elif isinstance(stmt, ast.Continue):
            raise ContinueSignal
        elif isinstance(stmt, ast.Return):
            from gradexplain.language.objects import ReturnSignal

            raise ReturnSignal(None if stmt.value is None else self._expr(stmt.value))
        elif isinstance(stmt, ast.With):
            self._with(stmt.items, stmt.body)
        elif isinstance(stmt, ast.Try):
            self._try(stmt)
        elif isinstance(stmt, ast.Assert):
            if not self.truth(self._expr(stmt.test)):
                message = "" if stmt.msg is None else str(self._expr(stmt.msg))
                raise UserAssertionError(message)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._delete(target)
        elif isinstance(stmt, ast.Raise):
            self._raise(stmt)
        else:
            raise not_allowed(f"{type(stmt).__name__} is not part of the statement language",
                              self._location(stmt))

    def truth(self, value: Any) -> bool:
        return bool(value)

    # loops ----------------------------------------------------------------------------------

    def iterate(self, value: Any, node: ast.AST) -> Iterator[Any]:
        """Step through an allowed iterable, at most `max_loop_iterations` items."""
        if not isinstance(value, ITERABLE_TYPES):
            raise CodeTypeError(f"'{type(value).__name__}' object is not iterable")
        if isinstance(value, (range, list, tuple, dict, str, set)):
            check("max_loop_iterations", len(value), self.limits, self._location(node))
        elif isinstance(value, torch.Tensor) and value.dim() > 0:
            # PyTorch steps through a tensor by unbinding it whole first (a view per row):
            # count the rows before, not while.
            check("max_loop_iterations", value.shape[0], self.limits, self._location(node))
        items: Iterator[Any] = iter(value)  # type: ignore[call-overload]
        return self._bounded(items, node)

    def _bounded(self, items: Iterator[Any], node: ast.AST) -> Iterator[Any]:
        for count, item in enumerate(items, start=1):
            if count > self.limits.max_loop_iterations:
                check("max_loop_iterations", count, self.limits, self._location(node))
            yield item

    def _for(self, stmt: ast.For) -> None:
        iterable = self._expr(stmt.iter)
        if isinstance(iterable, range):
            # Nested loops over constant ranges: refuse at once, not after a million statements.
            check("max_loop_iterations", len(iterable), self.limits, self._location(stmt.iter))
            check("max_executed", self.executed + len(iterable) * _static_cost(stmt.body),
                  self.limits, self._location(stmt.iter))
        for item in self.iterate(iterable, stmt.iter):
            self._assign(stmt.target, item, stmt.iter)
            if self._loop_body(stmt.body):
                return
        self.run_body(stmt.orelse)

    def _while(self, stmt: ast.While) -> None:
        if _endless(stmt):
            raise exceeded("max_loop_iterations", "endless (`while True` with no break)",
                           self.limits.max_loop_iterations, self._location(stmt.test))
        count = 0
        while self.truth(self._expr(stmt.test)):
            count += 1
            if count > self.limits.max_loop_iterations:  # located only when it is hit
                check("max_loop_iterations", count, self.limits, self._location(stmt.test))
            if self._loop_body(stmt.body):
                return
        self.run_body(stmt.orelse)

    def _loop_body(self, body: list[ast.stmt]) -> bool:
        """One pass of a loop's body; True when it ended in `break` (the `else:` is skipped)."""
        try:
            self.run_body(body)
        except BreakSignal:
            return True
        except ContinueSignal:
            pass
        return False

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp |
                      ast.DictComp) -> Any:
        """Comprehensions and generator expressions, run at once in their own scope."""
        total = 1
        for generator in node.generators:  # nested constant ranges: refuse before starting
            total *= self._constant_range_length(generator.iter)
        if total > self.limits.max_loop_iterations:
            check("max_loop_iterations", total, self.limits, self._location(node))
        saved = self.scope
        self.scope = Scope(parent=saved)
        items: list[Any] = []
        try:
            self._generate(node, 0, items)
        finally:
            self.scope = saved
        if isinstance(node, ast.DictComp):
            return dict(items)
        if isinstance(node, ast.SetComp):
            return set(items)
        return items  # a generator expression is consumed at once, as a list

    def _generate(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                  level: int, items: list[Any]) -> None:
        if level == len(node.generators):
            if isinstance(node, ast.DictComp):
                items.append((self._expr(node.key), self._expr(node.value)))
            else:
                items.append(self._expr(node.elt))
            if len(items) > self.limits.max_loop_iterations:
                check("max_loop_iterations", len(items), self.limits, self._location(node))
            return
        generator = node.generators[level]
        for item in self.iterate(self._expr(generator.iter), generator.iter):
            self.executed += 1
            if self.executed > self.limits.max_executed:
                check("max_executed", self.executed, self.limits, self._location(node))
            self._assign(generator.target, item, generator.iter)
            if all(self.truth(self._expr(c)) for c in generator.ifs):
                self._generate(node, level + 1, items)

    def _constant_range_length(self, node: ast.expr) -> int:
        """len(range(...)) when its bounds are arithmetic on literals, else 1 (not known yet)."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and
                node.func.id == "range" and not node.keywords and 1 <= len(node.args) <= 3):
            return 1
        literal = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)
        if not all(isinstance(n, literal) for a in node.args for n in ast.walk(a)):
            return 1
        bounds = [self._expr(a) for a in node.args]  # literals only: no side effects
        if all(isinstance(b, int) for b in bounds):
            try:
                return len(range(*bounds))
            except (ValueError, OverflowError):
                return 1
        return 1

    # blocks ---------------------------------------------------------------------------------

    def _with(self, items: list[ast.withitem], body: list[ast.stmt]) -> None:
        if not items:
            self.run_body(body)
            return
        item = items[0]
        context: Any = self._expr(item.context_expr)
        if not isinstance(context, CONTEXT_TYPES):
            raise not_allowed("only PyTorch's grad modes and autograd graph contexts can be "
                              "used in `with`", self._location(item.context_expr),
                              "e.g. with torch.no_grad(): or with torch.set_grad_enabled(False):")
        with context as entered:  # type: ignore[attr-defined]
            if item.optional_vars is not None:
                self._assign(item.optional_vars, entered, item.context_expr)
            self._with(items[1:], body)

    def _try(self, stmt: ast.Try) -> None:
        try:
            try:
                self.run_body(stmt.body)
            except GradexplainError as err:
                handler = self._handler(stmt, err)
                if handler is None:
                    raise
                if handler.name is not None:
                    self.bind(handler.name, _caught(err))
                self.handling.append(err)
                try:
                    self.run_body(handler.body)
                finally:
                    self.handling.pop()
            else:
                self.run_body(stmt.orelse)
        finally:
            self.run_body(stmt.finalbody)

    def _handler(self, stmt: ast.Try, err: GradexplainError) -> ast.ExceptHandler | None:
        """The handler that catches `err`, as Python would choose it; refusals never are."""
        if err.kind in BAD_INPUT_KINDS or err.kind == "unknown_name":
            return None
        cause = err.__cause__ if isinstance(err.__cause__, Exception) else None
        for handler in stmt.handlers:
            names = [] if handler.type is None else (
                list(handler.type.elts) if isinstance(handler.type, ast.Tuple)
                else [handler.type])
            if handler.type is None:
                return handler
            for name in names:
                assert isinstance(name, ast.Name)
                wanted = getattr(builtins, name.id)
                if (cause is not None and isinstance(cause, wanted)) or \
                        (cause is None and name.id in {"Exception", "RuntimeError"}):
                    return handler
        return None

    def _delete(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            scope = self.scope
            names = scope.names if scope is not None else self.env
            if target.id not in names:
                raise GradexplainError("unknown_name", f"name '{target.id}' is not defined",
                                       self._location(target), facts={"name": target.id})
            del names[target.id]
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._delete(element)
        elif isinstance(target, ast.Subscript):
            owner = self._expr(target.value)
            if not isinstance(owner, (list, dict)):
                raise CodeTypeError(f"'{type(owner).__name__}' object doesn't support item "
                                "deletion")
            del owner[self._expr(target.slice)]
        else:
            raise not_allowed("only names and list or dict items can be deleted",
                              self._location(target))

    def _raise(self, stmt: ast.Raise) -> None:
        if stmt.exc is None:
            if self.handling:
                raise self.handling[-1]
            raise RuntimeError("No active exception to reraise")
        value = self._expr(stmt.exc)
        if isinstance(value, ExceptionType):
            value = getattr(builtins, value.name)()
        if not isinstance(value, Exception):
            raise CodeTypeError("exceptions must derive from BaseException")
        if isinstance(value, AssertionError):
            raise UserAssertionError(*value.args)
        raise value


def _endless(stmt: ast.While) -> bool:
    """`while True:` (or any truthy literal) with no way out: it can only hit the limit."""
    if not (isinstance(stmt.test, ast.Constant) and stmt.test.value):
        return False
    exits = (ast.Break, ast.Return, ast.Raise, ast.Try, ast.Assert, ast.Call)
    return not any(isinstance(node, exits) for part in stmt.body for node in ast.walk(part))


def _caught(err: GradexplainError) -> CaughtError:
    cause = err.__cause__
    if isinstance(cause, Exception):
        return CaughtError(type(cause).__name__, str(cause))
    return CaughtError("RuntimeError", err.message)
