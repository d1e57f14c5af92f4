"""Static check of scenario code, before anything runs: the syntax tree against allowlists.

Refuses the leftmost violation with `not_allowed` (file, line, column, caret) and says what is
dangerous; bounds statement length, nesting depth and statement count (`limit_exceeded`).
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, field

from gradexplain.errors import GradexplainError, invalid, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language.source import SourceMap
from gradexplain.limits import Limits, check, exceeded
from gradexplain.scenario.model import Code

# A numeric format spec such as `.4f`, `>8.2e`, `+,d`: nothing that can reach attributes.
SIMPLE_FORMAT_SPEC = re.compile(
    r"^(?:.?[<>=^])?[+\- ]?#?0?(\d{1,3})?[,_]?(?:\.\d{1,3})?[bcdeEfFgGnosxX%]?$")
FORMAT_FIELD = re.compile(r"^(?:\d{1,3}|[A-Za-z_][A-Za-z0-9_]*)?$")
IMPORT_FORMS = {
    ("import", "torch", None),
    ("import", "torch", "torch"),
    ("import", "torch.nn.functional", "F"),
    ("from", "torch.nn", "functional", "F"),
    ("from", "torch.nn", "functional", None),
}
WITH_CONTEXTS = {"torch.no_grad", "torch.enable_grad"}

_STATEMENT_NAMES = {
    ast.While: "while loops (use `for i in range(n):`)",
    ast.If: "if statements",
    ast.FunctionDef: "function definitions",
    ast.AsyncFunctionDef: "function definitions",
    ast.ClassDef: "class definitions",
    ast.Try: "try statements",
    ast.Raise: "raise",
    ast.Delete: "del",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Assert: "assert",
    ast.Return: "return",
    ast.AsyncFor: "async for",
    ast.AsyncWith: "async with",
}
_EXPRESSION_NAMES = {
    ast.Lambda: "lambda (it defines code that runs later)",
    ast.ListComp: "comprehensions (they run hidden loops)",
    ast.SetComp: "comprehensions (they run hidden loops)",
    ast.DictComp: "comprehensions (they run hidden loops)",
    ast.GeneratorExp: "generator expressions (they run hidden loops)",
    ast.NamedExpr: "the walrus operator `:=`",
    ast.Starred: "`*` unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
}


@dataclass
class Program:
    """Checked code, ready to run. `steps` numbers every statement (by id) in source order."""

    code: Code
    tree: ast.Module
    source: SourceMap
    steps: dict[int, int] = field(default_factory=dict)
    statement_count: int = 0

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


class _Checker:
    """Walks the tree in source order and raises on the first (leftmost) violation."""

    def __init__(self, source: SourceMap, limits: Limits) -> None:
        self.source = source
        self.limits = limits

    def fail(self, node: ast.AST, message: str, hint: str | None = None,
             what: str | None = None) -> GradexplainError:
        return not_allowed(message, self.source.locate(node), hint, what=what or message)

    # statements -----------------------------------------------------------------------------

    def check_module(self, tree: ast.Module) -> None:
        for stmt in tree.body:
            self.statement(stmt, 1)

    def statement(self, node: ast.stmt, depth: int) -> None:
        self._depth(node, depth)
        length = len(self.source.segment(node))
        if length > self.limits.max_statement_chars:
            raise exceeded("max_statement_chars", length, self.limits.max_statement_chars,
                           self.source.locate(node))
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value, depth + 1)
        elif isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name):
                raise self.fail(node.target, "augmented assignment only to a plain name",
                                "write `name = name + value` or `name += value`")
            self.name_ok(node.target)
            self.expr(node.value, depth + 1)
        elif isinstance(node, ast.AnnAssign):
            raise self.fail(node, "annotated assignments are not part of the language",
                            "drop the annotation: `x = ...`")
        elif isinstance(node, ast.Expr):
            self.expr(node.value, depth + 1)
        elif isinstance(node, ast.For):
            self.for_loop(node, depth)
        elif isinstance(node, ast.With):
            self.with_block(node, depth)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.import_(node)
        elif isinstance(node, ast.Pass):
            return
        else:
            what = _STATEMENT_NAMES.get(type(node), type(node).__name__)
            raise self.fail(node, f"{what} are not part of the statement language",
                            "scenarios use assignments, expressions, print, "
                            "`for ... in range(...)` and `with torch.no_grad():`")

    def target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            self.name_ok(node)
        elif isinstance(node, ast.Tuple) and all(isinstance(e, ast.Name) for e in node.elts):
            for element in node.elts:
                assert isinstance(element, ast.Name)
                self.name_ok(element)
        elif isinstance(node, ast.Attribute):
            raise self.fail(node, f"assigning to attribute '{node.attr}' is not allowed",
                            "attributes such as .grad or .data are read-only here; use "
                            "x.grad.zero_() to clear a gradient")
        elif isinstance(node, ast.Subscript):
            raise self.fail(node, "item assignment (`x[i] = ...`) is not allowed",
                            "build a new tensor, e.g. with torch.where(mask, value, x)")
        else:
            raise self.fail(node, "only names can be assigned to", "write `name = ...`")

    def for_loop(self, node: ast.For, depth: int) -> None:
        if not isinstance(node.target, ast.Name):
            raise self.fail(node.target, "a for loop variable must be a plain name")
        self.name_ok(node.target)
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range"):
            raise self.fail(it, "for loops may only iterate over range(...)",
                            "write `for i in range(n):`")
        if node.orelse:
            raise self.fail(node.orelse[0], "for ... else is not part of the language")
        self.call_arguments(it, depth + 1, in_print=False)
        for stmt in node.body:
            self.statement(stmt, depth + 1)

    def with_block(self, node: ast.With, depth: int) -> None:
        for item in node.items:
            ctx = item.context_expr
            path = _dotted(ctx.func) if isinstance(ctx, ast.Call) else None
            if path not in WITH_CONTEXTS or (isinstance(ctx, ast.Call) and
                                             (ctx.args or ctx.keywords)):
                raise self.fail(ctx, "only `with torch.no_grad():` and "
                                "`with torch.enable_grad():` blocks are allowed")
            if item.optional_vars is not None:
                raise self.fail(item.optional_vars, "`with ... as name` is not needed here",
                                "write `with torch.no_grad():`")
        for stmt in node.body:
            self.statement(stmt, depth + 1)

    def import_(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            ok = all(("import", a.name, a.asname) in IMPORT_FORMS for a in node.names)
        else:
            ok = node.level == 0 and all(
                ("from", node.module, a.name, a.asname) in IMPORT_FORMS for a in node.names
            )
        if not ok:
            raise self.fail(node, "only `import torch` and `import torch.nn.functional as F` "
                            "are accepted; other imports could load any code",
                            "torch and F are always available; remove the import",
                            what="import")

    # expressions ----------------------------------------------------------------------------

    def expr(self, node: ast.expr, depth: int, *, in_print: bool = False) -> None:
        self._depth(node, depth)
        d = depth + 1
        if isinstance(node, ast.Constant):
            self.constant(node, in_print)
        elif isinstance(node, ast.Name):
            self.name_ok(node)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                self.expr(element, d, in_print=in_print)
        elif isinstance(node, ast.BinOp):
            self.expr(node.left, d, in_print=in_print)
            self.expr(node.right, d, in_print=in_print)
        elif isinstance(node, ast.UnaryOp):
            self.expr(node.operand, d, in_print=in_print)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value, d, in_print=in_print)
        elif isinstance(node, ast.Compare):
            self.expr(node.left, d, in_print=in_print)
            for comparator in node.comparators:
                self.expr(comparator, d, in_print=in_print)
        elif isinstance(node, ast.IfExp):
            for part in (node.test, node.body, node.orelse):
                self.expr(part, d, in_print=in_print)
        elif isinstance(node, ast.Subscript):
            self.expr(node.value, d, in_print=in_print)
            self.expr(node.slice, d, in_print=in_print)
        elif isinstance(node, ast.Slice):
            for bound in (node.lower, node.upper, node.step):
                if bound is not None:
                    self.expr(bound, d, in_print=in_print)
        elif isinstance(node, ast.Attribute):
            self.attribute(node, d, in_print)
        elif isinstance(node, ast.Call):
            self.call(node, d, in_print)
        elif isinstance(node, ast.JoinedStr):
            if not in_print:
                raise self.fail(node, "f-strings are only allowed inside print(...)")
            self.fstring(node, d)
        else:
            what = _EXPRESSION_NAMES.get(type(node), type(node).__name__)
            raise self.fail(node, f"{what} are not allowed in scenario code")

    def constant(self, node: ast.Constant, in_print: bool) -> None:
        value = node.value
        if isinstance(value, bytes):
            raise self.fail(node, "bytes literals are not allowed")
        if isinstance(value, str) and not in_print:
            raise self.fail(node, "string literals are only allowed inside print(...) and "
                            "as a device= argument",
                            "tensor code needs no strings; write device='cpu' for devices")

    def name_ok(self, node: ast.Name) -> None:
        if node.id.startswith("__") or node.id.startswith("_"):
            raise self.fail(node, f"name '{node.id}' is not allowed: private and dunder "
                            "names reach Python internals", what=f"name '{node.id}'")
        # Other names (even `input` or `open`) are only the user's variables: they resolve to
        # nothing else, and calling a builtin that is not allowlisted is refused in call().

    def attribute(self, node: ast.Attribute, depth: int, in_print: bool) -> None:
        self.expr(node.value, depth, in_print=in_print)
        name = node.attr
        if name not in allow.ALL_ATTRIBUTE_NAMES or name.startswith("_"):
            reason = allow.why_dangerous(name)
            message = f"attribute '{name}' is not allowed"
            message += f": {reason}" if reason else " (it is not on the allowlist)"
            raise not_allowed(message, self.source.locate_attribute(node),
                              "see the statement language in the README for what scenario "
                              "code may use", what=f"attribute '{name}'")
        if name == "format" and not in_print:
            raise self.fail(node, "'...'.format(...) is only allowed inside print(...)")

    def call(self, node: ast.Call, depth: int, in_print: bool) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in allow.BUILTINS:
                reason = allow.why_dangerous(func.id)
                message = f"calling '{func.id}' is not allowed"
                message += f": {reason}" if reason else (
                    "; the only builtins are print, len and range")
                raise self.fail(func, message, what=f"builtin '{func.id}'")
            if func.id == "range":
                raise self.fail(func, "range(...) is only allowed in `for i in range(...):`")
            if func.id == "print":
                self.call_arguments(node, depth, in_print=True)
                return
        elif isinstance(func, ast.Attribute) and func.attr == "format":
            if not (isinstance(func.value, ast.Constant) and isinstance(func.value.value, str)):
                raise self.fail(func, "only a string literal's .format(...) is allowed")
            if not in_print:
                raise self.fail(func, "'...'.format(...) is only allowed inside print(...)")
            self.format_string(func.value)
            self.call_arguments(node, depth, in_print=True)
            return
        else:
            self.expr(func, depth, in_print=in_print)
        self.call_arguments(node, depth, in_print=in_print)

    def call_arguments(self, node: ast.Call, depth: int, *, in_print: bool) -> None:
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "`*args` unpacking is not allowed")
            if _is_device_string(node, arg):
                assert isinstance(arg, ast.Constant)
                self.device_string(arg)
                continue
            self.expr(arg, depth, in_print=in_print)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail(keyword.value, "`**kwargs` unpacking is not allowed")
            if keyword.arg.startswith("_"):
                raise self.fail(keyword.value, f"keyword '{keyword.arg}' is not allowed")
            if keyword.arg == "device" and isinstance(keyword.value, ast.Constant) and \
                    isinstance(keyword.value.value, str):
                self.device_string(keyword.value)
                continue
            self.expr(keyword.value, depth, in_print=in_print)

    def device_string(self, node: ast.Constant) -> None:
        value = node.value
        if not (isinstance(value, str) and re.fullmatch(r"cpu|cuda(:\d{1,2})?|mps|meta", value)):
            raise self.fail(node, f"{value!r} is not a device string",
                            "use 'cpu', 'cuda', 'cuda:0' or 'mps'")

    def format_string(self, node: ast.Constant) -> None:
        assert isinstance(node.value, str)
        try:
            parsed = list(string.Formatter().parse(node.value))
        except ValueError as err:
            raise self.fail(node, f"bad format string: {err}") from None
        for _, field_name, spec, _conversion in parsed:
            if field_name is None:
                continue
            if not FORMAT_FIELD.match(field_name):
                raise self.fail(node, f"format field '{{{field_name}}}' is not allowed: only "
                                "{}, {0} or {name} (attribute and index access inside the "
                                "text could reach Python internals)",
                                "compute the value as an argument: '{}'.format(x.grad)",
                                what="format field")
            if spec and not SIMPLE_FORMAT_SPEC.match(spec):
                raise self.fail(node, f"format spec '{spec}' is not allowed: only simple "
                                "numeric specs such as .4f")

    def fstring(self, node: ast.JoinedStr, depth: int) -> None:
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.expr(part.value, depth, in_print=True)
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

    def _depth(self, node: ast.AST, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise exceeded("max_depth", depth, self.limits.max_depth, self.source.locate(node))


def _dotted(node: ast.expr) -> str | None:
    """`torch.nn.functional.relu` for an attribute chain on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_device_string(call: ast.Call, arg: ast.expr) -> bool:
    """`x.to('cpu')` and `torch.device('cpu')` take a device string positionally."""
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in {"to", "device"} and \
        call.args.index(arg) == 0


def dotted_name(node: ast.expr) -> str | None:
    """Public form of `_dotted`, for the evaluator."""
    return _dotted(node)
