"""One scenario's report for people: every part, in reading order (the blocks:
render/tables.py; the calls, folded where a loop repeated them: render/loops.py)."""

from __future__ import annotations

from gradexplain.explain import Report
from gradexplain.render.blocks import heading
from gradexplain.render.console import Console, RenderableType, symbols
from gradexplain.render.loops import call_renderables
from gradexplain.render.plot_view import plot_block
from gradexplain.render.tables import (
    error_panel,
    expectations_block,
    notes_block,
    output_block,
    status_line,
    tensors_block,
    title_block,
)


def report_renderables(console: Console, report: Report, *,
                       full: bool = False) -> list[RenderableType]:
    """Every part of a report, in reading order, skipping the empty ones."""
    record, lang, sym = report.record, report.lang, symbols(console)
    parts: list[RenderableType | None] = [title_block(record, lang, sym)]
    if record.tensors:
        parts.append(tensors_block(console, record.tensors, lang, full=full))
    if record.calls:
        parts.append(heading("Backward calls", lang))
        parts += call_renderables(console, report, record.calls, full=full)
    parts.append(output_block(record, lang))
    if record.plot is not None:  # the scenario's `plot:` section
        parts.append(plot_block(console, record, lang))
    parts += [notes_block(console, report, sym), error_panel(report),
              expectations_block(report, sym), status_line(record, lang, sym)]
    return [p for p in parts if p is not None]


def print_report(console: Console, report: Report, *, full: bool = False) -> None:
    """Print one scenario's report: a blank line between its parts, and one after it."""
    for part in report_renderables(console, report, full=full):
        console.print(part)
        console.print()
