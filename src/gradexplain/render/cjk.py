"""Chinese in fixed-width text: how many terminal cells a text takes, and where its lines may
break. Pure Python (no rich): the console's wrapping, the text charts, the exports and the
command line's help all use these rules.

Chinese has no spaces between words, so where a text has Chinese in it each Chinese
character is a place to break (closing punctuation stays with the character before it,
opening punctuation with the one after), inline code (`x.grad.zero_()`) and a run of other
text are never broken, and a Chinese character takes two cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
NO_LINE_START = "，。；：、！？）》」』】”’,.;:!?)\\]"
NO_LINE_END = "（《「『【“‘(\\["
HAS_CJK = re.compile(f"[{CJK}]")
_CJK_WORD = re.compile(
    rf"\s*[{NO_LINE_END}]*(?:`[^`\n]*`[^\s{CJK}`]*|[{CJK}]|[^\s{CJK}`]+|`)"
    rf"[{NO_LINE_START}]*\s*")
# Inline code (`x.grad.zero_()`, `torch.tensor([2., 1.], requires_grad=True)`) is one word:
# a line never breaks inside it.
_CODE_WORD = re.compile(r"\s*(?:`[^`\n]*`|[^\s`]|`)+\s*")
# A label's words (a table heading, a short cell): Chinese breaks only after its
# punctuation and at spaces, so that `B：每次调用前清零梯度` never becomes `…清零梯` / `度`.
_LABEL_WORD = re.compile(rf"\s*[^\s{NO_LINE_START}]*[{NO_LINE_START}]*\s*")


def cells(text: str) -> int:
    """Terminal columns of `text`: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def break_units(line: str, cjk: bool = True, label: bool = False
                ) -> Iterator[tuple[int, int, str]]:
    """(start, end, unit) for each unbreakable piece of one line: a word of other text, an
    inline code span, or (`cjk`) one Chinese character with the punctuation that must stay
    with it; a `label` breaks its Chinese only after punctuation."""
    pattern = _LABEL_WORD if label else _CJK_WORD if cjk else _CODE_WORD
    position = 0
    while position < len(line):
        match = pattern.match(line, position)
        if match is None or match.end() == position:
            break
        yield match.start(), match.end(), match.group(0)
        position = match.end()


def wrap(text: str, width: int, *, indent: str = "", label: bool = False) -> list[str]:
    """`text` (one paragraph) in lines of at most `width` cells after `indent`, broken by
    the rules above; a unit wider than the line stands alone on its own."""
    lines: list[str] = []
    line = ""
    room = max(width - cells(indent), 1)
    for _, _, unit in break_units(" ".join(text.split()), HAS_CJK.search(text) is not None,
                                  label):
        if line and cells(line + unit.rstrip()) > room:
            lines.append(indent + line.rstrip())
            line = unit.lstrip()
        else:
            line += unit
    if line.strip():
        lines.append(indent + line.rstrip())
    return lines


def definition_list(rows: list[tuple[str, str]], width: int, *, indent: int = 2,
                    col_max: int = 30, spacing: int = 2) -> list[str]:
    """Terms and their descriptions, as `--help` lists options: each description wrapped
    beside its term, or below it when the term is wider than `col_max` cells."""
    first = min(max((cells(term) for term, _ in rows), default=0), col_max) + spacing
    margin = " " * (indent + first)
    lines: list[str] = []
    for term, text in rows:
        head = " " * indent + term
        wrapped = wrap(text, max(width - indent - first, 10)) if text else []
        if not wrapped:
            lines.append(head)
            continue
        if cells(term) <= first - spacing:
            lines.append(head + " " * (first - cells(term)) + wrapped[0])
        else:
            lines += [head, margin + wrapped[0]]
        lines += [margin + line for line in wrapped[1:]]
    return lines
