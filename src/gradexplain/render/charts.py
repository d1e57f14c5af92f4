"""Plain-text charts, fixed size and deterministic: an expression and its gradient
(`gradexplain plot EXPR`), or a scenario's `plot:` series. Plain data in, lines out.

`gradexplain plot` writes these lines to the terminal as they are, so every text a user
wrote (titles, labels, the expression, a statement) is escaped here as `run` escapes it
(render/escapes.py): a d2l label with ESC or BEL in it cannot retitle or clear the terminal.
"""

from __future__ import annotations

import bisect
import math

from gradexplain.explain.catalogue_ui import phrase
from gradexplain.record import ExpressionPlot, PlotRecord
from gradexplain.render.cjk import cells as cell_width
from gradexplain.render.escapes import escape_controls

CHART_ROWS = 12  # rows of each terminal chart
DEFAULT_WIDTH = 80
LABEL_WIDTH = 10  # the y-axis labels left of the chart
MARKS = "*o+x#@"  # one per series of a scenario's plot (at most 6, see scenario/plot)
XLABEL_CHARS = 16  # the x-axis label at the end of the axis line, cut to this


def _number(value: float) -> str:
    text = f"{value:.3g}"
    return "0" if text in {"-0", "0"} else text


def chart(title: str, xs: list[float], values: list[float], width: int,
          rows: int = CHART_ROWS, mark: str = "*", xlabel: str = "x",
          lang: str = "en") -> list[str]:
    """A plain-text chart of values over xs: a title, `rows` rows, an x axis and its labels."""
    title = escape_controls(title)
    xlabel = escape_controls(xlabel)[:XLABEL_CHARS]
    columns = max(width - LABEL_WIDTH - 3 - cell_width(xlabel), 10)  # room for "  XLABEL"
    finite = [v for v in values if math.isfinite(v)]
    xs_finite = [x for x in xs if math.isfinite(x)]
    lines = [title]
    if not finite or not xs_finite:
        return [*lines, "  " + phrase("plot.no_finite", lang)]
    low, high = min(finite), max(finite)
    if high - low < 1e-12 * max(abs(high), 1.0):
        low, high = low - 1.0, high + 1.0
    grid = [[" "] * columns for _ in range(rows)]

    def row_of(value: float) -> int:
        return rows - 1 - round((value - low) / (high - low) * (rows - 1))

    if low < 0 < high:
        zero = row_of(0.0)
        grid[zero] = ["-"] * columns
    for column, index in enumerate(_picks(xs, columns)):
        value = values[index]
        if math.isfinite(value):
            grid[row_of(value)][column] = mark
    labels = {0: _number(high), rows - 1: _number(low)}
    if low < 0 < high:
        labels.setdefault(row_of(0.0), "0")
    for number, cells in enumerate(grid):
        label = labels.get(number, "")
        lines.append(f"{label:>{LABEL_WIDTH - 1}} |{''.join(cells)}".rstrip())
    lines.append(f"{'':>{LABEL_WIDTH - 1}} +{'-' * columns}")
    first, last = min(xs_finite), max(xs_finite)
    left, right = _number(first), _number(last)
    middle = _number((first + last) / 2)
    axis = [" "] * columns
    axis[:len(left)] = left
    centre = max((columns - len(middle)) // 2, len(left) + 1)
    axis[centre:centre + len(middle)] = middle
    axis[columns - len(right):] = right
    lines.append(f"{'':>{LABEL_WIDTH - 1}}  {''.join(axis)}".rstrip() + f"  {xlabel}")
    return lines


def _picks(xs: list[float], columns: int) -> list[int]:
    """For each column, the index of the point drawn there. Evenly spaced ascending xs
    (linspace, arange) are sampled by index; any other xs by the x nearest the column's."""
    count = len(xs)
    if _evenly_spaced(xs):
        return [round(column * (count - 1) / (columns - 1)) for column in range(columns)]
    order = sorted((x, i) for i, x in enumerate(xs) if math.isfinite(x))
    keys = [x for x, _ in order]
    first, last = keys[0], keys[-1]
    picks = []
    for column in range(columns):
        target = first + (last - first) * column / (columns - 1)
        j = min(bisect.bisect_left(keys, target), len(keys) - 1)
        if j and target - keys[j - 1] <= keys[j] - target:
            j -= 1
        picks.append(order[j][1])
    return picks


def _evenly_spaced(xs: list[float]) -> bool:
    if len(xs) < 2 or not all(math.isfinite(x) for x in xs):
        return len(xs) == 1
    step = (xs[-1] - xs[0]) / (len(xs) - 1)
    if step <= 0:
        return False
    return all(abs(xs[i + 1] - xs[i] - step) <= 1e-3 * step for i in range(len(xs) - 1))


def terminal_plot(data: ExpressionPlot, width: int | None = None, lang: str = "en") -> str:
    """y and dy/dx as two stacked text charts, `width` columns wide (80 by default)."""
    width = width or DEFAULT_WIDTH
    top = chart(phrase("plot.y", lang, expression=data.expression), data.xs, data.ys, width,
                mark="*", lang=lang)
    bottom = chart(phrase("plot.grad_chart", lang), data.xs, data.grads, width, mark="o",
                   lang=lang)
    return "\n".join([*top, "", *bottom]) + "\n"


def series_charts(plot: PlotRecord, width: int | None = None, lang: str = "en") -> list[str]:
    """A scenario's plot as text lines: its title, then one chart per series that could be
    drawn (the caller shows `plot.problems`)."""
    width = width or DEFAULT_WIDTH
    lines = [escape_controls(plot.text("title", lang))]
    if plot.x is None:
        return lines
    # The axis ends in the x label when it is short, else in the x tensor's name.
    xlabel = escape_controls(plot.text("xlabel", lang))
    xlabel = xlabel if cell_width(xlabel) <= XLABEL_CHARS else plot.x.label
    for i, line in enumerate(plot.series):
        lines += ["", *chart(line.label, plot.x.values, line.values, width,
                             mark=MARKS[i % len(MARKS)], xlabel=xlabel, lang=lang)]
    return lines
