"""Folded loops in the table report: a statement's many calls as its first call, a summary
row per tensor (first/last/min/max and a sparkline), the calls that differ, and its last
call; and its many prints or notes as the first few, a count, and the last."""

from __future__ import annotations

from collections.abc import Sequence

from gradexplain.explain import Report, note_name
from gradexplain.record import CallRecord, NoteInfo, PrintRecord, RunRecord
from gradexplain.record_groups import PRINT_HEAD, CallGroup, PrintGroup, Trend
from gradexplain.render.blocks import indent, output_text, tr
from gradexplain.render.console import Console, Group, RenderableType, Table, Text, symbols
from gradexplain.render.sparkline import sparkline

SPARK_WIDTH = 20
GroupKey = tuple[int | None, int | None, str]


def _key(call: CallRecord) -> GroupKey:
    return (call.step, call.line, call.statement)


def folded_groups(record: RunRecord) -> dict[GroupKey, CallGroup]:
    """The groups a table folds (none with --calls all)."""
    if record.calls_all:
        return {}
    return {(g.step, g.line, g.statement): g for g in record.groups if g.folded}


def call_renderables(console: Console, report: Report, calls: Sequence[CallRecord], *,
                     full: bool = False) -> list[RenderableType]:
    """Each call in full, except the folded ones: those become their group's summary."""
    return [part for _, part in call_parts(console, report, calls, full=full)]


def call_parts(console: Console, report: Report, calls: Sequence[CallRecord], *,
               full: bool = False) -> list[tuple[int, RenderableType]]:
    """`call_renderables`, each with the `seq` of its call (to interleave with prints)."""
    from gradexplain.render.tables import call_block  # noqa: PLC0415 - tables imports us

    groups = folded_groups(report.record)
    parts: list[tuple[int, RenderableType]] = []
    for call in calls:
        group = groups.get(_key(call))
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


def visible_notes(report: Report) -> tuple[list[tuple[NoteInfo, str]], dict[str, int]]:
    """The notes a table shows, and how many of each kind sit on folded calls (hidden)."""
    groups = folded_groups(report.record)
    if not groups:
        return report.notes, {}
    shown = {i for g in groups.values() for i in g.shown}
    hidden_calls = {call.index for call in report.record.calls
                    if _key(call) in groups and call.index not in shown}
    kept: list[tuple[NoteInfo, str]] = []
    hidden: dict[str, int] = {}
    totals: dict[str, int] = {}
    for group in groups.values():
        for kind, count in group.notes.items():
            totals[kind] = totals.get(kind, 0) + count
    for note, text in report.notes:
        if note.call is not None and note.call in hidden_calls:
            continue
        kept.append((note, text))
    for kind, total in totals.items():
        shown_count = sum(1 for n, _ in kept if n.kind == kind and n.call is not None)
        if total > shown_count:
            hidden[kind] = total - shown_count
    return kept, hidden


def more_notes_lines(hidden: dict[str, int], lang: str) -> list[str]:
    return [_tr("loops.more_notes", lang, count=count, kind=note_name(kind, lang))
            for kind, count in hidden.items()]


def visible_prints(prints: Sequence[PrintRecord], groups: Sequence[PrintGroup],
                   calls_all: bool) -> list[PrintRecord | tuple[int | None, int, int]]:
    """Each statement's first PRINT_HEAD prints, then (step, how many more, the seq of the
    print before), then its last."""
    counts = {(g.step, g.line): g.count for g in groups}
    seen: dict[tuple[int | None, int | None], int] = {}
    last: dict[tuple[int | None, int | None], PrintRecord] = {}
    for printed in prints:
        last[(printed.step, printed.line)] = printed
    result: list[PrintRecord | tuple[int | None, int, int]] = []
    for printed in prints:
        key = (printed.step, printed.line)
        count = counts.get(key, 0)
        if calls_all or count <= PRINT_HEAD + 1:
            result.append(printed)
            continue
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= PRINT_HEAD:
            result.append(printed)
            if seen[key] == PRINT_HEAD:
                result.append((printed.step, count - PRINT_HEAD - 1, printed.seq))
        elif printed is last[key]:
            result.append(printed)
    return result
