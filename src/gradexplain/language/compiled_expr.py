"""Expressions compiled once into closures: a loop evaluates the same nodes again and again.

`compile_expr(program, node)` turns an expression node into a Python closure that takes the
interpreter and returns the node's value. What the tree-walker (`Interpreter._expr` and the
mixins it calls) works out on every evaluation, a closure has bound once: the node's kind, its
operator's functions, whether a tensor method is allowlisted, the source text used as a label
and the location used by the limit checks. Nothing is compiled from text: each closure is
plain Python built over the checked AST, and calls the same checks, hooks and allowlists as the
tree-walker, in the same order. Node kinds not specialised here are handed to the tree-walker
itself (`it._expr(node)`), so their meaning cannot drift.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from gradexplain.language import allowlists as allow
from gradexplain.language import budget, guards
from gradexplain.language.autograd_ext import HOOK_METHODS
from gradexplain.language.calls import (
    NEW_TENSOR_METHODS,
    QUIET_RESULTS,
    RESHAPING_IN_PLACE,
    _check_layer_size,
    _ordinary,
    _tensor_operation,
)
from gradexplain.language.classify import OperationContext
from gradexplain.language.values import (
    BINARY_OPERATORS,
    FUNCTIONAL,
    OPERATOR_FUNCTIONS,
    TORCH,
    Function,
    Method,
    Namespace,
    _checked_result,
)
from gradexplain.limits import check

if TYPE_CHECKING:
    from gradexplain.language.checker import Program
    from gradexplain.language.evaluator import Interpreter

Evaluate = Callable[["Interpreter"], Any]
Arguments = Callable[["Interpreter"], tuple[list[Any], dict[str, Any]]]
# (interpreter, operands, result): the hooks `Interpreter._after_tensor_op` calls.
Report = Callable[["Interpreter", list[Any], Any], None]
TensorCall = Callable[["Interpreter", torch.Tensor, list[Any], dict[str, Any]], Any]
FunctionCall = Callable[["Interpreter", Function, list[Any], dict[str, Any]], Any]

Tensor = torch.Tensor
# Operations whose result may be larger than a requires-grad operand: broadcasting reported.
_ARITHMETIC = frozenset({"add", "sub", "mul", "div"})


def compile_expr(program: Program, node: ast.expr) -> Evaluate:
    """The closure that evaluates `node` exactly as `Interpreter._expr(node)` would."""
    kind = type(node)
    if kind is ast.Name:
        return _name(node)  # type: ignore[arg-type]
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        return lambda it: value
    if kind is ast.BinOp:
        return _binary(program, node)  # type: ignore[arg-type]
    if kind is ast.Attribute:
        return _attribute(program, node)  # type: ignore[arg-type]
    if kind is ast.Call:
        return _call(program, node)  # type: ignore[arg-type]
    return lambda it: it._expr(node)  # every other kind: the tree-walker, unchanged


def _name(node: ast.Name) -> Evaluate:
    name = node.id
    # `torch` and `F`, unless bound by the code (Interpreter.lookup's answer, without a call)
    fallback = {"torch": TORCH, "F": FUNCTIONAL}.get(name)

    def evaluate(it: Interpreter) -> Any:
        if it.scope is None:
            env = it.env
            if name in env:
                return env[name]
            if fallback is not None:
                return fallback
        return it.lookup(name, node)

    return evaluate


def reporter(program: Program, node: ast.expr, name: str,
             operand_nodes: list[ast.expr]) -> Report:
    """`Interpreter._after_tensor_op(node, name, ...)` with its per-node facts bound."""
    segment = program.source.segment(node)
    broadcasting = name in guards.BROADCASTING or name in _ARITHMETIC
    broadcasts = _broadcasts(segment, operand_nodes)

    def report(it: Interpreter, operands: list[Any], result: Any) -> None:
        if not isinstance(result, Tensor):
            return
        if result.requires_grad:
            if result.is_leaf:
                it.hooks.new_tensor(result, segment)
        else:
            it.hooks.made_without_grad(name, operands, result)
        if broadcasting:
            broadcasts(it, operands, result)

    return report


def _broadcasts(segment: str, operand_nodes: list[ast.expr]) -> Report:
    """The broadcast hook for each operand that requires grad and has fewer elements than
    the result (the broadcast_sum note), in operand order."""

    def broadcasts(it: Interpreter, operands: list[Any], result: Tensor) -> None:
        numel = -1  # the result's, read once an operand needs it
        for value, value_node in zip(operands, operand_nodes, strict=False):
            if isinstance(value, Tensor) and value.requires_grad:
                if numel < 0:
                    numel = result.numel()
                if value.numel() < numel:
                    context = it._context
                    assert context is not None
                    it.hooks.broadcast(context, value, it.label_of(value, value_node),
                                       list(result.shape), segment, result)

    return broadcasts


_UNBOUND = object()  # a name not bound at the top level: its closure looks it up (and explains)


def _direct(node: ast.expr) -> tuple[str | None, Any]:
    """An operand read without a call: a name (its key in the top-level names) or a constant
    (its value); otherwise (None, _UNBOUND) and the operand's closure evaluates it."""
    if isinstance(node, ast.Name):
        return node.id, _UNBOUND
    if isinstance(node, ast.Constant):
        return None, node.value
    return None, _UNBOUND


