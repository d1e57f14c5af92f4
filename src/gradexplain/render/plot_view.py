"""The scenario's `plot:` in the `run` report: its series as text charts, and what could not
be drawn. Reads the record's plain lists only; the charts come from gradexplain.render.charts."""

from __future__ import annotations

from gradexplain.explain.input_errors import translate_message
from gradexplain.record import RunRecord
from gradexplain.render.blocks import indent, tr
from gradexplain.render.charts import DEFAULT_WIDTH, series_charts
from gradexplain.render.console import Console, Group, RenderableType, Text, symbols

INDENT = 2


def plot_block(console: Console, record: RunRecord, lang: str) -> RenderableType | None:
    """The Plot heading, one chart per series (at most DEFAULT_WIDTH columns), problems."""
    plot = record.plot
    if plot is None:
        return None
    sym = symbols(console)
    width = min(console.width - INDENT, DEFAULT_WIDTH)
    charts = Text("\n".join(series_charts(plot, width, lang)), no_wrap=True, overflow="crop")
    parts: list[RenderableType] = [Text(tr("Plot", lang), style="gx.heading"),
                                   indent(charts, INDENT)]
    for problem in plot.problems:
        line = Text(f"{sym.fail} {problem.series}", style="gx.error")
        if problem.line is not None:
            where = ":".join(str(p) for p in (record.path or "<input>", problem.line,
                                              problem.col) if p is not None)
            line.append(tr("at_paren", lang).format(where=where), style="gx.muted")
        message = translate_message(problem.message, lang) or problem.message
        line.append(tr("colon", lang) + message)
        parts.append(indent(line, INDENT))
    return Group(*parts)
