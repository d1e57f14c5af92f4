"""Shared pieces of the scenario reader: the base reader with its generic checks, the
nested-list checker and the small value helpers used by every part of the loader."""

from __future__ import annotations

import difflib
import math
from typing import Any

from gradexplain.errors import GradexplainError, invalid
from gradexplain.limits import Limits, check
from gradexplain.scenario.model import Code
from gradexplain.scenario.yamlsafe import KeyPath, Positioned, refuse_lone_surrogates

NON_FINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"})
INT64_MAX = 2**63 - 1


class _ReaderBase:
    """The document, the limits and the checks every section of a scenario shares."""

    def __init__(self, doc: Positioned, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits

    def flag(self, value: Any, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"'{self.dotted(path)}' must be true or false, got "
                            f"{_show(value)}")
        return value

    def elements(self, count: int, path: KeyPath) -> None:
        check("max_elements", count, self.limits, self.doc.where(path))

    def array(self, value: Any, path: KeyPath, allow_bool: bool = False) -> Any:
        """A number or a rectangular nested list of numbers, normalised (inf/nan strings)."""
        dims = _Array(self, path, allow_bool).shape(value)
        self.elements(math.prod(dims), path)
        return _normalise(value)


    # shared checks -----------------------------------------------------------------------

    def known(self, key: Any, path: KeyPath, known: tuple[str, ...], what: str) -> None:
        """Unknown keys name themselves, their line and the closest known key."""
        if isinstance(key, str) and key in known:
            return
        where = self.doc.key_where((*path, key))
        inside = f" in {self.dotted(path)}" if path else ""
        message = f"unknown key {_show(key)}{inside} at line {where.line}"
        close = _closest(str(key), known)
        if close:
            message += f"; did you mean '{close}'?"
        hint = f"the keys {what} are: {', '.join(known)}"
        if not path and not close and isinstance(key, str) and key.isidentifier():
            # `x: [1., 2.]` at the left margin after `tensors:`: a tensor not indented.
            hint += f"; if '{key}' is a tensor, indent it under tensors: (`  {key}: ...`)"
        if isinstance(key, bool):
            hint = "YAML reads yes/no/on/off as true/false; " + hint
        raise invalid(message, where, hint=hint, key=key)

    def string(self, value: Any, path: KeyPath, hint: str | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"'{self.dotted(path)}' must be a string, got {_show(value)}",
                            hint or "put the text in quotes")
        return value

    def integer(self, value: Any, path: KeyPath, minimum: int, hint: str | None = None) -> int:
        if not _is_int(value) or value < minimum:
            raise self.fail(path, f"'{self.dotted(path)}' must be an integer >= {minimum}, got "
                            f"{_show(value)}", hint)
        return int(value)

    def mapping(self, value: Any, path: KeyPath, hint: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"'{self.dotted(path)}' must be a mapping, got {_kind(value)}",
                            hint)
        return value

    def code(self, value: Any, path: KeyPath, hint: str = "e.g. `expression: (x * 2).sum()`"
             ) -> Code:
        """A statement-language string with the file position of its first character."""
        if isinstance(value, dict):  # `- print("a: b")` unquoted is a one-key mapping
            hint = ("YAML read the ': ' in it as a key and value; put the statement in "
                    "quotes, e.g. - 'print(\"a: b\")'")
        if not isinstance(value, str):
            raise self.fail(path, f"'{self.dotted(path)}' must be code (a string), got "
                            f"{_show(value)}", hint)
        if not value.strip():
            raise self.fail(path, f"'{self.dotted(path)}' is empty", "write the code here")
        start = self.doc.texts[path]
        text, line = value, start.line
        if start.block:  # leading blank lines of a `|` block: start at the first statement
            while "\n" in text and not text.split("\n", 1)[0].strip():
                text, line = text.split("\n", 1)[1], line + 1
        code = Code(text, self.doc.path, line, start.col)
        refuse_lone_surrogates(code)
        return code

    def fail(self, path: KeyPath, message: str, hint: str | None = None,
             at_key: bool = False) -> GradexplainError:
        where = self.doc.key_where(path) if at_key else self.doc.where(path)
        return invalid(message, where, hint=hint, key=self.dotted(path))

    def dotted(self, path: KeyPath) -> str:
        """`tensors.x.ones`, `steps[2]`: list indexes in brackets, mapping keys dotted."""
        text = ""
        node: Any = self.doc.data
        for part in path:
            if isinstance(node, list):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else str(part)
            node = _child(node, part)
        return text


class _Array:
    """Checks a nested list is rectangular and holds only numbers, level by level."""

    def __init__(self, reader: _ReaderBase, path: KeyPath, allow_bool: bool) -> None:
        self.reader = reader
        self.path = path
        self.allow_bool = allow_bool
        self.dotted = reader.dotted(path)

    def shape(self, value: Any) -> list[int]:
        """The shape; fails at the first element or row that breaks the rules."""
        if not isinstance(value, list):
            self.element((), value)
            return []
        shape: list[int] = []
        level: list[tuple[tuple[int, ...], list[Any]]] = [((), value)]
        while True:
            first_index, first = level[0]
            for index, row in level:
                if len(row) != len(first):
                    raise self.fail(index, f"ragged nested list: row {_row(index)} has "
                                    f"{_elements(len(row))}, row {_row(first_index)} "
                                    f"has {len(first)}",
                                    "every row must have the same length")
            shape.append(len(first))
            items = [((*index, i), item) for index, row in level for i, item in enumerate(row)]
            if not items:
                return shape
            nested = [isinstance(item, list) for _, item in items]
            if all(nested):
                level = items
                continue
            if any(nested):
                index, item = next(p for p, n in zip(items, nested, strict=True) if n != nested[0])
                other = "a list" if nested[0] else "a number"
                raise self.fail(index, f"element {_brackets(index)} is {_kind(item)} but element "
                                f"{_brackets(items[0][0])} is {other}",
                                "every row must have the same shape")
            for index, item in items:
                self.element(index, item)
            return shape

    def element(self, index: tuple[int, ...], item: Any) -> None:
        """One entry: a number (or, where allowed, a boolean) that fits a tensor."""
        number = _number(item, self.allow_bool)
        if number is not None and (not isinstance(number, int)
                                   or -INT64_MAX - 1 <= number <= INT64_MAX):
            return  # the common case, kept cheap: a file can hold many numbers
        what = f"element {_brackets(index)}" if index else "the value"
        if number is None:
            quoted = isinstance(item, str) and _try_float(item) is not None
            hint = ("remove the quotes" if quoted else "write numbers, e.g. 1.5 or "
                    "[[1, 2], [3, 4]]; for code use {expr: ...}")
            raise self.fail(index, f"{what} is {_kind(item)}; tensor values must be numbers",
                            hint)
        raise self.fail(index, f"{what} ({number}) is too large for an integer tensor",
                        "write it as a float, e.g. 1e30")

    def fail(self, index: tuple[int, ...], message: str, hint: str) -> GradexplainError:
        return invalid(f"{self.dotted}: {message}", self.reader.doc.where((*self.path, *index)),
                       hint=hint, key=self.dotted)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and _is_int(part) and 0 <= part < len(node):
        return node[part]
    return None


def _is_int(value: Any) -> bool:
    """An int that is not a bool (YAML `true` must not count as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, allow_bool: bool = False) -> int | float | None:
    """A YAML number, or the strings "inf"/"-inf"/"nan" the JSON output uses; else None."""
    if isinstance(value, bool):
        return value if allow_bool else None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value.strip().lower() in NON_FINITE:
        return float(value)
    return None


def _try_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _normalise(value: Any) -> Any:
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return float(value) if isinstance(value, str) else value


def _dtype_name(text: str, aliases: dict[str, str]) -> str:
    name = text.strip().removeprefix("torch.")
    return aliases.get(name, name)


def _closest(word: str, choices: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1)
    return found[0] if found else None


def _elements(count: int) -> str:
    return f"{count} element" if count == 1 else f"{count} elements"


def _row(index: tuple[int, ...]) -> str:
    return str(index[0]) if len(index) == 1 else _brackets(index)


def _brackets(index: tuple[int, ...]) -> str:
    return "".join(f"[{i}]" for i in index)


def _kind(value: Any) -> str:
    """What a value is, for messages: "a string ('a')", "a boolean (true)", "a list"."""
    if isinstance(value, bool):
        return f"a boolean ({_show(value)})"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string ({_show(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a number ({_show(value)})"


def _show(value: Any, width: int = 60) -> str:
    """A value as the user wrote it in YAML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "[" + ", ".join(_show(v, width) for v in value[:12]) + "]"
    else:
        text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
