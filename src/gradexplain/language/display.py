"""How values look in print(...), f-strings and shown expressions: like Python, but stable."""

from __future__ import annotations

import re
import string

import numpy as np
import torch

from gradexplain.errors import not_allowed
from gradexplain.language.checker import format_problem
from gradexplain.language.classify import CodeIndexError
from gradexplain.language.values import is_node
from gradexplain.limits import Limits, exceeded

# Items a printed list/tuple may hold, nested ones included: lists can share sublists, so a
# 64-deep chain of `a = [a, a]` would otherwise print 2**64 leaves.
MAX_SHOWN_ITEMS = Limits().max_elements
MAX_SHOWN_DEPTH = 256  # printing recurses once per level
# An object's default repr holds its memory address: never shown.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def show(value: object) -> str:
    """str(value), except that autograd nodes print without their memory address, and nested
    lists and tuples are measured (shared parts counted each time) before they are printed."""
    if isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        items, depth = shown_items(value)
        if items > MAX_SHOWN_ITEMS:
            raise exceeded("max_elements", items, MAX_SHOWN_ITEMS)
        if depth > MAX_SHOWN_DEPTH:
            raise exceeded("max_depth", depth, MAX_SHOWN_DEPTH)
    return _show(value)


def shown_items(value: list[object] | tuple[object, ...]) -> tuple[int, int]:
    """Items printing `value` visits, with each shared sublist counted where it appears
    (memoised by identity, so the count itself is linear in the distinct lists), and the
    nesting depth."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    pending: list[tuple[list[object] | tuple[object, ...], bool]] = [(value, False)]
    opened: set[int] = set()
    while pending:  # iterative: a deep chain must not exhaust the C stack
        item, expanded = pending.pop()
        if id(item) in sizes or (not expanded and id(item) in opened):
            continue  # done, or a cycle (Python prints it as [...])
        children = [c for c in item if isinstance(c, (list, tuple))]
        if not expanded:
            opened.add(id(item))
            pending.append((item, True))
            pending.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[id(item)] = len(item) + sum(sizes.get(id(c), 0) for c in children)
        depths[id(item)] = 1 + max((depths.get(id(c), 0) for c in children), default=0)
    return sizes[id(value)], depths[id(value)]


def _item(value: object) -> str:
    """An item inside a printed list or tuple: strings quoted and numpy values as their repr
    (`array([1., 2.])`, `np.float64(0.5)`), as Python prints them."""
    return repr(value) if isinstance(value, (str, np.ndarray, np.generic)) else _show(value)


def _show(value: object) -> str:
    if is_node(value):
        return node_repr(value)
    if isinstance(value, tuple) and not isinstance(value, torch.Size) and \
            type(value) is tuple:
        inner = ", ".join(_item(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_item(v) for v in value) + "]"
    text = str(value)
    if not isinstance(value, str) and " at 0x" in text:  # `<torch._C.Generator object>`
        return ADDRESS.sub("", text)
    return text


def node_repr(node: object) -> str:
    """An autograd node as PyTorch prints it, less its address: a custom Function's node with
    its module (`<torch.autograd.function.ExpBackward object>`), a built-in one without."""
    kind = type(node)
    module = kind.__module__
    name = kind.__qualname__ if module in {"builtins", None} else f"{module}.{kind.__qualname__}"
    return f"<{name} object>"


def showable(value: object) -> bool:
    """Whether an expression statement's value is worth showing (not a module or optimizer)."""
    plain = (torch.Tensor, int, float, complex, bool, str, list, tuple, dict, set,
             torch.Size, torch.dtype, torch.device, np.ndarray, np.generic)
    return isinstance(value, plain) or is_node(value)


def represent(value: object) -> str:
    """repr(value) with the same exception for nodes."""
    return show(value) if is_node(value) else repr(value)


def convert(value: object, conversion: str | int | None) -> object:
    """Apply a format conversion: !s, !r, !a (or the ast's codes 115, 114, 97)."""
    if conversion in ("r", 114, "a", 97):
        return represent(value)
    if conversion in ("s", 115):
        return show(value)
    return value


def format_value(value: object, spec: str) -> str:
    """format(value, spec) for a checked, simple spec.

    A tensor formats as PyTorch's Tensor.__format__ does: a 0-d tensor as its number
    (f"{y}" is `-16.0`), any other tensor as str(tensor).
    """
    if isinstance(value, torch.Tensor):
        if value.dim() == 0 and not value.is_meta:
            return format(value.item(), spec)
        return format(str(value), spec) if not spec or spec[-1:] not in "eEfFgGn%d" else \
            format(value, spec)
    if not spec:
        return show(value)
    if is_node(value):
        return format(show(value), spec) if spec[-1:] not in "eEfFgGn%d" else show(value)
    return format(value, spec)


def format_text(template: str, args: list[object], kwargs: dict[str, object],
                limits: Limits | None = None) -> str:
    """`template.format(*args, **kwargs)` with fields already checked to be {}, {0} or {name};
    the text is measured before it is joined (joined_text)."""
    # The template may be a runtime string, so its fields are checked here too.
    problem = format_problem(template)
    if problem is not None:
        raise not_allowed(problem)
    out: list[str] = []
    auto = 0
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        key: int | str = auto if field == "" else int(field) if field.isdigit() else field
        if field == "":
            auto += 1
        if (key not in kwargs) if isinstance(key, str) else key >= len(args):
            given = f"{len(args)} positional argument(s)" if isinstance(key, int) else \
                f"no keyword argument {key!r}"
            raise CodeIndexError(f"format field {{{field}}} has no value: the call gives {given}")
        value = kwargs[key] if isinstance(key, str) else args[key]
        out.append(format_value(convert(value, conversion), spec or ""))
    return joined_text(out, limits or Limits())


def joined_text(parts: list[str], limits: Limits, separator: str = "") -> str:
    """`separator.join(parts)`, refused past the element limit (characters) before it is
    built: formatting and printing a string grown in a loop cannot multiply it further."""
    length = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    if length > limits.max_elements:
        raise exceeded("max_elements", length, limits.max_elements)
    return separator.join(parts)
