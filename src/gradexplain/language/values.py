"""Values the interpreter hands to user code, and the tables it evaluates operators with.

User code never receives the torch module, a raw function or a bound Python method: names
resolve to `Namespace`, `Function` and `Method` wrappers that only the interpreter can call.
"""

from __future__ import annotations

import ast
import contextlib
import math
import operator
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.errors import not_allowed

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
    ast.LShift: operator.ilshift,
    ast.RShift: operator.irshift,
}
INPLACE_NAMES = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=",
                 ast.FloorDiv: "//=", ast.Mod: "%=", ast.Pow: "**=", ast.MatMult: "@=",
                 ast.BitAnd: "&=", ast.BitOr: "|=", ast.BitXor: "^=",
                 ast.LShift: "<<=", ast.RShift: ">>="}
COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
    ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}  # `not`: truth
# Operator name -> the torch function whose broadcasting/matmul rule governs it.
OPERATOR_FUNCTIONS = {"add": "add", "sub": "sub", "mult": "mul", "div": "div",
                      "floordiv": "div", "mod": "remainder", "pow": "pow", "matmul": "matmul"}


@dataclass(frozen=True)
class Namespace:
    """`torch`, `torch.autograd`, `torch.nn`, `torch.nn.functional` as seen by user code."""

    path: str

    def __str__(self) -> str:
        return f"<module {self.path}>"

    __repr__ = __str__


# What the names `torch` and `F` mean unless the code binds them (frozen: shared).
TORCH, FUNCTIONAL = Namespace("torch"), Namespace("torch.nn.functional")


@dataclass(frozen=True)
class Function:
    """An allowlisted torch function; `path` is its full dotted name. Printed by name only:
    the real function's repr would show a memory address."""

    path: str
    fn: Callable[..., Any] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"<function {self.path}>"

    __repr__ = __str__

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Method:
    """A method looked up on a value (`x.backward`), callable only by the interpreter."""

    target: Any = field(compare=False, repr=False)
    name: str
    target_label: str

    def __str__(self) -> str:
        return f"<method {self.target_label}.{self.name}>"

    __repr__ = __str__



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
    root, *parts = path.split(".")
    obj: Any = math if root == "math" else torch
    for part in parts:
        obj = getattr(obj, part)
    return obj


def _checked_result(result: Any) -> Any:
    """User code may hold any value but a raw Python callable, class or module.

    Such a value could be handed to torch as a callback, which torch would then run outside
    the interpreter. nn modules are callable but run their forward through the interpreter
    (or are PyTorch's own layers); grad-mode objects only enter and leave their mode.
    """
    if isinstance(result, torch.Tensor) or type(result) in PLAIN_RESULTS:  # the usual answers
        return result
    if isinstance(result, (type, types.ModuleType)) or (
            callable(result) and not isinstance(result, CALLABLE_VALUES)
            and not _is_node(result)):
        raise not_allowed(f"a value of type {type(result).__name__} cannot be used here: "
                          "it could run code outside the interpreter")
    if isinstance(result, (list, tuple)) and not isinstance(result, torch.Size):
        for item in result:
            _checked_result(item)
    return result


CALLABLE_VALUES: tuple[type, ...] = (
    torch.nn.Module, torch.no_grad, torch.enable_grad, torch.set_grad_enabled,
    torch.inference_mode, torch.autograd.graph.saved_tensors_hooks,
    contextlib._GeneratorContextManager,
)


# Results that are never callable, nor hold anything (exact types: a subclass could be either),
# and the grad modes, which CALLABLE_VALUES allows.
PLAIN_RESULTS = frozenset({int, float, bool, str, type(None), torch.Size, torch.dtype,
                           torch.no_grad, torch.enable_grad, torch.inference_mode})


def _is_node(value: Any) -> bool:
    return hasattr(value, "next_functions") and not isinstance(value, torch.Tensor)
