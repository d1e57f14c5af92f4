"""Pictures with matplotlib (the "plot" extra): an expression and its gradient, or a
scenario's `plot:` series, on one set of axes, saved as .png, .svg or .pdf.

Chinese titles, axes and legends need a font with CJK glyphs: matplotlib's default
(DejaVu Sans) has none and draws boxes. The first installed one of CJK_FONTS is used.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradexplain.explain.catalogue_ui import phrase
from gradexplain.record import ExpressionPlot, PlotRecord
from gradexplain.render.escapes import escape_controls

MATPLOTLIB_HINT = 'pip install "gradexplain[plot]"'
# Line colour, style and width per series, in order: the expression plot uses the first two.
STYLES = (("tab:blue", "-", 2.2), ("tab:orange", "--", 2.0), ("tab:green", "-.", 2.0),
          ("tab:red", ":", 2.2), ("tab:purple", "-", 1.6), ("tab:brown", "--", 1.6))


# Font families with Chinese glyphs, Simplified Chinese first; matplotlib names them so.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "SimHei", "Noto Sans CJK JP", "Noto Sans CJK TC",
             "Source Han Sans", "Noto Serif CJK SC", "AR PL UMing CN")
# File names of those families, for fonts installed after matplotlib built its font cache.
_CJK_FILES = re.compile(r"notosanscjk|notoserifcjk|notosanssc|sourcehans|wqy|msyh|pingfang|"
                        r"simhei|hiragino|uming", re.IGNORECASE)
_CJK_TEXT = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
LITERAL_TEXT: dict[str, Any] = {"text.parse_math": False}  # a `$` is no mathtext here


def have_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


@dataclass(frozen=True)
class FigureTexts:
    """Every word a picture shows: its title, x label, one y label per panel and one legend
    entry per series. Code in them (`loss.backward()`) is set without backticks: a picture
    has no code font."""

    title: str
    xlabel: str
    ylabels: tuple[str, ...]
    legends: tuple[str, ...]

    @classmethod
    def of(cls, title: str, xlabel: str, ylabels: list[str], legends: list[str]
           ) -> FigureTexts:
        def plain(text: str) -> str:  # control characters escaped as `run` escapes them
            return escape_controls(text.replace("`", ""))

        return cls(plain(title), plain(xlabel), tuple(map(plain, ylabels)),
                   tuple(map(plain, legends)))

    def all(self) -> list[str]:
        return [self.title, self.xlabel, *self.ylabels, *self.legends]


def expression_texts(data: ExpressionPlot, lang: str) -> FigureTexts:
    """`gradexplain plot EXPR --output`: y and dy/dx."""
    return FigureTexts.of(data.expression, "x", [phrase("plot.value", lang)],
                          [phrase("plot.y", lang, expression=data.expression),
                           phrase("plot.grad_legend", lang)])


def scenario_texts(plot: PlotRecord, lang: str) -> FigureTexts:
    """A scenario's `plot:` section, in the scenario's words for `lang` where it gave them."""
    ylabel = plot.text("ylabel", lang)
    if ylabel == "value" and "ylabel" not in plot.texts.get(lang, {}):
        ylabel = phrase("plot.value", lang)  # the default label, not the scenario's words
    return FigureTexts.of(plot.text("title", lang), plot.text("xlabel", lang), [ylabel],
                          [line.label for line in plot.series])


def calls_texts(plot: PlotRecord, values: int, lang: str) -> FigureTexts:
    """`plot --calls`: the loss panel (the first `values` series) and the grad norms'."""
    ylabels = ([phrase("plot.value", lang)] if values else []) + \
        ([phrase("calls.grad_norm", lang)] if len(plot.series) > values else [])
    return FigureTexts.of(plot.text("title", lang), phrase("calls.xlabel_picture", lang),
                          ylabels, [line.label for line in plot.series])


def save_figure(data: ExpressionPlot, path: Path, lang: str = "en") -> bool:
    """Draw y and dy/dx on one set of axes with matplotlib, to .png, .svg (or .pdf).
    True when Chinese text had to be drawn without a CJK font (see draw_figure)."""
    return draw_figure(path, expression_texts(data, lang), data.xs, [data.ys, data.grads])


def save_scenario_figure(plot: PlotRecord, path: Path, lang: str = "en") -> bool:
    """Draw a scenario's `plot:` series against its x, in the same style."""
    assert plot.x is not None
    return draw_figure(path, scenario_texts(plot, lang), plot.x.values,
                       [line.values for line in plot.series])


def cjk_font() -> str | None:
    """The first installed font family of CJK_FONTS, or None.

    matplotlib lists fonts from a cache built when it first ran; a font installed since is
    missing from it, so the system's font files are scanned (and added) once more first.
    """
    from matplotlib import font_manager

    def installed() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    found = installed()
    if found is None:
        for file in font_manager.findSystemFonts():
            if _CJK_FILES.search(Path(file).name):
                try:
                    font_manager.fontManager.addfont(file)
                except (OSError, RuntimeError, ValueError):  # unreadable: skip it
                    continue
        found = installed()
    return found


