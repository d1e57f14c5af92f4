"""Everything printed around reports: the summary of many scenarios, input errors, and
the list of bundled examples. Plain data in, rich renderables out (via render.console)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradexplain.errors import GradexplainError
from gradexplain.explain import Report, explain_error
from gradexplain.explain.input_errors import translate_hint, translate_message
from gradexplain.record import ErrorInfo, RunRecord
from gradexplain.render.blocks import prose, table, tr
from gradexplain.render.console import Console, Table, Text, natural_width, symbols


@dataclass(frozen=True)
class SummaryRow:
    """One scenario in the summary of a multi-scenario run."""

    name: str
    path: str | None
    ok: bool
    error_kind: str | None
    calls: int

    @classmethod
    def of(cls, item: RunRecord | Report | Mapping[str, Any]) -> SummaryRow:
        """From a record or report, or a mapping with name, path, ok, error, calls."""
        if isinstance(item, Mapping):
            path = item.get("path")
            return cls(str(item.get("name", "")), None if path is None else str(path),
                       bool(item.get("ok")), item.get("error") or None,
                       int(item.get("calls") or 0))
        record = item.record if isinstance(item, Report) else item
        kind = record.error.kind if record.error is not None else None
        return cls(record.name, record.path, record.ok, kind, len(record.calls))

    @classmethod
    def of_input_error(cls, name: str, path: str | None, error: GradexplainError) -> SummaryRow:
        return cls(name, path, False, error.kind, 0)


SummaryItem = SummaryRow | RunRecord | Report | Mapping[str, Any]


def print_summary(console: Console, rows: Iterable[SummaryItem], lang: str = "en", *,
                  elapsed: float | None = None) -> None:
    """A table of scenarios (name, path, ok/failed, error kind, calls) and a count line."""
    items = [row if isinstance(row, SummaryRow) else SummaryRow.of(row) for row in rows]
    summary = _summary_table(console, items, lang, with_path=True)
    if natural_width(console, summary) > console.width:  # the names alone say which is which
        summary = _summary_table(console, items, lang, with_path=False)
    console.print(summary)
    passed = sum(1 for row in items if row.ok)
    failed = len(items) - passed
    line = Text(tr("scenarios_count", lang).format(count=len(items)) + tr("colon", lang))
    line.append(tr("ok_count", lang).format(count=passed), style="gx.ok" if passed else "")
    line.append(tr("count_sep", lang))
    line.append(tr("failed_count", lang).format(count=failed), style="gx.error" if failed else "")
    if elapsed is not None:
        line.append(tr("elapsed", lang).format(seconds=elapsed), style="gx.muted")
    console.print(line)


def _summary_table(console: Console, items: list[SummaryRow], lang: str, *,
                   with_path: bool) -> Table:
    sym = symbols(console)
    keys = ("Scenario", "path", "result", "error kind", "calls")
    summary = table(*(tr(k, lang) for k in keys if with_path or k != "path"),
                    title=tr("Summary", lang))
    for column in summary.columns:
        column.no_wrap = True
    summary.columns[-1].justify = "right"
    for row in items:
        result = (Text(f"{sym.ok} {tr('ok', lang)}", style="gx.ok") if row.ok
                  else Text(f"{sym.fail} {tr('failed', lang)}", style="gx.error"))
        path = [row.path or ""] if with_path else []
        summary.add_row(Text(row.name, style="gx.name"), *path, result, row.error_kind or "",
                        str(row.calls))
    return summary


def input_error_text(error: GradexplainError, lang: str = "en") -> Text:
    """`path:line:col: error[kind]: message`, the source line with ^^^, and `hint: ...`.

    In Chinese the message and hint are the catalogue's sentences (explain/input_errors);
    one the catalogue lacks is shown as written, after the kind's Chinese title.
    """
    where = error.location.describe() if error.location else "<input>"
    message = translate_message(error.message, lang)
    if message is None:
        title = explain_error(ErrorInfo(error.kind, error.message, facts=dict(error.facts)),
                              lang).title
        message = f"{title}{tr('colon', lang)}{error.message}"
    out = Text(f"{where}: ")
    out.append(f"{tr('error', lang)}[{error.kind}]", style="gx.error")
    out.append(f"{tr('colon', lang)}{message}")
    caret = error.location.caret() if error.location else None
    if caret:
        source, marks = caret.split("\n", 1)
        out.append("\n    " + source, style="gx.code")
        out.append("\n    " + marks, style="gx.caret")
    if error.hint:
        out.append("\n")
        label = tr("hint", lang) + tr("colon", lang)  # "hint: " / "提示："
        out.append(label.rstrip(), style="gx.ok")
        out.append(label[len(label.rstrip()):] + (translate_hint(error.hint, lang) or error.hint))
    return out


def print_input_error(console: Console, error: GradexplainError, lang: str = "en") -> None:
    """Show an input error (invalid_scenario, not_allowed, ...) as a compiler would."""
    console.print(input_error_text(error, lang))


def print_bundled(console: Console, names: Iterable[str], directory: Path | str | None = None,
                  lang: str = "en", descriptions: Mapping[str, str] | None = None) -> None:
    """The bundled examples, each with its description in `lang`, and how to run one."""
    names = list(names)
    descriptions = descriptions or {}
    console.print(Text(tr("Bundled examples", lang), style="gx.heading"))
    grid = Table.grid(padding=(0, 3))
    grid.add_column(style="gx.name", no_wrap=True)
    grid.add_column()
    for name in names:
        grid.add_row(name, prose(descriptions.get(name, ""), style="gx.muted"))
    console.print(grid)
    if names:
        how = Text(tr("Run one", lang) + tr("colon", lang))
        how.append(f"gradexplain run {names[0]}", style="gx.code")
        console.print(how)
    if directory is not None:
        console.print(Text(f"({directory})", style="gx.muted"))
