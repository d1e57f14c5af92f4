"""Deeper facts for two notes, seen through hooks on the backward graph during one call.

- broadcast_sum: which dims broadcasting added or stretched; the gradient that arrived at
  the broadcast result and the sum that reached the operand (a post-hook on the broadcasting
  operation's node); what `.sum()` / `.mean()` would have given instead, from the real grads.
- non_finite_grad: the first node, in execution order, whose incoming gradients were finite
  and whose outgoing ones were not, and the input value that explains it.

Gradients are only ever read, never re-derived. Every hook is removed when the call ends,
whether it succeeded or failed.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import torch
from torch.autograd.graph import Node
from torch.utils.hooks import RemovableHandle

from gradexplain.engine.graphwalk import GraphWalk
from gradexplain.engine.values import is_non_finite, to_value
from gradexplain.record import Value

# Tracing costs one Python hook and one reduction per watched node (about 10 µs on CPU, some
# 0.04 s for the 3,000-step chain benchmark); past this many nodes the origin of an inf or
# nan is not traced and the note says so.
TRACE_MAX_NODES = 20_000
# Nodes whose backward only moves, reshapes or sums the incoming gradient cannot make an inf or
# nan from finite ones (short of overflowing a sum), so they are not watched: in a chain of
# `y * a + b` that halves the hooks.
PASS_THROUGH = frozenset({
    "AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1", "NegBackward0",
    "SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1", "ViewBackward0",
    "ReshapeAliasBackward0", "UnsafeViewBackward0", "ExpandBackward0", "PermuteBackward0",
    "TransposeBackward0", "TransposeBackward1", "TBackward0", "SqueezeBackward0",
    "SqueezeBackward1", "SqueezeBackward2", "UnsqueezeBackward0", "CloneBackward0",
    "SelectBackward0", "SliceBackward0", "CatBackward0", "StackBackward0", "AliasBackward0",
})
# Probes waiting for a backward call hold the broadcasting node (and so its graph) alive;
# a forward pass that is never backpropagated lets go of them after this many newer ones.
MAX_PENDING_PROBES = 64

Known = Callable[[], list[tuple[str, torch.Tensor]]]  # labelled tensors, preferred first
Facts = dict[str, object]  # a note's facts (record.NoteInfo.facts)
Grads = Sequence[torch.Tensor | None]  # the gradients a node's hook is given
T = TypeVar("T")


# --- broadcast_sum ---------------------------------------------------------------------------

def broadcast_dims(shape: list[int], result_shape: list[int]) -> Facts:
    """The result's dims that broadcasting added in front, and those it stretched from 1."""
    lead = len(result_shape) - len(shape)
    if lead < 0:
        return {}
    stretched = [{"dim": lead + i, "from": 1, "to": size}
                 for i, (own, size) in enumerate(zip(shape, result_shape[lead:], strict=True))
                 if own == 1 and size != 1]
    return {"dims_added": list(range(lead)), "dims_stretched": stretched}


@dataclass
class BroadcastProbe:
    """The broadcasting operation's node, held until a backward call runs through it."""

    node: Node | None  # None once the probe is done with
    slot: int  # which of the node's inputs is the broadcast operand
    seen: bool = False
    arrived: Value = None  # the gradient that arrived at the broadcast result
    summed: Value = None  # what the node passed on to the operand (the sum)
    # For the chain rule at the operand's positions (`chain_rule`), where the node is one of
    # LOCAL_RULES: its kind, the arrived and summed gradients, its saved operands.
    local: tuple[str, torch.Tensor, torch.Tensor, dict[str, object]] | None = None


def broadcast_probe(result: torch.Tensor | None, operand: torch.Tensor) -> BroadcastProbe | None:
    """A probe on `result`'s grad_fn for the input that is `operand`, or None."""
    node = result.grad_fn if result is not None else None
    if node is None:
        return None
    for slot, (child, number) in enumerate(node.next_functions):
        if child is None:
            continue
        if operand.grad_fn is None:
            if getattr(child, "variable", None) is operand:
                return BroadcastProbe(node, slot)
        elif child is operand.grad_fn and number == operand.output_nr:
            return BroadcastProbe(node, slot)
    return None


