"""The interpreter: runs checked statements against real PyTorch, one AST node at a time.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function` and `Method` wrappers that only the interpreter can call,
and every attribute is looked up in the allowlist for the type it is read from.
"""
from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import budget, display, guards
from gradexplain.language.checker import Program, dotted_name
from gradexplain.language.classify import (
    CodeAttributeError,
    CodeTypeError,
    CodeValueError,
    OperationContext,
    classify,
)
from gradexplain.language.protocol import BackwardCalls, BackwardRequest, Hooks, StatementContext
from gradexplain.language.values import (
    BINARY_OPERATORS,
    COMPARISONS,
    INPLACE_NAMES,
    INPLACE_OPERATORS,
    OPERATOR_FUNCTIONS,
    Function,
    Method,
    Namespace,
    _checked_result,
    _resolve,
    _static_cost,
)
from gradexplain.limits import Limits, check, exceeded, out_of_memory

__all__ = ["BackwardRequest", "Hooks", "Interpreter", "StatementContext"]


class Interpreter(BackwardCalls):
    """Runs checked programs. `env` holds the user's names; it persists across programs."""

    def __init__(self, limits: Limits, hooks: Hooks) -> None:
        self.limits = limits
        self.hooks = hooks
        self.env: dict[str, Any] = {}
        self.executed = 0
        self._program: Program | None = None
        self._context: StatementContext | None = None

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
            self._context = self._make_context(stmt)
            return self._guarded(lambda: self._expr(stmt.value), stmt)

    @contextmanager
    def _running(self, program: Program) -> Iterator[None]:
        previous = self._program
        self._program = program
        try:
            with warnings.catch_warnings():
                # PyTorch warns when a non-leaf's .grad is read; gradexplain explains it instead.
                warnings.simplefilter("ignore")
                yield
        finally:
            self._program = previous

    def _make_context(self, stmt: ast.stmt) -> StatementContext:
        program = self._program
        assert program is not None
        location = program.source.locate(stmt)
        segment = program.source.segment(stmt)  # once per statement: this is the hot path
        text = segment.splitlines()[0] if segment else ""
        return StatementContext(program.step_of(stmt), location.line, text, location)

    def _statement(self, stmt: ast.stmt) -> None:
        self.executed += 1
        context = self._make_context(stmt)
        if self.executed > self.limits.max_executed:
            raise exceeded("max_executed", self.executed, self.limits.max_executed,
                           context.location)
        budget.check_memory(self.limits, context.location)  # tensors, graphs, the ledger
        self._context = context
        self._guarded(lambda: self._execute(stmt), stmt)

    def _guarded(self, action: Callable[[], Any], stmt: ast.stmt) -> Any:
        """Run `action`, turning any PyTorch or Python error into a located, classified one."""
        context = self._context
        assert context is not None
        self._operation: OperationContext | None = None
        try:
            return action()
        except GradexplainError as err:
            if err.location is None:
                err.location = context.location
            err.facts.setdefault("step", context.step)
            err.facts.setdefault("statement", context.statement)
            raise
        except (RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError,
                OverflowError, NotImplementedError, AttributeError, AssertionError) as exc:
            error = classify(exc, self._operation, self.limits)
            if isinstance(exc, AssertionError) and error.kind != "device_unavailable":
                raise  # an assertion that is not torch's "no such device" is a bug of ours
            error.location = context.location
            error.facts.setdefault("step", context.step)
            error.facts.setdefault("statement", context.statement)
            raise error from exc
        except MemoryError as exc:  # the worker's address-space cap, or the machine's
            error = out_of_memory(self.limits.max_memory, context.location)
            error.facts.setdefault("step", context.step)
            error.facts.setdefault("statement", context.statement)
            raise error from exc

    def _execute(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self._expr(stmt.value)
            for target in stmt.targets:
                self._assign(target, value, stmt.value)
        elif isinstance(stmt, ast.AugAssign):
            self._augmented(stmt)
        elif isinstance(stmt, ast.Expr):
            self._expression_statement(stmt)
        elif isinstance(stmt, ast.For):
            self._for(stmt)
        elif isinstance(stmt, ast.With):
            self._with(stmt)
        # Import and Pass do nothing: torch and F are always available.

    def _assign(self, target: ast.expr, value: Any, source: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
            self.hooks.assigned(target.id, value)
            return
        assert isinstance(target, ast.Tuple)
        values = list(value) if isinstance(value, (list, tuple, torch.Tensor)) else None
        if values is None or len(values) != len(target.elts):
            count = "a value that cannot be unpacked" if values is None else \
                f"{len(values)} values"
            raise CodeValueError(f"cannot unpack {count} into {len(target.elts)} names")
        for element, item in zip(target.elts, values, strict=True):
            self._assign(element, item, source)

    def _augmented(self, stmt: ast.AugAssign) -> None:
        assert isinstance(stmt.target, ast.Name)
        name = stmt.target.id
        current = self._name(stmt.target)
        value = self._expr(stmt.value)
        op_type = type(stmt.op)
        symbol = INPLACE_NAMES.get(op_type, "?=")
        if isinstance(current, torch.Tensor):
            # Python's `x += y` on a tensor is PyTorch's in-place add_: same errors, same graph.
            operands = [(name, list(current.shape)), *self._operands([value], [stmt.value])]
            self._operation = OperationContext(symbol, operands)
            guards.check_call(OPERATOR_FUNCTIONS.get(BINARY_OPERATORS[op_type][0], "add") + "_",
                              current, [value], {}, self.limits, self._location(stmt))
            result = INPLACE_OPERATORS[op_type](current, value)
        else:
            op_name, fn = BINARY_OPERATORS[op_type]
            guards.check_number_op(op_name, current, value, self.limits, self._location(stmt))
            result = fn(current, value)
        self.env[name] = result
        self.hooks.assigned(name, result)

    def _expression_statement(self, stmt: ast.Expr) -> None:
        value = self._expr(stmt.value)
        node = stmt.value
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            quiet = name in {"print", "backward", "retain_grad", "grad"} or name.endswith("_")
            if quiet or value is None:
                return
        assert self._program is not None and self._context is not None
        self.hooks.shown(self._context, self._program.source.segment(node), value)

    def _for(self, stmt: ast.For) -> None:
        call = stmt.iter
        assert isinstance(call, ast.Call) and isinstance(stmt.target, ast.Name)
        args = [self._expr(a) for a in call.args]
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in args) or \
                not 1 <= len(args) <= 3 or call.keywords:
            raise CodeTypeError("range() takes 1 to 3 integers")
        numbers = range(*args)
        check("max_loop_iterations", len(numbers), self.limits, self._location(call))
        # Nested loops over constant ranges: refuse at once, not after a million statements.
        check("max_executed", self.executed + len(numbers) * _static_cost(stmt.body),
              self.limits, self._location(call))
        for number in numbers:
            self.env[stmt.target.id] = number
            for inner in stmt.body:
                self._statement(inner)
        assert self._context is not None

    def _with(self, stmt: ast.With) -> None:
        paths = [dotted_name(item.context_expr.func) for item in stmt.items
                 if isinstance(item.context_expr, ast.Call)]
        enabled = paths[-1] == "torch.enable_grad"
        with torch.enable_grad() if enabled else torch.no_grad():
            for inner in stmt.body:
                self._statement(inner)

    def _location(self, node: ast.AST) -> SourceLocation:
        assert self._program is not None
        return self._program.source.locate(node)

    def _segment(self, node: ast.AST) -> str:
        assert self._program is not None
        return self._program.source.segment(node)

    # expressions ----------------------------------------------------------------------------

    def _expr(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.List):
            return [self._expr(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self._expr(e) for e in node.elts)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BoolOp):
            return self._boolean(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            return self._expr(node.body) if self._expr(node.test) else self._expr(node.orelse)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Slice):
            return slice(*(None if p is None else self._expr(p)
                           for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        raise not_allowed(f"{type(node).__name__} is not allowed", self._location(node))

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        if name in self.env:
            return self.env[name]
        if name == "torch":
            return Namespace("torch")
        if name == "F":
            return Namespace("torch.nn.functional")
        if name in allow.BUILTINS:
            return Function(name, print)  # only ever called through _builtin
        known = sorted(self.env)
        import difflib  # noqa: PLC0415 - only on this error path

        close = difflib.get_close_matches(name, known, n=1)
        raise GradexplainError(
            "unknown_name", f"name '{name}' is not defined", self._location(node),
            hint=f"did you mean '{close[0]}'?" if close else
            "assign it first, or declare it under tensors:",
            facts={"name": name, "suggestion": close[0] if close else None, "known": known},
        )

    def _binary(self, node: ast.BinOp) -> Any:
        left = self._expr(node.left)
        right = self._expr(node.right)
        op_name, fn = BINARY_OPERATORS[type(node.op)]
        location = self._location(node)
        if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
            function = OPERATOR_FUNCTIONS.get(op_name, op_name)
            symbol = self._segment(node)
            self._operation = OperationContext(
                "@" if op_name == "matmul" else "broadcast",
                self._operands([left, right], [node.left, node.right]), symbol)
            guards.check_call(function, None, [left, right], {}, self.limits, location)
            result = fn(left, right)
            self._after_tensor_op(node, function, [left, right], [node.left, node.right], result)
            return result
        guards.check_number_op(op_name, left, right, self.limits, location)
        return fn(left, right)

    def _unary(self, node: ast.UnaryOp) -> Any:
        value = self._expr(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        if isinstance(node.op, ast.Invert):
            return ~value
        return not value

    def _boolean(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for part in node.values:
            result = self._expr(part)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
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
            result = result & outcome if isinstance(outcome, torch.Tensor) else \
                (result and outcome)
            left = right
        return result

    def _subscript(self, node: ast.Subscript) -> Any:
        value = self._expr(node.value)
        index = self._expr(node.slice)
        if isinstance(value, torch.Tensor):
            guards.check_index(value, index, self.limits, self._location(node))
            self._operation = OperationContext("index", self._operands([value], [node.value]))
            result = value[index]
            self._note_new_tensor(result, node)
            return result
        if isinstance(value, (list, tuple, torch.Size)):
            return value[index]
        raise CodeTypeError(f"{type(value).__name__} cannot be indexed")

    def _attribute(self, node: ast.Attribute) -> Any:
        target = self._expr(node.value)
        name = node.attr
        if isinstance(target, Namespace):
            return self._namespace_member(target, name, node)
        if isinstance(target, torch.Tensor):
            if name in allow.TENSOR_METHODS:
                return Method(target, name, self._segment(node.value))
            if name in allow.TENSOR_ATTRIBUTES:
                value = getattr(target, name)
                if name == "grad":
                    assert self._context is not None
                    self.hooks.read_grad(self._context, target, self._segment(node.value))
                elif isinstance(value, torch.Tensor):
                    self._note_new_tensor(value, node)
                    self.hooks.derived(name, [target], value)  # `.data`: a detached view
                return value
        elif display._is_node(target):
            if name == "next_functions":
                return target.next_functions
            if name == "name":
                return Method(target, name, self._segment(node.value))
        elif isinstance(target, torch.device) and name in {"type", "index"}:
            return getattr(target, name)
        elif isinstance(target, torch.dtype) and name == "is_floating_point":
            return target.is_floating_point
        elif isinstance(target, tuple) and name in {"values", "indices"} and \
                hasattr(target, name):
            return getattr(target, name)
        kind = "None" if target is None else type(target).__name__
        if target is None:
            raise CodeAttributeError(
                f"'{self._segment(node.value)}' is None, so it has no attribute '{name}'")
        raise not_allowed(f"attribute '{name}' is not available on a {kind}",
                          self._location(node), what=f"attribute '{name}' on {kind}")

    def _namespace_member(self, namespace: Namespace, name: str, node: ast.AST) -> Any:
        path = f"{namespace.path}.{name}"
        if path in allow.TORCH_NAMESPACES:
            return Namespace(path)
        if path in allow.TORCH_PATHS:
            member = _resolve(path)
            if isinstance(member, torch.dtype):
                return member
            return Function(path, member)
        reason = allow.why_dangerous(name)
        message = f"'{path}' is not allowed"
        message += f": {reason}" if reason else " (it is not on the allowlist)"
        raise not_allowed(message, self._location(node), what=path)

    # calls ----------------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format" and \
                isinstance(func.value, ast.Constant):
            args, kwargs = self._arguments(node)
            return display.format_text(str(func.value.value), args, kwargs)
        callee = self._expr(func)
        if isinstance(callee, Function) and callee.path in allow.BUILTINS:
            return self._builtin(callee.path, node)
        args, kwargs = self._arguments(node)
        if isinstance(callee, Method):
            return self._call_method(callee, args, kwargs, node)
        if isinstance(callee, Function):
            return self._call_function(callee, args, kwargs, node)
        raise CodeTypeError(f"'{self._segment(func)}' is not callable")

    def _arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]]:
        args = [self._expr(a) for a in node.args]
        kwargs = {k.arg: self._expr(k.value) for k in node.keywords if k.arg is not None}
        return args, kwargs

    def _builtin(self, name: str, node: ast.Call) -> Any:
        args, kwargs = self._arguments(node)
        if name == "len":
            if len(args) != 1 or kwargs:
                raise CodeTypeError("len() takes exactly one argument")
            return len(args[0])
        if name == "print":
            sep = kwargs.pop("sep", " ")
            end = kwargs.pop("end", "")
            if kwargs:
                raise CodeTypeError(f"print() got unexpected keyword {sorted(kwargs)[0]!r}")
            text = str(sep).join(display.show(a) for a in args) + str(end).rstrip("\n")
            assert self._context is not None
            self.hooks.printed(self._context, text)
            return None
        raise not_allowed(f"'{name}' can only be used in a for loop", self._location(node))

    def _call_function(self, callee: Function, args: list[Any], kwargs: dict[str, Any],
                       node: ast.Call) -> Any:
        if callee.path in {"torch.autograd.backward", "torch.autograd.grad"}:
            return self._autograd(callee.path, args, kwargs, node)
        if callee.path in {"torch.no_grad", "torch.enable_grad"}:
            raise not_allowed(f"{callee.path}() is only allowed as `with {callee.path}():`",
                              self._location(node))
        name = callee.name
        self._operation = OperationContext(name, self._operands(args, node.args))
        guards.check_call(name, None, args, kwargs, self.limits, self._location(node),
                          callee.fn)
        result = callee.fn(*args, **kwargs)
        self._after_tensor_op(node, name, args, node.args, result)
        return _checked_result(result)

    def _call_method(self, method: Method, args: list[Any], kwargs: dict[str, Any],
                     node: ast.Call) -> Any:
        target, name = method.target, method.name
        if not isinstance(target, torch.Tensor):  # grad_fn.name()
            return target.name()
        assert isinstance(node.func, ast.Attribute)
        if name == "backward":
            return self._backward_method(target, method.target_label, args, kwargs)
        operands = [target, *args]
        self._operation = OperationContext(
            name, self._operands(operands, [node.func.value, *node.args]))
        guards.check_call(name, target, args, kwargs, self.limits, self._location(node), name)
        result = getattr(target, name)(*args, **kwargs)
        if name == "retain_grad":
            self.hooks.retained(target, method.target_label)
        self._after_tensor_op(node, name, operands, [node.func.value, *node.args], result)
        return _checked_result(result)

    def _operands(self, values: list[Any], nodes: list[ast.expr]) -> list[tuple[str, list[int]]]:
        return [(self._segment(n), list(v.shape)) for v, n in zip(values, nodes, strict=False)
                if isinstance(v, torch.Tensor)]

    def _after_tensor_op(self, node: ast.expr, name: str, operands: list[Any],
                         operand_nodes: list[ast.expr], result: Any) -> None:
        """Report new leaves (for the ledger) and broadcasting (for the broadcast_sum note)."""
        if not isinstance(result, torch.Tensor):
            return
        self._note_new_tensor(result, node)
        self.hooks.derived(name, operands, result)
        if name not in guards.BROADCASTING and name not in {"add", "sub", "mul", "div"}:
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

    def _fstring(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                item = display.convert(self._expr(value.value), value.conversion)
                spec = ""
                if isinstance(value.format_spec, ast.JoinedStr):
                    spec = "".join(str(v.value) for v in value.format_spec.values
                                   if isinstance(v, ast.Constant))
                parts.append(display.format_value(item, spec))
        return "".join(parts)

