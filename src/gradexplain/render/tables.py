"""A Report as tables and panels for people: tensors, the ledger of each call, notes, error.

Reads plain data only (Report, RunRecord); computes nothing. Every word
comes from the label catalogue (falling back to the key), every colour goes with a word or
a symbol, and long values are elided as torch prints them unless `full`.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradexplain.explain import ExplainedError, Report, note_name
from gradexplain.record import CallRecord, ErrorInfo, RunRecord, TensorRow
from gradexplain.render.blocks import (
    cell_width,
    flag,
    heading,
    indent,
    output_text,
    prose,
    table,
    tr,
    value_text,
)
from gradexplain.render.console import (
    Console,
    Group,
    Panel,
    RenderableType,
    Rule,
    Symbols,
    Table,
    Text,
    box,
    natural_width,
    symbols,
)
from gradexplain.render.deeper import deeper_block
from gradexplain.render.folds import more_notes_lines, visible_notes, visible_prints
from gradexplain.render.values import format_shape

# --- one report -------------------------------------------------------------------------

def title_block(record: RunRecord, lang: str, sym: Symbols) -> RenderableType:
    """The scenario's name, description, and where and how it ran."""
    parts: list[RenderableType] = [Rule(Text(record.name, style="gx.title"), align="left")]
    description = record.description_in(lang)
    if description:
        parts.append(prose(description.strip()))
    facts = [record.path] if record.path else []
    facts += [f"{tr('torch', lang)} {record.torch_version}", record.device, record.dtype]
    parts.append(Text(f" {sym.dot} ".join(facts), style="gx.muted"))
    return Group(*parts)


def tensors_block(console: Console, rows: Sequence[TensorRow], lang: str, *,
                  full: bool = False) -> RenderableType:
    """The Tensors table; split in two (facts, then values) when one is too wide."""
    keys = ("name", "shape", "dtype", "device", "requires_grad", "is_leaf", "grad_fn")
    facts = [[Text(row.name, style="gx.name"), Text(format_shape(row.shape)), Text(row.dtype),
              Text(row.device), flag(row.requires_grad), flag(row.is_leaf),
              Text(row.grad_fn) if row.grad_fn else Text("None", style="gx.none")]
             for row in rows]
    width = cell_width(console, 2)
    values = [[value_text(row.value, full=full, max_width=width, lang=lang),
               value_text(row.grad, full=full, max_width=width, lang=lang)] for row in rows]
    title = tr("Tensors", lang)
    whole = table(*(tr(k, lang) for k in (*keys, "value", "grad")), title=title)
    for fact, value in zip(facts, values, strict=True):
        whole.add_row(*fact, *value)
    if natural_width(console, whole) <= console.width:
        return whole
    parts: list[RenderableType] = []
    for group in _fitting_columns(console, [tr(k, lang) for k in keys], facts):
        part = table(*(tr(keys[i], lang) for i in group), title=None if parts else title)
        for fact in facts:
            part.add_row(*(fact[i] for i in group))
        parts += [part, Text("")]
    second = _wide_or_stacked(console, [tr(k, lang) for k in ("name", "value", "grad")],
                              [(Text(row.name, style="gx.name"), value)
                               for row, value in zip(rows, values, strict=True)])
    return Group(*parts, second)


def _fitting_columns(console: Console, headers: Sequence[str],
                     rows: Sequence[Sequence[Text]]) -> list[list[int]]:
    """The columns of a table of facts (each a word or a number, which must not break), in
    groups that each fit the width beside the first column (the name): one table when it
    fits, else as many as it takes (`requires_grad` is never folded to `requires_gra`)."""
    groups: list[list[int]] = [[0]]
    for column in range(1, len(headers)):
        candidate = [*groups[-1], column]
        trial = table(*(headers[i] for i in candidate))
        for row in rows:
            trial.add_row(*(row[i] for i in candidate))
        if len(groups[-1]) > 1 and natural_width(console, trial) > console.width:
            groups.append([0, column])
        else:
            groups[-1] = candidate
    return groups


def _wide_or_stacked(console: Console, headers: Sequence[str],
                     rows: Sequence[tuple[Text, Sequence[Text]]], *,
                     indent: int = 0) -> RenderableType:
    """A table `name | value | value...`; when too wide, one line per value instead:
    `name | header | value`, so that a matrix keeps its rows whole."""
    wide = table(*headers)
    for name, cells in rows:
        wide.add_row(name, *cells)
    if natural_width(console, wide) + indent <= console.width:
        return wide
    tall = Table.grid(padding=(0, 2))
    tall.add_column(no_wrap=True)
    tall.add_column(style="gx.muted", no_wrap=True)
    tall.add_column(overflow="fold")
    for i, (name, cells) in enumerate(rows):
        if i:
            tall.add_row("", "", "")
        for j, (header, cell) in enumerate(zip(headers[1:], cells, strict=True)):
            tall.add_row(name if j == 0 else "", header, cell)
    return tall


