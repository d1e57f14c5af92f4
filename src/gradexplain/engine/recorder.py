"""The recorder: performs backward calls for the interpreter and writes the ledger and notes.

For every call it snapshots the .grad of every tracked tensor (leaves that require grad, named
or labelled by their code, and tensors with retain_grad()), runs the real PyTorch call, and
records before / added / after. Notes come from what it sees on the way."""

from __future__ import annotations

import functools
import math
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.engine.callerrors import FREED_KEPT, FreedGraph, call_error
from gradexplain.engine.callmeasure import (
    Before,
    Forms,
    as_tensor,
    grad_norms,
    holds_values,
    scalar_output,
    snapshot,
)
from gradexplain.engine.drawing import drawing_data, drawing_finish
from gradexplain.engine.folding import Folding, GroupState, Measured, PrintFolding
from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.engine.lightcall import (
    light_after,
    light_before,
    light_ledger,
)
from gradexplain.engine.notes_depth import CallDepth, Probes, broadcast_probe
from gradexplain.engine.recorder_notes import CallNotes
from gradexplain.engine.recorder_parts import (
    BroadcastEvent,
    RecorderOptions,
    Tracked,
    call_record,
    encodable,
)
from gradexplain.engine.values import to_value
from gradexplain.errors import GradexplainError
from gradexplain.language.display import show
from gradexplain.language.evaluator import BackwardRequest, StatementContext
from gradexplain.record import CallRecord, ErrorInfo, NoteInfo, PrintRecord, ShownValue


