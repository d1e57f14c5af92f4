"""Chinese in `--export` pictures and HTML: columns that line up, fonts with CJK glyphs.

rich positions each run of text by terminal cells, where a Chinese character takes two, but
a Chinese glyph is about 1.66 cells of a Latin monospace font wide in any font, not 2. So
text after Chinese drifted left: headings left of their columns, the right edge of a box
jagged on lines with Chinese. Here every run of Chinese (wide) characters keeps its own
glyphs side by side, as set in Chinese, and the text after it starts at its own cell:

- SVG: such a run is cut into pieces that each start at their cell's `x`; a run of Chinese
  is drawn at its natural width (no `textLength`, which renderers honour by spacing the
  letters out), the text between such runs keeps rich's `textLength` of its cells.
- HTML: each run of Chinese is an inline box exactly two `ch` (the width of a digit of
  the monospace font, one cell) wide per character.

Plain text in, plain text out; no rich.
"""

from __future__ import annotations

import html
import re

from gradexplain.render.cjk import cells

# Monospace first (the boxes and tables line up: one of these draws every Latin letter,
# digit, box edge and symbol, and its digit is the cell), then fonts with Chinese glyphs; a
# renderer takes the first it has, per glyph.
MONO_FONTS = ("'Fira Code', Menlo, 'DejaVu Sans Mono', Consolas, 'Noto Sans Mono CJK SC', "
              "'Noto Sans CJK SC', "
              "'Source Han Sans SC', 'Source Han Mono SC', 'WenQuanYi Zen Hei Mono', "
              "'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', "
              "monospace")
TITLE_FONTS = ("arial, 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
               "'Microsoft YaHei', 'PingFang SC', sans-serif")

_TEXT_RUN = re.compile(r'(<text [^>]*?x=")([\d.]+)("[^>]*?textLength=")([\d.]+)("[^>]*>)'
                       r'([^<]*)(</text>)')
_SPACES = " \u00a0"  # rich writes spaces as no-break spaces
_SVG_MATRIX_FONT = re.compile(r"font-family: Fira Code, monospace;")
_SVG_TITLE_FONT = re.compile(r"font-family: arial;")


def svg_with_cjk(svg: str) -> str:
    """rich's SVG with each run of Chinese at its cell, drawn at its own width, and
    CJK-capable fonts."""
    def placed(match: re.Match[str]) -> str:
        head, x, middle, length, tail, body, end = match.groups()
        text = html.unescape(body)
        if not text or cells(text) == len(text):
            return match.group(0)
        cell = float(length) / len(text)  # rich sized the run by characters
        natural = middle.removesuffix(' textLength="') + tail[1:]  # no textLength
        pieces, column = [], 0
        for piece in _pieces(text):
            # Spaces around a piece draw nothing (and some renderers drop leading ones):
            # their cells are skipped instead.
            lead = len(piece) - len(piece.lstrip(_SPACES))
            shown = piece.strip(_SPACES)
            if shown:
                start = f"{head}{float(x) + (column + lead) * cell:.1f}"
                sized = (natural if cells(shown) > len(shown)
                         else f"{middle}{cells(shown) * cell:.1f}{tail}")
                pieces.append(f"{start}{sized}"
                              f"{html.escape(shown, quote=False).replace(' ', '&#160;')}{end}")
            column += cells(piece)
        return "".join(pieces)

    svg = _TEXT_RUN.sub(placed, svg)
    svg = _SVG_MATRIX_FONT.sub(f"font-family: {MONO_FONTS};", svg, count=1)
    return _SVG_TITLE_FONT.sub(f"font-family: {TITLE_FONTS};", svg, count=1)


def _pieces(text: str) -> list[str]:
    """Each run of wide characters, and the narrow text between them."""
    pieces: list[str] = []
    for char in text:
        if pieces and (cells(char) == 2) == (cells(pieces[-1][-1]) == 2):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def html_with_cjk(page: str) -> str:
    """rich's HTML (a page or a notebook's <pre>) with a font list that has Chinese glyphs,
    and each run of Chinese in a box of its cells."""
    page = _HTML_PRE_FONT.sub(lambda m: f"{m.group(1)}{MONO_FONTS}\"", page, count=1)
    return _HTML_TEXT.sub(lambda m: _boxed("".join(m.group(0))), page)


def _boxed(text: str) -> str:
    """`text` with each run of wide characters in an inline box as wide as its cells."""
    if cells(text) == len(text):
        return text
    return "".join(f'<span style="display:inline-block;width:{cells(piece)}ch">{piece}</span>'
                   if cells(piece) > len(piece) else piece for piece in _pieces(text))


_HTML_PRE_FONT = re.compile(r"""(<pre style="(?:[^"]*;)?font-family:)[^"]*\"""")
_HTML_TEXT = re.compile(r"(?<=>)[^<]+")  # the text between tags (rich escapes < in text)
