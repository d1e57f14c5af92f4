"""Indentation mistakes in a scenario file, in words: what is wrong, and where to indent it.

Run only on a file that failed to load (loader.py): PyYAML reports the symptom ("expected
<block end>", a tensor whose value is null, an unknown key), while the cause is usually one
line indented wrongly. This scan reads the raw lines with the scenario's structure in mind
(top-level keys, tensors and their keys, expect and its keys, `|` blocks, `-` lists) and names
the first line that breaks it, with the line to copy the indentation from.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from gradexplain.errors import GradexplainError, SourceLocation, invalid

TOP_KEYS = frozenset({"name", "description", "device", "dtype", "seed", "tensors",
                      "expression", "grad_tensors", "retain_graph", "create_graph", "repeat",
                      "zero_grad", "steps", "expect", "tolerance", "plot"})
TENSOR_KEYS = frozenset({"value", "ones", "zeros", "rand", "randn", "full", "arange",
                         "linspace", "eye", "expr", "fill", "requires_grad", "dtype"})
EXPECT_KEYS = frozenset({"grads", "calls", "values", "error", "notes", "prints"})
_KEY = re.compile(r"([A-Za-z_][\w.]*)\s*:(?:\s+|$)(.*)")
_BLOCK = re.compile(r"[|>][+-]?\d*\s*(?:#.*)?$")


@dataclass
class _Line:
    number: int
    indent: int
    text: str  # without the indentation
    key: str | None = None
    rest: str = ""  # what follows `key:` on the line
    dash: bool = False
    item: str = ""  # what follows the `-` of a list item

    @property
    def opens(self) -> bool:
        """`key:` with nothing after it: what follows, indented, is its value."""
        return self.key is not None and self.rest == ""

    @property
    def block(self) -> bool:
        return self.key is not None and bool(_BLOCK.match(self.rest))


@dataclass
class _Frame:
    line: _Line
    path: tuple[str, ...]
    children: list[_Line] = field(default_factory=list)


def diagnose(text: str, path: str | None, *, lists_only: bool = False
             ) -> GradexplainError | None:
    """The first indentation mistake in `text`, as an invalid_scenario error, or None.

    `lists_only`: only a `-` item pushed right under the item above, which YAML silently
    reads as more text of that item (`- y = x * 2` then `  - y.backward()` is one statement,
    "y = x * 2 - y.backward()"): checked even on a file that loaded."""
    if lists_only:
        found = _Scan(text.splitlines(), path).run()
        return found if found is not None and found.facts.get("list_item") else None
    raw = text.splitlines()
    for number, line in enumerate(raw, start=1):
        lead = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            return invalid(f"line {number} is indented with a tab",
                           _at(path, raw, number, lead.index("\t") + 1),
                           hint="YAML indents with spaces only: replace the tab with spaces, "
                           f"e.g. `{' ' * (2 * lead.count(chr(9)) + lead.count(' '))}"
                           f"{line.strip()}`")
    return _Scan(raw, path).run()


class _Scan:
    def __init__(self, raw: list[str], path: str | None) -> None:
        self.raw = raw
        self.path = path
        self.previous: _Line | None = None  # the structural line before this one

    def where(self, line: _Line) -> SourceLocation:
        return _at(self.path, self.raw, line.number, line.indent + 1)

    def run(self) -> GradexplainError | None:
        stack: list[_Frame] = [_Frame(_Line(0, -1, ""), ())]
        block: _Line | None = None  # the `key: |` line whose block we are in
        block_indent: int | None = None
        first_in_block = 0
        last_top: _Line | None = None
        for line in self._lines():
            if block is not None:
                if line.indent > block.indent:
                    if block_indent is None:
                        block_indent, first_in_block = line.indent, line.number
                    elif line.indent < block_indent:
                        return invalid(
                            f"line {line.number} is indented less than the first line of "
                            f"the `{block.key}: |` block (line {first_in_block}, "
                            f"{block_indent} spaces)", self.where(line),
                            hint=f"indent it under {block.key}: like the block's first line, "
                            f"`{' ' * block_indent}{line.text}`")
                    continue
                if line.indent == 0 and (line.key not in TOP_KEYS or line.key is None) \
                        and not _close_to_top(line.key):
                    spaces = block_indent or block.indent + 2
                    if block_indent is None:
                        return invalid(
                            f"line {line.number} is at the left margin, so the "
                            f"`{block.key}: |` block of line {block.number} is empty",
                            self.where(line), hint=f"indent it under {block.key}: "
                            f"`{' ' * spaces}{line.text}`")
                    return invalid(
                        f"line {line.number} is at the left margin, so it ends the "
                        f"`{block.key}: |` block of line {block.number}", self.where(line),
                        hint=f"indent it under {block.key}: like the block's other lines, "
                        f"`{' ' * spaces}{line.text}`")
                block = None
            while len(stack) > 1 and not _inside(line, stack[-1].line):
                stack.pop()
            parent = stack[-1]
            problem = self._check(line, parent, last_top)
            if problem is not None:
                return problem
            parent.children.append(line)
            self.previous = line
            if line.indent == 0 and not line.dash:
                last_top = line
            if line.block:
                block, block_indent = line, None
            stack.append(_Frame(line, (*parent.path, line.key or "-")))
        return None

    def _lines(self) -> list[_Line]:
        found = []
        for number, raw in enumerate(self.raw, start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            text = raw.strip()
            line = _Line(number, indent, text)
            body = text
            if text == "-" or text.startswith("- "):
                line.dash, body = True, text[1:].strip()
                line.item = body
            match = _KEY.match(body)
            if match and not line.dash:
                line.key, line.rest = match.group(1), match.group(2).split(" #")[0].strip()
            found.append(line)
        return found

    def _check(self, line: _Line, parent: _Frame, last_top: _Line | None
               ) -> GradexplainError | None:
        siblings = parent.children
        level = parent.path
        above = parent.line
        if above.number and above.rest and not above.block and not above.dash and \
                (line.key is not None or line.dash) and not _open_bracket(above.rest):
            return self._under_value(line, above)
        if above.dash and above.item and line.dash:
            first = parent.line
            return self._dash(line, first, level[:-1])
        if siblings and line.indent != siblings[0].indent:
            return self._uneven(line, parent, siblings[0])
        if line.key is None:
            return None
        if not level and line.key not in TOP_KEYS and last_top is not None:
            return self._left_margin(line, last_top)
        if level == ("tensors",) and siblings:
            return self._tensor_level(line, parent, siblings)
        if level == ("tensors",) and line.key in TOP_KEYS - TENSOR_KEYS:
            return self._top_indented(line, parent.line)
        if level == ("expect",) and line.key not in EXPECT_KEYS and siblings and \
                siblings[-1].opens and siblings[-1].key in {"grads", "values", "calls"}:
            above = siblings[-1]
            return invalid(
                f"{line.key}: is at the indent of {above.key}:, so YAML reads it as a key "
                "of expect instead of a key under it", self.where(line),
                hint=f"indent it under {above.key}: `{' ' * (above.indent + 2)}{line.text}`")
        return None

    def _tensor_level(self, line: _Line, parent: _Frame, siblings: list[_Line]
                      ) -> GradexplainError | None:
        tensor = next((s for s in reversed(siblings) if s.key not in TENSOR_KEYS), None)
        if line.key in TENSOR_KEYS and tensor is not None and tensor.opens:
            return invalid(
                f"{line.key}: is at the indent of the tensors, so YAML reads it as a tensor "
                f"named {line.key}, but it is a key of tensor {tensor.key}", self.where(line),
                hint=f"indent it under {tensor.key}: `{' ' * (tensor.indent + 2)}{line.text}`")
        if line.key in TOP_KEYS - TENSOR_KEYS:
            return self._top_indented(line, parent.line)
        return self._nothing_under(line, siblings[-1])

    def _nothing_under(self, line: _Line, above: _Line) -> GradexplainError | None:
        """`x:` with nothing indented under it (its value is null), then a line that was
        meant to be under it."""
        if self.previous is None or above.number != self.previous.number or not above.opens:
            return None
        return invalid(
            f"{above.key}: (line {above.number}) has nothing indented under it, so its value "
            f"is null: line {line.number} is not under it", self.where(line),
            hint=f"indent it under {above.key}: if it belongs there, "
            f"`{' ' * (above.indent + 2)}{line.text}`")

    def _top_indented(self, line: _Line, parent: _Line) -> GradexplainError:
        return invalid(
            f"{line.key}: is indented under {parent.key}:, so YAML reads it as part of "
            f"{parent.key}, but it is a top-level key", self.where(line),
            hint=f"write it at the left margin: `{line.text}`")

    def _left_margin(self, line: _Line, last_top: _Line) -> GradexplainError | None:
        key = line.key
        assert key is not None
        if _close_to_top(key):
            return None  # a misspelled top-level key: the unknown-key error says so
        if last_top.key == "tensors" and key in TENSOR_KEYS:
            tensor = self._last_child(last_top)
            if tensor is not None:
                return invalid(
                    f"{key}: is at the left margin, so YAML reads it as a top-level key, but "
                    f"it is a key of tensor {tensor.key}", self.where(line),
                    hint=f"indent it under {tensor.key}: "
                    f"`{' ' * (tensor.indent + 2)}{line.text}`")
        if last_top.key == "tensors":
            spaces = self._last_child(last_top)
            if spaces is not None and self.previous is not None and spaces.opens and \
                    spaces.number == self.previous.number:
                return self._nothing_under(line, self.previous)
            return invalid(
                f"tensor {key}: is at the left margin, so YAML reads it as a top-level key, "
                "not as a tensor", self.where(line),
                hint=f"indent it under tensors: `{' ' * (spaces.indent if spaces else 2)}"
                f"{line.text}`")
        if last_top.key == "expect" and key in EXPECT_KEYS:
            return invalid(
                f"{key}: is at the left margin, so YAML reads it as a top-level key, but it "
                "is a key of expect", self.where(line),
                hint=f"indent it under expect: `  {line.text}`")
        return None

    def _last_child(self, top: _Line) -> _Line | None:
        """The last tensor-level line under `tensors:` (line `top`), if any."""
        found: _Line | None = None
        tensor_indent: int | None = None
        for line in self._lines():
            if line.number <= top.number:
                continue
            if line.indent == 0:
                break
            if tensor_indent is None:
                tensor_indent = line.indent
            if line.indent == tensor_indent and line.key is not None:
                found = line
        return found

    def _under_value(self, line: _Line, above: _Line) -> GradexplainError:
        if line.key in TOP_KEYS:
            return invalid(
                f"{line.key}: is indented under `{above.text}`, which already has a value, "
                "but it is a top-level key", self.where(line),
                hint=f"write it at the left margin: `{line.text}`")
        return invalid(
            f"line {line.number} is indented under `{above.text}`, which already has a value",
            self.where(line), hint=f"indent it like line {above.number}: "
            f"`{' ' * above.indent}{line.text}`")

    def _dash(self, line: _Line, first: _Line, level: tuple[str, ...]) -> GradexplainError:
        owner = level[-1] if level else "the list"
        return invalid(
            f"the `-` of line {line.number} is at column {line.indent + 1}, but the items "
            f"above it start at column {first.indent + 1} (line {first.number}), so YAML "
            "reads it as more text of the item above", self.where(line),
            hint=f"put every `-` of {owner}: in the same column: "
            f"`{' ' * first.indent}{line.text}`", list_item=True)

    def _uneven(self, line: _Line, parent: _Frame, first: _Line) -> GradexplainError | None:
        owner = parent.line.key or ("the list" if parent.line.dash else "the file")
        # Between the parent's children and the level above: which level does it belong to?
        if parent.line.key is not None and line.key is not None and \
                parent.path == ("tensors", parent.line.key) and line.key not in TENSOR_KEYS:
            return invalid(
                f"tensor {line.key}: (line {line.number}) is indented {line.indent} spaces, "
                f"but the tensors above it are indented {parent.line.indent}",
                self.where(line), hint=f"indent it under tensors: like {parent.line.key}:, "
                f"`{' ' * parent.line.indent}{line.text}`")
        if line.dash and first.dash:
            return invalid(
                f"the `-` of line {line.number} is at column {line.indent + 1}, but the items "
                f"above it start at column {first.indent + 1} (line {first.number})",
                self.where(line), hint=f"put every `-` of {owner}: in the same column: "
                f"`{' ' * first.indent}{line.text}`")
        if parent.line.number == 0:  # a top-level line that is indented
            if first.indent != 0:
                return None
            return invalid(
                f"line {line.number} is indented {line.indent} spaces, but the entries above "
                "it are at the left margin", self.where(line),
                hint=f"write it at the left margin: `{line.text}`")
        return invalid(
            f"line {line.number} is indented {line.indent} spaces, but the entries above it "
            f"under {owner}: are indented {first.indent} (line {first.number})",
            self.where(line), hint=f"indent it under {owner}: like line {first.number}, "
            f"`{' ' * first.indent}{line.text}`")


def _inside(line: _Line, container: _Line) -> bool:
    """Whether `line` belongs under `container`: indented more, or a `-` item at the same
    indent as the `key:` that opens its list (`steps:` then `- y = x * 2`)."""
    if line.indent > container.indent:
        return True
    return line.dash and line.indent == container.indent and container.opens \
        and not container.dash


def _open_bracket(rest: str) -> bool:
    """A flow list or mapping that goes on to the next lines (`x: [1., 2.,`)."""
    return rest.count("[") + rest.count("{") > rest.count("]") + rest.count("}")


def _close_to_top(key: str | None) -> bool:
    return key is not None and key not in TOP_KEYS and \
        bool(difflib.get_close_matches(key, sorted(TOP_KEYS), n=1, cutoff=0.75))


def _at(path: str | None, raw: list[str], line: int, col: int) -> SourceLocation:
    """The line and column, with the caret under the key (or the first word) there."""
    text = raw[line - 1] if 0 < line <= len(raw) else ""
    word = re.match(r"-|[^\s:]*", text[col - 1:]) if text.strip() else None
    width = len(word.group(0)) if word and word.group(0) else 1
    return SourceLocation(path, line, col, col + width, text)
