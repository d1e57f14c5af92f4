"""The one module that imports rich: consoles, the colour theme, export, and rich's parts.

Everything else in gradexplain that draws uses the names re-exported here, so a lint rule
can ban `rich` everywhere but this file. Plain text (no escape codes at all) when the
stream is not a terminal, when NO_COLOR is set, or when asked.
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console as RichConsole
from rich.console import ConsoleOptions, Group, RenderableType
from rich.jupyter import JUPYTER_HTML_FORMAT
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.rule import Rule
from rich.segment import Segment
from rich.table import Table
from rich.terminal_theme import SVG_EXPORT_THEME
from rich.text import Text as RichText
from rich.theme import Theme

from gradexplain.render.cjk import HAS_CJK, break_units
from gradexplain.render.escapes import CONTROL, escape_controls
from gradexplain.render.export_fonts import html_with_cjk, svg_with_cjk

__all__ = [
    "THEME",
    "Console",
    "Group",
    "Label",
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
        # rich's own rule (a title's line) is bright green, #00ff00 in a notebook: muted,
        # as the facts under the title are
        "rule.line": "dim",
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
        text = svg_with_cjk(console.export_svg(title=escape_controls(title),
                                               code_format=SVG_FORMAT))
    elif suffix in (".html", ".htm"):  # the terminal's colours on its dark background
        text = html_with_cjk(console.export_html(theme=SVG_EXPORT_THEME, inline_styles=True))
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
    if output_format == "svg":  # the title is a scenario's name: escaped like its text
        return svg_with_cjk(console.export_svg(title=escape_controls(title),
                                               code_format=SVG_FORMAT))
    if output_format == "html":
        return html_with_cjk(console.export_html(inline_styles=True,
                                                 code_format=JUPYTER_HTML_FORMAT))
    return stream.getvalue()

# Chinese has no spaces between words, and rich breaks lines only at spaces: a long run of
# Chinese moved whole to the next line, leaving the line before half empty, and rich's
# measure made a table column as wide as a whole Chinese sentence. Where a text has Chinese
# or inline code, it breaks by render/cjk's rules; other text wraps as rich wraps it.


def _own_breaks(text: str) -> bool:
    """Whether `text` needs breaking here: it has Chinese or inline code in it."""
    return "`" in text or HAS_CJK.search(text) is not None


class Text(RichText):
    """rich's Text, wrapping Chinese between characters and measuring it in cells.

    Control characters in the text are escaped when it is made or appended to.

    Through rich's public renderable protocol only: a text with Chinese in it is broken into
    lines that fit the width given (`__rich_console__`) before rich lays it out, and says
    how narrow it can get (`__rich_measure__`). Text without Chinese renders as rich's own.
    """

    # A label (a table heading, a short cell) breaks its Chinese only after punctuation.
    label = False

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(escape_controls(text), *args, **kwargs)

    def append(self, text: str | RichText, style: Any = None) -> Text:
        if isinstance(text, str):
            text = escape_controls(text)
        super().append(text, style)
        return self

    def __rich_console__(self, console: RichConsole,
                         options: ConsoleOptions) -> Iterable[Segment]:
        if self.no_wrap or options.no_wrap or not _own_breaks(self.plain):
            yield from super().__rich_console__(console, options)
            return
        yield from RichText.__rich_console__(self._broken(options.max_width), console,
                                             options)

    def __rich_measure__(self, console: RichConsole,
                         options: ConsoleOptions) -> Measurement:
        if not _own_breaks(self.plain):
            return super().__rich_measure__(console, options)
        lines = self.plain.split("\n")
        widest = max(cell_len(line) for line in lines)
        cjk = HAS_CJK.search(self.plain) is not None
        units = [cell_len(unit.strip()) for line in lines
                 for _, _, unit in break_units(line, cjk, self.label)]
        return Measurement(max(units, default=widest), widest)

    def _broken(self, width: int) -> RichText:
        """A copy with a line break before each unit that would pass `width` cells, and no
        space left at the end of a broken line (rich would count it, in characters)."""
        offsets: list[int] = []
        line_start = 0
        cjk = HAS_CJK.search(self.plain) is not None
        for line in self.plain.split("\n"):
            used = 0
            for start, _, unit in break_units(line, cjk, self.label):
                if used and used + cell_len(unit.rstrip()) > width:
                    offsets.append(line_start + start)
                    used = 0
                used += cell_len(unit)
            line_start += len(line) + 1
        if not offsets:
            return self
        pieces = self.divide(offsets)
        for piece in pieces:
            piece.rstrip()
        broken = RichText("\n").join(pieces)
        broken.justify, broken.overflow, broken.end = self.justify, self.overflow, self.end
        return broken


class Label(Text):
    """A Text whose Chinese breaks only after punctuation and at spaces (render/cjk)."""

    label = True


class _Whole:
    """One of our Texts, kept whole: rich's `Console.print` merges the Texts it is given
    into one of its own, which would lose the Chinese wrapping above."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: RichConsole,
                         options: ConsoleOptions) -> Iterable[RenderableType]:
        yield self.text

    def __rich_measure__(self, console: RichConsole, options: ConsoleOptions) -> Measurement:
        return self.text.__rich_measure__(console, options)


