"""Control characters in user-supplied text, written out as escapes; no rich here, so the
plain messages that name a user's path ("wrote PATH") use it without loading the console."""

from __future__ import annotations

import re
from typing import TextIO

# Characters that would steer the terminal (ESC, OSC, CSI, BEL, backspace, carriage return,
# the C1 controls) or reorder what is shown (bidirectional overrides): user-supplied text is
# shown with them escaped, `\x1b[2J` as the eight characters it is written with.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff]")  # and lone surrogates, which no stream can encode
SURROGATES = re.compile("[\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """`text` with each control character written out as its escape (tab and newline kept)."""
    if CONTROL.search(text) is None:
        return text
    return CONTROL.sub(_escaped, text)


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written out as its escape (`\\ud800`): no UTF-8 stream
    or JSON reader takes one, and text from a scenario (a YAML "\\ud800", a print) may hold
    one. JSON keeps the other characters: its encoder escapes controls itself."""
    if SURROGATES.search(text) is None:
        return text
    return SURROGATES.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def write_message(stream: TextIO, text: str) -> None:
    """One line of the tool's own to a plain stream, with any control characters of the
    paths or names in it escaped (a file named with ESC must not steer the terminal)."""
    stream.write(escape_controls(text) + "\n")
