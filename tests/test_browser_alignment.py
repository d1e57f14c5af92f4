"""HTML that lines up in a real browser, in English and Chinese: headless Chromium draws
`--export run.html`, the notebook's text/html (what `%%gradexplain` displays) and an SVG
export, and every character is measured (tests/browser_layout.py): box edges, table
headings and the text after Chinese stand at their terminal columns, the right edge of an
error box at one x on every line, and a run of Chinese keeps its glyphs inside its cells.

Needs Chromium (`apt install chromium fonts-noto-cjk`); skipped only when it is absent.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.app import api
from gradexplain.render.cjk import cells
from gradexplain.shell.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from browser_layout import Placed, chromium, layout, measured, misplaced

pytestmark = pytest.mark.skipif(chromium() is None, reason="needs chromium")
runner = CliRunner()

# An error box (the freed graph), tables and a note: every kind of line the report has.
CODE = """x = torch.ones(2, 2, requires_grad=True)
out = (x * x * 3).mean()
out.backward()
out.backward()
"""


def _exported(tmp_path: Path, lang: str, *args: str) -> str:
    target = tmp_path / f"{lang}.html"
    result = runner.invoke(app, [*args, "--lang", lang, "--width", "100", "--export",
                                 str(target)], env={"NO_COLOR": ""})
    assert result.exit_code in (0, 1), result.output
    return target.read_text(encoding="utf-8")


def _check(placed: list[Placed]) -> None:
    wrong = misplaced(placed)
    assert not wrong, "drawn away from their columns: " + ", ".join(
        f"{p.char!r} (line {p.line}, column {p.column}) at {p.x:.2f}" for p in wrong[:8])
    # The right edge of each box: one x on every line.
    edges: dict[tuple[int, int], set[float]] = defaultdict(set)
    for p in placed:
        if p.char in "│╮╯" and p.column > 0:
            edges[(p.pre, p.column)].add(round(p.x, 1))
    assert edges and all(len(xs) == 1 for xs in edges.values()), edges


def _has_chinese(placed: list[Placed]) -> bool:
    return any(cells(p.char) == 2 for p in placed)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_html_lines_up(tmp_path: Path, lang: str) -> None:
    page = _exported(tmp_path, lang, "run", "retain_graph")
    placed = layout(page)
    assert _has_chinese(placed) == (lang == "zh")
    _check(placed)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_html_of_a_comparison_lines_up(tmp_path: Path, lang: str) -> None:
    placed = layout(_exported(tmp_path, lang, "compare", "accumulation", "--zero-grad"))
    wrong = misplaced(placed)
    assert not wrong, wrong[:8]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notebook_html_lines_up(lang: str) -> None:
    pytest.importorskip("IPython")
    from gradexplain.notebook.magic import shown_record

    record = api.run_code(CODE, lang=lang, name=api.default_name("cell", lang))
    assert record.error is not None and record.error.kind == "freed_graph"
    shown = shown_record(record, width=100, full=False)
    assert shown.html.startswith("<pre ")
    placed = layout(shown.html)
    assert _has_chinese(placed) == (lang == "zh")
    _check(placed)


def test_svg_chinese_runs_stay_inside_their_cells(tmp_path: Path) -> None:
    """Each piece of an SVG line starts at its cell; a run of Chinese is drawn at its own
    width (no `textLength`: no letters spaced out) and fits its cells."""
    target = tmp_path / "run.svg"
    result = runner.invoke(app, ["run", "retain_graph", "--lang", "zh", "--width", "100",
                                 "--export", str(target)])
    assert result.exit_code == 0, result.output
    svg = target.read_text(encoding="utf-8")
    runs = measured(svg, SVG_MEASURE)
    assert len(runs) > 20
    for text, x, right, spaced in runs:
        assert abs(x / CELL - round(x / CELL)) < 0.02, (text, x)
        assert right <= x + cells(text) * CELL + 0.5, (text, x, right)
        assert not spaced, text


CELL = 12.2  # rich's SVG cell: 0.61 of its 20px font
# Each <text> holding Chinese: its text, x, the right edge of its glyphs, and whether it
# carries a textLength (which renderers honour by spacing the letters out).
SVG_MEASURE = """<script>document.fonts.ready.then(() => {
  const out = [];
  document.querySelectorAll("text").forEach(t => {
    if (!/[\u3000-\u9fff\uff00-\uffef]/.test(t.textContent)) return;
    const box = t.getBBox();
    out.push([t.textContent, parseFloat(t.getAttribute("x")), box.x + box.width,
              t.hasAttribute("textLength")]);
  });
  const d = document.createElement("div"); d.id = "gradexplain-layout";
  d.textContent = JSON.stringify(out);
  document.body.appendChild(d);
});</script>"""
