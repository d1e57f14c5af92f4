"""The little language the local-derivative table is written in (engine/derivation_rules.py).

One formula gives both the numbers and the text: it is evaluated on the values a node saved
for backward (all edges of a node at once, in float64), and written out for one edge with the
learner's names (`6·y`) and with its numbers (`6·3`). The formulas are the table's own fixed
strings, parsed once with `ast` and walked here: never user code, never eval.

Syntax: Python expressions over
- operands: a node's saved tensors and numbers (`self`, `other`, `result`, `mat2`, `alpha`,
  ...) and the values a rule adds (`n`, `count`, `delta`, ...);
- subscripts saying where an operand is read: `self[b]` at the input element, `result[a]`
  at the output element, `mat2[k, j]` at the letters of a contraction; an operand without
  one is read where the output element broadcasts from (elementwise operations);
- `+ - * / **`, comparisons (1 where true, else 0), and the functions of FUNCTIONS.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import torch

from gradexplain.record import formula_number

Number = Fraction | float
# Where an operand is read: None (broadcast from the output element), "a", "b", or letters.
Where = str | tuple[str, ...] | None

FUNCTIONS: dict[str, Callable[..., torch.Tensor]] = {
    "cos": torch.cos, "sin": torch.sin, "exp": torch.exp, "log": torch.log,
    "sqrt": torch.sqrt, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "abs": torch.abs,
    "sign": torch.sign, "erf": torch.erf, "cosh": torch.cosh, "sinh": torch.sinh,
    "tan": torch.tan,
}
PI = math.pi


@dataclass(frozen=True)
class Operand:
    """An operand as one edge writes it: its symbol (None when it has no name: then its
    number stands for it) and its value."""

    symbol: str | None
    value: float
    exact: Fraction | None = None  # a plain number of the code (3, 1/4): kept exact
    # An unnamed intermediate written with names (`2·x` for what `2 * x` made), when known
    term: Term | None = None


@cache
def parse(text: str) -> ast.expr:
    """A formula's tree (parsed once per formula)."""
    return ast.parse(text, mode="eval").body


def operands_of(text: str) -> list[tuple[str, Where]]:
    """Each operand the formula reads, with where it reads it (for the rule to gather)."""
    return _operands_in(parse(text))