@dataclass
class Probes:
    """Broadcast probes waiting for a backward call."""

    pending: list[BroadcastProbe] = field(default_factory=list)

    def add(self, probe: BroadcastProbe) -> None:
        self.pending.append(probe)
        if len(self.pending) > MAX_PENDING_PROBES:
            self.pending.pop(0).node = None

    def watch(self, node_ids: set[int], full: bool
              ) -> tuple[list[BroadcastProbe], list[RemovableHandle]]:
        """Post-hooks on the probes whose node is in this call's graph: (probes, handles),
        for `unwatch` once the call is over (whether it succeeded or failed)."""
        chosen = [p for p in self.pending if p.node is not None and id(p.node) in node_ids]
        handles: list[RemovableHandle] = []
        try:
            for probe in chosen:
                node = probe.node
                assert node is not None  # chosen above
                handles.append(node.register_hook(functools.partial(_probe, probe, full)))
        except BaseException:
            self.unwatch(chosen, handles)
            raise
        return chosen, handles

    def unwatch(self, chosen: list[BroadcastProbe], handles: list[RemovableHandle]) -> None:
        for handle in handles:
            handle.remove()
        for probe in chosen:  # one call's view is all the note needs: let the graph go
            probe.node = None
        self.pending = [p for p in self.pending if p.node is not None]


def _probe(probe: BroadcastProbe, full: bool, grad_inputs: Grads, grad_outputs: Grads) -> None:
    arrived = grad_outputs[0] if grad_outputs else None
    summed = grad_inputs[probe.slot] if probe.slot < len(grad_inputs) else None
    if probe.seen or not isinstance(arrived, torch.Tensor) or \
            not isinstance(summed, torch.Tensor) or arrived.is_meta:  # meta: no values
        return
    probe.seen = True
    probe.arrived = to_value(arrived.detach(), full=full)
    probe.summed = to_value(summed.detach(), full=full)
    # What the chain rule makes of it at the operand's positions is worked out only if the
    # note is written (`chain_rule`): a loop's later calls only keep what it needs.
    node = probe.node
    kind = type(node).__name__
    if (kind, probe.slot) in LOCAL_RULES:
        try:
            saved = {name: getattr(node, name, None) for name in SAVED_OPERANDS}
        except RuntimeError:  # freed (it is not, while the node's hooks run)
            return
        probe.local = (kind, arrived.detach(), summed.detach(), saved)


def chain_rule(probe: BroadcastProbe, full: bool) -> Facts:
    """The gradient at each broadcast position of the operand (grad_contribution) and the
    node's kind it went through (`through`), when its sum is what the node passed on."""
    if probe.local is None:
        return {}
    kind, arrived, summed, saved = probe.local
    with torch.no_grad():
        try:
            contribution = LOCAL_RULES[kind, probe.slot](saved, arrived)
        except (RuntimeError, TypeError):  # an operand it did not save (a plain number)
            return {}
        # said only where it is what the node summed (the rule read the right operand)
        if contribution.shape != arrived.shape or not torch.allclose(
                contribution.sum_to_size(summed.shape).to(summed.dtype), summed,
                rtol=1e-4, atol=1e-6, equal_nan=True):
            return {}
    return {"grad_contribution": to_value(contribution, full=full),
            "through": kind[:3].lower()}  # "add", "sub", "mul", "div"


def _alpha(saved: dict[str, object]) -> float:
    alpha = saved.get("_saved_alpha")
    return float(alpha) if isinstance(alpha, (int, float)) else 1.0


