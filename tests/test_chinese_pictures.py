"""Chinese in pictures: plot titles, axes and legends, `--dot` labels, SVG/HTML exports.

Tests that draw Chinese glyphs need a CJK font (e.g. `apt install fonts-noto-cjk`) and
matplotlib; without them they are skipped, and the hint for a missing font is tested with
the font search replaced.
"""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.render.export_fonts import cells, svg_with_cjk
from gradexplain.shell.cli import app

runner = CliRunner()
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib")


def _cjk_font() -> str | None:
    if not HAVE_MATPLOTLIB:
        return None
    from gradexplain.render.figures import cjk_font

    return cjk_font()


# --- plots --------------------------------------------------------------------------------------

def test_plot_text_chart_in_chinese() -> None:
    result = runner.invoke(app, ["plot", "torch.tanh(x)", "--lang", "zh", "--width", "70"])
    assert result.exit_code == 0, result.output
    assert "dy/dx（执行 y.backward(torch.ones_like(y)) 之后的 x.grad）" in result.stdout
    scenario = runner.invoke(app, ["plot", "relu_plot", "--lang", "zh", "--width", "70"])
    assert scenario.stdout.startswith("relu 的梯度\n")
    english = runner.invoke(app, ["plot", "relu_plot", "--width", "70"])
    assert english.stdout.startswith("grad of relu\n")


def test_plot_labels_per_language_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("tensors:\n  x: {ones: [3]}\nsteps: |\n  (x * 2).sum().backward()\n"
                    "plot:\n  x: x\n  y: [x.grad]\n  title: {en: a, fr: b}\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--lang", "zh"])
    assert result.exit_code == 2
    assert "第 8 行有未知的键 'fr'" in result.output
    assert "plot.title 可用的键有：en、zh" in result.output


@needs_matplotlib
def test_plot_picks_a_cjk_font(tmp_path: Path) -> None:
    font = _cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (e.g. apt install fonts-noto-cjk)")
    from gradexplain.render.figures import CJK_FONTS, _font_settings

    settings, missing = _font_settings(["relu 的梯度"])
    # DejaVu Sans for Latin letters and symbols, the CJK font for the rest (glyph fallback)
    assert not missing and settings["font.family"] == ["DejaVu Sans", font]
    assert font in CJK_FONTS
    assert _font_settings(["grad of relu"]) == ({}, False)  # English keeps matplotlib's own
    target = tmp_path / "relu.svg"
    result = runner.invoke(app, ["plot", "relu_plot", "--lang", "zh", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "fonts-noto-cjk" not in result.output
    assert f"已写入 {target}" in result.output
    ET.parse(target)  # matplotlib draws text as paths: the glyphs came from the CJK font


@needs_matplotlib
def test_plot_without_a_cjk_font_says_how_to_get_one(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gradexplain.render.figures.cjk_font", lambda: None)
    target = tmp_path / "relu.png"
    result = runner.invoke(app, ["plot", "relu_plot", "--lang", "zh", "--output", str(target)])
    assert result.exit_code == 0, result.output  # a hint, not a failure
    assert target.read_bytes().startswith(b"\x89PNG")
    assert "没有找到含中文字形的字体" in result.output
    assert "apt install fonts-noto-cjk" in result.output
    assert "Glyph" not in result.output


# --- --dot --------------------------------------------------------------------------------------

def test_dot_labels_in_chinese(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    result = runner.invoke(app, ["run", "retain_graph", "--lang", "zh", "--dot", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert 'label="第 1 次调用：out.backward()";' in text
    assert "第 2 次调用：out.backward()（因错误[freed_graph]停止）" in text
    assert "（本次调用后释放）" in text and "保存的张量 " in text
    assert "Noto Sans CJK SC" in text  # a font family with Chinese glyphs
    for english in ("call 1", "saved ", "freed", "stopped"):
        assert english not in text.replace("freed_graph", "")


# --- exports ------------------------------------------------------------------------------------

def test_cells_counts_chinese_as_two() -> None:
    assert cells("梯度 x.grad") == 2 * 2 + 1 + 6
    assert cells("（）：") == 6


def test_svg_places_each_run_of_chinese_at_its_cells_without_spacing_it_out() -> None:
    run = ('<text class="r2" x="24.4" y="20" textLength="97.6" clip-path="url(#l)">'
           '对比&#160;`out`</text>')
    fixed = svg_with_cjk(run)
    # 对比 at its cell (x 24.4) at its own width (no textLength: a renderer would space the
    # letters out to fill it), then `out` after the space: 4 + 1 cells further
    assert fixed == ('<text class="r2" x="24.4" y="20" clip-path="url(#l)">对比</text>'
                     '<text class="r2" x="85.4" y="20" textLength="61.0" '
                     'clip-path="url(#l)">`out`</text>')
    ascii_only = '<text class="r2" x="0" y="20" textLength="24.4" clip-path="url(#l)">ab</text>'
    assert svg_with_cjk(ascii_only) == ascii_only


def test_chinese_svg_export_lines_up(tmp_path: Path) -> None:
    target = tmp_path / "run.svg"
    result = runner.invoke(app, ["run", "retain_graph", "--lang", "zh", "--width", "100",
                                 "--export", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    ET.fromstring(text)
    assert "Noto Sans CJK SC" in text and "WenQuanYi Micro Hei" in text
    cell = 12.2  # rich's cell width at its font size
    for x, length, body in re.findall(r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"'
                                      r'[^>]*>([^<]*)</text>', text):
        shown = body.replace("&#160;", " ").replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&amp;", "&")
        assert abs(float(length) - cells(shown) * cell) < 0.2, (body, length)
        assert abs(float(x) / cell - round(float(x) / cell)) < 0.02, (body, x)
    # A run of Chinese: at its cell too, at its own width (no textLength to fill)
    chinese = [(x, body) for x, body in re.findall(
        r'<text (?![^>]*textLength)[^>]*?x="([\d.]+)"[^>]*>([^<]*)</text>', text)
        if re.search(r"[\u4e00-\u9fff]", body)]
    assert chinese
    for x, body in chinese:
        assert re.fullmatch(r"[\u3000-\u9fff\uff00-\uffef]+", body), body
        assert abs(float(x) / cell - round(float(x) / cell)) < 0.02, (body, x)


def test_chinese_html_export_names_cjk_fonts(tmp_path: Path) -> None:
    target = tmp_path / "run.html"
    result = runner.invoke(app, ["run", "accumulation", "--lang", "zh", "--export",
                                 str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert '<meta charset="UTF-8">' in page and "梯度" in page
    assert "'Noto Sans Mono CJK SC'" in page


def test_plot_output_of_an_unknown_kind_is_a_bad_flag(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plot", "x", "--output", str(tmp_path / "a.txt"),
                                 "--lang", "zh"])
    assert result.exit_code == 2  # a usage error, not "internal error"
    assert "文件名必须以 .png、.svg 或 .pdf 结尾" in result.output
    assert "内部错误" not in result.output
