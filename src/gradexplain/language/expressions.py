"""The rules of expressions that compute a value from others: names, constants, operators,
comparisons, conditions, displays (lists, tuples, sets, dicts), slices and f-strings.

An operator on tensors is sized before it runs (guards.operator_checker, bound to it here) and
reports what it made after (reports.py); on plain numbers and sequences it is bounded by
guards.check_number_op. Attributes, items and calls have their own files.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import torch
from numpy import ndarray

from gradexplain.language import display, guards
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import Compiler, Evaluate, State
from gradexplain.language.numpy_subset import array_operator
from gradexplain.language.reports import ARITHMETIC, broadcast_reporter
from gradexplain.language.values import FUNCTIONAL, TORCH

# An operator applies to whatever values Python's own rules accept (they raise otherwise).
Binary = Callable[[Any, Any], object]

BINARY_OPERATORS: dict[type[ast.operator], tuple[str, Binary]] = {
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
INPLACE_OPERATORS: dict[type[ast.operator], Binary] = {
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
    ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift,
}
INPLACE_NAMES = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=",
                 ast.FloorDiv: "//=", ast.Mod: "%=", ast.Pow: "**=", ast.MatMult: "@=",
                 ast.BitAnd: "&=", ast.BitOr: "|=", ast.BitXor: "^=",
                 ast.LShift: "<<=", ast.RShift: ">>="}
COMPARISONS: dict[type[ast.cmpop], Binary] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
    ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], object]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
    ast.Not: operator.not_}
# Operator name -> the torch function whose broadcasting/matmul rule governs it.
OPERATOR_FUNCTIONS = {"add": "add", "sub": "sub", "mult": "mul", "div": "div",
                      "floordiv": "div", "mod": "remainder", "pow": "pow", "matmul": "matmul"}

Tensor = torch.Tensor
_UNBOUND = object()  # a name not bound at the top level: its closure looks it up (and explains)


def constant(compiler: Compiler, node: ast.Constant) -> Evaluate:
    value = node.value
    return lambda it: value


def name(compiler: Compiler, node: ast.Name) -> Evaluate:
    key = node.id
    # `torch` and `F`, unless bound by the code (State.lookup's answer, without a call)
    fallback = {"torch": TORCH, "F": FUNCTIONAL}.get(key)

    def evaluate(it: State) -> object:
        if it.scope is None:
            env = it.env
            if key in env:
                return env[key]
            if fallback is not None:
                return fallback
        return it.lookup(key, node)

    return evaluate


def _direct(node: ast.expr) -> tuple[str | None, object]:
    """An operand read without a call: a name (its key in the top-level names) or a constant
    (its value); otherwise (None, _UNBOUND) and the operand's closure evaluates it."""
    if isinstance(node, ast.Name):
        return node.id, _UNBOUND
    if isinstance(node, ast.Constant):
        return None, node.value
    return None, _UNBOUND


def binary(compiler: Compiler, node: ast.BinOp) -> Evaluate:
    """`a + b`, `a @ b`, ...: a loop's arithmetic runs here on every iteration, so operands
    that are names or constants are read in place, and only what has something to do is
    called (the operator, its size check, a hook with something to hear)."""
    source = compiler.source
    left_of, right_of = compiler.expr(node.left), compiler.expr(node.right)
    left_name, left_constant = _direct(node.left)
    right_name, right_constant = _direct(node.right)
    op_name, fn = BINARY_OPERATORS[type(node.op)]
    function = OPERATOR_FUNCTIONS.get(op_name, op_name)
    kind = "@" if op_name == "matmul" else "broadcast"
    operand_nodes: list[ast.expr] = [node.left, node.right]
    location = source.locate(node)
    segment = source.segment(node)
    broadcasting = function in guards.BROADCASTING or function in ARITHMETIC
    broadcasts = broadcast_reporter(source, segment, operand_nodes)
    check_size = guards.operator_checker(function)
    check_number_op = guards.check_number_op

    def evaluate(it: State) -> object:
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
        if isinstance(left, Tensor):
            operands = [left, right]
            it.operation = (kind, operands, operand_nodes)
            # Only two tensors of different shapes can make a result larger than an operand
            # (a tensor and a number make one of the tensor's shape): sized, and the only
            # results a broadcast_sum note can be about.
            if isinstance(right, ndarray):  # PyTorch makes a tensor of it, then broadcasts
                array_operator(op_name, left, right, it.limits, location)
            broadcast = isinstance(right, Tensor) and \
                check_size(left, right, it.limits, it.budget, location) and broadcasting \
                and (left.requires_grad or right.requires_grad)
        elif isinstance(right, Tensor):
            operands = [left, right]
            it.operation = (kind, operands, operand_nodes)
            broadcast = False
        else:
            if isinstance(left, ndarray) or isinstance(right, ndarray):
                array_operator(op_name, left, right, it.limits, location)
            else:
                check_number_op(op_name, left, right, it.limits, location)
            return fn(left, right)
        result = fn(left, right)
        if isinstance(result, Tensor):
            if result.requires_grad:
                if result.is_leaf:
                    it.hooks.new_tensor(result, segment)
            else:
                it.hooks.made_without_grad(function, operands, result)
            if broadcast:
                broadcasts(it, operands, result)
        return result

    return evaluate


