"""Statements compiled once into closures, cached on the program: a loop's body runs closures
with every per-node fact bound, instead of walking the tree again on every iteration.

Each statement keeps exactly the tree-walker's sequence: it counts against `max_executed`,
tells the budget it started (time, memory, the worker's "running statement"), becomes the
current statement, and runs inside the same error guard, which locates and classifies any
PyTorch or Python error. Only the statements a training loop is made of are specialised
(assignments, augmented assignments, expression statements, `with`, `for`, `if`, `return`);
every other kind runs the tree-walker's own `Interpreter._execute` inside the same guard.
Nothing is compiled from text (see compiled_expr.py).
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from gradexplain.errors import GradexplainError, not_allowed
from gradexplain.language import budget, display, guards
from gradexplain.language.classify import classify, operation_context
from gradexplain.language.compiled_expr import Evaluate, compile_expr
from gradexplain.language.control import CONTEXT_TYPES
from gradexplain.language.objects import (
    BreakSignal,
    ContinueSignal,
    ReturnSignal,
    UserAssertionError,
)
from gradexplain.language.protocol import HEARD_VALUES, StatementContext
from gradexplain.language.values import (
    BINARY_OPERATORS,
    INPLACE_NAMES,
    INPLACE_OPERATORS,
    OPERATOR_FUNCTIONS,
    _static_cost,
)
from gradexplain.limits import check, exceeded, out_of_memory

if TYPE_CHECKING:
    from gradexplain.language.checker import Program
    from gradexplain.language.evaluator import Interpreter

Run = Callable[["Interpreter"], None]
Assign = Callable[["Interpreter", Any], None]

CAUGHT = (RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError,
          NotImplementedError, AttributeError, AssertionError, KeyError)
# What the guard around a statement turns into a located error (anything else passes through:
# break, continue and return signals, and interruptions).
GUARDED = (GradexplainError, RecursionError, *CAUGHT, MemoryError)


def statement_context(program: Program, stmt: ast.stmt) -> StatementContext:
    """The statement's step, line, first line of text and location (made once per program)."""
    made: StatementContext | None = program.contexts.get(id(stmt))
    if made is not None:
        return made
    location = program.source.locate(stmt)
    segment = program.source.segment(stmt)
    text = segment.splitlines()[0] if segment else ""
    made = StatementContext(program.step_of(stmt), location.line, text, location)
    program.contexts[id(stmt)] = made
    return made


def failure(it: Interpreter, exc: BaseException, context: StatementContext) -> BaseException:
    """The error to raise for `exc`, raised while `context` ran: located and classified (with
    `exc` as its cause), or `exc` itself when it is already ours or a bug of ours."""
    if isinstance(exc, GradexplainError):
        if exc.location is None:
            exc.location = context.location
        exc.facts.setdefault("step", context.step)
        exc.facts.setdefault("statement", context.statement)
        return exc
    if isinstance(exc, RecursionError):
        error = exceeded("max_call_depth", "deeper than Python allows",
                         it.limits.max_call_depth, context.location)
        error.__cause__ = None
        error.__suppress_context__ = True
        return error
    if isinstance(exc, MemoryError):  # the worker's address-space cap, or the machine's
        error = out_of_memory(it.limits.max_memory, context.location)
    else:
        error = classify(exc, operation_context(it._operation, it._segment), it.limits)
        if isinstance(exc, AssertionError) and not isinstance(exc, UserAssertionError) \
                and error.kind != "device_unavailable":
            return exc  # an assertion that is not torch's "no such device" is a bug of ours
        error.location = context.location
    error.facts.setdefault("step", context.step)
    error.facts.setdefault("statement", context.statement)
    if error.kind == "non_float_requires_grad":  # `counts = torch.tensor([1, 2], ...)`
        target = re.match(r"\s*([A-Za-z_]\w*)\s*=[^=]", context.statement or "")
        if target:
            error.facts.setdefault("tensor", target.group(1))
    error.__cause__ = exc
    return error


def compiled(program: Program, stmt: ast.stmt) -> Run:
    """The statement's closure, compiled on its first run in `program`. (The closure holds its
    node, so the node's id cannot be reused while the program keeps the closure.)"""
    found: Run | None = program.compiled.get(id(stmt))
    if found is None:
        found = program.compiled[id(stmt)] = _guarded(program, stmt, _body(program, stmt))
    return found


