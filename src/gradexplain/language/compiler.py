"""The interpreter's machinery: its state as every rule sees it, and the compiler that turns
each checked node into a Python closure once, through the one builder table (evaluator.py).

A closure takes the running interpreter (`State`) and does what its node does, with every
fact about the node bound when it was compiled: its operator, its labels and locations, the
allowlist's answers. Nothing is compiled from text: each closure is plain Python built over
the checked syntax tree. Every statement runs inside one guard (`Compiler.statement`): it
counts against `max_executed`, publishes the statement to the worker's parent, reads the
clock and resident memory every 16th statement, becomes the current statement, and turns
any PyTorch or Python error it raises into a located, classified one (classify.py).
"""

from __future__ import annotations

import ast
import collections
import difflib
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import cast

import numpy as np
import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language.budget import Budget, out_of_time, status_line
from gradexplain.language.checker import Program
from gradexplain.language.classify import CodeTypeError, Operation, statement_error
from gradexplain.language.protocol import HEARD_VALUES, Hooks, StatementContext
from gradexplain.language.values import (
    FUNCTIONAL,
    TORCH,
    BreakSignal,
    Builtin,
    ContinueSignal,
    ExceptionType,
    InterpretedObject,
    Placeholder,
    ReturnSignal,
    Scope,
    UserGenerator,
)
from gradexplain.limits import Limits, check, exceeded

# What a node compiles to: a closure over the running interpreter. An expression's closure
# returns its value; a statement's returns nothing; an assignment target's takes the value.
Evaluate = Callable[["State"], object]
Run = Callable[["State"], None]
Assign = Callable[["State", object], None]
Builder = Callable[["Compiler", ast.AST], Evaluate]
Builders = Mapping[type[ast.AST], Builder]

# The guard around a statement turns every exception into a located, classified error
# (a hook's StopIteration and PyTorch's internal errors too), except the signals that
# `break`, `continue` and `return` travel by, which pass through (as interruptions do).
SIGNALS = (BreakSignal, ContinueSignal, ReturnSignal)
GUARDED = Exception

# Values a loop, `*` or a builtin may step through.
ITERABLE_TYPES: tuple[type, ...] = (
    list, tuple, dict, str, range, set, frozenset, torch.Size, torch.Tensor, enumerate, zip,
    reversed, types.GeneratorType, type({}.keys()), type({}.values()), type({}.items()),
    torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ParameterList, torch.nn.ModuleDict,
    np.ndarray, collections.deque,
    torch.nn.ParameterDict,
    # the user's generators and objects (their __iter__/__next__ re-enter the interpreter),
    # datasets and DataLoaders (run in this process: language/data.py)
    UserGenerator, InterpretedObject, torch.utils.data.Dataset, torch.utils.data.DataLoader,
    torch.utils.data.dataloader._BaseDataLoaderIter,
)
# Iterables whose length is known before the first step (checked against the loop limit).
SIZED_TYPES = (range, list, tuple, dict, str, set, torch.utils.data.DataLoader)