class Console(RichConsole):
    """rich's Console; Texts with Chinese in them are printed with their own wrapping, and
    control characters are escaped in every text it is given (through its public
    `render_str` and `render`), so that nothing a scenario prints, names or describes can
    retitle, clear or overwrite the terminal. Markup is off (make_console)."""

    def render_str(self, text: str, **kwargs: Any) -> RichText:
        return super().render_str(escape_controls(text), **kwargs)

    def render(self, renderable: Any, options: ConsoleOptions | None = None,
               ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or CONTROL.search(segment.text) is None:
                yield segment  # rich's own controls (progress bars) pass unchanged
            else:  # a text that reached rich unescaped: escaped here, as a last resort
                yield Segment(escape_controls(segment.text), segment.style)

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(_Whole(o) if isinstance(o, Text) and _own_breaks(o.plain)
                        else o for o in objects), **options)


# rich's own SVG page (rich.console.CONSOLE_SVG_FORMAT), with xml:space="preserve" on the
# text: rich writes a run of one style as one <text> at the run's first column, spaces and
# all, and renderers such as librsvg drop leading spaces unless told to keep them, which
# broke indented trees and charts. Passed to rich's public `export_svg(code_format=...)`.
SVG_FORMAT = """\
<svg class="rich-terminal" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">
    <!-- Generated with Rich https://www.textualize.io -->
    <style>

    @font-face {{
        font-family: "Fira Code";
        src: local("FiraCode-Regular"),
                url("FIRA/woff2/FiraCode-Regular.woff2") format("woff2"),
                url("FIRA/woff/FiraCode-Regular.woff") format("woff");
        font-style: normal;
        font-weight: 400;
    }}
    @font-face {{
        font-family: "Fira Code";
        src: local("FiraCode-Bold"),
                url("FIRA/woff2/FiraCode-Bold.woff2") format("woff2"),
                url("FIRA/woff/FiraCode-Bold.woff") format("woff");
        font-style: bold;
        font-weight: 700;
    }}

    .{unique_id}-matrix {{
        font-family: Fira Code, monospace;
        font-size: {char_height}px;
        line-height: {line_height}px;
        font-variant-east-asian: full-width;
        white-space: pre;
    }}

    .{unique_id}-title {{
        font-size: 18px;
        font-weight: bold;
        font-family: arial;
    }}

    {styles}
    </style>

    <defs>
    <clipPath id="{unique_id}-clip-terminal">
      <rect x="0" y="0" width="{terminal_width}" height="{terminal_height}" />
    </clipPath>
    {lines}
    </defs>

    {chrome}
    <g transform="translate({terminal_x}, {terminal_y})" \
clip-path="url(#{unique_id}-clip-terminal)">
    {backgrounds}
    <g class="{unique_id}-matrix" xml:space="preserve">
    {matrix}
    </g>
    </g>
</svg>
""".replace("FIRA", "https://cdnjs.cloudflare.com/ajax/libs/firacode/6.2.0")


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
