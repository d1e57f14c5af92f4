"""VALUEs as PyTorch prints tensors, in pure Python (no torch, no rich).

A VALUE (see gradexplain.record) is nested lists of numbers, a plain number for a 0-d
tensor, the strings "inf"/"-inf"/"nan", or {"summary": {...}} for a large tensor. The body
follows torch/_tensor_str.py: one number format for the whole tensor (`1.`, `4.5000` or
`1.0000e-08`), right-aligned to a common width, rows on their own lines, and long
dimensions elided to their first and last EDGE_ITEMS with `...`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from gradexplain.explain import label
from gradexplain.record import Value, non_finite_name

# torch's default print options: a tensor of more than THRESHOLD elements is summarized, each
# dimension over 2 * EDGE_ITEMS cut to its first and last EDGE_ITEMS.
THRESHOLD = 1000
EDGE_ITEMS = 3
PRECISION = 4  # torch's default print precision
LINE_WIDTH = 80  # torch's default line width, for long 1-D rows
NARROW_MAX_LINES = 12  # in a cell narrower than LINE_WIDTH, more lines than this show edges

_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def format_value(value: Value, *, full: bool = False, wrap: bool = False,
                 max_width: int | None = None, lang: str = "en") -> str:
    """The VALUE as torch would print its tensor, e.g. `[[4.5000, 4.5000],\\n [...]]`.

    Like torch, a tensor over THRESHOLD elements shows the edges of each long dimension;
    so does one whose lines would be wider than `max_width` (a narrow terminal). `full`
    shows every element; `wrap` adds torch's `tensor(...)` around it. None (a missing grad)
    is `None`; a summary is its shape, statistics and head, named in `lang`.
    """
    if value is None:
        return "None"
    if isinstance(value, Mapping):
        return format_summary(value, lang)
    line_width = LINE_WIDTH if max_width is None else max(16, min(LINE_WIDTH, max_width))
    prefix = "tensor(" if wrap else ""
    if full or _count(value) <= THRESHOLD:
        formatter = _Formatter(list(_leaves(value)))
        body = _render(value, formatter, len(prefix), line_width)
        # A narrow cell would need too many lines for the whole tensor: show its edges.
        if full or max_width is None or body.count("\n") < NARROW_MAX_LINES:
            return f"{prefix}{body})" if wrap else body
    shown = _elide(value)
    formatter = _Formatter(list(_leaves(shown)))
    body = _render(shown, formatter, len(prefix), line_width)
    return f"{prefix}{body})" if wrap else body


def format_summary(value: Mapping[str, Any], lang: str = "en") -> str:
    """A summarized VALUE: its shape, min/max, mean/std and first elements, one per line,
    each named in `lang` (`shape` / `形状`)."""
    summary = value.get("summary")
    if not isinstance(summary, Mapping):
        return str(dict(value))
    stats = {key: format_scalar(summary.get(key)) for key in ("min", "max", "mean", "std")}
    word = {key: label(f"summary.{key}", lang)
            for key in ("shape", "min", "max", "mean", "std", "head")}
    lines = [
        f"{word['shape']} {format_shape(summary.get('shape'))}",
        f"{word['min']} {stats['min']}  {word['max']} {stats['max']}",
        f"{word['mean']} {stats['mean']}  {word['std']} {stats['std']}",
    ]
    head = summary.get("head")
    if isinstance(head, Sequence) and not isinstance(head, str) and head:
        flat = list(_leaves(head))
        formatter = _Formatter(flat)
        lines.append(f"{word['head']} ["
                     + ", ".join(formatter.format(v).strip() for v in flat) + ", ...]")
    return "\n".join(lines)


def format_scalar(x: Any) -> str:
    """One number as torch prints a 0-d tensor of it: `4.5000`, `18.`, `3`, `nan`."""
    if x is None:
        return "None"
    return _Formatter([x]).format(x).strip()


def format_shape(shape: Any) -> str:
    """`[2, 3]`; a 0-d tensor's shape is `[]`."""
    if isinstance(shape, Sequence) and not isinstance(shape, str):
        return "[" + ", ".join(str(d) for d in shape) + "]"
    return "?" if shape is None else str(shape)


def _count(value: Any) -> int:
    """How many numbers a VALUE holds."""
    if _is_list(value):
        return sum(_count(item) for item in value)
    return 1


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _elide(value: Value) -> Value:
    """The VALUE with every dimension over 2 * EDGE_ITEMS cut to its two edges (None = `...`)."""
    if not _is_list(value):
        return value
    items = list(value)
    if len(items) > 2 * EDGE_ITEMS:
        items = [*items[:EDGE_ITEMS], _Ellipsis(), *items[-EDGE_ITEMS:]]
    return [v if isinstance(v, _Ellipsis) else _elide(v) for v in items]


class _Ellipsis:
    """Marks the elided middle of a dimension."""


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, _Ellipsis):
        return
    if _is_list(value):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _as_float(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        return _NON_FINITE.get(x)
    return None


class _Formatter:
    """torch's _Formatter: one format (int, fixed or scientific) and width for all elements."""

    def __init__(self, elements: list[Any]) -> None:
        self.floating = any(isinstance(x, (float, str)) for x in elements)
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            for x in elements:
                self.max_width = max(self.max_width, len(str(x)))
            return
        values = [_as_float(x) for x in elements]
        finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
        if not finite:
            return
        low, high = min(finite), max(finite)
        self.int_mode = all(v is None or not math.isfinite(v) or v == math.ceil(v)
                            for v in values)
        if self.int_mode:
            self.sci_mode = high / low > 1000.0 or high > 1.0e8
        else:
            self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        for v in values:
            if v is not None and math.isfinite(v) and v != 0:
                extra = 1 if self.int_mode and not self.sci_mode else 0  # the trailing "."
                self.max_width = max(self.max_width, len(self._plain(v)) + extra)

    def _plain(self, v: float) -> str:
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            return f"{v:.0f}"
        return f"{v:.{PRECISION}f}"

    def format(self, x: Any) -> str:
        value = _as_float(x)
        if not self.floating or value is None:
            text = str(x)  # ints, bools, anything unexpected
        elif (name := non_finite_name(value)) is not None:
            text = name
        else:
            text = self._plain(value) + ("." if self.int_mode and not self.sci_mode else "")
        return text.rjust(self.max_width)


def _render(value: Any, formatter: _Formatter, indent: int, line_width: int) -> str:
    if not _is_list(value):
        return formatter.format(value)
    items = list(value)
    if not items:
        return "[]"
    if not any(_is_list(item) for item in items):
        return _render_row(items, formatter, indent, line_width)
    dim = _depth(items)
    sep = "," + "\n" * (dim - 1) + " " * (indent + 1)
    parts = ["..." if isinstance(item, _Ellipsis)
             else _render(item, formatter, indent + 1, line_width) for item in items]
    return "[" + sep.join(parts) + "]"


def _render_row(items: list[Any], formatter: _Formatter, indent: int, line_width: int) -> str:
    """A 1-D row, split over lines as torch does when it is wider than its line width."""
    cells = [" ..." if isinstance(item, _Ellipsis) else formatter.format(item) for item in items]
    per_line = max(1, (line_width - indent) // (formatter.max_width + 2))
    lines = [", ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _depth(value: Any) -> int:
    depth = 0
    while _is_list(value):
        items = [v for v in value if not isinstance(v, _Ellipsis)]
        if not items:
            return depth + 1
        depth, value = depth + 1, items[0]
    return depth