class State:
    """The running interpreter as its rules see it: the user's names, the current scope,
    statement and operation, the limits and budget, and the hooks the recorder hears by."""

    def __init__(self, limits: Limits, hooks: Hooks, budget: Budget) -> None:
        self.limits = limits
        self.hooks = hooks
        self.budget = budget
        self.env: dict[str, object] = {}  # the user's global names; kept across programs
        self.scope: Scope | None = None  # the local names of the running call, if any
        self.executed = 0  # statements run, counted against max_executed
        self.call_depth = 0
        self.handling: list[GradexplainError] = []  # the errors whose `except` blocks run
        self.program: Program | None = None
        self.context: StatementContext | None = None
        self.operation: Operation = None  # read only when an error is classified
        # id(): each object the code asks about, held (so its number is never reused) with
        # its number, counted from 1: equal for the same object, never a memory address.
        self.identities: dict[int, tuple[object, int]] = {}
        self.identity_count = 0

    # names ----------------------------------------------------------------------------------

    def bind(self, name: str, value: object) -> None:
        if self.scope is not None:
            self.scope.names[name] = value
            return
        self.env[name] = value
        if isinstance(value, HEARD_VALUES):
            self.hooks.assigned(name, value)

    def lookup(self, name: str, node: ast.expr | None) -> object:
        scope = self.scope
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        if name in self.env:
            return self.env[name]
        if name == "torch":
            return TORCH
        if name == "F":
            return FUNCTIONAL
        if name in allow.BUILTINS:
            return Builtin(name)
        if name in allow.EXCEPTIONS:
            return ExceptionType(name)
        if name == "__name__":  # scenario code runs as the main program
            return "__main__"
        known = sorted(self.env)
        close = difflib.get_close_matches(name, known, n=1) or \
            [k for k in known if k.lower() == name.lower()][:1] or \
            difflib.get_close_matches(name, sorted(allow.BUILTINS), n=1, cutoff=0.8)
        raise GradexplainError(
            "unknown_name", f"name '{name}' is not defined",
            self.location(node) if node is not None else None,
            hint=f"did you mean '{close[0]}'?" if close else
            "assign it first, or declare it under tensors:",
            facts={"name": name, "suggestion": close[0] if close else None, "known": known},
        )

    def label_of(self, tensor: object, fallback: str = "<tensor>") -> str:
        """The name users know a tensor by: its name, a module parameter's path, else
        `fallback` (the code that made it)."""
        for name, value in self.env.items():
            if value is tensor:
                return name
            if isinstance(value, torch.nn.Module):  # a parameter, by its path
                for path, parameter in value.named_parameters():
                    if parameter is tensor:
                        return f"{name}.{path}"
        return fallback

    # where the code is ----------------------------------------------------------------------

    def location(self, node: ast.AST) -> SourceLocation:
        """The location of `node` in the running program (located once per node)."""
        program = self.program
        assert program is not None
        return program.source.locate(node)

    def segment(self, node: ast.AST) -> str:
        """The source text of `node` in the running program."""
        program = self.program
        assert program is not None
        return program.source.segment(node)

    def note_new_tensor(self, value: object, node: ast.AST) -> None:
        """A new leaf that requires grad (`x.requires_grad = True`, `x.data`, `x[0]`)."""
        if isinstance(value, torch.Tensor) and value.is_leaf and value.requires_grad:
            self.hooks.new_tensor(value, self.segment(node))

    def operands(self, values: list[object], nodes: list[ast.expr]
                 ) -> list[tuple[str, list[int]]]:
        """The label and shape of each tensor operand, for an operation's error context."""
        return [(self.segment(n), list(v.shape)) for v, n in zip(values, nodes, strict=False)
                if isinstance(v, torch.Tensor)]

    # stepping through values ----------------------------------------------------------------

    def iterate(self, value: object, node: ast.AST) -> Iterator[object]:
        """Step through an allowed iterable, at most `max_loop_iterations` items."""
        if isinstance(value, Placeholder):
            raise value.refusal()
        if not isinstance(value, ITERABLE_TYPES):
            raise CodeTypeError(f"'{type(value).__name__}' object is not iterable")
        if isinstance(value, SIZED_TYPES):
            check("max_loop_iterations", len(value), self.limits, self.location(node))
        elif isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim > 0:
            # PyTorch steps through a tensor by unbinding it whole first (a view per row):
            # count the rows before, not while.
            check("max_loop_iterations", value.shape[0], self.limits, self.location(node))
        return self._bounded(iter(cast("Iterable[object]", value)), node)

    def _bounded(self, items: Iterator[object], node: ast.AST) -> Iterator[object]:
        for count, item in enumerate(items, start=1):
            if count > self.limits.max_loop_iterations:
                check("max_loop_iterations", count, self.limits, self.location(node))
            yield item

    # calling --------------------------------------------------------------------------------

    def call_back(self, callee: object, args: list[object], kwargs: dict[str, object]
                  ) -> object:
        """Torch calling back into the interpreter (a hook, a closure, a layer's forward):
        `callee` called as the code would call it (language/calls.py; the rules torch calls
        back through, below calls.py, reach it here)."""
        raise NotImplementedError