SAVED_OPERANDS = ("_saved_self", "_saved_other", "_saved_alpha")
Saved = dict[str, object]
# The gradient at each broadcast position of the operand in input slot 0 or 1 of a node, from
# the gradient that arrived at its result and the node's saved operands: the chain rule
# before the sum over the broadcast positions (which the node does last).
LOCAL_RULES: dict[tuple[str, int], Callable[[Saved, torch.Tensor], torch.Tensor]] = {
    ("AddBackward0", 0): lambda saved, g: g,
    ("AddBackward0", 1): lambda saved, g: g * _alpha(saved),
    ("SubBackward0", 0): lambda saved, g: g,
    ("SubBackward0", 1): lambda saved, g: -g * _alpha(saved),
    ("MulBackward0", 0): lambda saved, g: g * saved["_saved_other"],  # type: ignore[operator]
    ("MulBackward0", 1): lambda saved, g: g * saved["_saved_self"],  # type: ignore[operator]
    ("DivBackward0", 0): lambda saved, g: g / saved["_saved_other"],  # type: ignore[operator]
    ("DivBackward0", 1): lambda saved, g: -g * saved["_saved_self"]  # type: ignore[operator]
    / saved["_saved_other"] ** 2,  # type: ignore[operator]
}


def reduction(outputs: list[torch.Tensor], gradients: list[object] | None
              ) -> tuple[str, int] | None:
    """How the call's one output reduces: a full `.mean()` or `.sum()` (with its element
    count), or `grad_tensors` of all ones (like a `.sum()`); None otherwise."""
    if len(outputs) != 1:
        return None
    output = outputs[0]
    node = output.grad_fn
    kind = {"MeanBackward0": "mean", "SumBackward0": "sum"}.get(type(node).__name__)
    if kind is not None:
        sizes = getattr(node, "_saved_self_sym_sizes", None)
        return (kind, math.prod(int(s) for s in sizes)) if sizes is not None else None
    gradient = gradients[0] if gradients else None
    if isinstance(gradient, torch.Tensor) and output.numel() > 1 and not gradient.is_meta \
            and gradient.shape == output.shape and bool((gradient == 1).all()):
        return "ones", output.numel()
    return None


def reduction_facts(found: tuple[str, int] | None, added: torch.Tensor | None,
                    full: bool) -> Facts:
    """What this call added, and what the other reduction would have added: mean is linear,
    so it is exactly the real grad times (or divided by) the element count."""
    if found is None or added is None or found[1] <= 0 or added.is_meta:
        return {}
    kind, numel = found
    facts: Facts = {"reduction": kind, "reduction_numel": numel,
                             "grad_added": to_value(added, full=full)}
    if kind == "mean":
        facts["grad_with_sum"] = to_value(added * numel, full=full)
    else:
        facts["grad_with_mean"] = to_value(added / numel, full=full)
    return facts


# --- non_finite_grad -------------------------------------------------------------------------

def op_name(node_type: str) -> str:
    """`SqrtBackward0` -> `sqrt`, `LogSoftmaxBackward0` -> `log_softmax`."""
    base = re.sub(r"Backward\d*$", "", node_type) or node_type
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower()


