"""A failed backward call's error, with the facts its explanation needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.errors import GradexplainError
from gradexplain.language.classify import OperationContext, classify
from gradexplain.language.protocol import BackwardRequest

# The graphs recent calls freed, kept for the freed_graph error: a loop frees one graph per
# iteration, and only a graph the user still holds can be backpropagated again.
FREED_KEPT = 64


# A graph a call freed: the call's number, its statement and step, and the graph's output
# nodes (they keep its nodes, and so their ids, alive). A tuple: a loop makes one per call.
FreedGraph = tuple[int, str, int | None, list[Any]]


def call_error(exc: BaseException, request: BackwardRequest, graph: GraphWalk,
               freed: Iterable[FreedGraph], no_grad_reason: str | None,
               leaves: list[str], named: Iterable[tuple[str, Any]] = ()) -> GradexplainError:
    """Classify the error; for a freed graph, find the call that freed it."""
    output, label = request.outputs[0]
    operation = OperationContext(request.function, [(label, list(output.shape))])
    error = classify(exc, operation)
    facts = error.facts
    if error.kind == "inplace_modified":  # `shape` is the saved tensor's, from the message
        facts.update({"output": label, "numel": output.numel()})
        saved = _saved_tensor(facts, named)
        if saved is not None:
            facts["tensor"] = saved
    else:
        facts.update({"output": label, "shape": list(output.shape), "numel": output.numel()})
    if error.kind == "freed_graph":
        for call, statement, step, roots in reversed(list(freed)):
            if walk([], roots).node_ids & graph.node_ids:
                facts.update({"freed_by_call": call, "freed_by_statement": statement,
                              "in_loop": step is not None and step == request.context.step})
                break
    elif error.kind == "grad_shape_mismatch":
        gradient = request.gradients[0] if request.gradients else None
        facts.update({"output_shape": list(output.shape),
                      "grad_shape": list(getattr(gradient, "shape", []))})
    elif error.kind == "no_grad_fn":
        facts.update({"reason": no_grad_reason, "leaves": leaves})
    return error


def _saved_tensor(facts: dict[str, Any], named: Iterable[tuple[str, Any]]) -> str | None:
    """The user's name for the tensor PyTorch says was modified (`output 0 of
    SigmoidBackward0`, of that shape, now at that version): the one named tensor that fits
    (an in-place op has since replaced its grad_fn, so the version and shape decide)."""
    shape, version = facts.get("shape"), facts.get("version")
    if version is None or shape is None:
        return None
    fits = [str(name) for name, tensor in named
            if list(getattr(tensor, "shape", [])) == shape and
            getattr(tensor, "_version", None) == version]
    return fits[0] if len(set(fits)) == 1 else None
