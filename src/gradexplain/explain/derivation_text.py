"""`--why`'s derivations as lines of text, en or zh: one list of (kind, text) per entry.

The formulas (`6·y`, `1·3 + 0·4`) come from the engine and read the same in every language;
this module adds the words around them. "kind" tells the renderer how to show a line:
"heading", "note", "step" (a statement and its local derivative), "math" (a product or
a sum), "result" (what .grad holds), "ok" / "fail" (the check), "status" (not derived).
The same lines go to the terminal and to JSON (`calls[].why[].lines`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gradexplain.explain.text import label
from gradexplain.record import WhyEntry, WhyPath, WhyStep, formula_number

WhyLine = tuple[str, str]  # (kind, text)
INDENT = "  "
STATEMENT_COLUMN = 36  # statements up to this wide share a column with their derivatives
LINE_WIDTH = 96  # ... when the line stays this narrow


def why_lines(entry: WhyEntry, function: str, lang: str) -> list[WhyLine]:
    """One derivation (or the sentence saying why there is none) in words."""
    status = entry.get("status")
    if status != "derived":
        return [("status", _status(entry, lang))]
    lines: list[WhyLine] = [("heading", _heading(entry, function, lang))]
    kind, name = entry.get("kind"), entry.get("named", "")
    if kind == "view":
        lines.append(("note", label("why.view", lang).format(
            name=name, node=entry.get("facts", {}).get("view", "view"),
            leaf=entry.get("tensor", ""), index=_index(entry.get("named_index", [])),
            leaf_index=_index(entry.get("index", [])))))
    elif kind == "non_leaf":
        lines.append(("note", label("why.non_leaf", lang).format(
            name=name, index=_index(entry.get("named_index", [])))))
    if entry.get("agrees") is False:
        lines.append(("fail", label("why.disagrees", lang).format(
            total=_number(entry.get("total")), autograd=_number(entry.get("autograd")))))
        return lines
    paths = entry.get("paths", [])
    count = entry.get("paths_total", len(paths))
    leaf = _leaf_alias(entry, lang)
    for n, path in enumerate(paths, 1):
        depth = 1
        if count > 1:
            head = label("why.path", lang).format(n=n, count=count, output=_output(path))
            if path["weight"] is not None:
                head += label("why.path_weight", lang).format(
                    element="v" + _index(path["output_index"], compact=True),
                    weight=_number(path["weight"]))
            lines.append(("note", INDENT + head))
            depth = 2
        elif path["weight"] is not None:
            lines.append(("note", INDENT + label("why.weight", lang).format(
                output=_output(path), element="v" + _index(path["output_index"], compact=True),
                weight=_number(path["weight"]))))
        lines += _steps(path, depth, leaf, lang)
        if len(path["steps"]) + (path["weight"] is not None) > 1:  # one factor: said above
            lines.append(("math", INDENT * depth + _product(path)))
    if count > 1:
        rest = entry.get("rest")
        if count > len(paths) and rest is not None:
            lines.append(("note", INDENT + label("why.rest", lang).format(
                count=count - len(paths), value=_number(rest))))
        lines.append(("math", INDENT + label("why.sum", lang).format(
            count=count, text=_sum(entry, paths))))
    lines += _outcome(entry, function, lang)
    return lines


def _heading(entry: WhyEntry, function: str, lang: str) -> str:
    value = entry.get("autograd")
    value = entry.get("total") if value is None else value
    if function == "torch.autograd.grad":
        key, what = "why.heading.results", _named(entry)
    elif entry.get("kind") == "non_leaf":
        key, what = "why.heading.arrived", _named(entry)
    elif entry.get("kind") == "view":
        return label("why.heading.view", lang).format(
            name=entry.get("named", ""), index=_index(entry.get("index", [])),
            value=_number(value))
    else:
        key, what = "why.heading.grad", _grad_of(entry)
    return label(key, lang).format(what=what, value=_number(value))


def _steps(path: WhyPath, depth: int, leaf: tuple[str, str], lang: str) -> list[WhyLine]:
    steps = path["steps"]
    shown = [s for s in steps if s["kind"] == "step"]
    column = max((len(s["statement"]) for s in shown), default=0)
    pad = INDENT * depth
    widest = max((len(_derivative(s, leaf)) for s in shown), default=0)
    # statements beside their derivatives when both fit a line; else one under the other
    beside = column <= STATEMENT_COLUMN and len(pad) + column + 3 + widest <= LINE_WIDTH
    lines: list[WhyLine] = []
    for step in steps:
        if step["kind"] == "fold":
            key = "why.fold" if step.get("pattern") else "why.fold_rest"
            lines.append(("note", pad + label(key, lang).format(
                pattern=" -> ".join(step.get("pattern", [])), count=step.get("count", 0),
                value=_number(step["value"]))))
            continue
        math = _derivative(step, leaf)
        if beside:
            lines.append(("step", pad + step["statement"].ljust(column) + "   " + math))
            under = pad + " " * (column + 3)
        else:
            lines.append(("step", pad + step["statement"]))
            lines.append(("step", pad + INDENT * 2 + math))
            under = pad + INDENT * 2
        source = step.get("source")
        if source == "autograd":
            lines.append(("note", under + label("why.from_autograd", lang).format(
                nodes=", ".join(step.get("nodes", [])))))
        elif source == "inner":
            lines.append(("note", under + label("why.too_many", lang)))
        elif step.get("inner_paths", 1) > 1:
            lines.append(("note", under + label("why.inner", lang).format(
                count=step["inner_paths"])))
    return lines


def _derivative(step: WhyStep, leaf: tuple[str, str]) -> str:
    """`∂z[0,0]/∂y[0,0] = 3·y + 3·y = 6·y = 6·3 = 18`."""
    upper = _symbol(step.get("output", ""), step.get("output_index", []), leaf)
    lower = _symbol(step.get("input", ""), step.get("input_index", []), leaf)
    parts = [f"∂{upper}/∂{lower}"]
    for part in (step.get("formula"), step.get("numbers")):
        if part:
            parts.append(part)
    value = _number(step["value"])
    if parts[-1].rsplit(" = ", 1)[-1] != value:
        parts.append(value)
    return " = ".join(parts)


def _product(path: WhyPath) -> str:
    """`0.25 × 18 × 1 = 4.5`: the path's local derivatives (its weight first) multiplied."""
    factors = [] if path["weight"] is None else [_number(path["weight"])]
    factors += [_number(s["value"]) for s in path["steps"]]
    value = path["product"] * (1.0 if path["weight"] is None else path["weight"])
    if not factors:
        return _number(value)
    return " × ".join(factors) + " = " + _number(value)


