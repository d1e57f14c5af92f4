"""The static check of statements: what a statement may contain, before anything runs.

Part of the checker (`checker._Checker` mixes this in). Statements of the widened language:
assignments (names, tuples, attributes, items), control flow, `def`/`lambda`, the two kinds
of user class, `with` blocks, `try`, `assert`, `del`, and the allowlisted imports.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from gradexplain.errors import GradexplainError
from gradexplain.language import allowlists as allow
from gradexplain.language.source import SourceMap
from gradexplain.limits import Limits, exceeded


class StatementChecks:
    """Statement rules; the expression rules live in the checker itself."""

    source: SourceMap
    limits: Limits
    functions: int
    loops: int
    class_kind: str | None

    if TYPE_CHECKING:
        def fail(self, node: ast.AST, message: str, hint: str | None = None,
                 what: str | None = None) -> GradexplainError: ...
        def expr(self, node: ast.expr, depth: int) -> None: ...
        def name_ok(self, node: ast.Name) -> None: ...
        def _depth(self, node: ast.AST, depth: int) -> None: ...

    def statement(self, node: ast.stmt, depth: int) -> None:
        from gradexplain.language.checker import _STATEMENT_NAMES

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
        from gradexplain.language.checker import IMPORT_MODULES

        if isinstance(node, ast.Import):
            bad = next((a.name for a in node.names if a.name not in IMPORT_MODULES), None)
        elif node.level or node.module not in IMPORT_MODULES:
            bad = "." * node.level + (node.module or "")
        else:
            bad = next((a.name for a in node.names if a.name.startswith("_")
                        and node.module != "__future__"), None)
        if bad is not None:
            raise self.fail(node, f"importing '{bad}' is not allowed: only torch (and its nn, "
                            "nn.functional, optim, autograd parts), math and d2l can be "
                            "imported; other imports could load any code",
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
        from gradexplain.language.checker import DECORATORS, SPECIAL_METHODS

        special = SPECIAL_METHODS.get(self.class_kind or "", set())
        if node.name.startswith("__") and node.name not in special:
            raise self.fail(node, f"defining '{node.name}' is not allowed: special methods "
                            "change how Python itself treats values",
                            "user classes may define __init__, forward and backward",
                            what=f"def {node.name}")
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            path = dotted_name(target)
            in_function_class = self.class_kind == "function" and path == "staticmethod"
            if path not in DECORATORS and not in_function_class:
                raise self.fail(decorator, f"the decorator '{path or '...'}' is not allowed: "
                                "a decorator can replace a function with anything",
                                "allowed: @torch.no_grad(), @torch.enable_grad(), "
                                "@torch.inference_mode(), and @staticmethod in a "
                                "torch.autograd.Function", what="decorator")
            if isinstance(decorator, ast.Call):
                for arg in decorator.args:
                    self.expr(arg, depth + 1)
        self.arguments(node.args, depth + 1)
        saved = self.loops, self.class_kind
        self.functions += 1
        self.loops, self.class_kind = 0, None
        self.block(node.body, depth)
        self.functions -= 1
        self.loops, self.class_kind = saved

    def class_def(self, node: ast.ClassDef, depth: int) -> None:
        from gradexplain.language.checker import CLASS_BASES

        if node.keywords:
            raise self.fail(node.keywords[0].value, "class keywords (metaclass=...) are not "
                            "allowed: a metaclass runs arbitrary code", what="metaclass")
        bases = [dotted_name(b) for b in node.bases]
        if len(bases) != 1 or bases[0] not in CLASS_BASES:
            raise self.fail(node.bases[0] if node.bases else node,
                            "a class must extend nn.Module or torch.autograd.Function: other "
                            "classes could redefine how Python treats values",
                            "write `class Net(nn.Module):` or `class Exp(torch.autograd."
                            "Function):`", what="class base")
        if node.decorator_list:
            raise self.fail(node.decorator_list[0], "class decorators are not allowed",
                            what="decorator")
        if node.name.startswith("__"):
            raise self.fail(node, f"class name '{node.name}' is not allowed")
        if self.class_kind is not None:
            raise self.fail(node, "classes inside classes are not allowed")
        kind = CLASS_BASES[bases[0] or ""]
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