def unary(compiler: Compiler, node: ast.UnaryOp) -> Evaluate:
    value_of = compiler.expr(node.operand)
    apply = UNARY_OPERATORS[type(node.op)]
    return lambda it: apply(value_of(it))


def boolean(compiler: Compiler, node: ast.BoolOp) -> Evaluate:
    """`a and b`, `a or b`: the first value that decides, as Python gives it."""
    parts = [compiler.expr(value) for value in node.values]
    stop_when = not isinstance(node.op, ast.And)  # `and` stops at a false value, `or` a true

    def evaluate(it: State) -> object:
        result: object = None
        for part in parts:
            result = part(it)
            if bool(result) is stop_when:
                return result
        return result

    return evaluate


def compare(compiler: Compiler, node: ast.Compare) -> Evaluate:
    """`a < b`, `a < b <= c`: a comparison of tensors is sized as `eq` would be."""
    left_of = compiler.expr(node.left)
    steps = [(COMPARISONS[type(op)], compiler.expr(comparator))
             for op, comparator in zip(node.ops, node.comparators, strict=True)]
    location = compiler.source.locate(node)
    single = len(steps) == 1

    def evaluate(it: State) -> object:
        left = left_of(it)
        result: object = True
        for comparison, right_of in steps:
            right = right_of(it)
            if type(left) is tuple and isinstance(right, (set, dict)):
                guards.check_keys([left], location)  # `t in s` hashes t
            if isinstance(left, Tensor) or isinstance(right, Tensor):
                guards.check_call("eq", None, [left, right], {}, it.limits, it.budget,
                                  location)
            elif isinstance(left, ndarray) or isinstance(right, ndarray):
                array_operator("eq", left, right, it.limits, location)
            outcome = comparison(left, right)
            if single or not outcome:
                return outcome
            result = outcome
            left = right
        return result

    return evaluate


def if_expression(compiler: Compiler, node: ast.IfExp) -> Evaluate:
    test_of, body_of, orelse_of = (compiler.expr(node.test), compiler.expr(node.body),
                                   compiler.expr(node.orelse))
    return lambda it: body_of(it) if test_of(it) else orelse_of(it)


def items(compiler: Compiler, elements: list[ast.expr]) -> Callable[[State], list[object]]:
    """The elements of a list, tuple or set display, with `*` unpacking of any iterable."""
    parts: list[tuple[Evaluate, ast.Starred | None]] = [
        (compiler.expr(e.value), e) if isinstance(e, ast.Starred) else (compiler.expr(e), None)
        for e in elements]

    def evaluate(it: State) -> list[object]:
        found: list[object] = []
        for part, starred in parts:
            if starred is None:
                found.append(part(it))
            else:
                found.extend(it.iterate(part(it), starred))
        return found

    return evaluate


def list_display(compiler: Compiler, node: ast.List) -> Evaluate:
    return items(compiler, node.elts)


def tuple_display(compiler: Compiler, node: ast.Tuple) -> Evaluate:
    elements = items(compiler, node.elts)
    return lambda it: tuple(elements(it))


def set_display(compiler: Compiler, node: ast.Set) -> Evaluate:
    elements = items(compiler, node.elts)
    location = compiler.source.locate(node)

    def evaluate(it: State) -> object:
        found = elements(it)
        guards.check_keys(found, location)
        return set(found)

    return evaluate


def dict_display(compiler: Compiler, node: ast.Dict) -> Evaluate:
    """`{k: v}` and `{**other}`."""
    parts = [(None if key is None else compiler.expr(key), compiler.expr(value))
             for key, value in zip(node.keys, node.values, strict=True)]
    location = compiler.source.locate(node)

    def evaluate(it: State) -> object:
        result: dict[object, object] = {}
        for key_of, value_of in parts:
            if key_of is None:
                inner = value_of(it)
                if not isinstance(inner, dict):
                    raise CodeTypeError("'**' needs a dict")
                result.update(inner)
            else:
                key = key_of(it)
                if type(key) is tuple:
                    guards.check_keys([key], location)
                result[key] = value_of(it)
        return result

    return evaluate


def slice_expression(compiler: Compiler, node: ast.Slice) -> Evaluate:
    bounds = [None if part is None else compiler.expr(part)
              for part in (node.lower, node.upper, node.step)]
    return lambda it: slice(*(None if bound is None else bound(it) for bound in bounds))


def fstring(compiler: Compiler, node: ast.JoinedStr) -> Evaluate:
    """An f-string: its text, and each field's value converted and formatted (display.py)."""
    parts: list[str | tuple[Evaluate, int, str]] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue):
            spec = ""
            if isinstance(value.format_spec, ast.JoinedStr):
                spec = "".join(str(v.value) for v in value.format_spec.values
                               if isinstance(v, ast.Constant))
            parts.append((compiler.expr(value.value), value.conversion, spec))

    def evaluate(it: State) -> object:
        text: list[str] = []
        for part in parts:
            if isinstance(part, str):
                text.append(part)
            else:
                value_of, conversion, spec = part
                text.append(display.format_value(display.convert(value_of(it), conversion),
                                                 spec))
        return display.joined_text(text, it.limits)

    return evaluate