@dataclass
class Recorder(CallNotes):
    """Implements the interpreter's Hooks; collects calls, prints, shown values and notes."""

    options: RecorderOptions = field(default_factory=RecorderOptions)
    calls: list[CallRecord] = field(default_factory=list)  # calls kept in full (folding)
    call_count: int = 0
    seq: int = 0  # numbers calls, prints and shown values in the order they happen
    folding: Folding = field(default_factory=Folding)
    prints: list[PrintRecord] = field(default_factory=list)
    shown_values: list[ShownValue] = field(default_factory=list)
    notes: list[NoteInfo] = field(default_factory=list)
    tracked: dict[int, Tracked] = field(default_factory=dict)
    # One event per (operand, operation, statement): a loop re-runs the same broadcast each
    # iteration, and the newest event stands for it (the older graphs are gone).
    broadcasts: dict[tuple[Any, ...], BroadcastEvent] = field(default_factory=dict)
    # The graphs recent calls freed (for the freed_graph error): a loop frees one per
    # iteration, and only a graph the user still holds can be backpropagated again.
    freed: deque[FreedGraph] = field(default_factory=lambda: deque(maxlen=FREED_KEPT))
    no_grad_reasons: dict[str, str] = field(default_factory=dict)  # name -> why no grad_fn
    deeper: Any = None  # engine.deeper.DeeperViews: --jacobian, --check-numeric, --graph
    labels: Any = None  # engine.madeby.StatementTags: which statement named a tensor (--why)
    probes: Probes = field(default_factory=Probes)
    _depth: CallDepth | None = None  # the current call's hooks for the notes (notes_depth)
    _noted: set[tuple[Any, ...]] = field(default_factory=set)
    plots: list[dict[str, Any]] = field(default_factory=list)  # d2l.plot calls
    _retained_labels: set[str] = field(default_factory=set)
    # The last few calls: (index, ids of their graph's nodes, labels of the leaves reached).
    _call_leaves: list[tuple[int, set[int], list[str]]] = field(default_factory=list)
    _named: dict[str, weakref.ReferenceType[torch.Tensor]] = field(default_factory=dict)
    _detached: dict[int, weakref.ReferenceType[torch.Tensor]] = field(default_factory=dict)
    _live_labels: list[tuple[str, Tracked]] | None = None  # live()'s labels, while they stand
    _forms: Forms = field(default_factory=dict)  # how each small grad is read (callmeasure)

    # hooks ----------------------------------------------------------------------------------

    def event(self, context: StatementContext, kind: str, facts: dict[str, Any]) -> None:
        """Something the language reports beyond tensors: a hook call, an optimizer step,
        a custom Function's backward, an autograd.functional result, a legacy API. Noted
        once per statement (a loop repeats it), with how often it happened."""
        if kind == "plot":
            self.plots.append(facts)
            return
        key = (kind, context.step, facts.get("tensor"), facts.get("api"))
        for note in self.notes:
            if note.kind == kind and note.facts.get("key") == key:
                note.facts["count"] = int(note.facts.get("count", 1)) + 1
                return
        self.notes.append(NoteInfo(kind, facts.get("tensor"), context.step,
                                   {**facts, "key": key, "count": 1}))

    def new_tensor(self, tensor: torch.Tensor, label: str) -> None:
        entry = self.tracked.get(id(tensor))
        if entry is None or entry.ref() is not tensor:
            self.tracked[id(tensor)] = Tracked(weakref.ref(tensor), label)
            self._live_labels = None

    def assigned(self, name: str, value: Any) -> None:
        if self.labels is not None:
            self.labels.assigned(name, value)
        if not isinstance(value, torch.Tensor):
            if isinstance(value, torch.nn.Module):  # its parameters are leaves named by path
                for path, parameter in value.named_parameters():
                    self.assigned(f"{name}.{path}", parameter)
            return
        # Names label graph nodes (--graph) and the inputs of an op that made an inf or nan.
        named = self._named
        ref = named.pop(name, None)  # the newest binding of a name comes last
        named[name] = ref if ref is not None and ref() is value else weakref.ref(value)
        if value.requires_grad:
            self.no_grad_reasons.pop(name, None)
        elif not torch.is_grad_enabled():
            self.no_grad_reasons[name] = "no_grad"
        elif self._is_detached(value):
            self.no_grad_reasons[name] = "detached"
        else:
            self.no_grad_reasons[name] = "no_requires_grad"
        entry = self.tracked.get(id(value))
        if entry is not None and entry.ref() is value:
            if not entry.named:
                entry.label, entry.named = name, True
                self._live_labels = None
        elif value.is_leaf and value.requires_grad:
            self.tracked[id(value)] = Tracked(weakref.ref(value), name, named=True)
            self._live_labels = None

    def made_without_grad(self, operation: str, operands: list[Any],
                          result: torch.Tensor) -> None:
        """Remember tensors cut off from the graph by detach()/.data, and what is made of them.

        So that `backward` on one says "detached", not "made only from tensors without grad".
        """
        if not self._detached and operation not in DETACHING:
            return  # the common case (a no_grad update in a loop): nothing detached so far
        cut = operation in DETACHING and any(isinstance(t, torch.Tensor) and t.requires_grad
                                             for t in operands[:1])
        if cut or any(self._is_detached(t) for t in operands if isinstance(t, torch.Tensor)):
            self._detached[id(result)] = weakref.ref(result)

    def _no_grad_reason(self, tensor: torch.Tensor) -> str | None:
        """Why an unnamed output (`pred.sum()`) has no grad_fn, as for a named one."""
        if tensor.requires_grad:
            return None
        if not torch.is_grad_enabled():
            return "no_grad"
        return "detached" if self._is_detached(tensor) else "no_requires_grad"

    def _is_detached(self, tensor: torch.Tensor) -> bool:
        return (found := self._detached.get(id(tensor))) is not None and found() is tensor

    def retained(self, tensor: torch.Tensor, label: str) -> None:
        self.new_tensor(tensor, label)
        self.tracked[id(tensor)].retained = True
        self._retained_labels.add(label)

    def __post_init__(self) -> None:
        self.folding = Folding(self.options.calls_all or self.options.dot,
                               self.options.keep_calls)
        self.print_folding = PrintFolding(self.options.calls_all)
        self.folding.writer = functools.partial(light_ledger, gradient_value=self._gradient_value,
                                                full=self.options.full)

    def printed(self, context: StatementContext, text: str) -> None:
        text = encodable(text)
        self.print_folding.add(PrintRecord(context.step, text, context.line, self._next_seq()),
                               self.prints)

    def shown(self, context: StatementContext, expression: str, value: Any) -> None:
        self.shown_values.append(ShownValue(context.step, expression, encodable(show(value)),
                                            context.line,
                                            self._next_seq()))

    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str,
                  result: torch.Tensor | None = None) -> None:
        leaf = tensor.grad_fn is None
        probe = broadcast_probe(result, tensor)
        if probe is not None:
            self.probes.add(probe)
        key = (label, operation, context.step, tuple(tensor.shape), tuple(result_shape))
        self.broadcasts.pop(key, None)
        self.broadcasts[key] = BroadcastEvent(weakref.ref(tensor) if leaf else None,
                                              None if leaf else tensor.grad_fn, label,
                                              list(tensor.shape), result_shape, operation,
                                              context.step, probe)

    def read_non_leaf_grad(self, context: StatementContext, tensor: torch.Tensor,
                           label: str) -> None:
        self._non_leaf_note(tensor, label, context.step)

    def expected_grad(self, tensor: torch.Tensor, label: str) -> None:
        """An `expect:` names this tensor's grad: a non-leaf gets its note once."""
        if not any(n.kind == "non_leaf_grad" and n.tensor == label for n in self.notes):
            self._non_leaf_note(tensor, label, None)

    def _non_leaf_note(self, tensor: torch.Tensor, label: str, step: int | None) -> None:
        if tensor.is_leaf or tensor.retains_grad:
            return
        key = ("non_leaf_grad", label, step)
        if key in self._noted:
            return
        self._noted.add(key)
        # The leaves behind the tensor (they get its gradient), then the other leaves of
        # the last call that went through it (they got gradients from the same call).
        own = self._labels(walk([tensor]).leaf_ids)
        node = id(tensor.grad_fn) if tensor.grad_fn is not None else None
        call = next((c for c in reversed(self._call_leaves) if node in c[1]), None)
        leaves = own + [leaf for leaf in (call[2] if call else []) if leaf not in own]
        grad_fn = type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None
        self.notes.append(NoteInfo("non_leaf_grad", label, step, {
            "tensor": label, "leaves": leaves, "own_leaves": own, "grad_fn": grad_fn,
            "call": call[0] if call else None}))

    # the ledger -----------------------------------------------------------------------------

    def live(self) -> list[tuple[str, torch.Tensor, Tracked]]:
        """Tracked tensors still alive, labelled uniquely, in the order they were first seen."""
        known = self._live_labels  # the labels stand while no entry is added, renamed or dies
        if known is not None and len(known) == len(self.tracked):
            alive = []
            for label, entry in known:
                tensor = entry.ref()
                if tensor is None:
                    break
                alive.append((label, tensor, entry))
            else:
                return alive
        result: list[tuple[str, torch.Tensor, Tracked]] = []
        seen: dict[str, int] = {}
        for key in list(self.tracked):
            entry = self.tracked[key]
            tensor = entry.ref()
            if tensor is None:
                del self.tracked[key]
                continue
            label = entry.label
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label = f"{label} #{seen[label]}"
            result.append((label, tensor, entry))
        self._live_labels = [(label, entry) for label, _, entry in result]
        return result

    def backward(self, request: BackwardRequest) -> Any:
        """Run one backward / autograd.grad call and record its ledger entry (or fold it into
        its statement's group when it is one of many alike, see engine/folding.py).

        A training loop makes one call per iteration, nearly all of them light ones that walk
        and hook nothing: their way through here is written out, in as few calls as it takes."""
        self.call_count = index = self.call_count + 1
        options = self.options
        retain = True if options.force_retain_graph else request.retain_graph
        if options.zero_grad:
            for _, tensor, _ in self.live():
                if tensor.grad is not None:
                    tensor.grad.zero_()
        tracked = self.live()
        group, light = self.folding.group_of(request.context, index)
        if light:
            before, marks, holding = light_before(tracked, self._forms)
        else:
            before, marks, holding = snapshot(tracked), [], None
        outputs = request.outputs
        output_value = scalar_output(outputs)
        # A loop's lightly recorded calls trace inf/nan origins only when the output already
        # is inf or nan; the grad norms after the call show any other (without its origin).
        trace = not light or output_value is None or not math.isfinite(output_value)
        # The graph is walked for the notes' hooks; a light call that needs none skips it
        # (it tells which leaves a call reached from their grads' version counters).
        graph: GraphWalk | None
        if trace or self.broadcasts or self.probes.pending or self.deeper is not None or \
                options.dot:
            result, seq, graph, call, drawn = self._hooked(request, index, group, tracked,
                                                           before, retain, light, trace)
        else:  # the usual light call: nothing hooked, nothing walked
            graph = call = drawn = None
            self.seq = seq = self.seq + 1
            try:
                result = self._perform(request, retain)
            except (RuntimeError, ValueError, TypeError) as exc:
                raise self._failed(request, index, group, before, seq, exc,
                                   walk([t for t, _ in outputs]), None, None) from exc
        if light:
            norms, bad, notes, after, missed = light_after(request.function, tracked, before,
                                                           marks, self._noted, self._forms)
            if graph is not None and self.broadcasts and self._broadcast_pending(graph):
                notes.add(("broadcast_sum", None))
            labels = tuple(before)
            # Folded into its group unless it differs in kind; its ledger entry is written
            # later, from its copies, if it stays the group's last (Folding.flush).
            if self.folding.fold(group, index, labels, norms, output_value, bad, notes,
                                 outputs[0][1] if outputs else ""):
                group.pending = (request, index, bool(retain), seq, before, after, missed,
                                 copied(result) if isinstance(result, tuple) else result)
                self._after(request, index, group, None, before, holding or [], retain)
                self._depth = None
                return result
            measured = Measured(labels, norms, output_value, bad, notes)
        else:
            norms, bad = grad_norms(tracked)
            measured = Measured(tuple(before), norms, output_value, bad, set())
        return self._keep(request, index, group, tracked, before, holding, retain, result,
                          seq, measured, light, call, graph, trace, drawn)

    def _hooked(self, request: BackwardRequest, index: int, group: GroupState,
                tracked: list[tuple[str, torch.Tensor, Tracked]], before: dict[str, Before],
                retain: bool | None, light: bool, trace: bool
                ) -> tuple[Any, int, GraphWalk, CallRecord | None, Any]:
        """Perform a call with the notes' hooks on its graph (and the deeper views, the
        drawing): its result, seq, graph, ledger entry (when made before) and drawing data."""
        outputs = [t for t, _ in request.outputs]
        graph = walk(outputs, ordered=False)  # looked up, and dropped after the call
        seq = self._next_seq()
        # A light call's record is made only if it is kept, or written out as a group's last.
        call = None if light else self._write_before(
            call_record(request, index, bool(retain), seq), before, request)
        drawn = drawing_data(outputs, self._named, {id(t): label for label, t, _ in tracked}) \
            if self.options.dot else None
        depth = self._depth = CallDepth(outputs, request.gradients, graph.nodes,
                                        graph.node_ids, self.probes, self.options.full, trace)
        try:  # the hooks watch only the real call, not the deeper views' own passes
            if self.deeper is None:
                result = depth.run(lambda: self._perform(request, retain))
            else:
                call = call or call_record(request, index, bool(retain), seq)
                result = self.deeper.start(request, tracked).perform(
                    call, lambda: depth.run(lambda: self._perform(request, retain)))
        except (RuntimeError, ValueError, TypeError) as exc:
            raise self._failed(request, index, group, before, seq, exc, graph, drawn,
                               call) from exc
        return result, seq, graph, call, drawn

    def _keep(self, request: BackwardRequest, index: int, group: GroupState,
              tracked: list[tuple[str, torch.Tensor, Tracked]], before: dict[str, Before],
              holding: list[str] | None, retain: bool | None, result: Any, seq: int,
              measured: Measured, light: bool, call: CallRecord | None,
              graph: GraphWalk | None, trace: bool, drawn: Any) -> Any:
        """A call kept in full: its ledger entry and the notes it makes."""
        outputs = [t for t, _ in request.outputs]
        call = call or self._write_before(call_record(request, index, bool(retain), seq),
                                          before, request)
        self.calls.append(call)
        if graph is None:  # the nodes outlive the call (without their saved tensors)
            graph = walk(outputs, ordered=False)
            # as it would have been made before the call (nothing hooked)
            self._depth = CallDepth(outputs, request.gradients, [], set(), self.probes,
                                    self.options.full, trace)
        mark = len(self.notes)
        self._after_call(call, tracked, {lb: as_tensor(b) for lb, b in before.items()}, graph)
        # for a later non_leaf_grad note: the leaves this call reached
        self._call_leaves = [*self._call_leaves[-7:], (index, graph.node_ids, [
            label for label, t, _ in tracked if id(t) in graph.leaf_ids])]
        if not light:
            measured.notes = {(n.kind, n.tensor) for n in self.notes[mark:]}
            self.folding.observe(group, index, measured,
                                 request.outputs[0][1] if request.outputs else "")
        if isinstance(result, tuple) and request.inputs is not None:
            call.results = {lb: to_value(g, full=self.options.full)
                            for (_, lb), g in zip(request.inputs, result, strict=False)}
        self._depth = None
        if drawn is not None:
            call.views.graph = drawing_finish(*drawn, full=self.options.full)
        self._after(request, index, group, call, before, holding, retain)
        return result

    def _after(self, request: BackwardRequest, index: int, group: GroupState,
               call: CallRecord | None, before: dict[str, Before], holding: list[str] | None,
               retain: bool | None) -> None:
        """What every successful call leaves for later: the group's graph_rebuilt facts,
        and the graph it freed (for the freed_graph error). `holding`: the labels whose
        grad held values before the call, when known (a light call's)."""
        if request.function != "torch.autograd.grad":
            # for the graph_rebuilt note (Folding.graph_rebuilt_notes): a successful call
            group.rebuilt_calls += 1
            group.retained_before_last = group.retained_so_far
            group.retained_so_far = group.retained_so_far and bool(retain)
            if group.leaves is None or (group.zeroed and holding is None):
                self.folding.zeroing(group, call, self._retained_labels,
                                     lambda label: holds_values(before.get(label)))
            elif group.zeroed and holding:
                self.folding.zeroing(group, call, self._retained_labels,
                                     holding.__contains__)
        if not (retain or request.create_graph):  # backward freed this graph's saved tensors
            roots = []
            for output, _ in request.outputs:
                if (node := output.grad_fn) is not None:
                    roots.append(node)
            context = request.context
            self.freed.append((index, context.statement, context.step, roots))

    def _failed(self, request: BackwardRequest, index: int, group: GroupState,
                before: dict[str, Before], seq: int, exc: BaseException, graph: GraphWalk,
                drawn: Any, call: CallRecord | None) -> GradexplainError:
        """Keep a failed call with its error (a failed call changes no .grad)."""
        call = call or self._write_before(
            call_record(request, index, bool(request.retain_graph or
                                             self.options.force_retain_graph), seq),
            before, request)
        self.calls.append(call)
        if drawn is not None:
            call.views.graph = drawing_finish(*drawn, full=self.options.full)
        outputs = [t for t, _ in request.outputs]
        error = call_error(exc, request, graph, self.freed,
                           self.no_grad_reasons.get(request.outputs[0][1])
                           or self._no_grad_reason(outputs[0]),
                           [lb for lb, t, _ in self.live() if t.requires_grad],
                           [(name, t) for name, ref in reversed(self._named.items())
                            if (t := ref()) is not None])
        context = request.context
        call.error = ErrorInfo(error.kind, error.message, context.step, context.line,
                               context.location.col, None, context.statement,
                               context.location.path, error.hint, error.facts)
        call.after = dict(call.before)
        self._depth = None
        self.folding.observe(group, index, Measured(tuple(before), {}, None, frozenset(),
                                                    set(), error=True), "")
        return error

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def _write_before(self, call: CallRecord, before: dict[str, Before],
                      request: BackwardRequest) -> CallRecord:
        call.grad_tensors = self._gradient_value(request.gradients)
        call.before = {label: to_value(as_tensor(g), full=self.options.full)
                       for label, g in before.items()}
        return call

    def _perform(self, request: BackwardRequest, retain: bool | None) -> Any:
        if request.function == "backward" and not request.inputs:  # the usual call
            gradients = request.gradients
            request.outputs[0][0].backward(  # type: ignore[no-untyped-call]
                gradients[0] if gradients else None, retain_graph=retain,
                create_graph=request.create_graph, inputs=None)
            return None
        outputs = [t for t, _ in request.outputs]
        gradients = request.gradients
        inputs = [t for t, _ in request.inputs] if request.inputs else None
        if request.function == "torch.autograd.grad":
            return torch.autograd.grad(outputs, inputs or [], grad_outputs=gradients,
                                       retain_graph=retain, create_graph=request.create_graph,
                                       allow_unused=request.allow_unused)
        if request.function == "backward":
            outputs[0].backward(  # type: ignore[no-untyped-call]
                                gradients[0] if gradients else None, retain_graph=retain,
                                create_graph=request.create_graph, inputs=inputs)
            return None
        torch.autograd.backward(outputs, grad_tensors=gradients, retain_graph=retain,
                                create_graph=request.create_graph, inputs=inputs)
        return None

    def _gradient_value(self, gradients: list[Any] | None) -> Any:
        if gradients is None:
            return None
        values = [to_value(g, full=self.options.full) if isinstance(g, torch.Tensor) else g
                  for g in gradients]
        return values[0] if len(values) == 1 else values

    def graph_rebuilt_notes(self, repeat: int) -> None:
        """One note per statement whose backward ran on a freshly built graph more than once."""
        self.notes += self.folding.graph_rebuilt_notes(repeat)


DETACHING = ("detach", "detach_", "data")  # operations whose result leaves the graph


def copied(result: tuple[Any, ...]) -> tuple[Any, ...]:
    """autograd.grad's results as they are now (copies of its tensors)."""
    return tuple(g.detach().clone() if isinstance(g, torch.Tensor) else g for g in result)