def _guarded(program: Program, stmt: ast.stmt, action: Run) -> Run:
    """`Interpreter._statement`: the statement's budgets, then `action` inside the guard."""
    context = statement_context(program, stmt)
    location, text = context.location, context.statement
    line = budget.status_line(location, text)  # made once: a loop writes it every iteration
    end = len(line)
    watch, monotonic, read_memory = budget.WATCH, time.monotonic, budget.read_memory

    def statement(it: Interpreter) -> None:
        it.executed = executed = it.executed + 1
        limits = it.limits
        if executed > limits.max_executed:
            raise exceeded("max_executed", executed, limits.max_executed, location)
        # budget.statement_started, written out (a loop runs this before every statement):
        # name the statement to the worker's parent. Every 16th statement, stop cleanly,
        # located, when time has run out or resident memory (tensors, graphs, the ledger)
        # has passed the budget; in between, planned allocations are checked where they are
        # made, and the parent stops a statement that runs past the time budget itself.
        page = watch.page
        if page is not None:
            page[:end] = line
        if not executed & 15:
            deadline = watch.deadline
            if deadline is not None and monotonic() > deadline:
                raise budget.out_of_time(limits, location)
            read_memory(limits, location)
        it._context = context
        it._operation = None
        try:
            action(it)
        except GUARDED as exc:
            raise failure(it, exc, context)  # noqa: B904 (failure() sets the cause)

    return statement


def block(program: Program, body: list[ast.stmt]) -> Run:
    """A list of statements, each its own guarded closure."""
    runs = [compiled(program, stmt) for stmt in body]
    if not runs:
        return lambda it: None
    if len(runs) == 1:
        return runs[0]

    def run(it: Interpreter) -> None:
        for statement in runs:
            statement(it)

    return run


def _body(program: Program, stmt: ast.stmt) -> Run:
    """What the statement does, once its budgets are checked."""
    kind = type(stmt)
    if kind is ast.Expr:
        return _expression_statement(program, stmt)  # type: ignore[arg-type]
    if kind is ast.Assign:
        return _assignment(program, stmt)  # type: ignore[arg-type]
    if kind is ast.AugAssign and isinstance(stmt.target, ast.Name):  # type: ignore[attr-defined]
        return _augmented(program, stmt)  # type: ignore[arg-type]
    if kind is ast.With:
        return _with(program, stmt.items, block(program, stmt.body))  # type: ignore[attr-defined]
    if kind is ast.For:
        return _for(program, stmt)  # type: ignore[arg-type]
    if kind is ast.If:
        return _if(program, stmt)  # type: ignore[arg-type]
    if kind is ast.Return:
        return _return(program, stmt)  # type: ignore[arg-type]
    return lambda it: it._execute(stmt)  # every other kind: the tree-walker, unchanged


def target_setter(program: Program, target: ast.expr, source: ast.expr | None) -> Assign:
    """`Interpreter._assign(target, value, source)`, a name bound directly."""
    if isinstance(target, ast.Name):
        name = target.id
        return lambda it, value: it.bind(name, value)
    return lambda it, value: it._assign(target, value, source)


def _assignment(program: Program, stmt: ast.Assign) -> Run:
    value_of = compile_expr(program, stmt.value)
    if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id

        def bind(it: Interpreter) -> None:
            value = value_of(it)
            if it.scope is None:  # `Interpreter.bind`, written out: `loss = ...` in a loop
                it.env[name] = value
                if isinstance(value, HEARD_VALUES):
                    it.hooks.assigned(name, value)
            else:
                it.bind(name, value)

        return bind
    setters = [target_setter(program, t, stmt.value) for t in stmt.targets]

    def assign(it: Interpreter) -> None:
        value = value_of(it)
        for setter in setters:
            setter(it, value)

    return assign


