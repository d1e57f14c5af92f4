"""Static check of scenario code, before anything runs: the syntax tree against allowlists.

Refuses the leftmost violation with `not_allowed` (file, line, column, caret) and says what is
dangerous; bounds statement length, nesting depth and statement count (`limit_exceeded`).
Statements of the language: assignments (names, tuples, attributes, items), control flow,
`def`/`lambda`, the two kinds of user class, `with` blocks, `try`, `assert`, `del`, and the
allowlisted imports.
"""

from __future__ import annotations

import ast
import builtins
import re
import string
from collections.abc import Callable
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
# `import X [as Y]` and `from X import Y [as Z]`: X must be one of these modules.
IMPORT_MODULES = {
    "torch": "torch", "torch.nn": "torch.nn", "torch.nn.functional": "torch.nn.functional",
    "torch.nn.init": "torch.nn.init", "torch.optim": "torch.optim",
    "torch.autograd": "torch.autograd", "torch.autograd.functional": "torch.autograd.functional",
    "torch.autograd.graph": "torch.autograd.graph", "math": "math", "d2l": "d2l",
    "d2l.torch": "d2l", "__future__": "__future__",
    # The spelling of several Chinese tutorials: `from torch.autograd.function import Function`.
    "torch.autograd.function": "torch.autograd",
    "torch.optim.lr_scheduler": "torch.optim.lr_scheduler",
    "numpy": "numpy", "numpy.random": "numpy.random", "numpy.linalg": "numpy.linalg",
    "collections": "collections", "random": "random", "time": "time", "copy": "copy",
    # torch.utils.data runs in-process (language/data.py); matplotlib.pyplot's calls are
    # recorded as figures (language/pyplot.py): nothing of either library is loaded.
    "torch.utils": "torch.utils", "torch.utils.data": "torch.utils.data",
    "torch.utils.data.dataloader": "torch.utils.data",
    "torch.utils.data.sampler": "torch.utils.data",
    "matplotlib": "matplotlib", "matplotlib.pyplot": "matplotlib.pyplot",
    "matplotlib.pylab": "matplotlib.pyplot",
}


