"""Pictures with matplotlib (the "plot" extra): an expression and its gradient, or a
scenario's `plot:` series, on one set of axes, saved as .png, .svg or .pdf.

Chinese titles, axes and legends need a font with CJK glyphs: matplotlib's default
(DejaVu Sans) has none and draws boxes. The first installed one of CJK_FONTS is used.

Every text is drawn as written, as the terminal shows it: control characters and lone
surrogates escaped (render/escapes.py; a lone surrogate would stop matplotlib's font
code), and `$...$` not read as mathtext (a title like "$x^$" would fail to parse).
"""

from __future__ import annotations

import math
import re
import warnings
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


def save_figure(data: ExpressionPlot, path: Path, lang: str = "en") -> bool:
    """Draw y and dy/dx on one set of axes with matplotlib, to .png, .svg (or .pdf).
    True when Chinese text had to be drawn without a CJK font (see draw_figure)."""
    return draw_figure(path, data.expression, "x", phrase("plot.value", lang), data.xs,
                       [(phrase("plot.y", lang, expression=data.expression), data.ys),
                        (phrase("plot.grad_legend", lang), data.grads)])


def save_scenario_figure(plot: PlotRecord, path: Path, lang: str = "en") -> bool:
    """Draw a scenario's `plot:` series against its x, in the same style."""
    assert plot.x is not None
    ylabel = plot.text("ylabel", lang)
    if ylabel == "value" and "ylabel" not in plot.texts.get(lang, {}):
        ylabel = phrase("plot.value", lang)  # the default label, not the scenario's words
    return draw_figure(path, plot.text("title", lang), plot.text("xlabel", lang), ylabel,
                       plot.x.values, [(line.label, line.values) for line in plot.series])


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
    # The CJK font first; DejaVu Sans (matplotlib's own) for any glyph it lacks.
    return {"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"],
            "axes.unicode_minus": False}, False


def draw_figure(path: Path, title: str, xlabel: str, ylabel: str, xs: list[float],
                series: list[tuple[str, list[float]]]) -> bool:
    """Series over xs on one set of axes (points in x order), with a legend, to a file.

    Returns True when the texts hold Chinese but no CJK font is installed: the picture is
    still drawn (with boxes for those characters) and the caller says how to get a font.
    """
    import matplotlib

    title, xlabel, ylabel = (escape_controls(text) for text in (title, xlabel, ylabel))
    series = [(escape_controls(label), values) for label, values in series]
    settings, missing_font = _font_settings([title, xlabel, ylabel,
                                             *(label for label, _ in series)])
    with _rc_context(matplotlib, {**settings, **LITERAL_TEXT}), warnings.catch_warnings():
        # Without a CJK font matplotlib warns once per missing glyph; the caller's hint
        # says it once, with what to install.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        _draw(path, title, xlabel, ylabel, xs, series)
    return missing_font


def _draw(path: Path, title: str, xlabel: str, ylabel: str, xs: list[float],
          series: list[tuple[str, list[float]]]) -> None:
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
    for (label, values), (colour, style, width) in zip(series, STYLES, strict=False):
        ys = [values[i] if math.isfinite(values[i]) else math.nan for i in order]
        axes.plot(xs_sorted, ys, label=label, linewidth=width, linestyle=style,
                  color=colour)
    axes.set_xlabel(xlabel, fontsize=12)
    axes.set_ylabel(ylabel, fontsize=12)
    axes.set_title(title, fontsize=13)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=11, framealpha=0.9)
    if xs_sorted and xs_sorted[0] < xs_sorted[-1]:
        axes.set_xlim(xs_sorted[0], xs_sorted[-1])
    figure.savefig(path)


def save_calls_figure(plot: PlotRecord, values: int, path: Path) -> None:
    """A loop's trends over its calls: the first `values` series (the loss) on top, the grad
    norms below (on a log scale when they span more than a hundredfold)."""
    import matplotlib

    with _rc_context(matplotlib, LITERAL_TEXT):
        _draw_calls(plot, values, path)


def _rc_context(matplotlib: Any, settings: dict[str, Any]) -> Any:
    """matplotlib.rc_context(settings): its stubs type the keys as literals, ours are str."""
    return matplotlib.rc_context(settings)


def _draw_calls(plot: PlotRecord, values: int, path: Path) -> None:
    from matplotlib.figure import Figure  # no pyplot: see _draw

    assert plot.x is not None
    xs = plot.x.values
    panels = [plot.series[:values], plot.series[values:]]
    panels = [panel for panel in panels if panel]
    figure = Figure(figsize=(8, 3.2 * len(panels) + 0.6), dpi=120, layout="constrained")
    axes_list = figure.subplots(len(panels), 1, sharex=True, squeeze=False)
    styles = iter(STYLES * 2)
    for axes, panel in zip(axes_list[:, 0], panels, strict=True):
        for line in panel:
            colour, style, width = next(styles)
            ys = [v if math.isfinite(v) else math.nan for v in line.values]
            axes.plot(xs, ys, label=escape_controls(line.label), linewidth=width,
                      linestyle=style, color=colour)
        finite = [v for line in panel for v in line.values if math.isfinite(v)]
        if panel is not panels[0] or values == 0:
            axes.set_ylabel("grad norm", fontsize=12)
            if finite and min(finite) > 0 and max(finite) > 100 * min(finite):
                axes.set_yscale("log")
        else:
            axes.set_ylabel("value", fontsize=12)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best", fontsize=11, framealpha=0.9)
    axes_list[0, 0].set_title(escape_controls(plot.title), fontsize=13)
    axes_list[-1, 0].set_xlabel("backward call (iteration)", fontsize=12)
    if xs and xs[0] < xs[-1]:
        axes_list[-1, 0].set_xlim(xs[0], xs[-1])
    figure.savefig(path)
