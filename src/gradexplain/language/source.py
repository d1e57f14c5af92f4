"""Positions: from Python's AST (relative to a piece of code) to the user's file."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

from gradexplain.errors import SourceLocation
from gradexplain.scenario.model import Code

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SourceMap:
    """Maps AST positions inside `code` to file positions, for messages and carets."""

    code: Code
    file_lines: tuple[str, ...]  # the whole file's lines (or the code's, when no file)

    @classmethod
    def for_code(cls, code: Code, file_text: str | None = None) -> SourceMap:
        text = file_text if file_text else None
        if text is None:
            # No file: pretend the code sits at its recorded position in an empty file.
            pad = [""] * (code.line - 1)
            lines = pad + [(" " * (code.col - 1)) + ln for ln in code.text.splitlines()]
            return cls(code, tuple(lines))
        return cls(code, tuple(text.splitlines()))

    def code_line(self, lineno: int) -> str:
        """Line `lineno` of the code (1-based, as Python's parser counts), without its end."""
        lines = self._lines  # split once: every executed statement is located
        return lines[lineno - 1].rstrip("\r\n") if 0 < lineno <= len(lines) else ""

    def char_col(self, lineno: int, byte_offset: int) -> int:
        """AST column offsets count UTF-8 bytes; people count characters."""
        raw = self.code_line(lineno).encode("utf-8")
        return len(raw[:byte_offset].decode("utf-8", errors="ignore"))

    def file_line(self, lineno: int) -> int:
        return self.code.line + lineno - 1

    def locate(self, node: ast.AST) -> SourceLocation:
        """The file location of an AST node (statement or expression).

        Cached per node: a loop locates the same nodes on every iteration, and locations
        are frozen. The cache holds the nodes of this code only, which live as long as it.
        """
        found = self._locations.get(node)
        if found is None:
            found = self._locations[node] = self._locate(node)
        return found

    @functools.cached_property
    def _locations(self) -> dict[ast.AST, SourceLocation]:
        return {}

    @functools.cached_property
    def _segments(self) -> dict[ast.AST, str]:
        return {}

    def _locate(self, node: ast.AST) -> SourceLocation:
        lineno = getattr(node, "lineno", 1)
        col = self.char_col(lineno, getattr(node, "col_offset", 0))
        end_lineno = getattr(node, "end_lineno", lineno)
        end_byte = getattr(node, "end_col_offset", None)
        line = self.file_line(lineno)
        start = self.code.col + col
        if end_byte is not None and end_lineno == lineno:
            end = self.code.col + self.char_col(lineno, end_byte)
        else:
            end = self.code.col + len(self.code_line(lineno))
        return SourceLocation(self.code.path, line, start, end, self.source_line(line))

    def locate_attribute(self, node: ast.Attribute) -> SourceLocation:
        """Just the attribute's name in `value.name`, for a caret under the name itself."""
        whole = self.locate(node)
        if whole.end_col is None or getattr(node, "end_lineno", None) != node.lineno:
            return whole
        start = whole.end_col - len(node.attr)
        return SourceLocation(whole.path, whole.line, start, whole.end_col, whole.source_line)

    def locate_position(self, lineno: int, char_col: int) -> SourceLocation:
        """A location from a 1-based line and 0-based character column inside the code."""
        line = self.file_line(lineno)
        start = self.code.col + char_col
        return SourceLocation(self.code.path, line, start, start + 1, self.source_line(line))

    def source_line(self, file_line: int) -> str | None:
        if 0 < file_line <= len(self.file_lines):
            return self.file_lines[file_line - 1]
        return None

    @functools.cached_property
    def _lines(self) -> list[str]:
        """The code's lines with their endings, split where Python's parser splits them."""
        text = self.code.text
        lines, start = [], 0
        for end in _LINE_END.finditer(text):
            lines.append(text[start:end.end()])
            start = end.end()
        if start < len(text):
            lines.append(text[start:])
        return lines

    def segment(self, node: ast.AST) -> str:
        """The source text of a node, as the user wrote it.

        What ast.get_source_segment gives, without splitting the whole code into lines again
        on every call: the interpreter asks for a segment per operation it reports (cached
        per node, like `locate`).
        """
        found = self._segments.get(node)
        if found is None:
            found = self._segments[node] = self._segment(node)
        return found

    def _segment(self, node: ast.AST) -> str:
        where = [n for key in ("lineno", "end_lineno", "col_offset", "end_col_offset")
                 if isinstance(n := getattr(node, key, None), int)]
        lines = self._lines
        if len(where) != 4:
            return ""
        first, last, start, end = where
        if not 0 < first <= last <= len(lines):
            return ""
        if first == last:
            return lines[first - 1].encode()[start:end].decode()
        head = lines[first - 1].encode()[start:].decode()
        tail = lines[last - 1].encode()[:end].decode()
        return "".join([head, *lines[first:last - 1], tail])