def _binary(program: Program, node: ast.BinOp) -> Evaluate:
    """`Interpreter._binary`, its `_after_tensor_op` and `guards.check_binary` written out: a
    loop's arithmetic runs here on every iteration, so this closure calls only what does
    work (the operator, the memory check, a hook that has something to hear)."""
    left_of, right_of = compile_expr(program, node.left), compile_expr(program, node.right)
    left_name, left_constant = _direct(node.left)
    right_name, right_constant = _direct(node.right)
    op_name, fn = BINARY_OPERATORS[type(node.op)]
    function = OPERATOR_FUNCTIONS.get(op_name, op_name)
    kind = "@" if op_name == "matmul" else "broadcast"
    operand_nodes: list[ast.expr] = [node.left, node.right]
    location = program.source.locate(node)
    segment = program.source.segment(node)
    broadcasting = function in guards.BROADCASTING or function in _ARITHMETIC
    broadcasts = _broadcasts(segment, operand_nodes)
    check_number_op, read_memory = guards.check_number_op, budget.read_memory
    allowance = budget.ALLOWANCE
    # The last pair of shapes met here, the size they make, and whether they differ (a loop
    # meets the same ones on every iteration).
    last: list[Any] = [None, None, None, False]

    def evaluate(it: Interpreter) -> Any:
        env = it.env if it.scope is None else None
        if left_constant is not _UNBOUND:
            left = left_constant
        elif left_name is not None and env is not None and left_name in env:
            left = env[left_name]
        else:
            left = left_of(it)
        if right_constant is not _UNBOUND:
            right = right_constant
        elif right_name is not None and env is not None and right_name in env:
            right = env[right_name]
        else:
            right = right_of(it)
        left_tensor, right_tensor = isinstance(left, Tensor), isinstance(right, Tensor)
        if not (left_tensor or right_tensor):
            check_number_op(op_name, left, right, it.limits, location)
            return fn(left, right)
        operands = [left, right]
        it._operation = (kind, operands, operand_nodes)
        # Only two tensors of different shapes can make a result larger than an operand
        # (a tensor and a number make one of the tensor's shape): sized, and the only
        # results a broadcast_sum note can be about.
        shapes_differ = False
        if left_tensor and right_tensor:
            left_shape, right_shape = left.shape, right.shape
            if left_shape == last[0] and right_shape == last[1]:
                numel, shapes_differ = last[2], last[3]
            else:
                numel, remembered = guards.binary_numel(function, left_shape, right_shape,
                                                        left, right)
                shapes_differ = left_shape != right_shape
                if remembered:
                    last[:] = [left_shape, right_shape, numel, shapes_differ]
            if numel is not None:
                limits = it.limits
                if numel > limits.max_elements:
                    check("max_elements", numel, limits, location)
                # budget.check_memory, written out: the result's bytes from the allowance
                planned = numel * max(left.element_size(), right.element_size())
                allowance.left -= planned
                if allowance.left < 0 or allowance.maximum != limits.max_memory:
                    read_memory(limits, location, planned)
        result = fn(left, right)
        if isinstance(result, Tensor):
            if result.requires_grad:
                if result.is_leaf:
                    it.hooks.new_tensor(result, segment)
            else:
                it.hooks.made_without_grad(function, operands, result)
            if shapes_differ and broadcasting and (left.requires_grad or right.requires_grad):
                broadcasts(it, operands, result)
        return result

    return evaluate


