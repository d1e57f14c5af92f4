"""`gradexplain plot`: an expression of x and its gradient drawn over a range, or a
scenario's `plot:` section, as text charts or (with matplotlib) a picture file.

The computing is gradexplain.engine.expression_plot (torch) or a scenario run; the drawing
is gradexplain.render.charts (text) and gradexplain.render.figures (matplotlib).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from gradexplain.app.deadline import deadline
from gradexplain.app.environment import Environment
from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.explain.catalogue_ui import phrase
from gradexplain.limits import Limits
from gradexplain.record import ExpressionPlot, PlotRecord
from gradexplain.scenario.bundled import SCENARIO_SUFFIXES, find_bundled

if TYPE_CHECKING:
    from gradexplain.app.supervisor import Task
    from gradexplain.language.budget import Budget

T = TypeVar("T")

DEFAULT_RANGE = (-4.0, 4.0)
DEFAULT_STEPS = 200


@dataclass
class PlotRequest:
    argument: str  # an expression of x, or a scenario (file or bundled name)
    scenario: Path | None  # scenario_argument(argument)
    value_range: tuple[float, float] | None = None
    steps: int | None = None
    output: Path | None = None  # a .png/.svg/.pdf; None: text charts on stdout
    width: int | None = None
    limits: Limits = field(default_factory=Limits)
    lang: str = "en"
    calls: bool = False  # --calls: the loss and grad norms over a loop's backward calls


def plot(request: PlotRequest, env: Environment | None = None) -> None:
    """Compute, then draw: text charts on stdout, or the picture file (named on stderr).
    The drawing has the same --max-seconds as the computing (app/deadline.py)."""
    from gradexplain.render.escapes import write_message

    env = env or Environment()
    if request.scenario is not None and request.calls:
        from gradexplain.app.plot_calls import calls_plot

        scenario = request.scenario
        trends, values = _in_worker(lambda budget: calls_plot(request.argument, scenario,
                                                              request.limits, budget),
                                    request.limits)
        with deadline(request.limits, request.argument):
            chart = _draw_calls(trends, values, request)
    elif request.scenario is not None:
        scenario = request.scenario
        drawn = _in_worker(lambda budget: scenario_plot(request.argument, scenario,
                                                        request.limits, budget),
                           request.limits)
        with deadline(request.limits, request.argument):
            chart = _draw_scenario(drawn, request)
    else:
        from gradexplain.engine.expression_plot import compute

        start, stop = request.value_range or DEFAULT_RANGE
        steps = DEFAULT_STEPS if request.steps is None else request.steps
        data = _in_worker(lambda budget: compute(request.argument, start, stop, steps,
                                                 request.limits, budget), request.limits)
        with deadline(request.limits, request.argument):
            chart = _draw_expression(data, request)
    if isinstance(chart, str):  # the text chart, written whole once drawn
        env.stdout.write(chart)
        return
    if chart:
        write_message(env.stderr, phrase("cli.no_cjk_font", request.lang, path=request.output))
    write_message(env.stderr, phrase("cli.wrote", request.lang, path=request.output))


# Each returns the text chart, or (drawn to request.output) whether a CJK font was missing.

def _draw_calls(trends: PlotRecord, values: int, request: PlotRequest) -> str | bool:
    from gradexplain.render.charts import series_charts
    from gradexplain.render.figures import save_calls_figure

    if request.output is None:
        return "\n".join(series_charts(trends, request.width, request.lang)) + "\n"
    return save_calls_figure(trends, values, request.output, request.lang)


def _draw_scenario(drawn: PlotRecord, request: PlotRequest) -> str | bool:
    from gradexplain.render.charts import series_charts
    from gradexplain.render.figures import save_scenario_figure

    if request.output is None:
        return "\n".join(series_charts(drawn, request.width, request.lang)) + "\n"
    return save_scenario_figure(drawn, request.output, request.lang)


def _draw_expression(data: ExpressionPlot, request: PlotRequest) -> str | bool:
    from gradexplain.render.charts import terminal_plot
    from gradexplain.render.figures import save_figure

    if request.output is None:
        return terminal_plot(data, request.width, request.lang)
    return save_figure(data, request.output, request.lang)


def _in_worker(task: Task[T], limits: Limits) -> T:
    """Run the computing in a worker process under the OS-enforced budgets
    (app/supervisor.py)."""
    from gradexplain.app import supervisor
    from gradexplain.app.run import preload_engine

    preload_engine()
    importlib.import_module("gradexplain.engine.expression_plot")
    return supervisor.run(task, limits)


def scenario_argument(argument: str) -> Path | None:
    """The scenario file `gradexplain plot` was given, or None for an expression: a path
    ending in .yaml/.yml/.py (missing ones are reported by the loader), or a bundled name."""
    path = Path(argument)
    if path.suffix.lower() in SCENARIO_SUFFIXES:
        return path
    return find_bundled(argument) if argument.isidentifier() else None


def scenario_plot(argument: str, path: Path, limits: Limits, budget: Budget | None = None
                  ) -> PlotRecord:
    """Run the scenario at `path` and return its plot's data. A scenario without `plot:`,
    one that stops on an unexpected error, or a series that cannot be drawn is an error."""
    from gradexplain.engine.runner import run_scenario
    from gradexplain.errors import ERROR_KINDS
    from gradexplain.options import RunOptions
    from gradexplain.scenario.loader import load_scenario

    scenario = load_scenario(path, limits)
    lines = scenario.source_text.splitlines()

    def where(line: int | None, col: int | None, end_col: int | None = None) -> SourceLocation:
        text = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
        return SourceLocation(str(path), line, col, end_col, text)

    calls_d2l_plot = "d2l.plot(" in scenario.source_text  # the code plots (d2l.ai's helper)
    if scenario.plot is None and not calls_d2l_plot:
        raise invalid(f"{argument} has no `plot:` section, so there is nothing to draw",
                      SourceLocation(str(path)),
                      hint="add one, e.g. `plot: {x: x, y: [x.grad], title: grad of x}`; "
                           "or plot an expression of x: gradexplain plot \"torch.relu(x)\"")
    record = run_scenario(scenario, RunOptions(limits=limits), budget)
    error = record.error
    if error is not None and not record.error_expected:
        kind = error.kind if error.kind in ERROR_KINDS else "torch_error"
        raise GradexplainError(kind, f"{scenario.name} stopped on an error [{error.kind}] "
                               f"before its plot could be drawn: {error.message}",
                               where(error.line, error.col, error.end_col),
                               hint=f"see it explained: gradexplain run {argument}")
    plot = record.plot
    if plot is None:
        raise invalid(f"{argument} did not reach its d2l.plot(...) call, so there is nothing "
                      "to draw", SourceLocation(str(path)),
                      hint="add a `plot:` section, or call d2l.plot(x, y) in the code")
    if plot.problems:
        problem = plot.problems[0]
        raise invalid(f"cannot plot {problem.series}: {problem.message}",
                      where(problem.line, problem.col, problem.end_col),
                      hint="plot: series must be 1-D tensors of the run, as long as x "
                           "(or their .grad); name what you want to draw in the steps")
    return plot