class NonFiniteTracer:
    """Post-hooks on the nodes of one call's graph: the origin of an inf or nan is the first
    node, in execution order, whose incoming gradients are all finite and whose outgoing ones
    are not. Once it is found every hook returns at once."""

    def __init__(self, nodes: list[Node], gradients: list[object] | None,
                 trace: bool = True) -> None:
        self.facts: Facts = {}
        self._nodes = nodes
        self._found = False
        self._origin: tuple[Node, int, list[int], list[int]] | None = None
        self._inputs: list[tuple[object, Node | None]] = []
        given = [g for g in gradients or [] if isinstance(g, torch.Tensor) and not g.is_meta]
        bad = next((found for g in given if (found := is_non_finite(g))), None)
        if bad:
            self.facts = {"origin": "grad_tensors", "produced": bad}
        elif not trace:  # one of a loop's many calls, whose output is finite
            self.facts = {"origin": "not_traced_loop"}
        elif len(nodes) > TRACE_MAX_NODES:
            self.facts = {"origin": "not_traced", "nodes": len(nodes),
                          "trace_limit": TRACE_MAX_NODES}
        self._found = bool(self.facts)

    def watch(self) -> list[RemovableHandle]:
        """Post-hooks on the nodes that may make an inf or nan; their handles, for `unwatch`
        once the call is over (whether it succeeded or failed)."""
        handles: list[RemovableHandle] = []
        try:
            if not self._found:
                for node in self._nodes:  # AccumulateGrad (a leaf's) passes nothing on
                    kind = type(node)
                    if kind.__name__ not in PASS_THROUGH and not hasattr(kind, "variable"):
                        handles.append(node.register_hook(functools.partial(self._hook, node)))
        except BaseException:
            self.unwatch(handles)
            raise
        return handles

    def unwatch(self, handles: list[RemovableHandle]) -> None:
        for handle in handles:
            handle.remove()
        self._nodes = []

    def _hook(self, node: Node, grad_inputs: Grads, grad_outputs: Grads) -> None:
        if self._found:
            return
        try:
            self._check(node, grad_inputs, grad_outputs)
        except Exception:  # a note must never break the user's backward call
            self._found, self._origin, self.facts = True, None, {"origin": "not_found"}

    def _check(self, node: Node, grad_inputs: Grads, grad_outputs: Grads) -> None:
        for slot, grad in enumerate(grad_inputs):
            if not isinstance(grad, torch.Tensor) or _finite(grad):
                continue
            if not all(not isinstance(g, torch.Tensor) or _finite(g) for g in grad_outputs):
                return  # it passed on what it received: not the origin
            self._found = True
            data = grad.detach()
            position = [int(i) for i in (~torch.isfinite(data)).nonzero()[0].tolist()]
            kinds = {found for g in grad_inputs
                     if isinstance(g, torch.Tensor) and (found := is_non_finite(g.detach()))}
            produced = "inf and nan" if len(kinds) > 1 else next(iter(kinds), None)
            name = type(node).__name__
            self.facts = {"origin": "operation", "op": name, "op_name": op_name(name),
                          "produced": produced, "position": position}
            self._origin = (node, slot, position, list(data.shape))
            self._inputs = _inputs(node)
            return

    def finish(self, known: Known) -> Facts:
        """The facts, with the tensors named from `known` (labelled tensors, best first)."""
        if self._origin is None:
            return self.facts or {"origin": "not_found"}
        node, slot, position, shape = self._origin
        self._origin = None  # computed once per call; the node can go
        facts = self.facts
        labelled = known()
        named = [_name(labelled, value, child) for value, child in self._inputs]
        facts["made"] = _name(labelled, None, node)[0]
        facts["grad_for"] = named[slot][0] if slot < len(named) else None
        order = _preference(str(facts["op_name"]), slot, len(named))
        pick = next(((j, found) for j in order
                     if (found := _special(named[j][1], position, shape)) is not None), None)
        if pick is None and slot < len(named):  # nothing at 0 / inf / nan: show the value
            found = _value_at(named[slot][1], position, shape)
            pick = (slot, found) if found is not None else None
        if pick is not None:
            j, (value, where) = pick
            facts.update({"input": named[j][0], "input_value": value, "input_position": where})
        self._inputs = []
        return facts


def _finite(grad: torch.Tensor) -> bool:
    """Every element finite. One reduction: a sum is non-finite whenever an element is (it
    can also overflow on finite elements, so a non-finite sum is checked elementwise)."""
    if not grad.is_floating_point() or grad.layout != torch.strided or grad.is_meta:
        return True
    data = grad.detach()
    return math.isfinite(float(data.sum())) or bool(torch.isfinite(data).all())


def _inputs(node: Node) -> list[tuple[object, Node | None]]:
    """(value, next node) per input slot: a leaf from its AccumulateGrad, else what the node
    saved as self / other (while the hook runs, saved tensors are not yet freed)."""
    saved = ("_saved_self", "_saved_other")
    count = max(len(node.next_functions), 2 if hasattr(node, "_saved_other") else 1)
    result: list[tuple[object, Node | None]] = []
    for slot in range(count):
        child = node.next_functions[slot][0] if slot < len(node.next_functions) else None
        value = getattr(child, "variable", None)
        if not isinstance(value, torch.Tensor) and slot < len(saved):
            try:
                value = getattr(node, saved[slot], None)
            except RuntimeError:  # already freed
                value = None
        result.append((value, child))
    return result