def _operands_in(tree: ast.expr) -> list[tuple[str, Where]]:
    found: list[tuple[str, Where]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            found.append((node.value.id, _where(node.slice)))
            return
        if isinstance(node, ast.Name):
            found.append((node.id, None))
            return
        if isinstance(node, ast.Call):
            for argument in node.args:
                visit(argument)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return list(dict.fromkeys(found))


def _where(index: ast.expr) -> Where:
    if isinstance(index, ast.Name):
        return index.id if index.id in ("a", "b") else (index.id,)
    if isinstance(index, ast.Tuple):
        return tuple(e.id for e in index.elts if isinstance(e, ast.Name))
    raise ValueError(f"unsupported subscript {ast.dump(index)}")


# evaluation: every edge of a node at once ----------------------------------------------------

Values = dict[tuple[str, Where], Any]  # operand -> a float64 vector over the edges, or a number


def evaluate(text: str, values: Values) -> Any:
    """The formula's value on every edge (`values` holds each operand, gathered): a float64
    vector, or a number where it reads no tensor."""
    return _evaluate(parse(text), values)


def _evaluate(node: ast.expr, values: Values) -> Any:
    if isinstance(node, ast.Constant):
        return _number(node)
    if isinstance(node, ast.Name):
        return values[(node.id, None)]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return values[(node.value.id, _where(node.slice))]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand, values)
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, values), _evaluate(node.right, values)
        return _binary(node.op, left, right)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left = _evaluate(node.left, values)
        right = _evaluate(node.comparators[0], values)
        return _compare(node.ops[0], left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arguments = [_as_tensor(_evaluate(a, values)) for a in node.args]
        return FUNCTIONS[node.func.id](*arguments)
    raise ValueError(f"unsupported formula part {ast.dump(node)}")


def _number(node: ast.Constant) -> float:
    value = node.value
    if not isinstance(value, (int, float)):
        raise ValueError(f"a formula's constants are numbers, not {value!r}")
    return float(value)


def _as_tensor(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)


def _binary(op: ast.operator, left: Any, right: Any) -> Any:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if isinstance(op, ast.Pow):
        if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
            return torch.pow(_as_tensor(left), right)
        return float(left) ** float(right)
    raise ValueError(f"unsupported operator {type(op).__name__}")


def _compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    pairs: dict[type, Callable[[Any, Any], Any]] = {
        ast.Gt: lambda x, y: x > y, ast.GtE: lambda x, y: x >= y, ast.Lt: lambda x, y: x < y,
        ast.LtE: lambda x, y: x <= y, ast.Eq: lambda x, y: x == y, ast.NotEq: lambda x, y: x != y}
    result = pairs[type(op)](left, right)
    return result.to(torch.float64) if isinstance(result, torch.Tensor) else float(result)


# writing one edge out: terms with the learner's names ------------------------------------------

@dataclass(frozen=True)
class Factor:
    """A factor that is not a plain number: `y`, `y[1,0]`, `cos(x)`, `(1 - y^2)`."""

    symbol: str  # with names
    number: str  # with numbers
    value: float
    power: int = 1
    compound: bool = False  # a sum or a difference: in parentheses beside other factors

    def written(self, numbers: bool, alone: bool = True) -> str:
        """The factor's text; `alone`: nothing else in its product."""
        text = self.number if numbers else self.symbol
        if self.power == 1:
            needs = self.compound or text.startswith("-")
            return f"({text})" if needs and not alone else text
        base = text if _atomic(text) else f"({text})"
        return f"{base}^{self.power}"


@dataclass(frozen=True)
class Term:
    """coefficient · factor · factor ...: one product of a derivation."""

    coefficient: Number = Fraction(1)
    factors: tuple[Factor, ...] = ()

    @property
    def value(self) -> float:
        result = float(self.coefficient)
        for factor in self.factors:
            result *= factor.value ** factor.power
        return result

    def times(self, other: Term) -> Term:
        """The product, equal symbols gathered into powers (`y·y` is `y^2`)."""
        gathered: dict[tuple[str, str], Factor] = {}
        for factor in (*self.factors, *other.factors):
            key = (factor.symbol, factor.number)
            found = gathered.get(key)
            gathered[key] = factor if found is None else Factor(
                factor.symbol, factor.number, factor.value, found.power + factor.power)
        return Term(_multiply(self.coefficient, other.coefficient), tuple(gathered.values()))

    def key(self) -> tuple[tuple[str, str, int], ...]:
        return tuple(sorted((f.symbol, f.number, f.power) for f in self.factors))

    def written(self, numbers: bool) -> str:
        alone = len(self.factors) == 1 and self.coefficient in (1, -1)
        parts = [f.written(numbers, alone) for f in self.factors]
        coefficient = self.coefficient
        if not parts:
            return formula_number(coefficient)
        if coefficient == 1:
            return "·".join(parts)
        if coefficient == -1:
            return "-" + "·".join(parts)
        return "·".join([formula_number(coefficient), *parts])


def combined(terms: list[Term]) -> list[Term]:
    """Like terms added up (`3·y + 3·y` is `6·y`); terms that cancel are dropped."""
    sums: dict[tuple[tuple[str, str, int], ...], Term] = {}
    for term in terms:
        key = term.key()
        found = sums.get(key)
        sums[key] = term if found is None else Term(_add(found.coefficient, term.coefficient),
                                                    term.factors)
    kept = [t for t in sums.values() if t.coefficient != 0]
    return kept or [Term(Fraction(0))]


def sum_text(terms: list[Term], numbers: bool) -> str:
    """`3·y + 3·y`, `y[1,0] - 2`: terms joined by their signs."""
    text = ""
    for i, term in enumerate(terms):
        written = term.written(numbers)
        if i == 0:
            text = written
        elif written.startswith("-"):
            text += " - " + written[1:]
        else:
            text += " + " + written
    return text


def term_of(text: str, operand: Callable[[str, Where], Operand]) -> Term:
    """The formula for one edge as coefficient · factors, its operands named by `operand`."""
    return _term(parse(text), operand)


def _term(node: ast.expr, operand: Callable[[str, Where], Operand]) -> Term:
    constant = _constant(node, operand)
    if constant is not None:
        return Term(constant)
    if isinstance(node, (ast.Name, ast.Subscript)):
        found = _operand(node, operand)
        if found.term is not None:
            return found.term
        assert found.symbol is not None  # a number would have been a constant
        return Term(Fraction(1), (Factor(found.symbol, formula_number(found.value),
                                         found.value),))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return Term(Fraction(-1)).times(_term(node.operand, operand))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _term(node.left, operand).times(_term(node.right, operand))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        divisor = _constant(node.right, operand)
        if divisor is not None and divisor != 0:
            left = _term(node.left, operand)
            return Term(_divide(left.coefficient, divisor), left.factors)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and \
            isinstance(node.left, (ast.Name, ast.Subscript)):
        power = _constant(node.right, operand)
        if power is not None and float(power).is_integer() and 0 < float(power) <= 9:
            base = _term(node.left, operand)
            if base.factors and len(base.factors) == 1 and base.coefficient == 1:
                factor = base.factors[0]
                return Term(Fraction(1), (Factor(factor.symbol, factor.number, factor.value,
                                                 int(power)),))
    value = float(_evaluate(node, _scalar_values(node, operand)))
    compound = isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))
    return Term(Fraction(1), (Factor(_write(node, operand, False), _write(node, operand, True),
                                     value, compound=compound),))


