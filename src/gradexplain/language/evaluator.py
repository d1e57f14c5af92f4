"""The interpreter: runs checked statements against real PyTorch, one AST node at a time.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function`, `Method` and the interpreter's own objects, which only the
interpreter can call, and every attribute is looked up in the allowlist for the type it is
read from. Where torch takes a callable it gets a wrapper that re-enters the interpreter."""
from __future__ import annotations

import ast
import difflib
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import budget, display, guards
from gradexplain.language.attributes import Attributes
from gradexplain.language.autograd_ext import AutogradExtras
from gradexplain.language.calls import Calls
from gradexplain.language.checker import Program
from gradexplain.language.classes import Classes
from gradexplain.language.classify import (
    CodeTypeError,
    CodeValueError,
    Operation,
    OperationContext,
)
from gradexplain.language.compiled import GUARDED, compiled, failure, statement_context
from gradexplain.language.control import ControlFlow
from gradexplain.language.core import Core
from gradexplain.language.functions import Functions
from gradexplain.language.imports import run_import
from gradexplain.language.objects import Builtin, ExceptionType, Scope
from gradexplain.language.protocol import (
    HEARD_VALUES,
    BackwardCalls,
    BackwardRequest,
    Hooks,
    StatementContext,
)
from gradexplain.language.values import (
    BINARY_OPERATORS,
    COMPARISONS,
    FUNCTIONAL,
    INPLACE_NAMES,
    INPLACE_OPERATORS,
    OPERATOR_FUNCTIONS,
    TORCH,
    UNARY_OPERATORS,
)
from gradexplain.limits import Limits

__all__ = ["BackwardRequest", "Hooks", "Interpreter", "StatementContext"]
# Python frames one interpreted call may use; the call-depth limit keeps well inside this.
RECURSION_ROOM = 20_000


_ARITHMETIC = frozenset({"add", "sub", "mul", "div"})


