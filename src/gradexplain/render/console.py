"""The one module that imports rich: consoles, the colour theme, export, and rich's parts.

Everything else in gradexplain that draws uses the names re-exported here, so a lint rule
can ban `rich` everywhere but this file. Plain text (no escape codes at all) when the
stream is not a terminal, when NO_COLOR is set, or when asked.
"""

from __future__ import annotations

import html
import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NamedTuple

import rich._wrap as _rich_wrap
from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.jupyter import JUPYTER_HTML_FORMAT
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

__all__ = [
    "THEME",
    "Console",
    "Group",
    "Padding",
    "Panel",
    "RenderableType",
    "Rule",
    "Symbols",
    "Table",
    "Text",
    "box",
    "drawn_as",
    "export_console",
    "make_console",
    "natural_width",
    "progress_bar",
    "symbols",
]

# Standard ANSI colours (the terminal's palette adapts them to dark and light backgrounds);
# every colour goes with a word or a symbol, so nothing is said by colour alone.
THEME = Theme(
    {
        "gx.title": "bold",
        "gx.heading": "bold underline",
        "gx.name": "bold",
        "gx.ok": "bold green",
        "gx.error": "bold red",
        "gx.error.border": "red",
        "gx.expected.border": "yellow",
        "gx.note": "bold yellow",
        "gx.code": "cyan",
        "gx.none": "dim",
        "gx.muted": "dim",
        "gx.after": "bold",
        "gx.caret": "bold red",
    },
    inherit=True,
)


class Symbols(NamedTuple):
    """The marks used beside words: Unicode where the stream can encode it, ASCII otherwise."""

    ok: str
    fail: str
    dot: str
    bullet: str


_UNICODE = Symbols(ok="✓", fail="✗", dot="·", bullet="•")
_ASCII = Symbols(ok="+", fail="x", dot="-", bullet="*")


