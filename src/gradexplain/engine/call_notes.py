"""The notes a backward call makes about the grads it wrote (no_gradient, accumulated,
non_finite_grad, broadcast_sum): each rule once, read from a tracked grad before and after
the call (engine/snapshot.py), at whatever depth the call is recorded.

Both depths find a call's notes by the same rules (`findings`). A call kept in full writes
them (`NoteBook`: one note per tensor, later calls listed in it); a light one only tells its
group which notes it makes, for the group to tell whether it differs in kind from the calls
before it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.engine.note_hooks import BroadcastProbe, NoteHooks
from gradexplain.engine.snapshot import GradSnapshot, any_nonzero
from gradexplain.engine.values import is_non_finite, non_finite_positions
from gradexplain.record import CallRecord, NoteInfo

Live = Sequence[tuple[str, torch.Tensor, object]]  # Recorder.live(): label, tensor, entry


@dataclass
class BroadcastEvent:
    """An operation broadcast a tensor that requires grad (the broadcast_sum note)."""

    # A leaf operand is held weakly; a computed operand by its grad_fn node, because the
    # operand itself is often a temporary (`2*x*x` in `2*x*x + p`) gone before backward.
    ref: weakref.ReferenceType[torch.Tensor] | None
    node: torch.autograd.graph.Node | None
    label: str
    shape: list[int]
    result_shape: list[int]
    operation: str
    step: int | None
    probe: BroadcastProbe | None = None  # the gradients at the broadcasting node, in a call


# --- the rules -------------------------------------------------------------------------------

def reached_tensors(tracked: Live, before: list[GradSnapshot], after: list[GradSnapshot],
                    outputs: list[tuple[torch.Tensor, str]], graph: GraphWalk | None
                    ) -> list[bool]:
    """Whether the call's graph (`graph`, or walked from the call's outputs if need be)
    reached each tracked tensor: a leaf in it, or a node of it. A grad the call wrote into
    (a new one, or the old one at a new version) was reached: that settles the usual case
    without walking the graph."""
    found: list[bool] = []
    for (_, tensor, _), old, new in zip(tracked, before, after, strict=True):
        if new.grad is not None and (new.grad is not old.grad or new.version != old.version):
            found.append(True)
            continue
        if graph is None:
            graph = walk([t for t, _ in outputs], ordered=False)
        found.append(id(tensor) in graph.leaf_ids or (
            tensor.grad_fn is not None and id(tensor.grad_fn) in graph.node_ids))
    return found


def no_gradient(tensor: torch.Tensor, reached: bool) -> bool:
    """The call did not reach a leaf that requires grad: its .grad stays as it was."""
    return not reached and tensor.is_leaf and tensor.requires_grad


def accumulated(before: GradSnapshot, after: GradSnapshot) -> bool:
    """The call added to a grad that already held values, instead of replacing it."""
    holds = before.holds
    if after.grad is None or not (before.holds_values() if holds is None else holds):
        return False
    old, new = before.flat, after.flat
    if old is not None and new is not None:  # both read as numbers
        assert before.form is not None and after.form is not None
        if before.form.shape != after.form.shape:  # all of the grad is new
            return after.holds_values()
        # A difference of two floats is 0 only when they are equal (inf - inf is nan,
        # nonzero, as it is in torch), so no subtraction in the grad's dtype is needed.
        return any(a - b for a, b in zip(new, old, strict=True))
    added = after.added_to(before)
    return added is not None and any_nonzero(added)


def made_non_finite(before: GradSnapshot, after: GradSnapshot) -> bool:
    """The call left inf or nan in a grad that held none before it."""
    finite = after.finite  # known once read after a call
    return not (after.is_finite() if finite is None else finite) and before.is_finite()


Finding = tuple[str, int]  # a note a call makes: its kind, the tracked tensor's position
NO_FINDINGS: list[Finding] = []  # (never appended to)


def findings(function: str, tracked: Live, before: list[GradSnapshot],
             after: list[GradSnapshot], reached: list[bool]) -> list[Finding]:
    """The notes the call makes about each tracked grad, in order. autograd.grad leaves
    .grad alone: it makes none. (Each rule needs a tensor the call did not reach, a grad
    that held values before it or one it left holding inf or nan: a call with none of those
    makes none, and its recorder need not ask.)"""
    if function == "torch.autograd.grad":
        return NO_FINDINGS
    found: list[Finding] = []
    for position, (_, tensor, _) in enumerate(tracked):
        if no_gradient(tensor, reached[position]):
            found.append(("no_gradient", position))
            continue
        old, new = before[position], after[position]
        if accumulated(old, new):
            found.append(("accumulated", position))
        if made_non_finite(old, new):
            found.append(("non_finite_grad", position))
    return found


# --- writing them ----------------------------------------------------------------------------

NotedKey = tuple[str | int | None, ...]  # what a note said once is said for: kind, tensor...


@dataclass
class NoteBook:
    """The run's notes, and what they have said once for all (`noted`)."""

    notes: list[NoteInfo]
    live: Callable[[], Live]
    named: dict[str, weakref.ReferenceType[torch.Tensor]]
    noted: set[NotedKey] = field(default_factory=set)

    def settled(self, kind: str, label: str) -> bool:
        """Whether a finding is already said once for all (no_gradient, per tensor): a light
        call that makes it does not differ for it."""
        return kind == "no_gradient" and ("no_gradient", label) in self.noted

    def write(self, kind: str, call: CallRecord, label: str, before: GradSnapshot,
              after: GradSnapshot, hooks: NoteHooks | None) -> bool:
        """Write a finding of a call kept in full: True when it opened a note of its own (a
        later call that accumulates again is listed in the tensor's note, a second leaf not
        reached in the note of its call)."""
        if kind == "no_gradient":
            key = ("no_gradient", label)
            if key in self.noted:
                return False
            self.noted.add(key)
            same = next((n for n in self.notes if n.kind == "no_gradient"
                         and n.call == call.index), None)
            if same is not None:  # one note per call, naming every leaf it did not reach
                same.facts["tensors"].append(label)
                return False
            self.notes.append(NoteInfo("no_gradient", label, call.step, {
                "tensor": label, "tensors": [label], "call": call.index,
                "output": ", ".join(call.outputs)}, call.index))
            return True
        if kind == "accumulated":
            first = next((n for n in self.notes if n.kind == "accumulated"
                          and n.tensor == label), None)
            if first is not None:  # one note per tensor: later calls are listed in it
                first.facts.setdefault("again", []).append(call.index)
                return False
            # A second tensor of the same call (w, then b): "also", the rule is said once.
            also = any(n.kind == "accumulated" and n.facts.get("call") == call.index
                       for n in self.notes)
            self.notes.append(NoteInfo("accumulated", label, call.step, {
                "tensor": label, "call": call.index, "before": call.before[label],
                "added": call.added[label], "after": call.after[label],
                **({"also": True} if also else {})}, call.index))
            return True
        added = after.added_to(before)
        traced = hooks.non_finite_facts(self.known) if hooks is not None else {}
        self.notes.append(NoteInfo("non_finite_grad", label, call.step, {
            "tensor": label, "call": call.index, "value": is_non_finite(added), "op": None,
            **traced, **non_finite_positions(added)}, call.index))
        return True

    def known(self) -> list[tuple[str, torch.Tensor]]:
        """Labelled tensors still alive: tracked ones, then names (newest binding first)."""
        named = [(name, t) for name, ref in reversed(self.named.items())
                 if (t := ref()) is not None]
        return [(label, t) for label, t, _ in self.live()] + named

    def labels(self, leaf_ids: set[int]) -> list[str]:
        """The labels of the tracked tensors among `leaf_ids`, in the tracked order."""
        return [label for label, tensor, _ in self.live() if id(tensor) in leaf_ids]

    # broadcast_sum ---------------------------------------------------------------------------

    def new_broadcasts(self, events: list[BroadcastEvent], graph: GraphWalk
                       ) -> list[tuple[BroadcastEvent, str]]:
        """The broadcasts that fed this call's graph and are not noted yet, each with a leaf
        it reaches (once per leaf and operation)."""
        found: list[tuple[BroadcastEvent, str]] = []
        seen: set[NotedKey] = set()
        for event in events:
            if event.ref is not None:
                operand = event.ref()
                if operand is None or id(operand) not in graph.leaf_ids:
                    continue
                leaves = [next((label for label, t, _ in self.live() if t is operand),
                               event.label)]
            else:
                if id(event.node) not in graph.node_ids:
                    continue
                assert event.node is not None
                leaves = self.labels(walk([], [event.node]).leaf_ids)
            for leaf in leaves:
                key = ("broadcast_sum", leaf, event.operation)
                if key not in self.noted and key not in seen:
                    seen.add(key)
                    found.append((event, leaf))
        return found

    def broadcast_sum(self, call: CallRecord, event: BroadcastEvent, leaf: str,
                      added: torch.Tensor | None, hooks: NoteHooks | None) -> None:
        self.noted.add(("broadcast_sum", leaf, event.operation))
        positions = max(numel(event.result_shape) // max(numel(event.shape), 1), 1)
        facts = hooks.broadcast_facts(
            event.shape, event.result_shape, event.probe, added,
            call.function != "torch.autograd.grad", call.before.get(leaf) is None,
        ) if hooks is not None else {}
        self.notes.append(NoteInfo("broadcast_sum", leaf, event.step, {
            "tensor": leaf, "via": event.label if event.label != leaf else None,
            "leaf_shape": event.shape, "broadcast_shape": event.result_shape,
            "positions": positions, "op": event.operation,
            "output": ", ".join(call.outputs), **facts,
        }, call.index))


def numel(shape: list[int]) -> int:
    result = 1
    for size in shape:
        result *= size
    return result
