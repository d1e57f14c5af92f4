"""Compact text for VALUEs, shapes and the code snippets in explanations. Pure Python."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from gradexplain.record import Value, non_finite_name

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def format_number(x: Any) -> str:
    """A number as torch prints it, but compact: `4.5`, `18.`, `0.3333`, `1.0000e-08`."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, str):  # "inf", "-inf", "nan"
        return x
    if not isinstance(x, float):
        return str(x)
    name = non_finite_name(x)
    if name is not None:
        return name
    if x == 0:
        return "-0." if math.copysign(1.0, x) < 0 else "0."
    if abs(x) >= 1e8 or abs(x) < 1e-4:
        return f"{x:.4e}"
    if x == int(x):
        return f"{int(x)}."
    text = f"{x:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def format_value(value: Value, summary_text: str | None = None, edge_items: int | None = 3
                 ) -> str:
    """A VALUE as compact nested lists, e.g. `[[4.5, 4.5], [4.5, 4.5]]`.

    `summary_text` is the catalogue's template for a summarized tensor ({shape}, {min},
    {max}); lists longer than 2 * edge_items show their first and last edge_items (as torch
    does), None shows everything.
    """
    if isinstance(value, Mapping):
        summary = value.get("summary")
        if isinstance(summary, Mapping):
            template = summary_text or "tensor of shape {shape} (min {min}, max {max})"
            return template.format(
                shape=format_shape(summary.get("shape")),
                min=format_number(summary.get("min")),
                max=format_number(summary.get("max")),
            )
        return str(dict(value))
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
        if edge_items is not None and len(items) > 2 * edge_items:
            shown = [format_value(v, summary_text, edge_items) for v in items[:edge_items]]
            shown.append("...")
            shown += [format_value(v, summary_text, edge_items) for v in items[-edge_items:]]
        else:
            shown = [format_value(v, summary_text, edge_items) for v in items]
        return "[" + ", ".join(shown) + "]"
    if value is None:
        return "None"
    return format_number(value)


def format_shape(shape: Any) -> str:
    """`[2, 3]`; a scalar is `[]`."""
    if isinstance(shape, Sequence) and not isinstance(shape, str):
        return "[" + ", ".join(str(d) for d in shape) + "]"
    return str(shape)


def is_identifier(label: str) -> bool:
    return bool(_IDENTIFIER.match(label))


def is_code_label(label: str) -> bool:
    """A label built from code (an unnamed leaf), not a plain or dotted Python name."""
    return not _DOTTED.match(re.sub(r" #\d+\Z", "", label))  # `x #2`: a second `x`


def operand(label: str) -> str:
    """`label` ready to have `.method()` appended: names, calls, attribute and index chains
    as they are, anything else in parentheses (`(x + 2).sum()`)."""
    label = label.strip()
    depth = 0
    quote: str | None = None
    for char in label:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and not (char.isalnum() or char in "_."):
            return f"({label})"
    if not label or label[0].isdigit():
        return f"({label})"
    return label


def add_keyword(code: str, keyword: str, value: str) -> str | None:
    """`f(a)` -> `f(a, keyword=value)`, replacing an existing `keyword=...`, for the call that
    ends `code` (`x.sum().backward()` works too); None when `code` does not end in a call."""
    parts = _final_call(code.strip())
    if parts is None:
        return None
    head, args = parts
    pattern = re.compile(rf"(?<![\w.]){re.escape(keyword)}\s*=\s*[^,()\[\]]+")
    if pattern.search(args):
        args = pattern.sub(f"{keyword}={value}", args, count=1)
    else:
        args = f"{args}, {keyword}={value}" if args.strip() else f"{keyword}={value}"
    return f"{head}({args})"


def _final_call(code: str) -> tuple[str, str] | None:
    """(callee, argument text) of the call that ends `code`, or None."""
    if not code.endswith(")"):
        return None
    depth = 0
    for i in range(len(code) - 1, -1, -1):
        char = code[i]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            depth -= 1
            if depth == 0:
                head = code[:i]
                if not head or not (head[-1].isalnum() or head[-1] in "_)]"):
                    return None
                return head, code[i + 1 : -1]
    return None


def int_list(value: Any) -> list[int] | None:
    """A shape fact as a list of ints, or None when it is missing or malformed."""
    if isinstance(value, Sequence) and not isinstance(value, str) and all(
        isinstance(d, int) and not isinstance(d, bool) for d in value
    ):
        return [int(d) for d in value]
    return None


def numel(shape: Sequence[int]) -> int:
    return math.prod(shape)
