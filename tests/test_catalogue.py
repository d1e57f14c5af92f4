"""Every catalogue has the same keys in English and Chinese, and every key the code looks up
by name exists in both: a missing key is a test failure, never a silent fallback."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradexplain.explain import catalogue, catalogue_compare, catalogue_expect, catalogue_repl
from gradexplain.explain.explainer import label
from gradexplain.render.blocks import tr

SRC = Path(__file__).resolve().parents[1] / "src" / "gradexplain"

# name -> {"en": {...}, "zh": {...}}
FLAT = {
    "labels": catalogue.LABELS,
    "common": catalogue.COMMON,
    "limits": catalogue.LIMITS,
    "compare": catalogue_compare.PHRASES,
    "repl": catalogue_repl.PHRASES,
    "expect": catalogue_expect.PHRASES,
}


@pytest.mark.parametrize("name", sorted(FLAT))
def test_same_keys_in_both_languages(name: str) -> None:
    table = FLAT[name]
    assert set(table) == {"en", "zh"}
    assert set(table["en"]) == set(table["zh"]), set(table["en"]) ^ set(table["zh"])


@pytest.mark.parametrize("family", ["ERRORS", "NOTES"])
def test_every_kind_has_the_same_keys_in_both_languages(family: str) -> None:
    table = getattr(catalogue, family)
    assert set(table["en"]) == set(table["zh"])
    for kind in table["en"]:
        assert set(table["en"][kind]) == set(table["zh"][kind]), kind


def _literal_keys(functions: set[str], under: str) -> Iterator[tuple[str, str]]:
    """(file:line, key) for each call of one of `functions` whose key is a string literal."""
    for path in sorted((SRC / under).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            first = node.args[0]
            if name in functions and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                yield f"{path.relative_to(SRC)}:{node.lineno}", first.value


# which catalogue each looking-up function reads
LOOKUPS = [({"tr", "label", "_heading", "heading"}, "render", catalogue.LABELS),
           ({"compare_text", "text"}, "render/compare_view.py", catalogue_compare.PHRASES),
           ({"say", "text"}, "shell", catalogue_repl.PHRASES)]


@pytest.mark.parametrize(("functions", "under", "table"), LOOKUPS,
                         ids=["labels", "compare", "repl"])
def test_every_key_looked_up_exists_in_both_languages(
        functions: set[str], under: str, table: dict[str, dict[str, str]]) -> None:
    uses = list(_literal_keys(functions, under)) if (SRC / under).is_dir() else [
        (f"{under}:{line}", key) for line, key in _literal_keys_in_file(SRC / under, functions)]
    assert uses, f"no lookups found under {under}: the scan is broken"
    missing = [(where, key, lang) for where, key in uses for lang in ("en", "zh")
               if key not in table[lang]]
    assert not missing


def _literal_keys_in_file(path: Path, functions: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name) \
                and node.func.id in functions and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            yield node.lineno, node.args[0].value


def test_an_unknown_label_raises() -> None:
    with pytest.raises(KeyError):
        tr("no such label", "en")
    with pytest.raises(KeyError):
        label("no such label", "zh")