def _augmented(program: Program, stmt: ast.AugAssign) -> Run:
    """`name op= value` (`w -= lr * w.grad`): `Interpreter._augmented` for a name target."""
    target = stmt.target
    assert isinstance(target, ast.Name)
    name = target.id
    value_of = compile_expr(program, stmt.value)
    op_type = type(stmt.op)
    symbol = INPLACE_NAMES.get(op_type, "?=")
    op_name, fn = BINARY_OPERATORS[op_type]
    in_place = INPLACE_OPERATORS[op_type]
    function = OPERATOR_FUNCTIONS.get(op_name, "add") + "_"
    operand_nodes: list[ast.expr] = [target, stmt.value]
    location = program.source.locate(stmt)
    check_binary = guards.binary_checker(function)

    def augment(it: Interpreter) -> None:
        current = env[name] if it.scope is None and name in (env := it.env) else \
            it.lookup(name, target)
        value = value_of(it)
        if isinstance(current, torch.Tensor):
            # Python's `x += y` on a tensor is PyTorch's in-place add_: same errors, same graph.
            it._operation = (symbol, [current, value], operand_nodes)
            check_binary(current, value, it.limits, location)
            result = in_place(current, value)
        else:
            guards.check_number_op(op_name, current, value, it.limits, location)
            result = fn(current, value)
        it.bind(name, result)

    return augment


def _expression_statement(program: Program, stmt: ast.Expr) -> Run:
    """`Interpreter._expression_statement`: evaluated, then shown unless it is quiet."""
    node = stmt.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return lambda it: None  # a docstring or a comment-like string
    value_of = compile_expr(program, node)
    call = isinstance(node, ast.Call)
    quiet = False
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            getattr(node.func, "id", "")
        quiet = name in {"print", "backward", "retain_grad", "grad"} or name.endswith("_")
    if quiet:
        return value_of  # its value is dropped
    segment = program.source.segment(node)

    def show(it: Interpreter) -> None:
        value = value_of(it)
        if it.scope is not None:
            return  # inside a function: nothing is shown, like Python
        if call and value is None:
            return
        if not display.showable(value):
            return
        assert it._context is not None
        it.hooks.shown(it._context, segment, value)

    return show


def _with(program: Program, items: list[ast.withitem], body: Run) -> Run:
    """`ControlFlow._with`: each item's context entered in turn, then the body."""
    if not items:
        return body
    item = items[0]
    node = item.context_expr
    context_of = compile_expr(program, node)
    inner = _with(program, items[1:], body)
    bind = None if item.optional_vars is None else \
        target_setter(program, item.optional_vars, node)

    def run(it: Interpreter) -> None:
        context: Any = context_of(it)
        if not isinstance(context, CONTEXT_TYPES):
            raise not_allowed("only PyTorch's grad modes and autograd graph contexts can be "
                              "used in `with`", program.source.locate(node),
                              "e.g. with torch.no_grad(): or with torch.set_grad_enabled(False):")
        with context as entered:  # type: ignore[attr-defined]
            if bind is not None:
                bind(it, entered)
            inner(it)

    return run


def _for(program: Program, stmt: ast.For) -> Run:
    """`ControlFlow._for`, with the body's statements compiled."""
    iterable_of = compile_expr(program, stmt.iter)
    where = stmt.iter
    location = program.source.locate(where)
    cost = _static_cost(stmt.body)
    bind = target_setter(program, stmt.target, where)
    name = stmt.target.id if isinstance(stmt.target, ast.Name) else None
    body = block(program, stmt.body)
    orelse = block(program, stmt.orelse)

    def run(it: Interpreter) -> None:
        iterable = iterable_of(it)
        items: Any
        if type(iterable) is range:
            # Nested loops over constant ranges: refuse at once, not after a million statements.
            check("max_loop_iterations", len(iterable), it.limits, location)
            check("max_executed", it.executed + len(iterable) * cost, it.limits, location)
            items = iterable  # counted whole: stepped through directly
        else:
            items = it.iterate(iterable, where)
        for item in items:
            if name is None:
                bind(it, item)
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


def _if(program: Program, stmt: ast.If) -> Run:
    test_of = compile_expr(program, stmt.test)
    body, orelse = block(program, stmt.body), block(program, stmt.orelse)

    def run(it: Interpreter) -> None:
        if it.truth(test_of(it)):
            body(it)
        else:
            orelse(it)

    return run


def _return(program: Program, stmt: ast.Return) -> Run:
    value_of: Evaluate | None = None if stmt.value is None else compile_expr(program, stmt.value)

    def run(it: Interpreter) -> None:
        raise ReturnSignal(None if value_of is None else value_of(it))

    return run