def make_console(
    stream: IO[str] | None = None,
    *,
    width: int | None = None,
    force_plain: bool = False,
    record: bool = False,
) -> Console:
    """A console writing to `stream` (stdout by default).

    `width` fixes the width (tests, exports); `force_plain` turns off every escape code;
    `record` keeps what is printed for `export_recording`.
    """
    plain = force_plain or os.environ.get("NO_COLOR", "") != ""
    # For the process's own streams let rich look sys.stdout/sys.stderr up at each write,
    # so that redirections (pytest's capture, contextlib.redirect_stdout) are honoured.
    on_stderr = stream is sys.stderr
    own = stream is None or stream is sys.stdout or on_stderr
    target: Callable[[], IO[str]] = (lambda: sys.stderr) if on_stderr else \
        (lambda: sys.stdout) if own else (lambda: stream)  # type: ignore[assignment,return-value]
    file = None if own and _is_tty(target()) and not plain else _TrimmedLines(target)
    return Console(
        file=file,  # type: ignore[arg-type]
        stderr=on_stderr,
        width=width,
        # color_system=None writes no escape codes at all (NO_COLOR alone would keep bold).
        color_system=None if plain else "auto",
        force_terminal=False if plain else None,
        no_color=plain or None,
        theme=THEME,
        record=record,
        # Inside a Jupyter kernel rich would display each print itself instead of writing to
        # the stream; the notebook magic shows the exported HTML once, as one output.
        force_jupyter=False,
        # Values contain `[...]` and `:name:`: never read them as markup or emoji.
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        # Lines of explanations and tables are long on purpose; no "… | ..." log columns.
        log_path=False,
        log_time=False,
    )


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _TrimmedLines:
    """A text stream that drops the spaces rich pads lines with (tables, wrapped prose)
    before each newline: plain output has no trailing spaces. Spaces at the end of one write
    wait for the next, which may start with the newline."""

    def __init__(self, target: Callable[[], IO[str]]) -> None:
        self._target = target
        self._spaces = ""

    def write(self, text: str) -> int:
        if not text:
            return 0
        text = self._spaces + text
        body = text.rstrip(" ")
        self._spaces = text[len(body):]
        self._target().write(_PADDED_LINE_END.sub("\n", body))
        return len(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return _is_tty(self._target())

    @property
    def encoding(self) -> str:
        return getattr(self._target(), "encoding", None) or "utf-8"

    def fileno(self) -> int:
        return self._target().fileno()


_PADDED_LINE_END = re.compile(r" +\n")


def symbols(console: Console) -> Symbols:
    """✓/✗ when the console's stream is UTF-8, +/x otherwise (e.g. a Windows code page)."""
    return _UNICODE if console.encoding.lower().startswith("utf") else _ASCII


def natural_width(console: Console, renderable: RenderableType) -> int:
    """How wide `renderable` would like to be, were the console unlimited (rich's maximum)."""
    unlimited = console.options.update_width(_UNLIMITED)
    return Measurement.get(console, unlimited, renderable).maximum


_UNLIMITED = 10_000  # columns: wide enough that nothing wraps while measuring


def export_console(console: Console, path: str | Path, *, title: str = "gradexplain") -> None:
    """Write what a recording console printed to `path`: .svg, .html, or text otherwise."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        text = anchor_leading_spaces(console.export_svg(title=title))
    elif suffix in (".html", ".htm"):
        text = console.export_html(inline_styles=True)
    else:  # as plain output: no spaces padding the lines
        text = _PADDED_LINE_END.sub("\n", console.export_text())
    target.write_text(text, encoding="utf-8")


STRING_FORMATS = ("table", "html", "svg")  # what `drawn_as` returns


def drawn_as(draw: Callable[[Console], None], output_format: str, *, width: int,
             title: str = "gradexplain") -> str:
    """What `draw` prints on a console `width` columns wide, as a string: plain text
    ("table"), an HTML fragment ("html": one styled <pre>, rich's Jupyter format, ready to
    embed), or a standalone SVG picture ("svg")."""
    if output_format not in STRING_FORMATS:
        raise ValueError(f"format must be one of {', '.join(STRING_FORMATS)}, "
                         f"got {output_format!r}")
    stream = io.StringIO()
    console = make_console(stream, width=width, force_plain=output_format == "table",
                           record=output_format != "table")
    draw(console)
    if output_format == "svg":
        return anchor_leading_spaces(console.export_svg(title=title))
    if output_format == "html":
        return console.export_html(inline_styles=True, code_format=JUPYTER_HTML_FORMAT)
    return stream.getvalue()

# Chinese has no spaces between words, and rich breaks lines only at spaces: a long run of
# Chinese moved whole to the next line, leaving the line before half empty. Where a text has
# Chinese, each character is a break opportunity (closing punctuation stays with the
# character before it, opening punctuation with the one after); other text wraps exactly as
# rich wraps it. rich splits lines into words with `rich._wrap.words`, which is replaced here.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_NO_LINE_START = "，。；：、！？）》」』】”’,.;:!?)"
_NO_LINE_END = "（《「『【“‘("
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_WORD = re.compile(
    rf"\s*[{_NO_LINE_END}]*(?:`[^`\n]*`[^\s{_CJK}`]*|[{_CJK}]|[^\s{_CJK}`]+|`)"
    rf"[{_NO_LINE_START}]*\s*")
# Inline code (`x.grad.zero_()`, `torch.tensor([2., 1.], requires_grad=True)`) is one word:
# a line never breaks inside it (a span wider than the line is still folded by rich).
_CODE_WORD = re.compile(r"\s*(?:`[^`\n]*`|[^\s`]|`)+\s*")
_rich_words: Callable[[str], Iterable[tuple[int, int, str]]] | None = \
    getattr(_rich_wrap, "words", None)


def _words(text: str) -> Iterator[tuple[int, int, str]]:
    """rich's words, with every Chinese character a word of its own and inline code whole."""
    if "`" not in text and not _HAS_CJK.search(text) and _rich_words is not None:
        yield from _rich_words(text)
        return
    pattern = _CJK_WORD if _HAS_CJK.search(text) else _CODE_WORD
    match = pattern.match(text, 0)
    while match is not None:
        start, end = match.span()
        yield start, end, match.group(0)
        match = pattern.match(text, end)


def _rstrip_end(self: Text, size: int) -> None:
    """rich's Text.rstrip_end, measuring in cells: rich counts characters, so a wrapped line
    of Chinese (two cells each) kept the space it broke at, went one cell over the width,
    and lost its last word to an ellipsis."""
    excess = cell_len(self.plain) - size
    trailing = _TRAILING_SPACE.search(self.plain)
    if excess > 0 and trailing is not None:
        self.right_crop(min(len(trailing.group(0)), excess))


_TRAILING_SPACE = re.compile(r"\s+$")
# Only where rich still has both (a later rich may rename them: it then wraps as before,
# and tests/test_render.py's Chinese wrapping test says so).
if _rich_words is not None and hasattr(Text, "rstrip_end"):
    _rich_wrap.words = _words
    Text.rstrip_end = _rstrip_end  # type: ignore[method-assign]


_SVG_TEXT = re.compile(r'(<text [^>]*?x=")([\d.]+)("[^>]*?textLength=")([\d.]+)("[^>]*>)'
                       r'((?:&#160;)+)([^<]*)(</text>)')


def anchor_leading_spaces(svg: str) -> str:
    """Move each text run's leading spaces into its x position.

    rich writes a run of one style as one <text> at the run's first column, spaces and all;
    some SVG renderers (librsvg, and so slide tools built on it) drop leading spaces and
    stretch the rest over textLength, which breaks indented trees and charts. Starting the
    text after its spaces draws the same picture everywhere.
    """
    def moved(match: re.Match[str]) -> str:
        head, x, middle, length, tail, spaces, rest, end = match.groups()
        count = spaces.count("&#160;")
        chars = count + len(html.unescape(rest))
        width = float(length) / chars if chars else 0.0
        if not rest or width <= 0:
            return match.group(0)
        return (f"{head}{float(x) + count * width:.1f}{middle}"
                f"{float(length) - count * width:.1f}{tail}{rest}{end}")

    return _SVG_TEXT.sub(moved, svg)


@contextmanager
def progress_bar(console: Console, total: int, *, enabled: bool = True, delay: float = 0.0,
                 description: str = "") -> Iterator[Callable[[], None]]:
    """A transient bar on `console` (stderr), yielding `advance()` to call per scenario.

    It appears only once `delay` seconds have passed, only on a terminal, and only when
    stdout is not that terminal too: there the reports themselves show the progress, and
    a live bar would tear them.
    """
    stdout_is_tty = getattr(sys.stdout, "isatty", lambda: False)()
    if not enabled or total <= 0 or not console.is_terminal or stdout_is_tty:
        yield lambda: None
        return
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=console, transient=True, redirect_stdout=False,
                        redirect_stderr=False)
    task = progress.add_task(description, total=total)
    started = time.monotonic()
    shown = False

    def advance() -> None:
        nonlocal shown
        progress.advance(task)
        if not shown and time.monotonic() - started >= delay:
            progress.start()
            shown = True

    try:
        yield advance
    finally:
        if shown:
            progress.stop()
