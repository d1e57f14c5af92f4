"""Which of a loop's calls, prints and notes a table shows: a folded statement's first and
last calls and those that differ, its first prints and its last, and the notes of the calls
shown; the rest are counted (render/loops.py draws the folded calls, render/tables.py the
output and the notes)."""

from __future__ import annotations

from collections.abc import Sequence

from gradexplain.explain import Report, note_name
from gradexplain.record import CallRecord, NoteInfo, PrintRecord, RunRecord
from gradexplain.record_groups import PRINT_HEAD, CallGroup, PrintGroup
from gradexplain.render.blocks import tr

GroupKey = tuple[int | None, int | None, str]


def group_key(call: CallRecord) -> GroupKey:
    return (call.step, call.line, call.statement)


def folded_groups(record: RunRecord) -> dict[GroupKey, CallGroup]:
    """The groups a table folds (none with --calls all)."""
    if record.calls_all:
        return {}
    return {(g.step, g.line, g.statement): g for g in record.groups if g.folded}


def visible_notes(report: Report) -> tuple[list[tuple[NoteInfo, str]], dict[str, int]]:
    """The notes a table shows, and how many of each kind sit on folded calls (hidden)."""
    groups = folded_groups(report.record)
    if not groups:
        return report.notes, {}
    shown = {i for g in groups.values() for i in g.shown}
    hidden_calls = {call.index for call in report.record.calls
                    if group_key(call) in groups and call.index not in shown}
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
    """The lines that count the notes of the folded calls, by kind."""
    return [tr("loops.more_notes", lang).format(count=count, kind=note_name(kind, lang))
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