def placeholder_module(name: str) -> str | None:
    """The known module (allowlists.PLACEHOLDER_MODULES) an import of `name` binds a
    placeholder for (`os.path` -> `os`), or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in allow.PLACEHOLDER_MODULES:
            return prefix
    return None
# Names of things, read only (language/attributes.py reads them): `type(x).__name__`,
# `self.__class__.__name__`, `scheduler.__module__`.
NAME_ATTRIBUTES = frozenset({"__name__", "__module__"})
# Decorators a `def` may carry (the grad modes) and, in a custom Function, staticmethod.
DECORATORS = {"torch.no_grad", "torch.enable_grad", "torch.inference_mode",
              "torch.autograd.no_grad", "torch.autograd.enable_grad", "no_grad", "enable_grad"}
CLASS_BASES = {"nn.Module": "module", "torch.nn.Module": "module", "Module": "module",
               "torch.autograd.Function": "function", "autograd.Function": "function",
               "Function": "function", "Dataset": "dataset", "data.Dataset": "dataset",
               "Data.Dataset": "dataset", "utils.data.Dataset": "dataset",
               "torch.utils.data.Dataset": "dataset", "object": "plain"}
# Special methods a user class may define (beyond ordinary names): each is dispatched by the
# interpreter (language/classes.py), re-entering it; nothing else of Python's data model.
OBJECT_SPECIAL_METHODS = frozenset({"__init__", "__getitem__", "__len__", "__call__",
                                    "__iter__", "__next__", "__repr__", "__str__"})
SPECIAL_METHODS: dict[str, frozenset[str]] = {
    "module": OBJECT_SPECIAL_METHODS, "function": frozenset(), "dataset": OBJECT_SPECIAL_METHODS,
    "plain": OBJECT_SPECIAL_METHODS, "user": OBJECT_SPECIAL_METHODS}

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
}


@dataclass
class Program:
    """Checked code, ready to run. `steps` numbers every statement (by id) in source order."""

    code: Code
    tree: ast.Module
    source: SourceMap
    steps: dict[int, int] = field(default_factory=dict)
    statement_count: int = 0
    # Made once per statement (by id), for loops that run the same statements many times:
    # the interpreter's StatementContext (language/compiler.py), and the statement compiled
    # into its closure, on its first run; for an expression program (`parse_expression`),
    # evaluated again and again by the numeric check, its expression's closure.
    contexts: dict[int, object] = field(default_factory=dict)
    compiled: dict[int, Callable[..., None]] = field(default_factory=dict)
    expression: Callable[..., object] | None = None

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
        self.functions = 0  # how many `def`/`lambda` bodies we are inside
        self.loops = 0  # loops inside the innermost function
        self.class_kind: str | None = None
        # `_make_layer`, `self._cache`: the single-underscore names the code's own classes
        # define (their methods, and attributes they assign on self); nothing else private.
        self.own_private: set[str] = set()
        self.generator_ok = False  # inside a `def` body (not a lambda or comprehension)

    def fail(self, node: ast.AST, message: str, hint: str | None = None,
             what: str | None = None) -> GradexplainError:
        return not_allowed(message, self.source.locate(node), hint, what=what or message)

    def check_module(self, tree: ast.Module) -> None:
        self.own_private = _own_private_names(tree)
        for stmt in tree.body:
            self.statement(stmt, 1)

    # statements -----------------------------------------------------------------------------

    def statement(self, node: ast.stmt, depth: int) -> None:
        self._depth(node, depth)
        length = len(self.source.segment(node))
        if length > self.limits.max_statement_chars:
            raise exceeded("max_statement_chars", length, self.limits.max_statement_chars,
                           self.source.locate(node))
        d = depth + 1
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value, d)
        elif isinstance(node, ast.AugAssign):
            self.target(node.target)
            self.expr(node.value, d)
        elif isinstance(node, ast.AnnAssign):
            self.target(node.target)  # the annotation is never evaluated
            if node.value is not None:
                self.expr(node.value, d)
        elif isinstance(node, ast.Expr):
            self.expr(node.value, d)
        elif isinstance(node, (ast.For, ast.While)):
            self.loop(node, depth)
        elif isinstance(node, ast.If):
            self.expr(node.test, d)
            self.block(node.body, depth)
            self.block(node.orelse, depth)
        elif isinstance(node, ast.With):
            self.with_block(node, depth)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.import_(node)
        elif isinstance(node, (ast.Break, ast.Continue)):
            if not self.loops:
                raise self.fail(node, f"'{type(node).__name__.lower()}' outside a loop")
        elif isinstance(node, ast.Return):
            if not self.functions:
                raise self.fail(node, "'return' outside a function")
            if node.value is not None:
                self.expr(node.value, d)
        elif isinstance(node, ast.FunctionDef):
            self.function(node, depth)
        elif isinstance(node, ast.ClassDef):
            self.class_def(node, depth)
        elif isinstance(node, ast.Try):
            self.try_block(node, depth)
        elif isinstance(node, ast.Assert):
            self.expr(node.test, d)
            if node.msg is not None:
                self.expr(node.msg, d)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.target(target)
        elif isinstance(node, ast.Raise):
            self.raise_(node, d)
        elif isinstance(node, ast.Pass):
            return
        else:
            what = _STATEMENT_NAMES.get(type(node), type(node).__name__)
            raise self.fail(node, f"{what} are not part of the statement language",
                            "see the statement language in the README")

    def block(self, body: list[ast.stmt], depth: int) -> None:
        for stmt in body:
            self.statement(stmt, depth + 1)

    def target(self, node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            if node.id == "__name__":
                raise self.fail(node, "'__name__' can be read, not assigned")
            self.name_ok(node)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self.target(element)
        elif isinstance(node, ast.Starred):
            self.target(node.value)
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            self.expr(node, 1)  # attribute names checked like any attribute read
        else:
            raise self.fail(node, "only names, attributes and items can be assigned to")

    def loop(self, node: ast.For | ast.While, depth: int) -> None:
        if isinstance(node, ast.For):
            self.target(node.target)
            self.expr(node.iter, depth + 1)
        else:
            self.expr(node.test, depth + 1)
        self.loops += 1
        self.block(node.body, depth)
        self.loops -= 1
        self.block(node.orelse, depth)

    def with_block(self, node: ast.With, depth: int) -> None:
        for item in node.items:
            if not isinstance(item.context_expr, (ast.Call, ast.Name, ast.Attribute)):
                raise self.fail(item.context_expr, "a `with` block needs a context such as "
                                "torch.no_grad()")
            self.expr(item.context_expr, depth + 1)
            if item.optional_vars is not None:
                self.target(item.optional_vars)
        self.block(node.body, depth)

    def import_(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            bad = next((a.name for a in node.names if a.name not in IMPORT_MODULES
                        and placeholder_module(a.name) is None), None)
        elif not node.level and node.module not in IMPORT_MODULES and \
                placeholder_module(node.module or "") is not None:
            bad = next((a.name for a in node.names if a.name.startswith("_")), None)
        elif node.level or node.module not in IMPORT_MODULES:
            bad = "." * node.level + (node.module or "")
        else:
            bad = next((a.name for a in node.names if a.name.startswith("_")
                        and node.module != "__future__"), None)
        if bad is not None:
            raise self.fail(node, f"importing '{bad}' is not allowed: only torch (and its nn, "
                            "nn.functional, optim, autograd parts), math, d2l, numpy, "
                            "collections, random, time and copy can be imported, and known "
                            "modules such as os bind a placeholder; other imports could load "
                            "any code",
                            "torch and F are always available; remove the import",
                            what="import")

    def arguments(self, args: ast.arguments, depth: int) -> None:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            if arg.arg.startswith("__"):
                raise self.fail(arg, f"parameter name '{arg.arg}' is not allowed")
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.expr(default, depth)

    def function(self, node: ast.FunctionDef, depth: int) -> None:
        special = SPECIAL_METHODS.get(self.class_kind or "", frozenset())
        if node.name.startswith("__") and node.name not in special:
            raise self.fail(node, f"defining '{node.name}' is not allowed: special methods "
                            "change how Python itself treats values",
                            "user classes may define __init__, __getitem__, __len__, "
                            "__call__, __iter__, __next__, __repr__, __str__, forward and "
                            "backward",
                            what=f"def {node.name}")
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            path = dotted_name(target)
            in_class = self.class_kind is not None and path == "staticmethod"
            if path not in DECORATORS and not in_class:
                raise self.fail(decorator, f"the decorator '{path or '...'}' is not allowed: "
                                "a decorator can replace a function with anything",
                                "allowed: @torch.no_grad(), @torch.enable_grad(), "
                                "@torch.inference_mode(), and @staticmethod in a class",
                                what="decorator")
            if isinstance(decorator, ast.Call):
                for arg in decorator.args:
                    self.expr(arg, depth + 1)
        self.arguments(node.args, depth + 1)
        saved = self.loops, self.class_kind, self.generator_ok
        self.functions += 1
        self.loops, self.class_kind, self.generator_ok = 0, None, True
        self.block(node.body, depth)
        self.functions -= 1
        self.loops, self.class_kind, self.generator_ok = saved

    def class_def(self, node: ast.ClassDef, depth: int) -> None:
        if node.keywords:
            raise self.fail(node.keywords[0].value, "class keywords (metaclass=...) are not "
                            "allowed: a metaclass runs arbitrary code", what="metaclass")
        bases = [dotted_name(b) for b in node.bases]
        # A plain class, one of the bases above, or a class of the user's own (a bare name,
        # found to be one when the class is made: language/classes.py).
        user_base = len(bases) == 1 and isinstance(node.bases[0], ast.Name) and \
            bases[0] not in CLASS_BASES and not (bases[0] or "").startswith("_")
        if len(bases) > 1 or (bases and bases[0] not in CLASS_BASES and not user_base):
            raise self.fail(node.bases[0] if node.bases else node,
                            "a class must be a plain class, or extend nn.Module, "
                            "torch.autograd.Function, Dataset or a class of your own: other "
                            "classes could redefine how Python treats values",
                            "write `class Net(nn.Module):`, `class Exp(torch.autograd."
                            "Function):` or `class Data(Dataset):`", what="class base")
        if node.decorator_list:
            raise self.fail(node.decorator_list[0], "class decorators are not allowed",
                            what="decorator")
        if node.name.startswith("__"):
            raise self.fail(node, f"class name '{node.name}' is not allowed")
        if self.class_kind is not None:
            raise self.fail(node, "classes inside classes are not allowed")
        kind = "plain" if not bases else "user" if user_base else CLASS_BASES[bases[0] or ""]
        for index, stmt in enumerate(node.body):
            docstring = index == 0 and isinstance(stmt, ast.Expr) and \
                isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
            if isinstance(stmt, ast.FunctionDef):
                saved = self.class_kind
                self.class_kind = kind
                self.function(stmt, depth + 1)
                self.class_kind = saved
            elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name)
                                                      for t in stmt.targets):
                self.statement(stmt, depth + 1)
            elif not (docstring or isinstance(stmt, ast.Pass)):
                raise self.fail(stmt, "a class body may hold only methods, plain assignments "
                                "and a docstring")

    def try_block(self, node: ast.Try, depth: int) -> None:
        self.block(node.body, depth)
        for handler in node.handlers:
            names = [] if handler.type is None else (
                list(handler.type.elts) if isinstance(handler.type, ast.Tuple)
                else [handler.type])
            for name in names:
                if not (isinstance(name, ast.Name) and name.id in allow.EXCEPTIONS):
                    raise self.fail(name, "only the exceptions PyTorch raises can be caught: "
                                    + ", ".join(sorted(allow.EXCEPTIONS)), what="except")
            if handler.name is not None and handler.name.startswith("__"):
                raise self.fail(handler, f"name '{handler.name}' is not allowed")
            self.block(handler.body, depth)
        self.block(node.orelse, depth)
        self.block(node.finalbody, depth)

    def raise_(self, node: ast.Raise, depth: int) -> None:
        if node.cause is not None:
            raise self.fail(node.cause, "`raise ... from ...` is not part of the language")
        exc = node.exc
        if exc is None:
            return
        func = exc.func if isinstance(exc, ast.Call) else exc
        if not (isinstance(func, ast.Name) and func.id in allow.EXCEPTIONS):
            raise self.fail(exc, "only the built-in exceptions can be raised, e.g. "
                            "raise ValueError('...')", what="raise")
        if isinstance(exc, ast.Call):
            for arg in exc.args:
                self.expr(arg, depth)

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
            saved = self.generator_ok
            self.generator_ok = False
            self.expr(node.body, d)
            self.generator_ok = saved
            self.functions -= 1
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            saved = self.generator_ok
            self.generator_ok = False
            self.comprehension(node, d)
            self.generator_ok = saved
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            if not self.generator_ok:
                raise self.fail(node, "yield is only allowed in the body of a `def`")
            if node.value is not None:
                self.expr(node.value, d)
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
        if node.id.startswith("__") and node.id != "__name__":  # `if __name__ == "__main__":`
            raise self.fail(node, f"name '{node.id}' is not allowed: dunder names reach "
                            "Python internals", what=f"name '{node.id}'")
        # Other names (even `input` or `open`) are only the user's variables: they resolve to
        # nothing else, and calling a builtin that is not allowlisted is refused in call().

    def attribute(self, node: ast.Attribute, depth: int) -> None:
        if node.attr == "data" and isinstance(node.value, ast.Attribute) and \
                node.value.attr == "utils":
            # `torch.utils.data` (only that part of torch.utils: language/data.py)
            self.expr(node.value.value, depth)
            return
        name = node.attr
        if name in NAME_ATTRIBUTES and isinstance(node.value, ast.Attribute) and \
                node.value.attr == "__class__":  # `self.__class__.__name__`: a name, read
            self.expr(node.value.value, depth + 1)
            return
        self.expr(node.value, depth)
        if name in NAME_ATTRIBUTES:  # `fn.__name__`, `type(x).__module__`: read only
            return
        if name == "__init__" or (name in OBJECT_SPECIAL_METHODS and _is_super_call(node.value)):
            # `super().__init__(...)`, `super().__getitem__(i)`: the base class's, run by the
            # interpreter
            if not _is_super_call(node.value):
                self.refuse_attribute(node)
        elif name in allow.PRIVATE_ALLOWED or name.startswith(allow.SAVED_PREFIX) or \
                name in allow.MODULE_TABLES:
            return  # read-only values for display, checked again by type when read
        elif name in allow.SAFE_ATTRIBUTE_NAMES or name in self.own_private:
            return
        elif name.startswith("_") or name in allow.DANGEROUS:
            # (A `set_...` name is refused where it is read, by the allowlist of its owner:
            # torch's global setters are, `ax.set_xlabel` or the code's own are not.)
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
            # A name called can only be a builtin or the code's own (`set_seed`, `load_data`):
            # only the builtins are dangerous.
            reason = allow.DANGEROUS_BUILTINS.get(func.id) or (
                allow.why_dangerous(func.id) if hasattr(builtins, func.id) else None)
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


def _own_private_names(tree: ast.Module) -> set[str]:
    """Single-underscore names the code's classes define: methods, and `self._name = ...`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.FunctionDef):
                names.add(inner.name)
            elif isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store) and \
                    isinstance(inner.value, ast.Name) and inner.value.id == "self":
                names.add(inner.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")
            and n not in PRIVATE_RESERVED}


# Private names of PyTorch's own objects that a class of the code may not take for its own.
PRIVATE_RESERVED = frozenset({
    "_parameters", "_buffers", "_modules", "_forward_hooks", "_forward_pre_hooks",
    "_backward_hooks", "_backward_pre_hooks", "_state_dict_hooks", "_load_state_dict_pre_hooks",
    "_non_persistent_buffers_set", "_is_full_backward_hook", "_call_impl", "_apply",
    "_version", "_C", "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
    "_forward_pre_hooks_with_kwargs", "_state_dict_pre_hooks",
    "_load_state_dict_post_hooks", "_get_name", "_named_members", "_slow_forward",
    "_wrapped_call_impl", "_replicate_for_data_parallel", "_register_state_dict_hook",
})


def _is_device_string(call: ast.Call, arg: ast.expr) -> bool:
    """`x.to('cpu')` and `torch.device('cpu')` take a device string positionally."""
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return False
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in {"to", "device"} and \
        call.args.index(arg) == 0


def dotted_name(node: ast.expr) -> str | None:
    """`torch.nn.functional.relu` for an attribute chain on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
