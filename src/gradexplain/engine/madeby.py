"""Which statement made each named tensor of a graph, written onto its backward node.

`--why` writes the chain rule as the learner wrote the code: one step per statement
(`z = y * y * 3`), not per node. When a statement binds a tensor to a name, the node that
made it is tagged, in `node.metadata` (a dict PyTorch keeps on every node, for tools), with
the name and the statement. The tag lives and dies with the node, so a loop's iterations tag
their own nodes and nothing holds the graph alive. Only sessions that may show a derivation
tag (run --why, the REPL): it costs a dict write per binding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from gradexplain.language import held_nodes

KEY = "gradexplain.made_by"


@dataclass(frozen=True)
class MadeBy:
    name: str
    statement: str  # as written; a `tensors:` entry's expression reads `x = <expression>`
    line: int | None


class StatementTags:
    """The recorder's `assigned` hook passes every binding here (see Recorder.labels)."""

    def __init__(self, context: Callable[[], Any]) -> None:
        self.context = context  # the interpreter's current StatementContext, or None

    def assigned(self, name: str, value: Any) -> None:
        node = value.grad_fn if isinstance(value, torch.Tensor) else None
        if node is None:
            return
        held_nodes.hold([node])  # touched: a tagged chain is let go of node by node
        metadata: dict[str, Any] = _metadata(node)
        if KEY in metadata:  # `b = a` names a tensor that an earlier statement made
            return
        context = self.context()
        text = " ".join((context.statement or "").split()) if context is not None else ""
        if not _assigns(text, name):
            text = f"{name} = {text}" if text else name
        metadata[KEY] = MadeBy(name, text, context.line if context is not None else None)


def made_by(node: Any) -> MadeBy | None:
    """The tag of a node, if a statement named what it made."""
    try:
        found = _metadata(node).get(KEY)
    except (AttributeError, RuntimeError):
        return None
    return found if isinstance(found, MadeBy) else None


def _metadata(node: Any) -> dict[str, Any]:
    """The node's metadata dict (a property; torch's stubs type it as a method)."""
    metadata: dict[str, Any] = node.metadata
    return metadata


def _assigns(statement: str, name: str) -> bool:
    """Whether the statement's text already reads `name = ...` (or `a, name = ...`)."""
    target, equals, _ = statement.partition("=")
    if not equals or statement[len(target) + 1:len(target) + 2] == "=":
        return False
    target = target.rstrip().rstrip("+-*/@%&|^<>")  # `h *= 2` assigns h too
    return name in [part.strip() for part in target.replace("(", ",").replace(")", ",")
                    .split(",")]