def _font_settings(texts: list[str]) -> tuple[dict[str, Any], bool]:
    """rcParams for the figure, and whether Chinese text has no font to draw it."""
    if not any(_CJK_TEXT.search(text) for text in texts):
        return {}, False
    font = cjk_font()
    if font is None:
        return {}, True
    # DejaVu Sans (matplotlib's own, as in English pictures) for Latin letters, digits and
    # symbols (`‖w.grad‖`), the CJK font for the glyphs DejaVu lacks: matplotlib falls back
    # glyph by glyph along the list.
    return {"font.family": ["DejaVu Sans", font]}, False


def draw_figure(path: Path, texts: FigureTexts, xs: list[float],
                series: list[list[float]]) -> bool:
    """Series over xs on one set of axes (points in x order), with a legend, to a file.

    Returns True when the texts hold Chinese but no CJK font is installed: the picture is
    still drawn (with boxes for those characters) and the caller says how to get a font.
    """
    return _with_fonts(texts, lambda: _draw(path, texts, xs, series))


def _with_fonts(texts: FigureTexts, draw: Callable[[], None]) -> bool:
    """Run `draw` with a CJK font where the texts have Chinese; True when none is found."""
    import matplotlib

    settings, missing_font = _font_settings(texts.all())
    with _rc_context(matplotlib, {**settings, **LITERAL_TEXT}), warnings.catch_warnings():
        # Without a CJK font matplotlib warns once per missing glyph; the caller's hint
        # says it once, with what to install.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        draw()
    return missing_font


def _draw(path: Path, texts: FigureTexts, xs: list[float], series: list[list[float]]) -> None:
    """On a Figure made without pyplot: no global backend is chosen or changed, so drawing
    from a notebook leaves the kernel's own matplotlib setup (`%matplotlib inline`) as it
    was, and nothing is left open."""
    from matplotlib.figure import Figure

    order = sorted((i for i, x in enumerate(xs) if math.isfinite(x)), key=lambda i: xs[i])
    xs_sorted = [xs[i] for i in order]
    figure = Figure(figsize=(8, 5), dpi=120, layout="constrained")
    axes = figure.subplots()
    axes.axhline(0.0, color="0.6", linewidth=0.8)
    if xs_sorted and xs_sorted[0] <= 0.0 <= xs_sorted[-1]:
        axes.axvline(0.0, color="0.6", linewidth=0.8)
    for label, values, (colour, style, width) in zip(texts.legends, series, STYLES,
                                                     strict=False):
        ys = [values[i] if math.isfinite(values[i]) else math.nan for i in order]
        axes.plot(xs_sorted, ys, label=label, linewidth=width, linestyle=style,
                  color=colour)
    axes.set_xlabel(texts.xlabel, fontsize=12)
    axes.set_ylabel(texts.ylabels[0], fontsize=12)
    axes.set_title(texts.title, fontsize=13)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=11, framealpha=0.9)
    if xs_sorted and xs_sorted[0] < xs_sorted[-1]:
        axes.set_xlim(xs_sorted[0], xs_sorted[-1])
    figure.savefig(path)


def _rc_context(matplotlib: Any, settings: dict[str, Any]) -> Any:
    """matplotlib.rc_context(settings): its stubs type the keys as literals, ours are str."""
    return matplotlib.rc_context(settings)


def save_calls_figure(plot: PlotRecord, values: int, path: Path, lang: str = "en") -> bool:
    """A loop's trends over its calls: the first `values` series (the loss) on top, the grad
    norms below (on a log scale when they span more than a hundredfold). True when Chinese
    text had to be drawn without a CJK font."""
    texts = calls_texts(plot, values, lang)
    return _with_fonts(texts, lambda: _draw_calls(plot, values, texts, path))


def _draw_calls(plot: PlotRecord, values: int, texts: FigureTexts, path: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: see _draw

    assert plot.x is not None
    xs = plot.x.values
    panels = [plot.series[:values], plot.series[values:]]
    panels = [panel for panel in panels if panel]
    figure = Figure(figsize=(8, 3.2 * len(panels) + 0.6), dpi=120, layout="constrained")
    axes_list = figure.subplots(len(panels), 1, sharex=True, squeeze=False)
    styles = iter(STYLES * 2)
    legends = iter(texts.legends)
    for axes, panel, ylabel in zip(axes_list[:, 0], panels, texts.ylabels, strict=True):
        for line in panel:
            colour, style, width = next(styles)
            ys = [v if math.isfinite(v) else math.nan for v in line.values]
            axes.plot(xs, ys, label=next(legends), linewidth=width, linestyle=style,
                      color=colour)
        finite = [v for line in panel for v in line.values if math.isfinite(v)]
        if (panel is not panels[0] or values == 0) and finite and min(finite) > 0 \
                and max(finite) > 100 * min(finite):
            axes.set_yscale("log")
        axes.set_ylabel(ylabel, fontsize=12)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best", fontsize=11, framealpha=0.9)
    axes_list[0, 0].set_title(texts.title, fontsize=13)
    axes_list[-1, 0].set_xlabel(texts.xlabel, fontsize=12)
    if xs and xs[0] < xs[-1]:
        axes_list[-1, 0].set_xlim(xs[0], xs[-1])
    figure.savefig(path)
