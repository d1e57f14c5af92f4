"""Folded loops in the table report: a statement's many calls as its first call, a summary
row per tensor (first/last/min/max and a sparkline), the calls that differ, and its last
call (which of them: render/folds.py); and, for the REPL, a record's calls, prints and
shown values interleaved in the order they ran."""

from __future__ import annotations

from collections.abc import Sequence

from gradexplain.explain import Report, note_name
from gradexplain.record import CallRecord
from gradexplain.record_groups import CallGroup, Trend
from gradexplain.render.blocks import indent, output_text, tr
from gradexplain.render.console import Console, Group, RenderableType, Table, Text, symbols
from gradexplain.render.folds import folded_groups, group_key, visible_prints
from gradexplain.render.sparkline import sparkline
from gradexplain.render.tables import call_block

SPARK_WIDTH = 20


def call_renderables(console: Console, report: Report, calls: Sequence[CallRecord], *,
                     full: bool = False) -> list[RenderableType]:
    """Each call in full, except the folded ones: those become their group's summary."""
    return [part for _, part in call_parts(console, report, calls, full=full)]


def call_parts(console: Console, report: Report, calls: Sequence[CallRecord], *,
               full: bool = False) -> list[tuple[int, RenderableType]]:
    """`call_renderables`, each with the `seq` of its call (to interleave with prints)."""
    groups = folded_groups(report.record)
    parts: list[tuple[int, RenderableType]] = []
    for call in calls:
        group = groups.get(group_key(call))
        if group is None:
            parts.append((call.seq, call_block(console, report, call, full=full)))
            continue
        if call.index not in group.shown:
            continue
        reasons = group.differing.get(call.index)
        if reasons:
            parts.append((call.seq, _differs(reasons, report.lang)))
        parts.append((call.seq, call_block(console, report, call, full=full)))
        if call.index == group.first:
            parts.append((call.seq, group_block(console, group, report.lang)))
    return parts


def interleaved(console: Console, report: Report, *, echo: bool = True,
                ) -> list[RenderableType]:
    """The calls, prints and shown values of a record in the order they happened (the
    REPL: a loop's prints between its ledgers), folded like the run report. `echo=False`
    leaves out the `>>> expression` line above a shown value (the terminal already shows
    what was typed)."""
    record = report.record
    parts = call_parts(console, report, record.calls)
    for printed in visible_prints(record.prints, record.print_groups, record.calls_all):
        if isinstance(printed, tuple):
            more = _tr("loops.more_prints", report.lang, count=printed[1])
            parts.append((printed[2], Text(more, style="gx.muted")))
        else:
            parts.append((printed.seq, output_text(printed.text, printed.length, report.lang)))
    for shown in record.shown:
        echoed = None
        if echo:
            echoed = Text(">>> ", style="gx.muted")
            echoed.append(shown.expression, style="gx.code")
            echoed.append("\n")
        parts.append((shown.seq, output_text(shown.text, shown.length, report.lang,
                                             prefix=echoed)))
    parts.sort(key=lambda part: part[0])  # stable: a call's parts keep their order
    return [part for _, part in parts]


def _tr(key: str, lang: str, **fields: object) -> str:
    text = tr(key, lang)
    return text.format(**fields) if fields else text


def _differs(reasons: list[str], lang: str) -> RenderableType:
    words = []
    for reason in reasons:
        kind, _, rest = reason.partition(":")
        if kind == "note":
            note, _, tensor = rest.partition(":")
            words.append(_tr("reason.note_tensor" if tensor else "reason.note", lang,
                             kind=note_name(note, lang), tensor=tensor))
        elif kind in {"appeared", "disappeared", "non_finite"}:
            words.append(_tr(f"reason.{kind}", lang, tensor=rest))
        else:
            words.append(_tr("reason.error", lang))
    text = Text(_tr("loops.differs", lang) + tr("colon", lang), style="gx.note")
    text.append(_tr("reason.sep", lang).join(words))
    return text


def _number(value: float | None) -> Text:
    if value is None:
        return Text("-", style="gx.muted")
    return Text(f"{value:.4g}")


def group_block(console: Console, group: CallGroup, lang: str) -> RenderableType:
    """What the folded calls of one statement did: one row per series."""
    folded = group.calls - len(set(group.shown))
    key = "loops.ran" if group.step is not None else "loops.ran_nostep"
    head = Text(_tr(key, lang, statement=group.statement, step=group.step, calls=group.calls,
                    first=group.first, last=group.last, folded=folded), style="gx.muted")
    ascii_only = symbols(console).ok != "✓"
    grid = Table.grid(padding=(0, 2))
    headers = ["loops.series", "loops.calls", "loops.first", "loops.last", "loops.min",
               "loops.max", "loops.trend"]
    for i, _ in enumerate(headers):
        grid.add_column(justify="right" if 0 < i < 6 else "left", no_wrap=True)
    grid.add_row(*[Text(_tr(h, lang), style="gx.muted") for h in headers])
    series: list[tuple[str, Trend]] = []
    if group.output is not None:
        series.append((_tr("loops.value", lang, label=group.output.label), group.output))
    series += [(_tr("loops.norm", lang, label=t.label), t) for t in group.tensors]
    notes: list[str] = []
    for name, trend in series:
        grid.add_row(Text(name, style="gx.name"), Text(str(trend.calls)), _number(trend.first),
                     _number(trend.last), _number(trend.low), _number(trend.high),
                     Text(sparkline(trend.points, SPARK_WIDTH, ascii_only=ascii_only)))
        if trend.non_finite:
            notes.append(f"{name}: " + _tr("loops.non_finite", lang, count=trend.non_finite))
    parts: list[RenderableType] = [head, grid]
    if group.differing_omitted:
        notes.append(_tr("loops.omitted", lang, count=group.differing_omitted))
    parts += [Text(line, style="gx.muted") for line in notes]
    return indent(Group(*parts), 2)


