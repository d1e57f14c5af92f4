"""The recorder's plain data (what it tracks, broadcast events, its options) and small helpers."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import torch

from gradexplain.engine.graphwalk import GraphWalk
from gradexplain.engine.notes_depth import BroadcastProbe
from gradexplain.language.protocol import BackwardRequest
from gradexplain.record import CallRecord


@dataclass
class Tracked:
    ref: weakref.ReferenceType[torch.Tensor]
    label: str
    named: bool = False
    retained: bool = False


@dataclass
class BroadcastEvent:
    # A leaf operand is held weakly; a computed operand by its grad_fn node, because the
    # operand itself is often a temporary (`2*x*x` in `2*x*x + p`) gone before backward.
    ref: weakref.ReferenceType[torch.Tensor] | None
    node: Any
    label: str
    shape: list[int]
    result_shape: list[int]
    operation: str
    step: int | None
    probe: BroadcastProbe | None = None  # the gradients at the broadcasting node, in a call


@dataclass
class RecorderOptions:
    full: bool = False
    zero_grad: bool = False  # zero every tracked .grad before each call
    force_retain_graph: bool = False  # compare --retain-graph
    dot: bool = False  # record each call's backward graph in views.graph (run --dot)
    calls_all: bool = False  # --calls all: keep every call and print in full (no folding)
    keep_calls: frozenset[int] = frozenset()  # call numbers kept in full (named by expect:)


def reached(tensor: torch.Tensor, graph: GraphWalk) -> bool:
    """Whether the call's graph reaches `tensor` (a leaf in it, or a node of it)."""
    return id(tensor) in graph.leaf_ids or (
        tensor.grad_fn is not None and id(tensor.grad_fn) in graph.node_ids)


def numel(shape: list[int]) -> int:
    result = 1
    for size in shape:
        result *= size
    return result


def encodable(text: str) -> str:
    """Lone surrogates ("\\ud800") written as escapes: no stream or JSON encoder takes them."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def call_record(request: BackwardRequest, index: int, retain: bool, seq: int) -> CallRecord:
    """A call's ledger entry, before anything is written into it."""
    context = request.context
    return CallRecord(index=index, step=context.step, line=context.line,
                      statement=context.statement, function=request.function,
                      outputs=[label for _, label in request.outputs], grad_tensors=None,
                      retain_graph=retain, create_graph=request.create_graph, seq=seq)