def _same_error(a: ErrorInfo | None, b: ErrorInfo | None) -> bool:
    if a is None or b is None:
        return False
    return a is b or (a.kind, a.step, a.message) == (b.kind, b.step, b.message)


def call_block(console: Console, report: Report, call: CallRecord, *,
               full: bool = False) -> RenderableType:
    """One backward call: what was called, with what, and the ledger before/added/after."""
    lang, sym = report.lang, symbols(console)
    head = Text(tr("call_n", lang).format(n=call.index), style="gx.name")
    if call.step is not None:
        head.append(f" {sym.dot} " + tr("step_n", lang).format(n=call.step))
    head.append(f" {sym.dot} ")
    head.append(f"`{call.statement}`", style="gx.code")
    settings = Table.grid(padding=(0, 2))
    settings.add_column(style="gx.muted")
    settings.add_column()
    if call.outputs:
        settings.add_row(tr("outputs", lang), Text(", ".join(call.outputs)))
    width = cell_width(console)
    settings.add_row(tr("grad_tensors", lang), value_text(call.grad_tensors, full=full,
                                                          max_width=width, lang=lang))
    settings.add_row(tr("retain_graph", lang), Text(str(call.retain_graph)))
    settings.add_row(tr("create_graph", lang), Text(str(call.create_graph)))
    parts: list[RenderableType] = [head, indent(settings, 2)]

    labels = list(dict.fromkeys([*call.before, *call.added, *call.after]))
    if labels:
        ledger: list[tuple[Text, Sequence[Text]]] = []
        for name in labels:
            if name in call.not_reached:
                added = Text(tr("not reached", lang), style="gx.muted")
            elif name in call.added:
                added = value_text(call.added[name], full=full, max_width=width,
                                   lang=lang)
            else:  # the call failed: it added nothing
                added = Text("-", style="gx.muted")
            after = value_text(call.after.get(name), full=full, max_width=width, lang=lang)
            after.stylize("gx.after")
            ledger.append((Text(name, style="gx.name"),
                           [value_text(call.before.get(name), full=full, max_width=width,
                                       lang=lang),
                            added, after]))
        headers = [tr(k, lang) for k in ("tensor", "before", "added", "after")]
        parts.append(indent(_wide_or_stacked(console, headers, ledger, indent=2), 2))
    if call.results or call.function == "torch.autograd.grad":
        results = table(tr("tensor", lang), tr("results", lang))
        for name, result in call.results.items():
            results.add_row(Text(name, style="gx.name"),
                            value_text(result, full=full, lang=lang))
        parts.append(indent(results, 2))
    if call.error is not None:
        explained = report.call_errors.get(call.index)
        line = Text(f"{sym.fail} {tr('Error', lang)}[{call.error.kind}]", style="gx.error")
        line.append(tr("colon", lang) + (explained.title if explained else call.error.message))
        parts.append(indent(line, 2))
        if _same_error(call.error, report.record.error):
            note = tr('this call stopped the run, see the error below', lang)
            parts.append(indent(Text(note, style="gx.muted"), 4))
        elif explained is not None:
            parts.append(indent(_explanation(explained, call.error, lang), 4))
    if call.views:  # --graph, --jacobian, --check-numeric
        deeper = deeper_block(console, report, call, full=full)
        if deeper is not None:
            parts.append(deeper)
    return Group(*parts)


def output_block(record: RunRecord, lang: str) -> RenderableType | None:
    """What the scenario printed and the values of bare expressions, in step order."""
    entries: list[tuple[int, int, Text]] = []
    visible = visible_prints(record.prints, record.print_groups, record.calls_all)
    for i, printed in enumerate(visible):
        if isinstance(printed, tuple):  # the prints a loop repeated, counted
            more = tr("loops.more_prints", lang).format(count=printed[1])  # (step, n, seq)
            entries.append((_step_key(printed[0]), i, Text(more, style="gx.muted")))
        else:
            entries.append((_step_key(printed.step), i,
                            output_text(printed.text, printed.length, lang)))
    for i, shown in enumerate(record.shown):
        text = Text(">>> ", style="gx.muted")
        text.append(shown.expression, style="gx.code")
        text.append("\n")
        entries.append((_step_key(shown.step), len(visible) + i,
                        output_text(shown.text, shown.length, lang, prefix=text)))
    if not entries:
        return None
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="gx.muted", justify="right")
    grid.add_column()
    for key, _, text in sorted(entries, key=lambda e: (e[0], e[1])):
        step = "" if key == _NO_STEP else f"[{key}]"
        grid.add_row(step, text)
    return Group(heading("Output", lang), indent(grid, 2))


_NO_STEP = 1 << 62  # entries without a step go last, in the order recorded


def _step_key(step: int | None) -> int:
    return _NO_STEP if step is None else step