def _name(labelled: list[tuple[str, torch.Tensor]], value: object,
          node: Node | None) -> tuple[str | None, object]:
    """The label of an input (by identity, or as the tensor its node made), and its value."""
    if isinstance(value, torch.Tensor):
        return next((label for label, t in labelled if t is value), None), value
    if node is not None:
        for label, tensor in labelled:
            if tensor.grad_fn is node:
                return label, (value if value is not None else tensor)
    return None, value


def _preference(name: str, slot: int, count: int) -> list[int]:
    """Which inputs may explain a bad gradient for input `slot`, most likely first."""
    if name == "div" and count > 1:
        return [1, 0]  # the denominator
    if name == "mul" and count > 1 and slot < 2:
        return [1 - slot, slot]  # d(a*b)/da is b
    return [slot] + [j for j in range(count) if j != slot]


def _special(value: object, position: list[int], shape: list[int]
             ) -> tuple[float, list[int] | None] | None:
    """(value, position) where the input is 0, inf or nan (at the bad position when the
    shapes agree, else its first such element), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (float(value), None) if _is_special(float(value)) else None
    if not isinstance(value, torch.Tensor) or value.is_meta or value.is_complex() \
            or value.dtype == torch.bool or value.numel() == 0:
        return None
    data = value.detach()
    if list(data.shape) == shape or data.numel() == 1:
        found = _value_at(data, position, shape)
        return found if found is not None and _is_special(found[0]) else None
    floating = data if data.is_floating_point() else data.double()
    where = ((floating == 0) | ~torch.isfinite(floating)).nonzero()
    if not len(where):
        return None
    index = [int(i) for i in where[0].tolist()]
    return float(data[tuple(index)].item()), index


def _value_at(value: object, position: list[int], shape: list[int]
              ) -> tuple[float, list[int] | None] | None:
    if not isinstance(value, torch.Tensor) or value.is_meta or value.is_complex():
        return None
    data = value.detach()
    if data.numel() == 1:
        return float(data.reshape(()).item()), [0] * data.dim() if data.dim() else []
    if list(data.shape) == shape:
        return float(data[tuple(position)].item()), position
    return None


def _is_special(value: float) -> bool:
    return value == 0 or not math.isfinite(value)


# --- one call --------------------------------------------------------------------------------

class NoteHooks:
    """What one backward call shows these notes: set up before it, hooked during it, read
    after it."""

    def __init__(self, outputs: list[torch.Tensor], gradients: list[object] | None,
                 graph: GraphWalk | None, probes: Probes, full: bool,
                 trace: bool = True) -> None:
        """`graph`: the call's graph, whose nodes are watched (None: nothing is hooked)."""
        # How the output reduces is read only for a broadcast_sum note (rare): lazily. The
        # node's saved sizes are plain numbers that backward does not free.
        self._reduction_of = (outputs, gradients)
        self.tracer = NonFiniteTracer(graph.nodes if graph is not None else [], gradients,
                                      trace)
        self._node_ids = graph.node_ids if graph is not None else set()
        self._probes, self._full = probes, full
        self._non_finite: Facts | None = None

    def run(self, action: Callable[[], T]) -> T:
        if self.tracer.facts and not self._probes.pending:  # nothing to watch
            return action()
        chosen, probe_handles = self._probes.watch(self._node_ids, self._full)
        try:
            handles = self.tracer.watch()
            try:
                return action()
            finally:
                self.tracer.unwatch(handles)
        finally:
            self._probes.unwatch(chosen, probe_handles)

    def non_finite_facts(self, known: Known) -> Facts:
        if self._non_finite is None:
            self._non_finite = self.tracer.finish(known)
        return self._non_finite

    def broadcast_facts(self, shape: list[int], result_shape: list[int],
                        probe: BroadcastProbe | None, added: torch.Tensor | None,
                        ledger: bool, grad_was_none: bool) -> Facts:
        facts = broadcast_dims(shape, result_shape)
        if probe is not None and probe.seen:
            facts.update({"grad_arrived": probe.arrived, "grad_summed": probe.summed})
            facts.update(chain_rule(probe, self._full))
        found = reduction_facts(reduction(*self._reduction_of), added, self._full)
        if ledger and found:  # torch.autograd.grad leaves .grad alone: nothing to compare
            facts.update(found, grad_was_none=grad_was_none)
        return facts
