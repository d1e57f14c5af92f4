"""The notes a recorded call makes (accumulated, no_gradient, non_finite_grad, broadcast_sum)
and its ledger's after / added: the recorder's part that reads a call once it has run.

A mixin of engine.recorder.Recorder, which holds the state these methods read and write."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import torch

from gradexplain.engine.callmeasure import any_nonzero
from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.engine.notes_depth import CallDepth
from gradexplain.engine.recorder_parts import (
    BroadcastEvent,
    RecorderOptions,
    Tracked,
    numel,
    reached,
)
from gradexplain.engine.values import grad_added, is_non_finite, non_finite_positions, to_value
from gradexplain.record import CallRecord, NoteInfo


class CallNotes:
    """Writes a kept call's after / added and the notes it makes."""

    options: RecorderOptions
    notes: list[NoteInfo]
    broadcasts: dict[tuple[Any, ...], BroadcastEvent]
    _depth: CallDepth | None
    _noted: set[tuple[Any, ...]]
    _named: dict[str, weakref.ReferenceType[torch.Tensor]]

    if TYPE_CHECKING:
        def live(self) -> list[tuple[str, torch.Tensor, Tracked]]: ...

    def _label_of(self, tensor: torch.Tensor, fallback: str) -> str:
        return next((label for label, t, _ in self.live() if t is tensor), fallback)

    def _labels(self, leaf_ids: set[int]) -> list[str]:
        return [label for label, tensor, _ in self.live() if id(tensor) in leaf_ids]

    def _after_call(self, call: CallRecord, tracked: list[tuple[str, torch.Tensor, Tracked]],
                    before: dict[str, torch.Tensor | None], graph: GraphWalk) -> None:
        added_by: dict[str, torch.Tensor] = {}
        for label, tensor, entry in tracked:
            after = tensor.grad
            old = before[label]
            added = grad_added(old, after)
            call.after[label] = to_value(after, full=self.options.full)
            if not reached(tensor, graph):  # one representation: None, listed as not reached
                call.added[label] = None
                call.not_reached.append(label)
            elif added is None:
                call.added[label] = 0
            elif old is None or old.shape != added.shape:  # all of .grad is new: one summary
                call.added[label] = call.after[label]
            else:
                call.added[label] = to_value(added, full=self.options.full)
            if added is not None:
                added_by[label] = added
            self._notes_for(call, label, tensor, entry, old, added, after, graph)
        self._broadcast_notes(call, graph, added_by)

    def _notes_for(self, call: CallRecord, label: str, tensor: torch.Tensor, entry: Tracked,
                   old: torch.Tensor | None, added: torch.Tensor | None,
                   after: torch.Tensor | None, graph: GraphWalk) -> None:
        connected = reached(tensor, graph)
        if call.function == "torch.autograd.grad":
            return
        if not connected and tensor.is_leaf and tensor.requires_grad:
            key = ("no_gradient", label)
            if key not in self._noted:
                self._noted.add(key)
                # One note per call, naming every leaf it did not reach.
                same = next((n for n in self.notes if n.kind == "no_gradient"
                             and n.call == call.index), None)
                if same is not None:
                    same.facts["tensors"].append(label)
                else:
                    self.notes.append(NoteInfo("no_gradient", label, call.step, {
                        "tensor": label, "tensors": [label], "call": call.index,
                        "output": ", ".join(call.outputs)}, call.index))
            return
        if old is not None and added is not None and any_nonzero(added) and \
                any_nonzero(old):
            # One note per tensor: later calls that add to it again are listed in it.
            first = next((n for n in self.notes if n.kind == "accumulated"
                          and n.tensor == label), None)
            if first is not None:
                first.facts.setdefault("again", []).append(call.index)
                return
            # A second tensor of the same call (w, then b): "also", the rule is said once.
            also = any(n.kind == "accumulated" and n.facts.get("call") == call.index
                       for n in self.notes)
            self.notes.append(NoteInfo("accumulated", label, call.step, {
                "tensor": label, "call": call.index, "before": call.before[label],
                "added": call.added[label], "after": call.after[label],
                **({"also": True} if also else {})}, call.index))
        bad = is_non_finite(added)
        if bad and not is_non_finite(old):
            depth = self._depth.non_finite_facts(self._known) if self._depth else {}
            self.notes.append(NoteInfo("non_finite_grad", label, call.step, {
                "tensor": label, "call": call.index, "value": bad, "op": None, **depth,
                **non_finite_positions(added)}, call.index))

    def _known(self) -> list[tuple[str, torch.Tensor]]:
        """Labelled tensors still alive: tracked ones, then names (newest binding first)."""
        named = [(name, t) for name, ref in reversed(self._named.items())
                 if (t := ref()) is not None]
        return [(label, t) for label, t, _ in self.live()] + named

    def _broadcast_events(self, graph: GraphWalk) -> list[tuple[BroadcastEvent, list[str]]]:
        """The broadcasts that fed this call's graph, with the leaves they reach."""
        found = []
        for event in self.broadcasts.values():
            if event.ref is not None:
                operand = event.ref()
                if operand is None or id(operand) not in graph.leaf_ids:
                    continue
                leaves = [self._label_of(operand, event.label)]
            else:
                if id(event.node) not in graph.node_ids:
                    continue
                leaves = self._labels(walk([], [event.node]).leaf_ids)
            found.append((event, leaves))
        return found

    def _broadcast_pending(self, graph: GraphWalk) -> bool:
        """Whether this call would make a broadcast_sum note not made before."""
        return any(("broadcast_sum", leaf, event.operation) not in self._noted
                   for event, leaves in self._broadcast_events(graph) for leaf in leaves)

    def _broadcast_notes(self, call: CallRecord, graph: GraphWalk,
                         added_by: dict[str, torch.Tensor]) -> None:
        for event, leaves in self._broadcast_events(graph):
            positions = max(numel(event.result_shape) // max(numel(event.shape), 1), 1)
            for leaf in leaves:
                key = ("broadcast_sum", leaf, event.operation)
                if key in self._noted:
                    continue
                self._noted.add(key)
                depth = self._depth.broadcast_facts(
                    event.shape, event.result_shape, event.probe, added_by.get(leaf),
                    call.function != "torch.autograd.grad", call.before.get(leaf) is None,
                ) if self._depth else {}
                self.notes.append(NoteInfo("broadcast_sum", leaf, event.step, {
                    "tensor": leaf, "via": event.label if event.label != leaf else None,
                    "leaf_shape": event.shape, "broadcast_shape": event.result_shape,
                    "positions": positions, "op": event.operation,
                    "output": ", ".join(call.outputs), **depth,
                }, call.index))