def _operand(node: ast.expr, operand: Callable[[str, Where], Operand]) -> Operand:
    if isinstance(node, ast.Name):
        return operand(node.id, None)
    assert isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
    return operand(node.value.id, _where(node.slice))


def _constant(node: ast.expr, operand: Callable[[str, Where], Operand]) -> Number | None:
    """The subtree's number when it holds no named operand and no function, else None."""
    if isinstance(node, ast.Constant):
        return _exact(_number(node))
    if isinstance(node, (ast.Name, ast.Subscript)):
        found = _operand(node, operand)
        if found.symbol is not None:
            return None
        return found.exact if found.exact is not None else _exact(found.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant(node.operand, operand)
        return None if inner is None else _multiply(Fraction(-1), inner)
    if isinstance(node, ast.BinOp):
        left, right = _constant(node.left, operand), _constant(node.right, operand)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Add):
            return _add(left, right)
        if isinstance(node.op, ast.Sub):
            return _add(left, _multiply(Fraction(-1), right))
        if isinstance(node.op, ast.Mult):
            return _multiply(left, right)
        if isinstance(node.op, ast.Div):
            return None if right == 0 else _divide(left, right)
        if isinstance(node.op, ast.Pow):
            if isinstance(left, Fraction) and isinstance(right, Fraction) and \
                    right.denominator == 1 and abs(right) <= 64 and left != 0:
                return left ** int(right)
            try:
                power: float = float(left) ** float(right)
            except (OverflowError, ZeroDivisionError, ValueError):
                return None
            return power if isinstance(power, float) else None
    # A comparison or a function keeps its form even on numbers: (2 > 0) and cos(2) say why
    # the number is what it is, where 1 and -0.416 would not.
    return None


def _scalar_values(node: ast.expr, operand: Callable[[str, Where], Operand]) -> Values:
    return {(name, where): torch.tensor(operand(name, where).value, dtype=torch.float64)
            for name, where in _operands_in(node)}


_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_SIGNS = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: "·", ast.Div: "/", ast.Pow: "^"}
_COMPARISONS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==",
                ast.NotEq: "!="}


def _write(node: ast.expr, operand: Callable[[str, Where], Operand], numbers: bool,
           outer: int = 0) -> str:
    """A (sub)formula as text: symbols, or with `numbers` every operand's number."""
    constant = _constant(node, operand)
    if constant is not None:
        text = formula_number(constant)
        return f"({text})" if outer >= 2 and text.startswith("-") else text
    if isinstance(node, (ast.Name, ast.Subscript)):
        found = _operand(node, operand)
        if found.term is not None:
            text = found.term.written(numbers)
            simple = found.term.coefficient == 1 and len(found.term.factors) == 1 and \
                found.term.factors[0].power == 1
            return text if simple or outer == 0 else f"({text})"
        text = formula_number(found.value) if numbers or found.symbol is None else found.symbol
        return f"({text})" if outer >= 2 and text.startswith("-") else text
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        text = "-" + _write(node.operand, operand, numbers, 3)
        return f"({text})" if outer >= 1 else text
    if isinstance(node, ast.BinOp):
        level = _PRECEDENCE[type(node.op)]
        left = _write(node.left, operand, numbers, level if level < 4 else 5)
        right = _write(node.right, operand, numbers, level + 1)
        text = f"{left}{_SIGNS[type(node.op)]}{right}"
        return f"({text})" if outer > level else text
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left = _write(node.left, operand, numbers, 2)
        right = _write(node.comparators[0], operand, numbers, 2)
        return f"({left} {_COMPARISONS[type(node.ops[0])]} {right})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        inner = ", ".join(_write(a, operand, numbers) for a in node.args)
        return f"{node.func.id}({inner})"
    raise ValueError(f"unsupported formula part {ast.dump(node)}")


# numbers --------------------------------------------------------------------------------------

def _exact(x: float) -> Number:
    """Integers and simple fractions stay exact (1/4, not 0.25); other numbers are floats."""
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return Fraction(int(x))
    return x


def _multiply(x: Number, y: Number) -> Number:
    if isinstance(x, Fraction) and isinstance(y, Fraction):
        return x * y
    return float(x) * float(y)


def _add(x: Number, y: Number) -> Number:
    if isinstance(x, Fraction) and isinstance(y, Fraction):
        return x + y
    return float(x) + float(y)


def _divide(x: Number, y: Number) -> Number:
    if isinstance(x, Fraction) and isinstance(y, Fraction) and y.denominator == 1 and \
            abs(y) <= 10**6:
        return x / y
    return float(x) / float(y)


def _atomic(text: str) -> bool:
    """Whether `text` needs no parentheses before ^: a name, a number, a call."""
    if text.endswith(")") and "(" in text and not text.startswith("("):
        return True
    return all(c.isalnum() or c in "_.[],'" for c in text) and not text.startswith("-")
