"""How values look in print(...), f-strings and shown expressions: like Python, but stable."""

from __future__ import annotations

import string
from typing import Any

import torch


def show(value: Any) -> str:
    """str(value), except that autograd nodes print without their memory address."""
    if _is_node(value):
        return f"<{type(value).__name__} object>"
    if isinstance(value, tuple) and not isinstance(value, torch.Size) and \
            type(value) is tuple:
        inner = ", ".join(show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def represent(value: Any) -> str:
    """repr(value) with the same exception for nodes."""
    return show(value) if _is_node(value) else repr(value)


def _is_node(value: Any) -> bool:
    return hasattr(value, "next_functions") and not isinstance(value, torch.Tensor)


def convert(value: Any, conversion: str | int | None) -> Any:
    """Apply a format conversion: !s, !r, !a (or the ast's codes 115, 114, 97)."""
    if conversion in ("r", 114, "a", 97):
        return represent(value)
    if conversion in ("s", 115):
        return show(value)
    return value


def format_value(value: Any, spec: str) -> str:
    """format(value, spec) for a checked, simple spec."""
    if not spec:
        return show(value)
    if _is_node(value):
        return format(show(value), spec) if spec[-1:] not in "eEfFgGn%d" else show(value)
    return format(value, spec)


def format_text(template: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """`template.format(*args, **kwargs)` with fields already checked to be {}, {0} or {name}."""
    out: list[str] = []
    auto = 0
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        if field == "":
            value = args[auto]
            auto += 1
        elif field.isdigit():
            value = args[int(field)]
        else:
            value = kwargs[field]
        out.append(format_value(convert(value, conversion), spec or ""))
    return "".join(out)