def _attribute(program: Program, node: ast.Attribute) -> Evaluate:
    """`value.name`; on a tensor, the allowlist's answer for `name` is worked out here."""
    value_of = compile_expr(program, node.value)
    name = node.attr
    label = program.source.segment(node.value)
    tensor_read = _tensor_reader(node, label)
    top_name = node.value.id if isinstance(node.value, ast.Name) else None
    if name == "grad":
        def read_grad(it: Interpreter) -> Any:  # `w.grad`: `_tensor_reader`'s, one call less
            # `w`, a name bound at the top level, read here; anything else by its closure
            target = env[top_name] if top_name is not None and it.scope is None and \
                top_name in (env := it.env) else value_of(it)
            if isinstance(target, Tensor):
                value = target.grad
                if not (target.is_leaf or target.retains_grad):  # `.grad` is None: noted
                    assert it._context is not None
                    it.hooks.read_non_leaf_grad(it._context, target, label)
                return value
            return it.read_attribute(target, name, node)

        return read_grad

    def evaluate(it: Interpreter) -> Any:
        target = value_of(it)
        if isinstance(target, Tensor):
            if tensor_read is not None:
                return tensor_read(it, target)
            return it._tensor_attribute(target, name, node, label)
        return it.read_attribute(target, name, node)

    return evaluate


def _tensor_reader(node: ast.Attribute,
                   label: str) -> Callable[[Interpreter, Tensor], Any] | None:
    """`Attributes._tensor_attribute` for an allowlisted attribute (None for a method, which
    becomes a Method, or a refused name, which `_tensor_attribute` itself explains)."""
    name = node.attr
    if name in allow.TENSOR_METHODS or name not in allow.TENSOR_ATTRIBUTES:
        return None
    if name == "grad":
        def read_grad(it: Interpreter, target: Tensor) -> Any:
            value = target.grad
            if not (target.is_leaf or target.retains_grad):  # `.grad` is None: noted
                assert it._context is not None
                it.hooks.read_non_leaf_grad(it._context, target, label)
            return value

        return read_grad

    def read(it: Interpreter, target: Tensor) -> Any:
        value = getattr(target, name)
        if isinstance(value, Tensor):
            it._note_new_tensor(value, node)
            if not value.requires_grad:  # `.data`: a detached view
                it.hooks.made_without_grad(name, [target], value)
        return value

    return read


def _arguments(program: Program, node: ast.Call) -> Arguments:
    """`Calls.arguments(node)`: positional values, then keyword values, in source order."""
    if any(isinstance(a, ast.Starred) for a in node.args) or \
            any(k.arg is None for k in node.keywords):
        return lambda it: it.arguments(node)  # `*args` and `**kwargs`: the tree-walker
    positional = [compile_expr(program, a) for a in node.args]
    keywords = [(k.arg, compile_expr(program, k.value)) for k in node.keywords
                if k.arg is not None]
    if not keywords:
        if not positional:
            return lambda it: ([], {})
        if len(positional) == 1:
            only = positional[0]
            return lambda it: ([only(it)], {})
        return lambda it: ([p(it) for p in positional], {})
    return lambda it: ([p(it) for p in positional], {k: v(it) for k, v in keywords})


def _call(program: Program, node: ast.Call) -> Evaluate:
    func = node.func
    if not isinstance(func, ast.Attribute):
        callee_of = compile_expr(program, func)
        arguments = _arguments(program, node)

        def call_value(it: Interpreter) -> Any:
            callee = callee_of(it)
            args, kwargs = arguments(it)
            return it.call_value(callee, args, kwargs, node)

        return call_value
    if func.attr == "format" and isinstance(func.value, ast.Constant) and \
            isinstance(func.value.value, str):
        return lambda it: it.call(node)  # "...".format(...): the tree-walker
    target_of = compile_expr(program, func.value)
    top_name = func.value.id if isinstance(func.value, ast.Name) else None
    arguments = _arguments(program, node)
    no_arguments = not node.args and not node.keywords
    name = func.attr
    tensor_call = _tensor_method(program, node, func) if name in allow.TENSOR_METHODS else None
    function_call = _function_call(program, node)

    member: list[Any] = [None, None]  # the last namespace met here, and its member `name`

    def general(it: Interpreter, target: Any) -> Any:
        if type(target) is Namespace:  # `torch.no_grad()`: what read_attribute returns
            if target is member[0]:  # resolved once per namespace (attributes._MEMBERS)
                callee = member[1]
            else:
                callee = it._namespace_member(target, name, func)
                member[:] = [target, callee]
            if type(callee) is Function:
                if no_arguments:  # `torch.no_grad()`
                    return function_call(it, callee, [], {})
                args, kwargs = arguments(it)
                return function_call(it, callee, args, kwargs)
        else:
            callee = it.read_attribute(target, name, func)
        args, kwargs = arguments(it)
        return it.call_value(callee, args, kwargs, node)

    if tensor_call is not None and not node.args and not node.keywords:
        method = tensor_call

        def call_without_arguments(it: Interpreter) -> Any:
            # `loss`, a name bound at the top level, read here; anything else by its closure
            target = env[top_name] if top_name is not None and it.scope is None and \
                top_name in (env := it.env) else target_of(it)
            if isinstance(target, Tensor):  # `loss.backward()`, `x.mean()`, `w.grad.zero_()`
                return method(it, target, [], {})
            return general(it, target)

        return call_without_arguments

    def call(it: Interpreter) -> Any:
        target = env[top_name] if top_name is not None and it.scope is None and \
            top_name in (env := it.env) else target_of(it)
        if tensor_call is not None and isinstance(target, Tensor):
            args, kwargs = arguments(it)
            return tensor_call(it, target, args, kwargs)
        return general(it, target)

    return call


