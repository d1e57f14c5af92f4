"""`gradexplain plot SCENARIO --calls`: a training loop's trends, the output's value (the
loss) and each tensor's grad norm over the backward calls of its busiest statement.

The numbers are the run's own loop groups (record_groups: one point per call, or the mean
of `every` calls in a long loop); drawing is render/charts (text) and render/figures.
"""

from __future__ import annotations

from pathlib import Path

from gradexplain.errors import SourceLocation, invalid
from gradexplain.explain.catalogue import LANGUAGES
from gradexplain.explain.catalogue_ui import phrase
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits
from gradexplain.record import PlotLine, PlotRecord
from gradexplain.record_groups import CallGroup, Trend


def calls_plot(argument: str, path: Path, limits: Limits, budget: Budget | None = None
               ) -> tuple[PlotRecord, int]:
    """The plot of the statement that made the most backward calls, and how many of its
    series are values (drawn apart from the grad norms, which have another scale)."""
    from gradexplain.engine.runner import run_scenario
    from gradexplain.options import RunOptions
    from gradexplain.scenario.loader import load_scenario

    record = run_scenario(load_scenario(path, limits), RunOptions(limits=limits), budget)
    if not record.groups:
        raise invalid(f"{argument} makes no backward call, so there is no trend to draw",
                      SourceLocation(str(path)),
                      hint="--calls draws the loss and grad norms of a training loop")
    group = max(record.groups, key=lambda g: g.calls)
    return trends_plot(group)


def trends_plot(group: CallGroup) -> tuple[PlotRecord, int]:
    """A group's series against the call number within the group (1 = its first call)."""
    values = [group.output] if group.output is not None else []
    trends: list[tuple[str, Trend]] = [(t.label, t) for t in values]
    trends += [(f"‖{t.label}.grad‖", t) for t in group.tensors if t.calls == group.calls]
    every = max((t.every for _, t in trends), default=1)
    count = max((len(t.points) for _, t in trends), default=0)
    # A point stands for `every` consecutive calls: put it at their middle.
    xs = [min(1 + i * every + (every - 1) / 2, group.calls) for i in range(count)]
    # Its words in every language, as a scenario's `plot:` gives them (plot.text(key, lang)).
    texts = {lang: {"title": phrase("calls.title" if group.step is None else "calls.title_step",
                                    lang, statement=group.statement, calls=group.calls,
                                    step=group.step),
                    "xlabel": phrase("calls.xlabel", lang), "ylabel": phrase("plot.value", lang)}
             for lang in LANGUAGES}
    english = texts["en"]
    plot = PlotRecord(english["title"], english["xlabel"], english["ylabel"],
                      PlotLine(english["xlabel"], xs),
                      [PlotLine(label, list(t.points)) for label, t in trends
                       if len(t.points) == count], texts=texts)
    return plot, len(values)