def _sum(entry: WhyEntry, paths: list[WhyPath]) -> str:
    """The paths added up: with names and numbers when the engine wrote them, else the
    paths' numbers (and the rest)."""
    total = _number(entry.get("total"))
    formula, numbers = entry.get("sum_formula"), entry.get("sum_numbers")
    rest = entry.get("rest")
    if formula and numbers and rest is None:
        return " = ".join(dict.fromkeys([formula, numbers, total]))
    shown = [p["product"] * (1.0 if p["weight"] is None else p["weight"]) for p in paths]
    parts = [_number(x) for x in shown] if rest is None else [_number(sum(shown)),
                                                              _number(rest)]
    return " + ".join(parts).replace("+ -", "- ") + " = " + total


def _outcome(entry: WhyEntry, function: str, lang: str) -> list[WhyLine]:
    """What the element holds now, and the check against autograd."""
    lines: list[WhyLine] = []
    autograd = entry.get("autograd")
    if autograd is None:
        return [("note", INDENT + label("why.unread", lang).format(
            total=_number(entry.get("total"))))]
    if function == "torch.autograd.grad":
        lines.append(("result", INDENT + label("why.results", lang).format(
            value=_number(autograd), what=_named(entry))))
    elif entry.get("kind") == "non_leaf":
        lines.append(("result", INDENT + label("why.arrived", lang).format(
            value=_number(autograd), what=_named(entry))))
    elif entry.get("before") is None:
        lines.append(("result", INDENT + label("why.first", lang).format(
            what=_grad_of(entry), after=_number(entry.get("after")))))
    else:
        lines.append(("result", INDENT + label("why.accumulates", lang).format(
            what=_grad_of(entry), before=_number(entry.get("before")),
            added=_number(autograd), after=_number(entry.get("after")))))
    agrees = label("why.agrees", lang).format(value=_number(autograd))
    if _number(entry.get("total")) != _number(autograd):  # equal within rounding only
        agrees += label("why.rounding", lang)
    lines.append(("ok", INDENT + agrees))
    return lines


def _status(entry: Mapping[str, Any], lang: str) -> str:
    facts = dict(entry.get("facts") or {})
    status = entry.get("status", "")
    target = entry.get("target", "")
    if status == "not_derivable":
        return label(f"why.not_derivable.{facts.get('reason')}", lang).format(
            target=target, **facts)
    if status == "bad_index":
        shape = facts.get("shape", [])
        example = f"{facts.get('name')}[{', '.join('0' for _ in shape)}]" if shape else \
            str(facts.get("name"))
        return label("why.bad_index", lang).format(
            target=target, name=facts.get("name"), shape=_index(shape), example=example)
    return label(f"why.{status}", lang).format(target=target, **facts)


# names and numbers -----------------------------------------------------------------------------

def _grad_of(entry: WhyEntry) -> str:
    """`x.grad[0, 0]`; for a view, the leaf's element (`x[0, 1]` is the leaf's [1])."""
    return f"{entry.get('tensor')}.grad{_index(entry.get('index', []))}"


def _named(entry: WhyEntry) -> str:
    return f"{entry.get('named')}{_index(entry.get('named_index', []))}"


def _output(path: WhyPath) -> str:
    return f"{path['output']}{_index(path['output_index'])}"


def _leaf_alias(entry: WhyEntry, lang: str) -> tuple[str, str]:
    """A leaf labelled by its code (`torch.tensor([2., 1.], ...)`) is "leaf" in formulas:
    (its label, what formulas call it)."""
    tensor = str(entry.get("tensor", ""))
    return tensor, tensor if _simple(tensor) else label("why.leaf", lang)


def _symbol(name: str, index: list[int], leaf: tuple[str, str]) -> str:
    """`z[0,0]`; the target leaf by its alias, other code in parentheses (`(y.sum())`)."""
    if name == leaf[0]:
        name = leaf[1]
    shown = name if _simple(name) else f"({name})"
    return shown + (_index(index, compact=True) if index else "")


def _simple(name: str) -> bool:
    """A name (`x`, `net.0.weight`), not code."""
    first, *rest = name.split(".")
    return first.isidentifier() and all(p.isidentifier() or p.isdigit() for p in rest)


def _index(index: list[int], *, compact: bool = False) -> str:
    if not index:
        return ""
    separator = "," if compact else ", "
    return "[" + separator.join(str(i) for i in index) + "]"


def _number(x: Any) -> str:
    if x is None:
        return "None"
    if isinstance(x, str):  # "inf"/"nan" as JSON wrote them
        return x
    return formula_number(float(x))
