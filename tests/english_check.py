"""Find English sentences in text meant to be Chinese, leaving out what may stay English:
code (in backticks, or in a code line), PyTorch's own words (quoted, or after the
"original message" label), values, names, paths and the table cells of tensors."""

from __future__ import annotations

import re

# Three or more plain English words in a row, one space apart: a phrase, not a table row
# (its columns are two or more spaces apart) and not code (words with _ . ( digits).
_WORD = r"(?<![\w.`'\"/\-])[A-Za-z][a-z]+(?![\w(`'\"/\-])"
ENGLISH_RUN = re.compile(rf"{_WORD}(?:,? {_WORD}){{2,}}")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
# A quotation may run over a wrapped line (a description quoting PyTorch's message).
_QUOTED = re.compile(r"\"[^\"]{0,400}\"|“[^”]{0,400}”")
_BOX = re.compile(r"[│╭╮╰╯─┃━]")
# What PyTorch (or Python) said, shown as it was: the rest of that line.
_ORIGINAL = re.compile(r"(原始报错：|Original message: ).*")
_PATHISH = re.compile(r"\S*/\S*")
_COMMAND = re.compile(r"gradexplain [^\u3000-\u9fff\uff00-\uffef]*")  # a command to type


def english_runs(text: str) -> list[str]:
    """Every run of 3+ English words outside the parts that may stay English."""
    found = []
    text = _QUOTED.sub(" ", text)
    for raw in text.splitlines():
        line = _BOX.sub(" ", raw)
        if line.startswith("    ") and not re.search(r"[\u4e00-\u9fff]", line):
            continue  # an indented code line (a statement, a fix's code block)
        line = _ORIGINAL.sub("", line)
        line = _CODE_SPAN.sub(" ", line)
        line = _QUOTED.sub(" ", line)
        line = _PATHISH.sub(" ", line)
        line = _COMMAND.sub(" ", line)
        found += [match.group(0) for match in ENGLISH_RUN.finditer(line)]
    return found
