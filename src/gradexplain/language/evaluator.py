"""The interpreter: runs checked statements against real PyTorch, one AST node at a time.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function` and `Method` wrappers that only the interpreter can call,
and every attribute is looked up in the allowlist for the type it is read from.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards
from gradexplain.language.checker import Program, dotted_name
from gradexplain.language.classify import OperationContext, classify
from gradexplain.limits import Limits, check, exceeded

BINARY_OPERATORS: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("add", operator.add),
    ast.Sub: ("sub", operator.sub),
    ast.Mult: ("mult", operator.mul),
    ast.Div: ("div", operator.truediv),
    ast.FloorDiv: ("floordiv", operator.floordiv),
    ast.Mod: ("mod", operator.mod),
    ast.Pow: ("pow", operator.pow),
    ast.MatMult: ("matmul", operator.matmul),
    ast.BitAnd: ("and", operator.and_),
    ast.BitOr: ("or", operator.or_),
    ast.BitXor: ("xor", operator.xor),
    ast.LShift: ("lshift", operator.lshift),
    ast.RShift: ("rshift", operator.rshift),
}
INPLACE_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.iadd,
    ast.Sub: operator.isub,
    ast.Mult: operator.imul,
    ast.Div: operator.itruediv,
    ast.FloorDiv: operator.ifloordiv,
    ast.Mod: operator.imod,
    ast.Pow: operator.ipow,
    ast.MatMult: operator.imatmul,
    ast.BitAnd: operator.iand,
    ast.BitOr: operator.ior,
    ast.BitXor: operator.ixor,
}
INPLACE_NAMES = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=",
                 ast.FloorDiv: "//=", ast.Mod: "%=", ast.Pow: "**=", ast.MatMult: "@=",
                 ast.BitAnd: "&=", ast.BitOr: "|=", ast.BitXor: "^="}
COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
    ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
# Operator name -> the torch function whose broadcasting/matmul rule governs it.
OPERATOR_FUNCTIONS = {"add": "add", "sub": "sub", "mult": "mul", "div": "div",
                      "floordiv": "div", "mod": "remainder", "pow": "pow", "matmul": "matmul"}
SAFE_RESULT_TYPES = (torch.Tensor, int, float, bool, complex, type(None), torch.Size,
                     torch.dtype, torch.device, list, tuple, str)


@dataclass(frozen=True)
class Namespace:
    """`torch`, `torch.autograd`, `torch.nn`, `torch.nn.functional` as seen by user code."""

    path: str


@dataclass(frozen=True)
class Function:
    """An allowlisted torch function; `path` is its full dotted name."""

    path: str
    fn: Callable[..., Any] = field(compare=False)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Method:
    """A method looked up on a value (`x.backward`), callable only by the interpreter."""

    target: Any = field(compare=False)
    name: str
    target_label: str


@dataclass(frozen=True)
class StatementContext:
    """The statement being run, for hooks and error locations."""

    step: int | None
    line: int | None
    statement: str
    location: SourceLocation


@dataclass
class BackwardRequest:
    """A backward call as the user wrote it; the recorder performs it."""

    function: str  # "backward" | "torch.autograd.backward" | "torch.autograd.grad"
    outputs: list[tuple[torch.Tensor, str]]
    gradients: list[Any] | None
    retain_graph: bool | None
    create_graph: bool
    context: StatementContext
    inputs: list[tuple[torch.Tensor, str]] | None = None
    allow_unused: bool | None = None


class Hooks(Protocol):
    """What the interpreter reports to the recorder while it runs."""

    def backward(self, request: BackwardRequest) -> Any: ...
    def printed(self, context: StatementContext, text: str) -> None: ...
    def shown(self, context: StatementContext, expression: str, value: Any) -> None: ...
    def read_grad(self, context: StatementContext, tensor: torch.Tensor, label: str) -> None: ...
    def new_tensor(self, tensor: torch.Tensor, label: str) -> None: ...
    def assigned(self, name: str, value: Any) -> None: ...
    def retained(self, tensor: torch.Tensor, label: str) -> None: ...
    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str) -> None: ...


class Interpreter:
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
        text = program.source.segment(stmt).splitlines()[0] if program.source.segment(stmt) \
            else ""
        return StatementContext(program.step_of(stmt), location.line, text, location)

    def _statement(self, stmt: ast.stmt) -> None:
        self.executed += 1
        context = self._make_context(stmt)
        if self.executed > self.limits.max_executed:
            raise exceeded("max_executed", self.executed, self.limits.max_executed,
                           context.location)
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
            error = classify(exc, self._operation)
            if isinstance(exc, AssertionError) and error.kind != "device_unavailable":
                raise  # an assertion that is not torch's "no such device" is a bug of ours
            error.location = context.location
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
            raise ValueError(f"cannot unpack {count} into {len(target.elts)} names")
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
            raise TypeError("range() takes 1 to 3 integers")
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
        raise TypeError(f"{type(value).__name__} cannot be indexed")

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
            raise AttributeError(
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
        raise TypeError(f"'{self._segment(func)}' is not callable")

    def _arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]]:
        args = [self._expr(a) for a in node.args]
        kwargs = {k.arg: self._expr(k.value) for k in node.keywords if k.arg is not None}
        return args, kwargs

    def _builtin(self, name: str, node: ast.Call) -> Any:
        args, kwargs = self._arguments(node)
        if name == "len":
            if len(args) != 1 or kwargs:
                raise TypeError("len() takes exactly one argument")
            return len(args[0])
        if name == "print":
            sep = kwargs.pop("sep", " ")
            end = kwargs.pop("end", "")
            if kwargs:
                raise TypeError(f"print() got unexpected keyword {sorted(kwargs)[0]!r}")
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
            gradient = kwargs.pop("gradient", args[0] if args else None)
            retain = kwargs.pop("retain_graph", args[1] if len(args) > 1 else None)
            create = bool(kwargs.pop("create_graph", args[2] if len(args) > 2 else False))
            inputs = kwargs.pop("inputs", None)
            if kwargs:
                raise TypeError(f"backward() got an unexpected keyword {sorted(kwargs)[0]!r}")
            return self._request("backward", [(target, method.target_label)],
                                 None if gradient is None else [gradient], retain, create,
                                 self._labelled(inputs, None))
        operands = [target, *args]
        self._operation = OperationContext(
            name, self._operands(operands, [node.func.value, *node.args]))
        guards.check_call(name, target, args, kwargs, self.limits, self._location(node), name)
        result = getattr(target, name)(*args, **kwargs)
        if name == "retain_grad":
            self.hooks.retained(target, method.target_label)
        self._after_tensor_op(node, name, operands, [node.func.value, *node.args], result)
        return _checked_result(result)

    def _autograd(self, path: str, args: list[Any], kwargs: dict[str, Any],
                  node: ast.Call) -> Any:
        names = ["tensors", "grad_tensors", "retain_graph", "create_graph", "grad_variables",
                 "inputs"]
        if path.endswith("grad"):
            names = ["outputs", "inputs", "grad_outputs", "retain_graph", "create_graph",
                     "only_inputs", "allow_unused"]
        bound = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{path}() got an unexpected keyword {key!r}")
            bound[key] = value
        first = node.args[0] if node.args else None
        outputs = self._labelled(bound.get(names[0]), first)
        if outputs is None:
            raise TypeError(f"{path}() needs the output tensor(s) first")
        gradients = bound.get(names[1] if path.endswith("backward") else "grad_outputs")
        gradient_list = None if gradients is None else (
            list(gradients) if isinstance(gradients, (list, tuple)) else [gradients])
        inputs_node = node.args[1] if path.endswith("grad") and len(node.args) > 1 else None
        inputs = self._labelled(bound.get("inputs"), inputs_node)
        return self._request(path, outputs, gradient_list, bound.get("retain_graph"),
                             bool(bound.get("create_graph", False)), inputs,
                             bound.get("allow_unused"))

    def _request(self, function: str, outputs: list[tuple[torch.Tensor, str]],
                 gradients: list[Any] | None, retain: Any, create: bool,
                 inputs: list[tuple[torch.Tensor, str]] | None,
                 allow_unused: Any = None) -> Any:
        assert self._context is not None
        self._operation = OperationContext(function, [(label, list(t.shape))
                                                      for t, label in outputs])
        request = BackwardRequest(function, outputs, gradients,
                                  None if retain is None else bool(retain), create,
                                  self._context, inputs,
                                  None if allow_unused is None else bool(allow_unused))
        return self.hooks.backward(request)

    def _labelled(self, value: Any, node: ast.expr | None) -> list[tuple[torch.Tensor, str]] | \
            None:
        """Tensors with the labels users know them by: their names, else their code."""
        if value is None:
            return None
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        nodes: list[ast.expr | None] = [None] * len(items)
        if node is not None:
            nodes = list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else [node]
        result = []
        for item, item_node in zip(items, nodes + [None] * len(items), strict=False):
            if not isinstance(item, torch.Tensor):
                raise TypeError(f"expected a tensor, got {type(item).__name__}")
            result.append((item, self.label_of(item, item_node)))
        return result

    def label_of(self, tensor: torch.Tensor, node: ast.AST | None = None) -> str:
        for name, value in self.env.items():
            if value is tensor:
                return name
        return self._segment(node) if node is not None else "<tensor>"

    def _operands(self, values: list[Any], nodes: list[ast.expr]) -> list[tuple[str, list[int]]]:
        return [(self._segment(n), list(v.shape)) for v, n in zip(values, nodes, strict=False)
                if isinstance(v, torch.Tensor)]

    def _after_tensor_op(self, node: ast.expr, name: str, operands: list[Any],
                         operand_nodes: list[ast.expr], result: Any) -> None:
        """Report new leaves (for the ledger) and broadcasting (for the broadcast_sum note)."""
        if not isinstance(result, torch.Tensor):
            return
        self._note_new_tensor(result, node)
        if name not in guards.BROADCASTING and name not in {"add", "sub", "mul", "div"}:
            return
        numel = result.numel()
        assert self._context is not None
        for value, value_node in zip(operands, operand_nodes, strict=False):
            if isinstance(value, torch.Tensor) and value.requires_grad and \
                    value.numel() < numel:
                self.hooks.broadcast(self._context, value, self.label_of(value, value_node),
                                     list(result.shape), self._segment(node))

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


def _static_cost(body: list[ast.stmt]) -> int:
    """A lower bound on statements a block executes, multiplying constant nested ranges."""
    total = 0
    for stmt in body:
        total += 1
        if isinstance(stmt, ast.For):
            inner = _static_cost(stmt.body)
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
            total += _static_cost(stmt.body)
    return total


def _resolve(path: str) -> Any:
    """The real object behind an allowlisted dotted path (the interpreter's eyes only)."""
    obj: Any = torch
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _checked_result(result: Any) -> Any:
    """Results stay within the types user code may hold (tensors, numbers, shapes...)."""
    if isinstance(result, SAFE_RESULT_TYPES) or display._is_node(result):
        return result
    raise not_allowed(f"a value of type {type(result).__name__} cannot be used here")
