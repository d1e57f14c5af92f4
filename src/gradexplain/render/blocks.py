"""The house style's small pieces, shared by every renderer: labels, prose, value cells,
indents, headings and the table. Reads plain data only."""

from __future__ import annotations

import re

from gradexplain.explain import label
from gradexplain.record import Value
from gradexplain.render.console import (
    Console,
    Label,
    Padding,
    RenderableType,
    Table,
    Text,
    box,
)
from gradexplain.render.values import format_value


def tr(key: str, lang: str) -> str:
    """The UI label for `key` in `lang`. A key the catalogue lacks is a bug: KeyError
    (tests/test_catalogue.py checks that every key used here exists in en and zh)."""
    return label(key, lang)


_CODE_SPAN = re.compile(r"`[^`\n]+`")


def prose(text: str, style: str = "") -> Text:
    """Catalogue text: `code` spans and indented lines ("    ...") in the code style."""
    out = Text(style=style)
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("\n")
        if line.startswith("    "):
            out.append(line, style="gx.code")
            continue
        pos = 0
        for match in _CODE_SPAN.finditer(line):
            out.append(line[pos:match.start()])
            out.append(match.group(), style="gx.code")
            pos = match.end()
        out.append(line[pos:])
    return out


def value_text(value: Value | None, *, full: bool = False, max_width: int | None = None,
               lang: str = "en") -> Text:
    """A VALUE cell; a missing grad reads `None`, dimmed (the word carries the meaning)."""
    if value is None:
        return Text("None", style="gx.none")
    return Text(format_value(value, full=full, max_width=max_width, lang=lang))


def cell_width(console: Console, columns: int = 3) -> int:
    """The line width of a value cell, so that a row of `columns` values (the ledger's
    before, added, after; the tensors' value and grad) fits the terminal."""
    return max(24, (console.width - 12) // columns)


def output_text(text: str, length: int | None, lang: str, *, prefix: Text | None = None
                ) -> Text:
    """A print or shown value (after `prefix`); one cut short at its source
    (engine/output_bounds.py) ends in a line saying how long it was."""
    out = prefix or Text()
    out.append(text)
    if length is not None:
        out.append("\n" + tr("output_cut", lang).format(length=length, shown=len(text)),
                   style="gx.muted")
    return out


def flag(value: bool) -> Text:
    return Text(str(value), style="" if value else "gx.muted")


def indent(renderable: RenderableType, columns: int) -> RenderableType:
    """`renderable` shifted right, without padding its lines out to the full width."""
    return Padding(renderable, (0, 0, 0, columns), expand=False)


def heading(key: str, lang: str) -> Text:
    return Text(tr(key, lang), style="gx.heading")


def table(*headers: str, title: str | None = None) -> Table:
    """The house table: a rule under the header, no outer box, columns that fold. A heading
    breaks only between words (in Chinese, after punctuation): `B：` / `每次调用前清零梯度`."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1),
                  title=title, title_justify="left", title_style="gx.heading")
    for header in headers:
        table.add_column(Label(header), overflow="fold")
    return table