def notes_block(console: Console, report: Report, sym: Symbols) -> RenderableType | None:
    """Each note: its kind (in the note colour, after a bullet) and its text, beside it; or
    under it, indented, when the kind's name would leave the text too narrow a column (a
    Chinese name with its key: `梯度累加（accumulated）`, at 80 columns)."""
    notes, hidden = visible_notes(report)
    if not notes and not hidden:
        return None
    labels = [Text(f"{sym.bullet} {note_name(note.kind, report.lang)}", style="gx.note")
              for note, _ in notes]
    widest = max((natural_width(console, label) for label in labels), default=0)
    if console.width - 2 - widest - 1 < NOTE_TEXT_WIDTH:
        stacked: list[RenderableType] = []
        for label, (_, text) in zip(labels, notes, strict=True):
            stacked += [label, indent(prose(text), 2)]
        stacked += [indent(prose(line, style="gx.muted"), 2)
                    for line in more_notes_lines(hidden, report.lang)]
        return Group(heading("Notes", report.lang), indent(Group(*stacked), 2))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for label, (_, text) in zip(labels, notes, strict=True):
        grid.add_row(label, prose(text))
    for line in more_notes_lines(hidden, report.lang):
        grid.add_row(Text(""), prose(line, style="gx.muted"))
    return Group(heading("Notes", report.lang), indent(grid, 2))


NOTE_TEXT_WIDTH = 56  # columns a note's text keeps beside its kind, else it goes under it


def _location(error: ErrorInfo, lang: str) -> str | None:
    if error.line is None and error.step is None:
        return None
    where = ":".join(str(p) for p in (error.path or "<input>", error.line, error.col)
                     if p is not None)
    step = tr("at_step", lang).format(step=error.step) if error.step is not None else ""
    return tr("at_where", lang).format(where=where) + step


def _explanation(explained: ExplainedError, error: ErrorInfo, lang: str) -> RenderableType:
    parts: list[RenderableType] = []
    if error.message:
        said = Text(tr("Original message", lang) + tr("colon", lang), style="gx.muted")
        said.append(error.message.strip())
        parts.append(said)
    if explained.explanation:
        parts.append(prose(explained.explanation))
    if explained.fix:
        parts.append(Group(Text(tr("Fix", lang) + tr("colon", lang).rstrip(), style="gx.ok"),
                           indent(prose(explained.fix, style="gx.code"), 2)))
    spaced: list[RenderableType] = []
    for part in parts:  # a blank line between what PyTorch said, why, and the fix
        spaced += [Text(""), part] if spaced else [part]
    return Group(*spaced)


def error_panel(report: Report) -> RenderableType | None:
    """The error that stopped the run: kind, where, the statement, PyTorch's words, why, fix."""
    error, lang = report.record.error, report.lang
    if error is None:
        return None
    explained = report.error or ExplainedError(error.kind, error.message, "", error.hint or "")
    parts: list[RenderableType] = [Text(explained.title, style="gx.name")]
    where = _location(error, lang)
    if where:
        parts.append(Text(where, style="gx.muted"))
    if error.statement:
        parts.append(indent(Text(error.statement, style="gx.code"), 4))
    parts += [Text(""), _explanation(explained, error, lang)]
    expected = report.record.error_expected
    title = Text(f"{tr('Expected error' if expected else 'Error', lang)}[{error.kind}]",
                 style="gx.note" if expected else "gx.error")
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED,
                 border_style="gx.expected.border" if expected else "gx.error.border")


def expectations_block(report: Report, sym: Symbols) -> RenderableType | None:
    """Each expectation with ✓/✗ and the word passed/failed (colour only repeats them)."""
    record, lang = report.record, report.lang
    if not record.expectations:
        return None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item, text in zip(record.expectations, report.expectations, strict=True):
        mark = (Text(f"{sym.ok} {tr('passed', lang)}", style="gx.ok") if item.ok
                else Text(f"{sym.fail} {tr('failed', lang)}", style="gx.error"))
        grid.add_row(mark, prose(text))
    return Group(heading("Expectations", lang), indent(grid, 2))


def status_line(record: RunRecord, lang: str, sym: Symbols) -> Text:
    """One line: ok/failed, how the run ended, and how many expectations held."""
    if record.error is None:
        how = tr("ran to the end", lang)
    elif record.error_expected:
        how = f"{tr('stopped on an expected error', lang)} [{record.error.kind}]"
    else:
        how = f"{tr('stopped on an error', lang)} [{record.error.kind}]"
    pieces = [how]
    if record.expectations:
        held = sum(1 for e in record.expectations if e.ok)
        pieces.append(f"{held}/{len(record.expectations)} {tr('expectations held', lang)}")
    ok = record.ok
    line = Text(f"{sym.ok if ok else sym.fail} {tr('ok' if ok else 'failed', lang)}",
                style="gx.ok" if ok else "gx.error")
    line.append(f" {sym.dot} " + f" {sym.dot} ".join(pieces))
    return line
