"""A Comparison for people: per call, each tensor's grad under A and B, and why they differ.

Reads plain data only (Comparison, Reports); computes nothing. Rows that differ carry a
symbol and the word "differs" (colour only repeats them); every sentence comes from the
catalogue in gradexplain.explain.catalogue_compare.
"""

from __future__ import annotations

from typing import Any

from gradexplain.analysis.compare import CallComparison, Comparison, TensorDiff
from gradexplain.explain import Report
from gradexplain.explain.compare import ExplainedComparison
from gradexplain.explain.compare import compare_text as text
from gradexplain.record import ErrorInfo
from gradexplain.render.blocks import prose, table, value_text
from gradexplain.render.console import (
    Console,
    Group,
    Label,
    Padding,
    RenderableType,
    Rule,
    Symbols,
    Text,
    symbols,
)
from gradexplain.render.deeper import views_block
from gradexplain.render.jsonout import report_to_json


def _cell(row: TensorDiff, side: str, lang: str, full: bool) -> Text:
    state = row.a_state if side == "a" else row.b_state
    if state == "stopped":
        kind = row.facts.get("kind")
        return Text(text("stopped", lang) + (f" [{kind}]" if kind else ""), style="gx.error")
    if state == "absent":
        return Text(text("absent", lang), style="gx.muted")
    return value_text(row.a if side == "a" else row.b, full=full, lang=lang)


def _difference(row: TensorDiff, lang: str, sym: Symbols) -> Text:
    if not row.differs:
        return Text(f"{sym.ok} {text('same', lang)}", style="gx.muted")
    out = Label(f"{sym.fail} {text('differs', lang)}", style="gx.error")
    if row.max_abs is not None and row.max_rel is not None:
        out.append(f"\n{text('max abs', lang)} {row.max_abs:.3g}"
                   f" {sym.dot} {text('max rel', lang)} {row.max_rel:.3g}")
    return out


def _error_lines(side: str, call: int, error: ErrorInfo, report: Report,
                 lang: str) -> RenderableType:
    where = text("line", lang, line=error.line) if error.line is not None else ""
    parts: list[RenderableType] = [
        Text(text("error_at", lang, side=side, call=call, kind=error.kind, where=where),
             style="gx.error")]
    if error.statement:
        parts.append(Padding(Text(error.statement, style="gx.code"), (0, 0, 0, 4), expand=False))
    explained = report.call_errors.get(call)
    if explained is not None:
        if explained.title:
            parts.append(Text(explained.title, style="gx.name"))
        if explained.explanation:
            parts.append(prose(explained.explanation))
    return Padding(Group(*parts), (0, 0, 0, 2), expand=False)


def call_view(call: CallComparison, explained: ExplainedComparison, report_a: Report,
              report_b: Report, lang: str, sym: Symbols, *, full: bool = False) -> RenderableType:
    """One call: its statement(s), the tensor table, each difference's reason, any error."""
    comparison = explained.comparison
    heading = Text(text("Call", lang, n=call.index), style="gx.heading")
    statements = [s for s in (call.statement_a, call.statement_b) if s]
    if statements:
        heading.append("  ")
        heading.append(statements[0], style="gx.code")
        if len(statements) == 2 and statements[1] != statements[0]:
            heading.append(f"  |  {statements[1]}", style="gx.code")
    parts: list[RenderableType] = [heading]
    grid = table("", text("tensor", lang), text("side", lang, side="A", name=comparison.name_a),
                 text("side", lang, side="B", name=comparison.name_b), text("difference", lang))
    for row in call.rows:
        style = "gx.note" if row.differs else ""
        mark = Text(sym.fail if row.differs else " ", style="gx.error")
        grid.add_row(mark, Text(row.tensor, style="gx.name"), _cell(row, "a", lang, full),
                     _cell(row, "b", lang, full), _difference(row, lang, sym), style=style)
    if call.rows:
        parts.append(Padding(grid, (0, 0, 0, 2), expand=False))
    reasons = [(row, explained.reason(row)) for row in call.rows if row.differs]
    for row, sentence in reasons:
        if sentence:
            line = Text(f"{sym.bullet} " + text("side", lang, side=row.tensor, name=""),
                        style="gx.name")
            line.append(prose(sentence))
            parts.append(Padding(line, (0, 0, 0, 2), expand=False))
    for side, error, report in (("A", call.error_a, report_a), ("B", call.error_b, report_b)):
        if error is not None:
            parts.append(_error_lines(side, call.index, error, report, lang))
    parts += _views(call.index, comparison, report_a, report_b, lang, sym, full)
    return Group(*parts)


