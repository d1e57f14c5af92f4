"""`gradexplain plot EXPR`: an expression of x and its gradient, drawn over a range.

x = torch.linspace(a, b, steps, requires_grad=True); y = EXPR (the statement language,
checked and interpreted like any scenario's code); y.backward(torch.ones_like(y)); then
y and x.grad are drawn: as a PNG/SVG with matplotlib (the "plot" extra), or as a plain
text chart in the terminal (fixed size, deterministic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from gradexplain.errors import GradexplainError, invalid
from gradexplain.limits import Limits, check

MATPLOTLIB_HINT = 'pip install "gradexplain[plot]"'
CHART_ROWS = 12  # rows of each terminal chart
DEFAULT_WIDTH = 80
LABEL_WIDTH = 10  # the y-axis labels left of the chart


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
    from gradexplain.scenario import Code  # noqa: PLC0415

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
          rows: int = CHART_ROWS, mark: str = "*") -> list[str]:
    """A plain-text chart of values over xs: a title, `rows` rows, an x axis and its labels."""
    columns = max(width - LABEL_WIDTH - 4, 10)  # room for " x" at the axis end
    finite = [v for v in values if math.isfinite(v)]
    lines = [title]
    if not finite:
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
    count = len(values)
    for column in range(columns):
        index = round(column * (count - 1) / (columns - 1))
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
    left, right = _number(xs[0]), _number(xs[-1])
    middle = _number((xs[0] + xs[-1]) / 2)
    axis = [" "] * columns
    axis[:len(left)] = left
    centre = max((columns - len(middle)) // 2, len(left) + 1)
    axis[centre:centre + len(middle)] = middle
    axis[columns - len(right):] = right
    lines.append(f"{'':>{LABEL_WIDTH - 1}}  {''.join(axis)}".rstrip() + "  x")
    return lines


def terminal_plot(data: PlotData, width: int | None = None) -> str:
    """y and dy/dx as two stacked text charts, `width` columns wide (80 by default)."""
    width = width or DEFAULT_WIDTH
    top = chart(f"y = {data.expression}", data.xs, data.ys, width, mark="*")
    bottom = chart("dy/dx (x.grad after y.backward(torch.ones_like(y)))", data.xs,
                   data.grads, width, mark="o")
    return "\n".join([*top, "", *bottom]) + "\n"


# the file -------------------------------------------------------------------------------------

def have_matplotlib() -> bool:
    import importlib.util  # noqa: PLC0415

    return importlib.util.find_spec("matplotlib") is not None


def save_figure(data: PlotData, path: Path) -> None:
    """Draw y and dy/dx on one set of axes with matplotlib, to .png, .svg (or .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=120, layout="constrained")
    try:
        axes.axhline(0.0, color="0.6", linewidth=0.8)
        axes.axvline(0.0, color="0.6", linewidth=0.8)
        axes.plot(data.xs, data.ys, label=f"y = {data.expression}", linewidth=2.2,
                  color="tab:blue")
        axes.plot(data.xs, data.grads, label="dy/dx (x.grad)", linewidth=2.0,
                  linestyle="--", color="tab:orange")
        axes.set_xlabel("x", fontsize=12)
        axes.set_ylabel("value", fontsize=12)
        axes.set_title(data.expression, fontsize=13)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best", fontsize=11, framealpha=0.9)
        axes.set_xlim(data.xs[0], data.xs[-1])
        figure.savefig(path)
    finally:
        pyplot.close(figure)
