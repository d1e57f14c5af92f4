"""Static check of scenario code, before anything runs: the syntax tree against allowlists.

Refuses the leftmost violation with `not_allowed` (file, line, column, caret) and says what is
dangerous; bounds statement length, nesting depth and statement count (`limit_exceeded`).
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, field
from typing import Any

from gradexplain.errors import GradexplainError, invalid, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language.source import SourceMap
from gradexplain.language.statements import StatementChecks
from gradexplain.limits import Limits, check, exceeded
from gradexplain.scenario.model import Code

# A numeric format spec such as `.4f`, `>8.2e`, `+,d`: nothing that can reach attributes.
SIMPLE_FORMAT_SPEC = re.compile(
    r"^(?:.?[<>=^])?[+\- ]?#?0?(\d{1,3})?[,_]?(?:\.\d{1,3})?[bcdeEfFgGnosxX%]?$")
FORMAT_FIELD = re.compile(r"^(?:\d{1,3}|[A-Za-z_][A-Za-z0-9_]*)?$")
# `import X [as Y]` and `from X import Y [as Z]`: X must be one of these modules.
IMPORT_MODULES = {
    "torch": "torch", "torch.nn": "torch.nn", "torch.nn.functional": "torch.nn.functional",
    "torch.nn.init": "torch.nn.init", "torch.optim": "torch.optim",
    "torch.autograd": "torch.autograd", "torch.autograd.functional": "torch.autograd.functional",
    "torch.autograd.graph": "torch.autograd.graph", "math": "math", "d2l": "d2l",
    "d2l.torch": "d2l", "__future__": "__future__",
}
# Decorators a `def` may carry (the grad modes) and, in a custom Function, staticmethod.
DECORATORS = {"torch.no_grad", "torch.enable_grad", "torch.inference_mode",
              "torch.autograd.no_grad", "torch.autograd.enable_grad", "no_grad", "enable_grad"}
CLASS_BASES = {"nn.Module": "module", "torch.nn.Module": "module", "Module": "module",
               "torch.autograd.Function": "function", "autograd.Function": "function",
               "Function": "function"}
# Special methods a user class may define (beyond ordinary names).
SPECIAL_METHODS = {"module": {"__init__"}, "function": set()}

_STATEMENT_NAMES = {
    ast.AsyncFunctionDef: "async functions",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.AsyncFor: "async for",
    ast.AsyncWith: "async with",
    ast.Match: "match statements",
}
_EXPRESSION_NAMES = {
    ast.NamedExpr: "the walrus operator `:=`",
    ast.Await: "await",
    ast.Yield: "yield (generators run code later, outside the interpreter's step count)",
    ast.YieldFrom: "yield",
}


@dataclass
class Program:
    """Checked code, ready to run. `steps` numbers every statement (by id) in source order."""

    code: Code
    tree: ast.Module
    source: SourceMap
    steps: dict[int, int] = field(default_factory=dict)
    statement_count: int = 0
    # The interpreter's StatementContext of each statement (by id), made once: loops run
    # the same statements many times.
    contexts: dict[int, Any] = field(default_factory=dict)
    locations: dict[int, Any] = field(default_factory=dict)  # node id -> SourceLocation
    operators: dict[int, Any] = field(default_factory=dict)  # node id -> the interpreter's
    # facts about a BinOp (its function, operand nodes), worked out once
    compiled: dict[int, Any] = field(default_factory=dict)  # statement id -> its closure
    # (language/compiled.py), made on the statement's first run

    def step_of(self, stmt: ast.stmt) -> int | None:
        return self.steps.get(id(stmt))


def parse_program(code: Code, limits: Limits, *, file_text: str | None = None,
                  line_steps: bool = False) -> Program:
    """Parse and check statements. `line_steps` numbers steps by file line (.py snippets)."""
    source = SourceMap.for_code(code, file_text)
    tree = _parse(code, source, "exec", limits)
    assert isinstance(tree, ast.Module)
    program = Program(code, tree, source)
    _Checker(source, limits).check_module(tree)
    number = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            number += 1
    check("max_statements", number, limits, source.locate(tree.body[-1]) if tree.body else None)
    program.statement_count = number
    ordered = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.stmt)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for index, stmt in enumerate(ordered, start=1):
        program.steps[id(stmt)] = source.file_line(stmt.lineno) if line_steps else index
    return program


def parse_expression(code: Code, limits: Limits, *, file_text: str | None = None) -> Program:
    """Parse and check a single expression (the short form's `expression`, a tensor `expr`)."""
    source = SourceMap.for_code(code, file_text)
    expr = _parse(code, source, "eval", limits)
    assert isinstance(expr, ast.Expression)
    stmt = ast.Expr(expr.body)
    ast.copy_location(stmt, expr.body)
    tree = ast.Module(body=[stmt], type_ignores=[])
    _Checker(source, limits).check_module(tree)
    return Program(code, tree, source, {id(stmt): 1}, 1)


def _parse(code: Code, source: SourceMap, mode: str, limits: Limits) -> ast.AST:
    for lineno, text in enumerate(code.text.splitlines(), start=1):
        if len(text) > limits.max_statement_chars:
            raise exceeded("max_statement_chars", len(text), limits.max_statement_chars,
                           source.locate_position(lineno, 0))
    try:
        return ast.parse(code.text, filename=code.path or "<input>", mode=mode)
    except SyntaxError as err:
        lineno = err.lineno or 1
        col = max((err.offset or 1) - 1, 0)
        what = "expression" if mode == "eval" else "code"
        raise invalid(
            f"this {what} is not valid Python: {err.msg}",
            source.locate_position(lineno, col),
            hint="check brackets, quotes and indentation; one statement per line",
        ) from None
    except (RecursionError, MemoryError):
        raise exceeded("max_depth", "deeper than Python can parse", limits.max_depth,
                       source.locate_position(1, 0)) from None


class _Checker(StatementChecks):
    """Walks the tree in source order and raises on the first (leftmost) violation."""

    def __init__(self, source: SourceMap, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.functions = 0  # how many `def`/`lambda` bodies we are inside
        self.loops = 0  # loops inside the innermost function
        self.class_kind: str | None = None

    def fail(self, node: ast.AST, message: str, hint: str | None = None,
             what: str | None = None) -> GradexplainError:
        return not_allowed(message, self.source.locate(node), hint, what=what or message)

    def check_module(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            self.statement(stmt, 1)

    # expressions ----------------------------------------------------------------------------

    def expr(self, node: ast.expr, depth: int) -> None:
        self._depth(node, depth)
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bytes):
                raise self.fail(node, "bytes literals are not allowed")
        elif isinstance(node, ast.Name):
            self.name_ok(node)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                self.expr(element, d)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    self.expr(key, d)
            for value in node.values:
                self.expr(value, d)
        elif isinstance(node, ast.Starred):
            self.expr(node.value, d)
        elif isinstance(node, ast.BinOp):
            self.operator_chain(node, depth)
        elif isinstance(node, ast.UnaryOp):
            self.expr(node.operand, d)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value, d)
        elif isinstance(node, ast.Compare):
            self.expr(node.left, d)
            for comparator in node.comparators:
                self.expr(comparator, d)
        elif isinstance(node, ast.IfExp):
            for part in (node.test, node.body, node.orelse):
                self.expr(part, d)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value, d)
            self.expr(node.slice, d)
        elif isinstance(node, ast.Slice):
            for bound in (node.lower, node.upper, node.step):
                if bound is not None:
                    self.expr(bound, d)
        elif isinstance(node, ast.Attribute):
            self.attribute(node, d)
        elif isinstance(node, ast.Call):
            self.call(node, d)
        elif isinstance(node, ast.JoinedStr):
            self.fstring(node, d)
        elif isinstance(node, ast.Lambda):
            self.arguments(node.args, d)
            self.functions += 1
            self.expr(node.body, d)
            self.functions -= 1
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self.comprehension(node, d)
        else:
            what = _EXPRESSION_NAMES.get(type(node), type(node).__name__)
            raise self.fail(node, f"{what} are not allowed in scenario code")

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                      depth: int) -> None:
        for generator in node.generators:
            if generator.is_async:
                raise self.fail(generator.iter, "async comprehensions are not allowed")
            self.target(generator.target)
            self.expr(generator.iter, depth)
            for condition in generator.ifs:
                self.expr(condition, depth)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, depth)
            self.expr(node.value, depth)
        else:
            self.expr(node.elt, depth)

    def name_ok(self, node: ast.Name) -> None:
        if node.id.startswith("__"):
            raise self.fail(node, f"name '{node.id}' is not allowed: dunder names reach "
                            "Python internals", what=f"name '{node.id}'")
        # Other names (even `input` or `open`) are only the user's variables: they resolve to
        # nothing else, and calling a builtin that is not allowlisted is refused in call().

    def attribute(self, node: ast.Attribute, depth: int) -> None:
        self.expr(node.value, depth)
        name = node.attr
        if name == "__init__":
            if not _is_super_call(node.value):
                self.refuse_attribute(node)
        elif name in allow.PRIVATE_ALLOWED or name.startswith(allow.SAVED_PREFIX):
            return  # read-only values for display, checked again by type when read
        elif name in allow.SAFE_ATTRIBUTE_NAMES:
            return
        elif name.startswith("_") or name in allow.DANGEROUS or \
                (allow.why_dangerous(name) and not _known_name(name)):
            self.refuse_attribute(node)

    def refuse_attribute(self, node: ast.Attribute) -> None:
        name = node.attr
        reason = allow.why_dangerous(name)
        message = f"attribute '{name}' is not allowed"
        message += f": {reason}" if reason else " (it is not on the allowlist)"
        raise not_allowed(message, self.source.locate_attribute(node),
                          "see the statement language in the README for what scenario "
                          "code may use", what=f"attribute '{name}'")

    def call(self, node: ast.Call, depth: int) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.name_ok(func)
            reason = allow.DANGEROUS_BUILTINS.get(func.id) or allow.why_dangerous(func.id)
            if reason and func.id not in allow.BUILTINS:
                raise self.fail(func, f"calling '{func.id}' is not allowed: {reason}",
                                what=f"builtin '{func.id}'")
        elif isinstance(func, ast.Attribute) and func.attr == "format" and \
                isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            self.format_string(func.value)
        else:
            self.expr(func, depth)
        self.call_arguments(node, depth)

    def call_arguments(self, node: ast.Call, depth: int) -> None:
        for arg in node.args:
            if _is_device_string(node, arg):
                assert isinstance(arg, ast.Constant)
                self.device_string(arg)
                continue
            self.expr(arg, depth)
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg.startswith("__"):
                raise self.fail(keyword.value, f"keyword '{keyword.arg}' is not allowed")
            if keyword.arg == "device" and isinstance(keyword.value, ast.Constant) and \
                    isinstance(keyword.value.value, str):
                self.device_string(keyword.value)
                continue
            self.expr(keyword.value, depth)

    def device_string(self, node: ast.Constant) -> None:
        value = node.value
        if not (isinstance(value, str) and re.fullmatch(r"cpu|cuda(:\d{1,2})?|mps|meta", value)):
            raise self.fail(node, f"{value!r} is not a device string",
                            "use 'cpu', 'cuda', 'cuda:0' or 'mps'")

    def format_string(self, node: ast.Constant) -> None:
        assert isinstance(node.value, str)
        problem = format_problem(node.value)
        if problem is not None:
            raise self.fail(node, problem, "compute the value as an argument: "
                            "'{}'.format(x.grad)", what="format field")

    def fstring(self, node: ast.JoinedStr, depth: int) -> None:
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.expr(part.value, depth)
                if part.format_spec is not None:
                    spec = part.format_spec
                    if not (isinstance(spec, ast.JoinedStr) and all(
                            isinstance(v, ast.Constant) for v in spec.values)):
                        raise self.fail(spec, "format specs must be plain text such as .4f")
                    text = "".join(str(v.value) for v in spec.values
                                   if isinstance(v, ast.Constant))
                    if not SIMPLE_FORMAT_SPEC.match(text):
                        raise self.fail(spec, f"format spec '{text}' is not allowed: only "
                                        "simple numeric specs such as .4f")

    def operator_chain(self, node: ast.BinOp, depth: int) -> None:
        """A flat `a + b + ... + z` is nested to the left by Python's parser: it counts one
        level per CHAIN_PER_LEVEL operators, so a sum of 34 terms is not "deep" (the
        interpreter recurses once per operator; 32 levels of 4 stay far inside Python's
        recursion limit)."""
        chain = [node]
        while isinstance(chain[-1].left, ast.BinOp):
            chain.append(chain[-1].left)
        for index, link in enumerate(chain):
            self._depth(link, depth + index // CHAIN_PER_LEVEL)
        # Left to right, as written: the leftmost offender is the one reported.
        self.expr(chain[-1].left, depth + (len(chain) - 1) // CHAIN_PER_LEVEL + 1)
        for index in reversed(range(len(chain))):
            self.expr(chain[index].right, depth + index // CHAIN_PER_LEVEL + 1)

    def _depth(self, node: ast.AST, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise exceeded("max_depth", depth, self.limits.max_depth, self.source.locate(node))


CHAIN_PER_LEVEL = 4  # operators of a flat chain per level of nesting depth


def format_problem(template: str) -> str | None:
    """Why a `.format` template is refused (attribute or index access in a field), or None."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        return f"bad format string: {err}"
    for _, field_name, spec, _conversion in parsed:
        if field_name is None:
            continue
        if not FORMAT_FIELD.match(field_name):
            return (f"format field '{{{field_name}}}' is not allowed: only {{}}, {{0}} or "
                    "{name} (attribute and index access inside the text could reach Python "
                    "internals)")
        if spec and not SIMPLE_FORMAT_SPEC.match(spec):
            return f"format spec '{spec}' is not allowed: only simple numeric specs such as .4f"
    return None


def _is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id == "super"


def _known_name(name: str) -> bool:
    """A name on some allowlist although it looks like a dangerous prefix (set_grad_enabled)."""
    return name in allow.SAFE_SET_NAMES


def _is_device_string(call: ast.Call, arg: ast.expr) -> bool:
    """`x.to('cpu')` and `torch.device('cpu')` take a device string positionally."""
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in {"to", "device"} and \
        call.args.index(arg) == 0