def _tensor_method(program: Program, node: ast.Call, func: ast.Attribute) -> TensorCall:
    """`Calls._tensor_method` for one allowlisted method name, its facts worked out once."""
    name = func.attr
    label = program.source.segment(func.value)
    operand_nodes: list[ast.expr] = [func.value, *node.args]
    location = program.source.locate(node)
    created = NEW_TENSOR_METHODS.get(name)
    hook = name in HOOK_METHODS
    reshaping = name in RESHAPING_IN_PLACE
    retain = name == "retain_grad"
    report = reporter(program, node, name, operand_nodes)
    check_call = guards.check_call
    sized = guards.call_is_sized(name)  # else check_call would find nothing to check

    if name == "backward":
        def backward(it: Interpreter, target: Tensor, args: list[Any],
                     kwargs: dict[str, Any]) -> Any:
            return it._backward_method(target, label, args, kwargs)

        return backward

    def method(it: Interpreter, target: Tensor, args: list[Any],
               kwargs: dict[str, Any]) -> Any:
        if created is not None:  # x.new_ones(size) makes a tensor like torch.ones(size)
            check_call(created, None, args, kwargs, it.limits, location)
        if hook:
            special = it.special_method(Method(target, name, label), args, kwargs, node)
            if special is not NotImplemented:
                return special
        operands = [target, *args]
        it._operation = OperationContext(name, it._operands(operands, operand_nodes)) \
            if reshaping else (name, operands, operand_nodes)
        if sized:
            check_call(name, target, args, kwargs, it.limits, location, name)
        if args or kwargs:
            args, kwargs = it.wrapped(args, kwargs)
        result = getattr(target, name)(*args, **kwargs)
        if retain:
            it.hooks.retained(target, label)
        if not isinstance(result, Tensor):
            return _checked_result(result)
        report(it, operands, result)
        return result

    return method


def _function_call(program: Program, node: ast.Call) -> FunctionCall:
    """`Calls._call_function` for `torch.f(...)`; each function's facts worked out once.
    The functions with their own handling (autograd, d2l, legacy) go to `_call_function`."""
    arg_nodes = list(node.args)
    location = program.source.locate(node)
    known: dict[str, tuple[bool, str, bool, bool, bool, Report]] = {}

    def facts(callee: Function) -> tuple[bool, str, bool, bool, bool, Report]:
        path, name = callee.path, callee.name
        tensor_operation = _tensor_operation(path)
        return (_ordinary(path), name, tensor_operation and guards.call_is_sized(name),
                not tensor_operation and path.startswith("torch.nn."),
                path in QUIET_RESULTS, reporter(program, node, name, arg_nodes))

    def call(it: Interpreter, callee: Function, args: list[Any],
             kwargs: dict[str, Any]) -> Any:
        found = known.get(callee.path)
        if found is None:
            found = known[callee.path] = facts(callee)
        ordinary, name, sized, layer, quiet, report = found
        if not ordinary:
            return it._call_function(callee, args, kwargs, node)
        it._operation = (name, args, arg_nodes)
        if sized:
            guards.check_call(name, None, args, kwargs, it.limits, location, callee.fn)
        elif layer:
            _check_layer_size(args, kwargs, it.limits, location)
        if args or kwargs:
            args, kwargs = it.wrapped(args, kwargs)
        result = callee.fn(*args, **kwargs)
        if quiet:
            return None
        if not isinstance(result, Tensor):
            return _checked_result(result)  # (`report` hears only of tensors)
        report(it, args, result)
        return result

    return call