def _views(index: int, comparison: Comparison, report_a: Report, report_b: Report, lang: str,
           sym: Symbols, full: bool) -> list[RenderableType]:
    """--graph/--jacobian/--check-numeric of both variants: once when they agree."""
    call_a = next((c for c in report_a.record.calls if c.index == index), None)
    call_b = next((c for c in report_b.record.calls if c.index == index), None)
    if call_a is not None and call_b is not None and call_a.views and \
            call_a.views == call_b.views:
        block = views_block(report_a, call_a, sym, full=full)
        heading = Text(text("views.same", lang, a=comparison.name_a, b=comparison.name_b),
                       style="gx.muted")
        return [Padding(Group(heading, block), (0, 0, 0, 2), expand=False)] if block else []
    parts: list[RenderableType] = []
    for side, name, found, report in (("A", comparison.name_a, call_a, report_a),
                                      ("B", comparison.name_b, call_b, report_b)):
        block = views_block(report, found, sym, full=full) if found is not None else None
        if block is not None:
            heading = Text(text("side", lang, side=side, name=name), style="gx.heading")
            parts.append(Padding(Group(heading, block), (0, 0, 0, 2), expand=False))
    return parts


def compare_renderables(console: Console, explained: ExplainedComparison, report_a: Report,
                        report_b: Report, *, full: bool = False) -> list[RenderableType]:
    comparison = explained.comparison
    lang, sym = report_a.lang, symbols(console)
    name = report_a.record.name if comparison.mode != "paths" else \
        f"{report_a.record.name} / {report_b.record.name}"
    parts: list[RenderableType] = [
        Rule(Text(text("titled", lang, title=text("title", lang), name=name), style="gx.title"),
             align="left"),
        Text(text(f"mode.{comparison.mode}", lang)),
        Text(f"A = {comparison.name_a} {sym.dot} B = {comparison.name_b} {sym.dot} "
             f"{report_a.record.device}/{report_b.record.device} {sym.dot} "
             f"{report_a.record.dtype}/{report_b.record.dtype}", style="gx.muted"),
    ]
    if not comparison.calls:
        parts.append(Text(text("no calls", lang), style="gx.muted"))
    parts += [call_view(call, explained, report_a, report_b, lang, sym, full=full)
              for call in comparison.calls]
    count = len(comparison.differences)
    if count:
        parts.append(Text(f"{sym.fail} {text('result.diff', lang, n=count)}", style="gx.error"))
    else:
        parts.append(Text(f"{sym.ok} {text('result.same', lang)}", style="gx.ok"))
    return parts


def print_comparison(console: Console, explained: ExplainedComparison, report_a: Report,
                     report_b: Report, *, full: bool = False) -> None:
    """Print the comparison: a blank line between its parts."""
    for part in compare_renderables(console, explained, report_a, report_b, full=full):
        console.print(part)
        console.print()


COMPARE_FORMAT = "gradexplain-compare/1"


def comparison_to_json(explained: ExplainedComparison, report_a: Report,
                       report_b: Report) -> dict[str, Any]:
    """{"format", "mode", "a", "b", "differences", "same"}: both runs and what differs."""
    comparison = explained.comparison
    return {
        "format": COMPARE_FORMAT,
        "mode": comparison.mode,
        "a": report_to_json(report_a),
        "b": report_to_json(report_b),
        "differences": [
            {"call": row.call, "tensor": row.tensor,
             "a": row.a if row.a_state == "ok" else None,
             "b": row.b if row.b_state == "ok" else None,
             "a_state": row.a_state, "b_state": row.b_state,
             "max_abs": row.max_abs, "max_rel": row.max_rel,
             "why": explained.reason(row), "why_kind": row.why}
            for row in comparison.differences],
        "same": comparison.same,
    }
