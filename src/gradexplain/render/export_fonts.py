"""Chinese in `--export` pictures: CJK cells measured as two columns, CJK-capable fonts.

rich positions each run of text by terminal cells, where a Chinese character takes two,
but sizes it (`textLength`) by characters, where it counts one; and a Chinese glyph is
about 1.6 cells wide in any font, not 2. So a run with Chinese in it drew shorter than its
cells, leaving gaps before inline code and box edges out of line. Here such a run is cut
into pieces that each start at their own cell: every Chinese character on its own, the
text between them as one piece (renderers differ in how they honour `textLength`, but all
place a text at its `x`). The font lists name fonts that have Chinese glyphs. Plain text
in, plain text out; no rich.
"""

from __future__ import annotations

import html
import re

from gradexplain.render.cjk import cells

# Monospace first (the boxes and tables line up), then fonts with Chinese glyphs; a
# renderer takes the first it has, per glyph.
MONO_FONTS = ("'Fira Code', 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', 'Noto Sans CJK SC', "
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
_HTML_PRE_FONT = re.compile(r"""<pre style="font-family:[^"]*">""")


def svg_with_cjk(svg: str) -> str:
    """rich's SVG with every text run as wide as its cells, and CJK-capable fonts."""
    def placed(match: re.Match[str]) -> str:
        head, x, middle, length, tail, body, end = match.groups()
        text = html.unescape(body)
        if not text or cells(text) == len(text):
            return match.group(0)
        cell = float(length) / len(text)  # rich sized the run by characters
        pieces, column = [], 0
        for piece in _pieces(text):
            # Spaces around a piece draw nothing (and some renderers drop leading ones):
            # their cells are skipped instead.
            lead = len(piece) - len(piece.lstrip(_SPACES))
            shown = piece.strip(_SPACES)
            if shown:
                pieces.append(f"{head}{float(x) + (column + lead) * cell:.1f}{middle}"
                              f"{cells(shown) * cell:.1f}{tail}"
                              f"{html.escape(shown, quote=False).replace(' ', '&#160;')}{end}")
            column += cells(piece)
        return "".join(pieces)

    svg = _TEXT_RUN.sub(placed, svg)
    svg = _SVG_MATRIX_FONT.sub(f"font-family: {MONO_FONTS};", svg, count=1)
    return _SVG_TITLE_FONT.sub(f"font-family: {TITLE_FONTS};", svg, count=1)


def _pieces(text: str) -> list[str]:
    """Each wide character alone, the narrow text between them together."""
    pieces: list[str] = []
    for char in text:
        if cells(char) == 2 or not pieces or cells(pieces[-1][-1]) == 2:
            pieces.append(char)
        else:
            pieces[-1] += char
    return pieces


def html_with_cjk(page: str) -> str:
    """rich's HTML page with a font list that has Chinese glyphs."""
    return _HTML_PRE_FONT.sub(f'<pre style="font-family:{MONO_FONTS}">', page, count=1)