class Interpreter(ControlFlow, Functions, Classes, Attributes, Calls, AutogradExtras,
                  BackwardCalls, Core):
    """Runs checked programs. `env` holds the user's names; it persists across programs."""

    def __init__(self, limits: Limits, hooks: Hooks) -> None:
        self.limits = limits
        self.hooks = hooks
        self.env: dict[str, Any] = {}
        self.executed = 0
        self.scope: Scope | None = None
        self.call_depth = 0
        self.loop_iterations = 0
        self.handling: list[GradexplainError] = []
        self._program: Program | None = None
        self._context: StatementContext | None = None
        self._operation: Operation = None
        # Every operand of every statement is evaluated here: the common node types are
        # dispatched by one dict lookup instead of the isinstance chain in `_expr`.
        self._dispatch: dict[type, Callable[[Any], Any]] = {
            ast.Constant: lambda node: node.value,
            ast.Name: lambda node: self.lookup(node.id, node),
            ast.BinOp: self._binary,
            ast.Attribute: lambda node: self.read_attribute(self._expr(node.value), node.attr,
                                                            node),
            ast.Call: self.call,
        }

    # programs and statements ----------------------------------------------------------------

    def run(self, program: Program) -> None:
        """Run every statement; raises GradexplainError (located) on the first error."""
        with self._running(program):
            for stmt in program.tree.body:
                self._statement(stmt)

    def evaluate(self, program: Program) -> Any:
        """Evaluate a one-expression program (from `parse_expression`) and return its value."""
        with self._running(program):
            stmt = program.tree.body[0]
            assert isinstance(stmt, ast.Expr)
            self._context = statement_context(program, stmt)
            return self._guarded(self._expr, stmt.value)

    @contextmanager
    def _running(self, program: Program) -> Iterator[None]:
        previous = self._program
        self._program = program
        budget.WATCH.ran_operations = True  # see budget.parent_ran_operations
        room = sys.getrecursionlimit()
        sys.setrecursionlimit(max(room, RECURSION_ROOM))
        try:
            with warnings.catch_warnings():
                # PyTorch warns when a non-leaf's .grad is read; gradexplain explains it instead.
                warnings.simplefilter("ignore")
                yield
        finally:
            sys.setrecursionlimit(room)
            self._program = previous

    def _statement(self, stmt: ast.stmt) -> None:
        """Run one statement: its closure (compiled.py) counts it against the budgets and
        locates and classifies any error it raises."""
        program = self._program
        assert program is not None
        run = program.compiled.get(id(stmt)) or compiled(program, stmt)
        run(self)

    def run_body(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self._statement(stmt)

    def _guarded(self, action: Callable[[Any], Any], node: ast.AST) -> Any:
        """Run `action(node)`, turning any PyTorch or Python error into a located, classified
        one (see compiled.failure)."""
        context = self._context
        assert context is not None
        self._operation = None
        try:
            return action(node)
        except GUARDED as exc:
            raise failure(self, exc, context)  # noqa: B904 (failure() sets the cause)

    def _execute(self, stmt: ast.stmt) -> None:
        kind = type(stmt)  # a loop's usual statements first, by exact type
        if kind is ast.Expr:
            self._expression_statement(stmt)  # type: ignore[arg-type]
        elif kind is ast.With:
            self.control(stmt)
        elif isinstance(stmt, ast.Assign):
            value = self._expr(stmt.value)
            for target in stmt.targets:
                self._assign(target, value, stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self._augmented(stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self._assign(stmt.target, self._expr(stmt.value), stmt.value)
        elif isinstance(stmt, ast.Expr):
            self._expression_statement(stmt)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            run_import(self, stmt)
        elif isinstance(stmt, ast.FunctionDef):
            self.define_function(stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.define_class(stmt)
        elif not isinstance(stmt, ast.Pass):
            self.control(stmt)  # if, for, while, with, try, ...

    # names ----------------------------------------------------------------------------------

    def bind(self, name: str, value: Any) -> None:
        if self.scope is not None:
            self.scope.names[name] = value
            return
        self.env[name] = value
        if isinstance(value, HEARD_VALUES):
            self.hooks.assigned(name, value)

    def lookup(self, name: str, node: ast.expr | None) -> Any:
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
        known = sorted(self.env)
        close = difflib.get_close_matches(name, known, n=1) or \
            [k for k in known if k.lower() == name.lower()][:1] or \
            difflib.get_close_matches(name, sorted(allow.BUILTINS), n=1, cutoff=0.8)
        raise GradexplainError(
            "unknown_name", f"name '{name}' is not defined",
            self._location(node) if node is not None else None,
            hint=f"did you mean '{close[0]}'?" if close else
            "assign it first, or declare it under tensors:",
            facts={"name": name, "suggestion": close[0] if close else None, "known": known},
        )

    def _assign(self, target: ast.expr, value: Any, source: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value, source)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(target, self._expr(target.value), value)
        elif isinstance(target, ast.Subscript):
            self.set_item(target, self._expr(target.value), self._expr(target.slice), value)
        else:
            raise not_allowed("only names, attributes and items can be assigned to",
                              self._location(target))

    def _unpack(self, target: ast.Tuple | ast.List, value: Any, source: ast.expr | None) -> None:
        values = list(self.iterate(value, target))
        starred = [i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
        count = len(target.elts)
        if starred:
            index = starred[0]
            after = count - index - 1
            if len(values) < count - 1:
                raise CodeValueError(f"not enough values to unpack (expected at least "
                                 f"{count - 1}, got {len(values)})")
            middle = values[index:len(values) - after]
            values = [*values[:index], middle, *values[len(values) - after:]]
        elif len(values) > count:
            raise CodeValueError(f"too many values to unpack (expected {count})")
        elif len(values) < count:
            raise CodeValueError(f"not enough values to unpack (expected {count}, got "
                             f"{len(values)})")
        for element, item in zip(target.elts, values, strict=True):
            inner = element.value if isinstance(element, ast.Starred) else element
            self._assign(inner, item, source)

    def _augmented(self, stmt: ast.AugAssign) -> None:
        target = stmt.target
        owner: Any = None
        index: Any = None
        if isinstance(target, ast.Name):
            current = self.lookup(target.id, target)
        elif isinstance(target, ast.Attribute):
            owner = self._expr(target.value)
            current = self.read_attribute(owner, target.attr, target)
        else:
            assert isinstance(target, ast.Subscript)
            owner = self._expr(target.value)
            index = self._expr(target.slice)
            current = self.get_item(owner, index, target)
        value = self._expr(stmt.value)
        op_type = type(stmt.op)
        symbol = INPLACE_NAMES.get(op_type, "?=")
        if isinstance(current, torch.Tensor):
            # Python's `x += y` on a tensor is PyTorch's in-place add_: same errors, same graph.
            # (Its operands keep their shapes: the result has the target's shape.)
            self._operation = OperationContext.lazy(symbol, [current, value],
                                                    [target, stmt.value], self._segment)
            guards.check_binary(OPERATOR_FUNCTIONS.get(BINARY_OPERATORS[op_type][0], "add")
                                + "_", current, value, self.limits, self._location(stmt))
            result = INPLACE_OPERATORS[op_type](current, value)
        else:
            op_name, fn = BINARY_OPERATORS[op_type]
            guards.check_number_op(op_name, current, value, self.limits, self._location(stmt))
            result = fn(current, value)
        if isinstance(target, ast.Name):
            self.bind(target.id, result)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(target, owner, result)
        elif not isinstance(current, torch.Tensor):  # a tensor item was changed in place
            self.set_item(target, owner, index, result)

    def _expression_statement(self, stmt: ast.Expr) -> None:
        node = stmt.value
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return  # a docstring or a comment-like string
        value = self._expr(node)
        if self.scope is not None:
            return  # inside a function: nothing is shown, like Python
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            quiet = name in {"print", "backward", "retain_grad", "grad"} or name.endswith("_")
            if quiet or value is None:
                return
        if not display.showable(value):
            return
        assert self._program is not None and self._context is not None
        self.hooks.shown(self._context, self._program.source.segment(node), value)

    def _location(self, node: ast.AST) -> SourceLocation:
        program = self._program
        assert program is not None
        found: SourceLocation | None = program.locations.get(id(node))
        if found is None:  # located once per node: loops and calls evaluate nodes again
            found = program.locations[id(node)] = program.source.locate(node)
        return found

    def _segment(self, node: ast.AST) -> str:
        assert self._program is not None
        return self._program.source.segment(node)

    # expressions ----------------------------------------------------------------------------

    def _expr(self, node: ast.expr) -> Any:
        kind = type(node)
        if kind is ast.Name and self.scope is None:  # the most common node: a global name
            name = node.id  # type: ignore[attr-defined]
            env = self.env
            return env[name] if name in env else self.lookup(name, node)
        handler = self._dispatch.get(kind)  # the common nodes in one lookup
        if handler is not None:
            return handler(node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id, node)
        if isinstance(node, ast.List):
            return self.sequence(node.elts)
        if isinstance(node, ast.Tuple):
            return tuple(self.sequence(node.elts))
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BoolOp):
            return self._boolean(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            return self._expr(node.body) if self.truth(self._expr(node.test)) else \
                self._expr(node.orelse)
        if isinstance(node, ast.Subscript):
            return self.get_item(self._expr(node.value), self._expr(node.slice), node)
        if isinstance(node, ast.Slice):
            return slice(*(None if p is None else self._expr(p)
                           for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.Attribute):
            return self.read_attribute(self._expr(node.value), node.attr, node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.JoinedStr):
            return display.fstring(node, self._expr)
        if isinstance(node, ast.Lambda):
            return self.make_lambda(node)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, ast.Dict):
            return self._dict(node)
        if isinstance(node, ast.Set):
            return set(self.sequence(node.elts))
        raise not_allowed(f"{type(node).__name__} is not allowed here", self._location(node))

    def sequence(self, elements: list[ast.expr]) -> list[Any]:
        """List and tuple displays, with `*` unpacking of any iterable."""
        items: list[Any] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                items.extend(self.iterate(self._expr(element.value), element))
            else:
                items.append(self._expr(element))
        return items

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                inner = self._expr(value)
                if not isinstance(inner, dict):
                    raise CodeTypeError("'**' needs a dict")
                result.update(inner)
            else:
                result[self._expr(key)] = self._expr(value)
        return result

    def _binary(self, node: ast.BinOp) -> Any:
        left = self._expr(node.left)
        right = self._expr(node.right)
        assert self._program is not None
        info = self._program.operators.get(id(node))
        if info is None:  # worked out once per node: loops evaluate the same nodes again
            op_name, fn = BINARY_OPERATORS[type(node.op)]
            info = self._program.operators[id(node)] = (
                op_name, fn, OPERATOR_FUNCTIONS.get(op_name, op_name),
                "@" if op_name == "matmul" else "broadcast", [node.left, node.right])
        op_name, fn, function, kind, operand_nodes = info
        if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
            operands = [left, right]
            self._operation = OperationContext.lazy(kind, operands, operand_nodes,
                                                    self._segment)
            guards.check_binary(function, left, right, self.limits, self._location(node))
            result = fn(left, right)
            self._after_tensor_op(node, function, operands, operand_nodes, result)
            return result
        guards.check_number_op(op_name, left, right, self.limits, self._location(node))
        return fn(left, right)

    def _unary(self, node: ast.UnaryOp) -> Any:
        value = self._expr(node.operand)
        unary = UNARY_OPERATORS.get(type(node.op))
        return unary(value) if unary is not None else not self.truth(value)

    def _boolean(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for part in node.values:
            result = self._expr(part)
            if isinstance(node.op, ast.And) and not self.truth(result):
                return result
            if isinstance(node.op, ast.Or) and self.truth(result):
                return result
        return result

    def _compare(self, node: ast.Compare) -> Any:
        left = self._expr(node.left)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._expr(comparator)
            if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
                guards.check_call("eq", None, [left, right], {}, self.limits,
                                  self._location(node))
            outcome = COMPARISONS[type(op)](left, right)
            if len(node.ops) == 1:
                return outcome
            if not self.truth(outcome):
                return outcome
            result = outcome
            left = right
        return result

    def _operands(self, values: list[Any], nodes: list[ast.expr]) -> list[tuple[str, list[int]]]:
        return [(self._segment(n), list(v.shape)) for v, n in zip(values, nodes, strict=False)
                if isinstance(v, torch.Tensor)]

    def _after_tensor_op(self, node: ast.expr, name: str, operands: list[Any],
                         operand_nodes: list[ast.expr], result: Any) -> None:
        """Report new leaves (for the ledger) and broadcasting (for the broadcast_sum note)."""
        if not isinstance(result, torch.Tensor):
            return
        if result.requires_grad:
            if result.is_leaf:
                self.hooks.new_tensor(result, self._segment(node))
        else:
            self.hooks.made_without_grad(name, operands, result)
        if name not in guards.BROADCASTING and name not in _ARITHMETIC:
            return
        numel = result.numel()
        assert self._context is not None
        for value, value_node in zip(operands, operand_nodes, strict=False):
            if isinstance(value, torch.Tensor) and value.requires_grad and \
                    value.numel() < numel:
                self.hooks.broadcast(self._context, value, self.label_of(value, value_node),
                                     list(result.shape), self._segment(node), result)

    def _note_new_tensor(self, value: Any, node: ast.AST) -> None:
        if isinstance(value, torch.Tensor) and value.is_leaf and value.requires_grad:
            self.hooks.new_tensor(value, self._segment(node))
