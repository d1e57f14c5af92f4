"""The interpreter: runs checked programs against real PyTorch, each node compiled once into a
closure by its one rule in the builder table below.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function`, `Method` and the interpreter's own values, which only the
interpreter can call, and every attribute is looked up in the allowlist for the type it is
read from. Where torch takes a callable it gets a wrapper that re-enters the interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import resource
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from torch.nn.modules.module import register_module_forward_pre_hook

from gradexplain.language import (
    attributes,
    calls,
    classes,
    control,
    expressions,
    functions,
    statements,
)
from gradexplain.language.budget import Budget
from gradexplain.language.checker import Program
from gradexplain.language.classify import statement_error
from gradexplain.language.compiler import (
    GUARDED,
    SIGNALS,
    Builder,
    Builders,
    Compiler,
    State,
    statement_context,
)
from gradexplain.language.protocol import BackwardRequest, Hooks, StatementContext
from gradexplain.limits import Limits

__all__ = ["BUILDERS", "BackwardRequest", "Hooks", "Interpreter", "StatementContext"]
# Python frames a run may use. Python 3.11 counts frames, not the C stack beneath them, so the
# count must be one the C stack holds however each frame was entered. Measured with the 8 MiB
# stack a worker's main thread has: a recursion that re-enters C at every frame (an
# nn.Sequential holding itself, through Module.__call__) overflowed it past about 18,500
# frames (some 450 bytes each), a module's own forward calling itself past 46,000, comparing
# two deep lists past 47,000. So the room is one frame per KiB of stack (8,192 for 8 MiB),
# more than twice what the worst case needs. A user function takes 6 to 15 frames per call,
# so --max-call-depth (200) stops a recursion at about 3,000 frames, long before; past the
# room, Python's RecursionError is reported as limit_exceeded too (classify.py).
FRAME_BYTES = 1024
DEFAULT_STACK = 8 * 2**20  # an unlimited main-thread stack is still read as this much
THREAD_STACK = 2 * 2**20  # glibc's thread stack when the stack rlimit is unlimited
MIN_ROOM, MAX_ROOM = 1_000, 20_000

Node = TypeVar("Node", bound=ast.AST)


def rule(kind: type[Node], build: Callable[[Compiler, Node], Callable[[State], object]]
         ) -> tuple[type[ast.AST], Builder]:
    """One row of the builder table: the node kind and its rule. (The table finds a rule by
    the node's exact type, so the rule is only ever given that kind of node.)"""
    return kind, cast("Builder", build)


# Every node kind the checker admits, and its one rule.
BUILDERS: Builders = dict([
    # expressions
    rule(ast.Constant, expressions.constant),
    rule(ast.Name, expressions.name),
    rule(ast.BinOp, expressions.binary),
    rule(ast.UnaryOp, expressions.unary),
    rule(ast.BoolOp, expressions.boolean),
    rule(ast.Compare, expressions.compare),
    rule(ast.IfExp, expressions.if_expression),
    rule(ast.List, expressions.list_display),
    rule(ast.Tuple, expressions.tuple_display),
    rule(ast.Set, expressions.set_display),
    rule(ast.Dict, expressions.dict_display),
    rule(ast.Slice, expressions.slice_expression),
    rule(ast.JoinedStr, expressions.fstring),
    rule(ast.Attribute, attributes.attribute),
    rule(ast.Subscript, attributes.subscript),
    rule(ast.Call, calls.call),
    rule(ast.Lambda, functions.define_lambda),
    rule(ast.ListComp, control.comprehension),
    rule(ast.SetComp, control.comprehension),
    rule(ast.GeneratorExp, control.comprehension),
    rule(ast.DictComp, control.comprehension),
    rule(ast.Yield, functions.yield_expression),
    rule(ast.YieldFrom, functions.yield_expression),
    # statements
    rule(ast.Expr, statements.expression_statement),
    rule(ast.Assign, statements.assign),
    rule(ast.AugAssign, statements.augmented),
    rule(ast.AnnAssign, statements.annotated),
    rule(ast.Delete, statements.delete),
    rule(ast.Import, statements.import_names),
    rule(ast.ImportFrom, statements.import_from),
    rule(ast.Pass, statements.pass_statement),
    rule(ast.If, control.if_statement),
    rule(ast.For, control.for_statement),
    rule(ast.While, control.while_statement),
    rule(ast.Break, control.break_statement),
    rule(ast.Continue, control.continue_statement),
    rule(ast.Return, control.return_statement),
    rule(ast.With, control.with_statement),
    rule(ast.Try, control.try_statement),
    rule(ast.Raise, control.raise_statement),
    rule(ast.Assert, control.assert_statement),
    rule(ast.FunctionDef, functions.define_function),
    rule(ast.ClassDef, classes.define_class),
])


def recursion_room() -> int:
    """The recursion limit a run gets: one frame per FRAME_BYTES of this thread's stack."""
    stack = DEFAULT_STACK
    with contextlib.suppress(ValueError, OSError):
        soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
        unlimited = soft == resource.RLIM_INFINITY or soft <= 0
        if threading.current_thread() is threading.main_thread():
            stack = DEFAULT_STACK if unlimited else soft
        else:
            stack = threading.stack_size() or (THREAD_STACK if unlimited else soft)
    return max(MIN_ROOM, min(MAX_ROOM, stack // FRAME_BYTES))


class Interpreter(State):
    """Runs checked programs. `env` holds the user's names; it persists across programs.
    `budget` is the run's time and memory budget (app/supervisor.py makes one per process); without
    one, the run has a plain budget of its own (memory only: no deadline, no status page)."""

    def __init__(self, limits: Limits, hooks: Hooks, budget: Budget | None = None) -> None:
        super().__init__(limits, hooks, budget if budget is not None else Budget())

    def run(self, program: Program) -> None:
        """Run every statement; raises GradexplainError (located) on the first error."""
        compiler = Compiler(program, BUILDERS)
        with self._running(program):
            for stmt in program.tree.body:
                compiler.statement(stmt)(self)

    def evaluate(self, program: Program) -> object:
        """Evaluate a one-expression program (from `parse_expression`) and return its value.
        (Not a statement: it is not counted, but its errors are located and classified.)"""
        stmt = program.tree.body[0]
        assert isinstance(stmt, ast.Expr)
        value_of = program.expression
        if value_of is None:
            value_of = program.expression = Compiler(program, BUILDERS).expr(stmt.value)
        with self._running(program):
            context = self.context = statement_context(program, stmt)
            self.operation = None
            try:
                return value_of(self)
            except SIGNALS:
                raise
            except GUARDED as exc:
                # statement_error() sets the cause
                raise statement_error(exc, context, self.operation, program.source.segment,  # noqa: B904
                                      self.limits)

    def call_back(self, callee: object, args: list[object], kwargs: dict[str, object]
                  ) -> object:
        """Torch calling back (no call site: nothing to locate or report)."""
        return calls.call_value(self, callee, args, kwargs, None)

    @contextmanager
    def _running(self, program: Program) -> Iterator[None]:
        previous = self.program
        self.program = program
        room = sys.getrecursionlimit()
        sys.setrecursionlimit(recursion_room())
        sizing = register_module_forward_pre_hook(calls.size_layer_call(self))
        try:
            with warnings.catch_warnings():
                # PyTorch warns when a non-leaf's .grad is read; gradexplain explains it instead.
                warnings.simplefilter("ignore")
                yield
        finally:
            sizing.remove()
            sys.setrecursionlimit(room)
            self.program = previous