def statement_context(program: Program, stmt: ast.stmt) -> StatementContext:
    """The statement's step, line, first line of text and location (made once per program)."""
    made = program.contexts.get(id(stmt))
    if isinstance(made, StatementContext):
        return made
    location = program.source.locate(stmt)
    segment = program.source.segment(stmt)
    text = segment.splitlines()[0] if segment else ""
    made = StatementContext(program.step_of(stmt), location.line, text, location)
    program.contexts[id(stmt)] = made
    return made


class Compiler:
    """Compiles the nodes of one program, each by its rule in the builder table. A statement's
    closure is kept on the program (by the statement's id: the closure holds its node, so the
    id cannot be reused while the program keeps it), so a loop or a second run compiles
    nothing again."""

    def __init__(self, program: Program, builders: Builders) -> None:
        self.program = program
        self.source = program.source
        self._builders = builders

    def expr(self, node: ast.expr) -> Evaluate:
        """The closure that evaluates `node`."""
        build = self._builders.get(type(node))
        if build is None or not isinstance(node, ast.expr):
            return self._refused(node, f"{type(node).__name__} is not allowed here")
        return build(self, node)

    def statement(self, stmt: ast.stmt) -> Run:
        """The statement's closure, inside its guard (compiled on the statement's first run)."""
        found = self.program.compiled.get(id(stmt))
        if found is None:
            build = self._builders.get(type(stmt))
            action = build(self, stmt) if build is not None and isinstance(stmt, ast.stmt) \
                else self._refused(stmt, f"{type(stmt).__name__} is not part of the "
                                         "statement language")
            found = self.program.compiled[id(stmt)] = _guarded(self.program, stmt, action)
        return found

    def block(self, body: list[ast.stmt]) -> Run:
        """A list of statements, each its own guarded closure."""
        runs = [self.statement(stmt) for stmt in body]
        if not runs:
            return _nothing
        if len(runs) == 1:
            return runs[0]

        def run(it: State) -> None:
            for statement in runs:
                statement(it)

        return run

    def _refused(self, node: ast.AST, message: str) -> Evaluate:
        """A node kind the language has no rule for (the checker refuses it first): refused
        when it runs, where it is."""
        source = self.source

        def refuse(it: State) -> object:
            raise not_allowed(message, source.locate(node))

        return refuse


def _nothing(it: State) -> None:
    return None


def _guarded(program: Program, stmt: ast.stmt, action: Evaluate) -> Run:
    """The one guard around every statement: its budgets, then `action`, whose errors are
    located and classified (classify.statement_error)."""
    context = statement_context(program, stmt)
    location = context.location
    line = status_line(location, context.statement)  # made once: a loop writes it each time
    end = len(line)
    label = program.source.segment
    monotonic = time.monotonic

    def statement(it: State) -> None:
        it.executed = executed = it.executed + 1
        limits = it.limits
        if executed > limits.max_executed:
            raise exceeded("max_executed", executed, limits.max_executed, location)
        # Name the statement to the worker's parent. Every 16th statement, stop cleanly,
        # located, when time has run out or resident memory (tensors, graphs, the ledger)
        # has passed the budget; in between, planned allocations are checked where they are
        # made, and the parent stops a statement that runs past the time budget itself.
        page = it.budget.page
        if page is not None:
            page[:end] = line
        if not executed & 15:
            budget = it.budget
            deadline = budget.deadline
            if deadline is not None and monotonic() > deadline:
                raise out_of_time(limits, location)
            budget.read_memory(limits, location)
        it.context = context
        it.operation = None
        try:
            action(it)
        except SIGNALS:
            raise
        except GUARDED as exc:
            # statement_error() sets the cause
            raise statement_error(exc, context, it.operation, label, limits)  # noqa: B904

    return statement
