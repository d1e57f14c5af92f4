"""No import circle among engine/'s modules, counting the imports made inside functions and
under TYPE_CHECKING (a circle hidden behind a function-level import is still a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import gradexplain

PACKAGE = Path(gradexplain.__file__).parent
ENGINE = "gradexplain.engine"


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The modules of `modules` that the file imports, wherever in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def in_a_circle(graph: dict[str, set[str]]) -> list[str]:
    """The modules that can reach themselves through their imports."""
    found = []
    for start, direct in graph.items():
        seen: set[str] = set()
        stack = list(direct)
        while stack:
            module = stack.pop()
            if module == start:
                found.append(start)
                break
            if module not in seen:
                seen.add(module)
                stack.extend(graph.get(module, ()))
    return found


def test_engine_has_no_import_circle() -> None:
    files = {f"{ENGINE}.{p.stem}": p for p in (PACKAGE / "engine").glob("*.py")
             if p.stem != "__init__"}
    graph = {name: imports_of(path, set(files)) - {name} for name, path in files.items()}
    assert len(graph) > 10 and any(graph.values())
    assert in_a_circle(graph) == []


def test_a_circle_behind_a_function_level_import_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f():\n    from gradexplain.engine.b import g\n")
    (tmp_path / "b.py").write_text("import os\nfrom gradexplain.engine import c\n")
    modules = {f"{ENGINE}.a", f"{ENGINE}.b", f"{ENGINE}.c"}
    graph = {f"{ENGINE}.{name}": imports_of(tmp_path / f"{name}.py", modules)
             for name in ("a", "b")}
    assert graph == {f"{ENGINE}.a": {f"{ENGINE}.b"}, f"{ENGINE}.b": {f"{ENGINE}.c"}}
    assert in_a_circle(graph) == []
    (tmp_path / "b.py").write_text("from gradexplain.engine import a\n")
    graph[f"{ENGINE}.b"] = imports_of(tmp_path / "b.py", modules)
    assert in_a_circle(graph) == [f"{ENGINE}.a", f"{ENGINE}.b"]
