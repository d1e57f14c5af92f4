"""`gradexplain plot EXPR`: an expression of x and its gradient, drawn over a range.

x = torch.linspace(a, b, steps, requires_grad=True); y = EXPR (the statement language,
checked and interpreted like any scenario's code); y.backward(torch.ones_like(y)); then
y and x.grad are drawn: as a PNG/SVG with matplotlib (the "plot" extra), or as a plain
text chart in the terminal (fixed size, deterministic).

`gradexplain plot SCENARIO` draws a scenario's `plot:` section instead, from the run's
record (a PlotRecord): see `scenario_plot` and `series_charts`.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.limits import Limits, check
from gradexplain.scenario.bundled import SCENARIO_SUFFIXES, find_bundled

if TYPE_CHECKING:
    from gradexplain.record import PlotRecord

MATPLOTLIB_HINT = 'pip install "gradexplain[plot]"'
CHART_ROWS = 12  # rows of each terminal chart
DEFAULT_WIDTH = 80
LABEL_WIDTH = 10  # the y-axis labels left of the chart
MARKS = "*o+x#@"  # one per series of a scenario's plot (at most 6, see loader_plot)
XLABEL_CHARS = 16  # the x-axis label at the end of the axis line, cut to this
# Line colour, style and width per series, in order: the expression plot uses the first two.
STYLES = (("tab:blue", "-", 2.2), ("tab:orange", "--", 2.0), ("tab:green", "-.", 2.0),
          ("tab:red", ":", 2.2), ("tab:purple", "-", 1.6), ("tab:brown", "--", 1.6))


@dataclass
class PlotData:
    expression: str
    xs: list[float]
    ys: list[float]
    grads: list[float]


def compute(expression: str, start: float, stop: float, steps: int,
            limits: Limits | None = None) -> PlotData:
    """Evaluate `expression` on x over [start, stop] and backpropagate ones through it."""
    import torch

    from gradexplain.engine.recorder import Recorder  # noqa: PLC0415
    from gradexplain.language.checker import parse_expression  # noqa: PLC0415
    from gradexplain.language.evaluator import Interpreter  # noqa: PLC0415
    from gradexplain.scenario.model import Code  # noqa: PLC0415

    limits = limits or Limits()
    if steps < 2:
        raise invalid(f"--steps must be at least 2 (got {steps})")
    if not (math.isfinite(start) and math.isfinite(stop)) or start >= stop:
        raise invalid(f"--range needs two finite numbers, the first below the second "
                      f"(got {start} {stop})")
    check("max_elements", steps, limits)
    program = parse_expression(Code(expression, None, 1), limits)
    recorder = Recorder()
    interpreter = Interpreter(limits, recorder)
    x = torch.linspace(start, stop, steps, requires_grad=True)
    interpreter.env["x"] = x
    recorder.assigned("x", x)
    y = interpreter.evaluate(program)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        shape = list(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise invalid(f"the expression must give one value per x: a tensor of shape "
                      f"[{steps}], like x (got {shape})",
                      hint="use elementwise operations of x, e.g. `torch.tanh(x) * x`")
    if not y.requires_grad:
        raise invalid("the expression does not depend on x, so it has no gradient to plot",
                      hint="use x in the expression, e.g. `x ** 2`")
    try:
        y.backward(torch.ones_like(y))  # type: ignore[no-untyped-call]
    except RuntimeError as exc:
        raise GradexplainError("invalid_scenario", f"backward failed: {exc}") from exc
    grad = x.grad if x.grad is not None else torch.zeros_like(x)
    return PlotData(expression, [float(v) for v in x.detach().tolist()],
                    [float(v) for v in y.detach().double().tolist()],
                    [float(v) for v in grad.double().tolist()])


# the terminal chart ---------------------------------------------------------------------------

def _number(value: float) -> str:
    text = f"{value:.3g}"
    return "0" if text in {"-0", "0"} else text


def chart(title: str, xs: list[float], values: list[float], width: int,
          rows: int = CHART_ROWS, mark: str = "*", xlabel: str = "x") -> list[str]:
    """A plain-text chart of values over xs: a title, `rows` rows, an x axis and its labels."""
    xlabel = xlabel[:XLABEL_CHARS]
    columns = max(width - LABEL_WIDTH - 3 - len(xlabel), 10)  # room for "  XLABEL" at the end
    finite = [v for v in values if math.isfinite(v)]
    xs_finite = [x for x in xs if math.isfinite(x)]
    lines = [title]
    if not finite or not xs_finite:
        return [*lines, "  (no finite values to draw)"]
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


def terminal_plot(data: PlotData, width: int | None = None) -> str:
    """y and dy/dx as two stacked text charts, `width` columns wide (80 by default)."""
    width = width or DEFAULT_WIDTH
    top = chart(f"y = {data.expression}", data.xs, data.ys, width, mark="*")
    bottom = chart("dy/dx (x.grad after y.backward(torch.ones_like(y)))", data.xs,
                   data.grads, width, mark="o")
    return "\n".join([*top, "", *bottom]) + "\n"


def series_charts(plot: PlotRecord, width: int | None = None) -> list[str]:
    """A scenario's plot as text lines: its title, then one chart per series that could be
    drawn (the caller shows `plot.problems`)."""
    width = width or DEFAULT_WIDTH
    lines = [plot.title]
    if plot.x is None:
        return lines
    # The axis ends in the x label when it is short, else in the x tensor's name.
    xlabel = plot.xlabel if len(plot.xlabel) <= XLABEL_CHARS else plot.x.label
    for i, line in enumerate(plot.series):
        lines += ["", *chart(line.label, plot.x.values, line.values, width,
                             mark=MARKS[i % len(MARKS)], xlabel=xlabel)]
    return lines


# a scenario's plot: section -------------------------------------------------------------------

def scenario_argument(argument: str) -> Path | None:
    """The scenario file `gradexplain plot` was given, or None for an expression: a path
    ending in .yaml/.yml/.py (missing ones are reported by the loader), or a bundled name."""
    path = Path(argument)
    if path.suffix.lower() in SCENARIO_SUFFIXES:
        return path
    return find_bundled(argument) if argument.isidentifier() else None


def scenario_plot(argument: str, path: Path, limits: Limits) -> PlotRecord:
    """Run the scenario at `path` and return its plot's data. A scenario without `plot:`,
    one that stops on an unexpected error, or a series that cannot be drawn is an error."""
    from gradexplain.engine.runner import run_scenario  # noqa: PLC0415
    from gradexplain.options import RunOptions  # noqa: PLC0415
    from gradexplain.errors import ERROR_KINDS  # noqa: PLC0415
    from gradexplain.scenario.loader import load_scenario  # noqa: PLC0415

    scenario = load_scenario(path, limits)
    lines = scenario.source_text.splitlines()

    def where(line: int | None, col: int | None, end_col: int | None = None) -> SourceLocation:
        text = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
        return SourceLocation(str(path), line, col, end_col, text)

    if scenario.plot is None:
        raise invalid(f"{argument} has no `plot:` section, so there is nothing to draw",
                      SourceLocation(str(path)),
                      hint="add one, e.g. `plot: {x: x, y: [x.grad], title: grad of x}`; "
                           "or plot an expression of x: gradexplain plot \"torch.relu(x)\"")
    record = run_scenario(scenario, RunOptions(limits=limits))
    error = record.error
    if error is not None and not record.error_expected:
        kind = error.kind if error.kind in ERROR_KINDS else "torch_error"
        raise GradexplainError(kind, f"{scenario.name} stopped on an error [{error.kind}] "
                               f"before its plot could be drawn: {error.message}",
                               where(error.line, error.col, error.end_col),
                               hint=f"see it explained: gradexplain run {argument}")
    plot = record.plot
    assert plot is not None
    if plot.problems:
        problem = plot.problems[0]
        raise invalid(f"cannot plot {problem.series}: {problem.message}",
                      where(problem.line, problem.col, problem.end_col),
                      hint="plot: series must be 1-D tensors of the run, as long as x "
                           "(or their .grad); name what you want to draw in the steps")
    return plot


# the file -------------------------------------------------------------------------------------

def have_matplotlib() -> bool:
    import importlib.util  # noqa: PLC0415

    return importlib.util.find_spec("matplotlib") is not None


def save_figure(data: PlotData, path: Path) -> None:
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
