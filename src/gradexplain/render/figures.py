"""Pictures with matplotlib (the "plot" extra): an expression and its gradient, or a
scenario's `plot:` series, on one set of axes, saved as .png, .svg or .pdf."""

from __future__ import annotations

import math
from pathlib import Path

from gradexplain.record import ExpressionPlot, PlotRecord

MATPLOTLIB_HINT = 'pip install "gradexplain[plot]"'
# Line colour, style and width per series, in order: the expression plot uses the first two.
STYLES = (("tab:blue", "-", 2.2), ("tab:orange", "--", 2.0), ("tab:green", "-.", 2.0),
          ("tab:red", ":", 2.2), ("tab:purple", "-", 1.6), ("tab:brown", "--", 1.6))


def have_matplotlib() -> bool:
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def save_figure(data: ExpressionPlot, path: Path) -> None:
    """Draw y and dy/dx on one set of axes with matplotlib, to .png, .svg (or .pdf)."""
    draw_figure(path, data.expression, "x", "value", data.xs,
                [(f"y = {data.expression}", data.ys), ("dy/dx (x.grad)", data.grads)])


def save_scenario_figure(plot: PlotRecord, path: Path) -> None:
    """Draw a scenario's `plot:` series against its x, in the same style."""
    assert plot.x is not None
    draw_figure(path, plot.title, plot.xlabel, plot.ylabel, plot.x.values,
                [(line.label, line.values) for line in plot.series])


def draw_figure(path: Path, title: str, xlabel: str, ylabel: str, xs: list[float],
                series: list[tuple[str, list[float]]]) -> None:
    """Series over xs on one set of axes (points in x order), with a legend, to a file."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    order = sorted((i for i, x in enumerate(xs) if math.isfinite(x)), key=lambda i: xs[i])
    xs_sorted = [xs[i] for i in order]
    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=120, layout="constrained")
    try:
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
    finally:
        pyplot.close(figure)
