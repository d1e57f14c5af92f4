"""No import circles in src/gradexplain: the graph of every import (at module level, inside
functions, and under TYPE_CHECKING alike) is read from the source with `ast`, and each group
of modules that import one another, directly or round a loop, is reported with its imports.
A circle hidden behind an import inside a function is still a circle: it is what made
language/ need the lazy-import exemption (ruff PLC0415) before it was rebuilt."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "gradexplain").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The gradexplain modules `name` imports, anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:  # `from gradexplain.language import budget`: a module
                member = f"{base}.{alias.name}"
                found.add(member if member in modules else base)
    return {m for m in found if m in modules and m != name}


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_no_import_circles() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    circles = _circles(graph)
    described = "\n".join(
        " <-> ".join(sorted(group)) + "\n" + "\n".join(
            f"    {a} imports {b}" for a in sorted(group) for b in sorted(graph[a] & group))
        for group in circles)
    assert not circles, f"import circles:\n{described}"


def test_the_graph_sees_imports_inside_functions(tmp_path: Path) -> None:
    """The reader finds a circle made only of imports inside functions (what hid them)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text("def g():\n    from pkg.a import f\n")
    modules = {"pkg": package / "__init__.py", "pkg.a": package / "a.py",
               "pkg.b": package / "b.py"}
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _circles(graph) == [{"pkg.a", "pkg.b"}]
