"""The deeper views of one call, as tables: Jacobians, numeric checks, gradient flow, the tree.

Reads `CallRecord.views` (record.CallViews), plain data only; draws
with the names re-exported by render.console. Nothing is shown when a view was not asked for.
"""

from __future__ import annotations

from gradexplain.explain import Report
from gradexplain.explain.deeper_text import ExplainedViews
from gradexplain.record import CallRecord, FlowEntry, JacobianEntry, NumericEntry
from gradexplain.render.blocks import indent, tr
from gradexplain.render.console import (
    Console,
    Group,
    RenderableType,
    Symbols,
    Table,
    Text,
    box,
    symbols,
)
from gradexplain.render.derivation import why_block
from gradexplain.render.values import format_scalar, format_shape, format_value


def _table(*headers: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _heading(text: str) -> Text:
    return Text(text, style="gx.heading")


def _verdict(ok: bool | None, sym: Symbols, yes: str, no: str) -> Text:
    if ok is None:
        return Text("-", style="gx.muted")
    return Text(f"{sym.ok} {yes}", style="gx.ok") if ok else \
        Text(f"{sym.fail} {no}", style="gx.error")


def deeper_block(console: Console, report: Report, call: CallRecord, *,
                 full: bool = False) -> RenderableType | None:
    """Every deeper view recorded for `call`, or None when there is none."""
    return views_block(report, call, symbols(console), full=full)


def views_block(report: Report, call: CallRecord, sym: Symbols, *,
                full: bool = False) -> RenderableType | None:
    """`deeper_block` with the console's symbols already chosen (compare uses it)."""
    parts: list[RenderableType] = []
    views, lang = call.views, report.lang
    texts = report.views.get(call.index, ExplainedViews())
    if views.tree:
        parts.append(tree_block(texts, lang))
    if views.flow:
        parts.append(flow_block(views.flow, lang, full=full))
    if views.jacobian:
        parts.append(jacobian_block(views.jacobian, lang, sym, full=full))
    if views.numeric:
        parts.append(numeric_block(views.numeric, texts.numeric_notes, lang, sym, full=full))
    if views.why:
        parts.append(why_block(texts.why, sym))
    return indent(Group(*parts), 2) if parts else None


def tree_block(texts: ExplainedViews, lang: str) -> RenderableType:
    """The backward graph's lines, then its notes (explain.deeper_text words them)."""
    lines = Text("\n".join(texts.tree_lines), style="gx.code", no_wrap=True,
                 overflow="ellipsis")
    parts: list[RenderableType] = [_heading(tr("Backward graph", lang)), indent(lines, 2)]
    for note in texts.tree_notes:
        parts.append(indent(Text(note, style="gx.muted"), 2))
    return Group(*parts)


def flow_block(flow: list[FlowEntry], lang: str, *, full: bool = False) -> RenderableType:
    """The gradient that arrived at each named tensor and leaf, from the output down."""
    table = _table(*(tr(k, lang) for k in ("tensor", "node", "shape", "gradient arriving")))
    for entry in flow:
        name = Text(entry["tensor"], style="gx.name")
        if entry.get("leaf"):
            name.append(tr("(leaf)", lang), style="gx.muted")
        table.add_row(name, Text(entry["node"]), Text(format_shape(entry["shape"])),
                      Text(format_value(entry["grad"], full=full, lang=lang)))
    return Group(_heading(tr("Gradient flow (chain rule, output to leaves)", lang)),
                 indent(table, 2))


def jacobian_block(entries: list[JacobianEntry], lang: str, sym: Symbols, *,
                   full: bool = False) -> RenderableType:
    """For each output and leaf: J, the grad_tensors vector v, v^T J and the grad added."""
    parts: list[RenderableType] = []
    for entry in entries:
        if entry.get("reason"):  # no numbers to show ("meta": the tensors have no values)
            head = Text(f"J = d {entry['output']} / d {entry['leaf']}", style="gx.name")
            note = Text(f"{sym.bullet} {tr('jacobian.' + entry['reason'], lang)}",
                        style="gx.muted")
            parts += [head, indent(note, 2)]
            continue
        rows = entry["jacobian"]
        size = f"{len(rows)} x {len(rows[0]) if rows else 0}"
        head = Text(f"J = d {entry['output']} / d {entry['leaf']}", style="gx.name")
        head.append("  " + tr("jacobian.size", lang).format(size=size), style="gx.muted")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="gx.muted", no_wrap=True)
        grid.add_column()
        grid.add_row("J", Text(format_value(rows, full=full, lang=lang)))
        grid.add_row("v (grad_tensors)", Text(format_value(entry["v"], full=full, lang=lang)))
        grid.add_row("v^T J", Text(format_value(entry["vjp"], full=full, lang=lang)))
        grid.add_row(tr("grad added", lang),
                     Text(format_value(entry["grad_added"], full=full, lang=lang)))
        grid.add_row("", _verdict(entry.get("equal"), sym, tr("v^T J equals the grad added",
                                                               lang),
                                  tr("v^T J differs from the grad added", lang)))
        parts += [head, indent(grid, 2)]
    return Group(_heading(tr("Jacobians", lang)), indent(Group(*parts), 2))


def numeric_block(entries: list[NumericEntry], notes_of: list[str | None], lang: str,
                  sym: Symbols, *, full: bool = False) -> RenderableType:
    """Central finite differences (float64) next to the grad autograd added."""
    table = _table(*(tr(k, lang) for k in ("leaf", "numeric", "autograd", "max diff",
                                             "agrees")))
    notes: list[RenderableType] = []
    for entry, note in zip(entries, notes_of, strict=True):
        if entry.get("numeric") is None:
            leaf = f"{entry['leaf']}: " if entry.get("leaf") else ""
            notes.append(Text(f"{sym.bullet} {leaf}{note or ''}", style="gx.muted"))
            continue
        table.add_row(Text(entry["leaf"] or "", style="gx.name"),
                      Text(format_value(entry["numeric"], full=full, lang=lang)),
                      Text(format_value(entry["autograd"], full=full, lang=lang)),
                      Text(format_scalar(entry["max_diff"])),
                      _verdict(entry.get("agrees"), sym, tr("agrees", lang),
                               tr("disagrees", lang)))
        if note:
            notes.append(Text(f"{sym.bullet} {entry['leaf']}: {note}", style="gx.note"))
    parts: list[RenderableType] = [_heading(tr("Numeric check (central differences, float64)",
                                                lang))]
    if table.row_count:
        parts.append(indent(table, 2))
    parts += [indent(n, 2) for n in notes]
    return Group(*parts)
