"""The deeper views' plain data as text, en or zh: the backward-graph tree, numeric notes.

The tree (entries from engine/graphtree): output first, one line per node, inputs indented
under it with "<- ". The same lines go to the terminal and to JSON (`calls[].tree.lines`),
so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gradexplain.explain.derivation_text import WhyLine, why_lines
from gradexplain.explain.text import label
from gradexplain.record import CallViews, GraphTree


@dataclass(frozen=True)
class ExplainedViews:
    """One call's deeper views in words: the tree's lines and notes, a note per numeric
    check (None where there is nothing to say)."""

    tree_lines: list[str] = field(default_factory=list)
    tree_notes: list[str] = field(default_factory=list)
    numeric_notes: list[str | None] = field(default_factory=list)
    why: list[list[WhyLine]] = field(default_factory=list)  # --why: lines per entry


def explain_views(views: CallViews, lang: str, function: str = "backward") -> ExplainedViews:
    """`function`: the call's ("torch.autograd.grad" returns gradients, never adds them)."""
    return ExplainedViews(
        tree_lines=tree_lines(views.tree, lang) if views.tree else [],
        tree_notes=tree_notes(views.tree, lang) if views.tree else [],
        numeric_notes=[numeric_note(entry, lang) for entry in views.numeric or []],
        why=[why_lines(entry, function, lang) for entry in views.why or []])


def explain_tree(tree: GraphTree, lang: str) -> ExplainedViews:
    """A tree alone (the REPL's :graph) in words."""
    return ExplainedViews(tree_lines(tree, lang), tree_notes(tree, lang))


INDENT = "  "
ARROW = "<- "


def tree_lines(tree: Mapping[str, Any], lang: str) -> list[str]:
    """One line per entry, indented by depth."""
    lines: list[str] = []
    for entry in tree.get("entries", []):
        depth = int(entry.get("depth", 0))
        kind = entry["kind"]
        if kind == "more_inputs":  # belongs to the node above, not an input of its own
            lines.append(INDENT * depth + label("tree.more_inputs", lang).format(**entry))
            continue
        prefix = INDENT * depth + (ARROW if depth else "")
        lines.append(prefix + _entry_text(entry, lang))
    return lines


def tree_notes(tree: Mapping[str, Any], lang: str) -> list[str]:
    """What was folded or left out, and what "freed"/"kept" mean when the tree uses them."""
    notes: list[str] = []
    freed: set[bool] = set()
    already = False
    for entry in tree.get("entries", []):
        kind = entry["kind"]
        if kind == "more_below":
            notes.append(label("tree.note_more_below", lang).format(**entry))
        elif kind == "more_inputs":
            notes.append(label("tree.note_more_inputs", lang).format(**entry))
        elif kind == "fold":
            notes.append(label("tree.note_fold", lang).format(
                count=entry["count"], pattern=_pattern(entry)))
        if kind in ("node", "fold") and entry.get("freed") is not None:
            freed.add(bool(entry["freed"]))
        already = already or (kind == "node" and bool(entry.get("already_freed")))
    if True in freed:
        notes.append(label("tree.note_freed", lang))
    if False in freed:
        notes.append(label("tree.note_kept", lang))
    if already:
        notes.append(label("tree.note_already_freed", lang))
    return notes


def _entry_text(entry: Mapping[str, Any], lang: str) -> str:
    kind = entry["kind"]
    if kind == "no_graph":
        return label("tree.no_graph", lang).format(name=entry["name"])
    if kind == "more_below":
        return label("tree.more_below", lang).format(**entry)
    if kind == "fold":
        side = label("tree.fold_side", lang).format(names=", ".join(entry["side"])) \
            if entry.get("side") else ""
        text = label("tree.fold", lang).format(pattern=_pattern(entry), count=entry["count"],
                                               side=side)
        return text + _freed_suffix(entry.get("freed"), lang)
    if kind == "shared":
        original = dict(entry, kind=entry.get("was", "node"))
        return label("tree.shared", lang).format(text=_node_text(original, lang))
    return _node_text(entry, lang) + _saved_suffix(entry, lang)


def _node_text(entry: Mapping[str, Any], lang: str) -> str:
    if entry["kind"] == "folded":
        return label("tree.folded_ref", lang).format(pattern=_pattern(entry))
    name = entry.get("name")
    if entry["kind"] == "leaf" and not name:
        name = label("tree.unnamed_leaf", lang)
    text = f"{name} = {entry['node']}" if name else str(entry["node"])
    shape = entry.get("shape")
    return f"{text} {_shape(shape)}" if shape is not None else text


def _saved_suffix(entry: Mapping[str, Any], lang: str) -> str:
    saved = entry.get("saved")
    if not saved:
        return ""
    slots = ", ".join(f"{s['slot']}={s['tensor']}" if s.get("tensor") else str(s["slot"])
                      for s in saved)
    text = "  · " + label("tree.saved", lang).format(slots=slots)
    if entry.get("already_freed"):
        return text + label("tree.state", lang).format(state=label("tree.already_freed", lang))
    return text + _freed_suffix(entry.get("freed"), lang)


def _freed_suffix(freed: bool | None, lang: str) -> str:
    if freed is None:
        return ""
    state = label("tree.freed" if freed else "tree.kept", lang)
    return label("tree.state", lang).format(state=state)


def _pattern(entry: Mapping[str, Any]) -> str:
    return " -> ".join(entry.get("pattern", []))


def _shape(shape: list[int]) -> str:
    """`[2, 2]`, as the tables write shapes."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def numeric_note(entry: Mapping[str, Any], lang: str) -> str | None:
    """The sentence behind a numeric-check entry's "reason", if it has one."""
    reason = entry.get("reason")
    element = entry.get("element")
    if not reason and not element:
        return None
    text = ""
    if reason:
        text = label(f"numeric.{reason}", lang)
        facts = entry.get("facts")
        text = text.format(**facts) if facts else text
    elif entry.get("agrees") is False:
        text = label("numeric.disagrees", lang)
    if element:  # named here: the tensor itself may be printed summarized
        position = ", ".join(str(i) for i in element["index"])
        text += label("numeric.element", lang).format(
            at=f"{entry.get('leaf') or ''}[{position}]", value=_number(element["value"]),
            numeric=_number(element["numeric"]), autograd=_number(element["autograd"]))
    return text


def _number(x: float) -> str:
    return f"{x:.6g}"
