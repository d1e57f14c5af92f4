"""The recorder: what the interpreter reports while it runs (the Hooks), and the backward
calls it performs for it.

A backward call is one `CallInProgress`: it reads the .grad of every tracked tensor (leaves
that require grad, named or labelled by their code, and tensors with retain_grad()), runs the
real PyTorch call, reads the grads again, and from those two reads makes its notes and its
ledger entry (before / added / after). How deep it is recorded is folding's choice
(engine/folding.py): a call kept in full is written into the record at once, a light one
(one of a loop's many alike) only adds its numbers to its group, unless it turns out to
differ in kind; the rules it is read by are the same.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from math import isfinite
from typing import Any, Protocol

import torch

from gradexplain.engine.call_notes import (
    NO_FINDINGS,
    BroadcastEvent,
    Finding,
    NoteBook,
    findings,
    reached_tensors,
)
from gradexplain.engine.callerrors import FREED_KEPT, FreedGraph, call_error
from gradexplain.engine.drawing import Drawing, drawing_data
from gradexplain.engine.folding import (
    LIGHT,
    Folding,
    GroupState,
    NoteKey,
    PrintFolding,
)
from gradexplain.engine.graphwalk import GraphWalk, walk
from gradexplain.engine.madeby import StatementTags
from gradexplain.engine.note_hooks import NoteHooks, Probes, broadcast_probe
from gradexplain.engine.reach import unreachable
from gradexplain.engine.snapshot import (
    NO_BAD,
    Forms,
    GradSnapshot,
    read_after,
    read_before,
    scalar_output,
)
from gradexplain.engine.values import to_value
from gradexplain.errors import GradexplainError
from gradexplain.language.display import show
from gradexplain.language.protocol import BackwardRequest, StatementContext
from gradexplain.record import CallRecord, ErrorInfo, NoteInfo, PrintRecord, ShownValue, Value


@dataclass
class RecorderOptions:
    full: bool = False
    zero_grad: bool = False  # zero every tracked .grad before each call
    force_retain_graph: bool = False  # compare --retain-graph
    dot: bool = False  # record each call's backward graph in views.graph (run --dot)
    calls_all: bool = False  # --calls all: keep every call and print in full (no folding)
    keep_calls: frozenset[int] = frozenset()  # call numbers kept in full (named by expect:)
    # views each call shows (--graph, --jacobian, --check-numeric): no call is folded away
    # (--why derives a statement's first calls only, so folding stays)
    views: bool = False


@dataclass
class Tracked:
    """A tensor the recorder tracks (a leaf that requires grad, or one with retain_grad())."""

    ref: weakref.ReferenceType[torch.Tensor]
    label: str
    named: bool = False
    retained: bool = False
    code: str | None = None  # the code that made it, when it was seen before it was named


Live = list[tuple[str, torch.Tensor, Tracked]]  # tracked tensors alive: label, tensor, entry
# What a call returns: autograd.grad's gradients, None for backward.
Result = tuple[torch.Tensor | None, ...] | None


class WatchedCall(Protocol):
    def perform(self, call: CallRecord, action: Callable[[], Result]) -> Result: ...


class CallWatcher(Protocol):
    """Wraps each real call (engine.deeper.DeeperViews, a numeric re-run's stopper)."""

    def start(self, request: BackwardRequest,
              tracked: Sequence[tuple[str, torch.Tensor, object]]) -> WatchedCall: ...


BroadcastKey = tuple[str, str, int | None, tuple[int, ...], tuple[int, ...]]
# The last few calls kept: their number, the ids of their graph's nodes, the leaves reached.
CallLeaves = tuple[int, set[int], list[str]]
DETACHING = ("detach", "detach_", "data")  # operations whose result leaves the graph


@dataclass
class Recorder:
    """Implements the interpreter's Hooks; collects calls, prints, shown values and notes."""

    options: RecorderOptions = field(default_factory=RecorderOptions)
    calls: list[CallRecord] = field(default_factory=list)  # calls kept in full (folding)
    call_count: int = 0
    seq: int = 0  # numbers calls, prints and shown values in the order they happen
    prints: list[PrintRecord] = field(default_factory=list)
    shown_values: list[ShownValue] = field(default_factory=list)
    notes: list[NoteInfo] = field(default_factory=list)
    tracked: dict[int, Tracked] = field(default_factory=dict)
    # One event per (operand, operation, statement): a loop re-runs the same broadcast each
    # iteration, and the newest event stands for it (the older graphs are gone).
    broadcasts: dict[BroadcastKey, BroadcastEvent] = field(default_factory=dict)
    # The graphs recent calls freed (for the freed_graph error): a loop frees one per
    # iteration, and only a graph the user still holds can be backpropagated again.
    freed: deque[FreedGraph] = field(default_factory=lambda: deque(maxlen=FREED_KEPT))
    no_grad_reasons: dict[str, str] = field(default_factory=dict)  # name -> why no grad_fn
    deeper: CallWatcher | None = None  # --jacobian, --check-numeric, --graph (engine.deeper)
    labels: StatementTags | None = None  # which statement named each tensor (--why)
    probes: Probes = field(default_factory=Probes)
    plots: list[dict[str, Any]] = field(default_factory=list)  # d2l.plot calls
    retained_labels: set[str] = field(default_factory=set)
    call_leaves: list[CallLeaves] = field(default_factory=list)
    named: dict[str, weakref.ReferenceType[torch.Tensor]] = field(default_factory=dict)
    forms: Forms = field(default_factory=dict)  # how each small grad is read (snapshot)
    _detached: dict[int, weakref.ReferenceType[torch.Tensor]] = field(default_factory=dict)
    _live_labels: list[tuple[str, Tracked]] | None = None  # live()'s labels, while they stand
    live_labels: tuple[str, ...] = ()  # the labels of live()'s last answer
    # The values the user's code holds (its names, the running function's locals): what
    # decides whether a tensor no name binds is still in view (live()).
    roots: Callable[[], list[object]] | None = None

    def __post_init__(self) -> None:
        self.folding = Folding(self.options)
        self.print_folding = PrintFolding(self.options.calls_all)
        self.notebook = NoteBook(self.notes, self.live, self.named)

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
            if entry is not None:  # the id of a tensor that died: the new one comes last
                del self.tracked[id(tensor)]
            # A name may bind it already (`x = torch.arange(4.)`, then
            # `x.requires_grad_(True)`): it is that name's tensor, not the code's.
            name = next((name for name, ref in reversed(self.named.items())
                         if ref() is tensor), None)
            self.tracked[id(tensor)] = Tracked(weakref.ref(tensor), name or label,
                                               named=name is not None, code=label)
            self._live_labels = None

    def assigned(self, name: str, value: object) -> None:
        if self.labels is not None:
            self.labels.assigned(name, value)
        if not isinstance(value, torch.Tensor):
            if isinstance(value, torch.nn.Module):  # its parameters are leaves named by path
                for path, parameter in value.named_parameters():
                    self.assigned(f"{name}.{path}", parameter)
            return
        # Names label graph nodes (--graph) and the inputs of an op that made an inf or nan.
        named = self.named
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
            # named now, or again under another name once its own no longer binds it
            if not entry.named or ((old := named.get(entry.label)) is not None
                                   and old() is not value):
                entry.label, entry.named = name, True
                self._live_labels = None
        elif value.is_leaf and value.requires_grad:
            if entry is not None:  # the id of a tensor that died: the new one comes last
                del self.tracked[id(value)]
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

    def no_grad_reason(self, tensor: torch.Tensor) -> str | None:
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
        self.retained_labels.add(label)

    def printed(self, context: StatementContext, text: str) -> None:
        text = encodable(text)
        self.print_folding.add(PrintRecord(context.step, text, context.line, self.next_seq()),
                               self.prints)

    def shown(self, context: StatementContext, expression: str, value: object) -> None:
        self.shown_values.append(ShownValue(context.step, expression, encodable(show(value)),
                                            context.line,
                                            self.next_seq()))

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
        noted = self.notebook.noted
        if key in noted:
            return
        noted.add(key)
        # The leaves behind the tensor (they get its gradient), then the other leaves of
        # the last call that went through it (they got gradients from the same call).
        own = self.notebook.labels(walk([tensor]).leaf_ids)
        node = id(tensor.grad_fn) if tensor.grad_fn is not None else None
        call = next((c for c in reversed(self.call_leaves) if node in c[1]), None)
        leaves = own + [leaf for leaf in (call[2] if call else []) if leaf not in own]
        grad_fn = type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None
        self.notes.append(NoteInfo("non_leaf_grad", label, step, {
            "tensor": label, "leaves": leaves, "own_leaves": own, "grad_fn": grad_fn,
            "call": call[0] if call else None}))

    # backward calls ---------------------------------------------------------------------------

    def live(self, outputs: Sequence[torch.Tensor] = ()) -> Live:
        """Tracked tensors in view, labelled uniquely, in the order they were first seen.

        A tensor is in view while its name still binds it; one that no name binds (an
        earlier binding of a rebound name, a leaf made by code) only while the user's
        values or `outputs` (a call's tensors) reach it (engine/reach.py): whether the
        garbage collector has run yet never shows. A name's earlier tensor is labelled by
        the code that made it, so that the name means the tensor it names now."""
        named = self.named
        known = self._live_labels  # the labels stand while every tracked tensor is current
        if known is not None and len(known) == len(self.tracked):
            alive = []
            for label, entry in known:
                tensor = entry.ref()
                if tensor is None or (ref := named.get(entry.label)) is None or \
                        ref() is not tensor:
                    break
                alive.append((label, tensor, entry))
            else:
                return alive
        entries: list[tuple[Tracked, torch.Tensor, bool]] = []  # entry, tensor, current
        for key in list(self.tracked):
            entry = self.tracked[key]
            tensor = entry.ref()
            if tensor is None:
                del self.tracked[key]
                continue
            current = entry.named and (ref := named.get(entry.label)) is not None and \
                ref() is tensor
            entries.append((entry, tensor, current))
        doubted = [tensor for _, tensor, current in entries if not current]
        if doubted and self.roots is not None:
            gone = unreachable(self.roots(), outputs, doubted)
            entries = [e for e in entries if id(e[1]) not in gone]
        taken = {entry.label for entry, _, current in entries if current}
        result: Live = []
        seen: dict[str, int] = {}
        for entry, tensor, current in entries:
            label = entry.label if current or not entry.named else entry.code or entry.label
            if not current:
                seen[label] = seen.get(label, 1 if label in taken else 0) + 1
                if seen[label] > 1:
                    label = f"{label} #{seen[label]}"
            result.append((label, tensor, entry))
        self._live_labels = None if doubted else [(label, entry) for label, _, entry in result]
        self.live_labels = tuple([label for label, _, _ in result])
        return result

    def backward(self, request: BackwardRequest) -> Result:
        """Run one backward / autograd.grad call and record it, as deep as its group says
        (engine/folding.py): see CallInProgress."""
        self.call_count = index = self.call_count + 1
        return CallInProgress.perform(self, request, index)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def gradient_value(self, gradients: list[Any] | None) -> Value:
        """A call's grad_tensors as its ledger shows them."""
        if gradients is None:
            return None
        values = [to_value(g, full=self.options.full) if isinstance(g, torch.Tensor) else g
                  for g in gradients]
        return values[0] if len(values) == 1 else values

    def graph_rebuilt_notes(self, repeat: int) -> None:
        """One note per statement whose backward ran on a freshly built graph more than once."""
        self.notes += self.folding.graph_rebuilt_notes(repeat)


@dataclass
class Watched:
    """What a call sets up around itself when it may need it: its graph, looked up before
    it runs, the notes' hooks on it, its ledger entry when the deeper views write into it
    while it runs, and its drawing (--dot)."""

    graph: GraphWalk
    hooks: NoteHooks
    record: CallRecord | None = None
    drawn: Drawing | None = None


NO_NOTES: frozenset[NoteKey] = frozenset()
NEW = object.__new__


class CallInProgress:
    """One backward call, from the interpreter's request to its record.

    `CallInProgress.perform` reads the tracked grads as they are before the call
    (`before`), performs the real PyTorch call (with the notes' hooks on its graph when it
    may need them), reads the grads again (`after`), and from those two reads finds the
    notes the call makes and its ledger entry. A light call its group finds just like the
    others stays the group's last (`pending`) until a later one replaces it; `entry`
    writes its ledger entry then, at flush."""

    __slots__ = ("after", "before", "error", "group", "index", "labels", "light",
                 "non_finite", "norms", "notes", "output_value", "reached", "recorder",
                 "request", "result", "retain", "seq", "watched")

    # what Folding reads of it (folding.Measured)
    index: int
    labels: tuple[str, ...]
    norms: dict[str, float]
    output_value: float | None
    non_finite: frozenset[str]
    notes: AbstractSet[NoteKey]
    error: bool
    # its own
    recorder: Recorder
    request: BackwardRequest
    group: GroupState
    light: bool  # recorded at light depth (Folding.group_of chose)
    retain: bool | None  # retain_graph as performed (compare --retain-graph forces it)
    seq: int  # its place among the run's calls, prints and shown values
    result: Result  # what it returned (copies of autograd.grad's gradients, once folded)
    before: list[GradSnapshot]  # each tracked grad before the call, in the tracked order
    after: list[GradSnapshot]  # and after it
    reached: list[bool]  # whether the call's graph reached each tracked tensor
    watched: Watched | None  # what watches it while it runs (None: nothing does)

    @staticmethod
    def perform(recorder: Recorder, request: BackwardRequest, index: int) -> Result:
        """Perform call number `index` and record it, as deep as its group says; its result
        (autograd.grad's gradients)."""
        if recorder.options.zero_grad:
            for _, tensor, _ in recorder.live():
                if tensor.grad is not None:
                    tensor.grad.zero_()
        tracked = recorder.live([t for t, _ in (*request.outputs, *(request.inputs or ()))])
        group, depth = recorder.folding.group_of(request.context, index)
        self = NEW(CallInProgress)  # made here, without a call to __init__: once per call
        self.recorder, self.request, self.index, self.group = recorder, request, index, group
        self.light = light = depth is LIGHT
        self.retain = True if recorder.options.force_retain_graph else request.retain_graph
        self.before, holding = read_before(tracked, recorder.forms, light)
        self.labels = recorder.live_labels
        self.output_value = value = scalar_output(request.outputs)
        self.error = False
        # A light call traces inf/nan origins only when the output already is inf or nan;
        # the grad norms after the call show any other (without its origin).
        trace = not light or value is None or not isfinite(value)
        if trace or recorder.broadcasts or recorder.probes.pending or \
                recorder.deeper is not None or recorder.options.dot:
            result = self._watched(tracked, trace)
        else:  # the usual light call: nothing hooked, nothing walked
            recorder.seq = self.seq = recorder.seq + 1
            self.watched = None
            try:
                result = self._perform()
            except (RuntimeError, ValueError, TypeError) as exc:
                raise self._failed(exc, walk([t for t, _ in request.outputs])) from exc
        before = self.before
        self.after, self.norms, bad, written = read_after(tracked, before, recorder.forms,
                                                          light)
        self.non_finite = bad
        watched = self.watched
        found: list[Finding]
        if written and not (holding or bad):
            # A loop's usual call: every rule needs a grad the call did not write into (a
            # grad it wrote into was reached), one that held values before it or one it
            # left non-finite (call_notes.findings), and this call has none.
            self.reached, found = [True] * len(tracked), NO_FINDINGS
        else:
            self.reached = reached = [True] * len(tracked) if written else reached_tensors(
                tracked, before, self.after, request.outputs,
                watched.graph if watched is not None else None)
            found = findings(request.function, tracked, before, self.after, reached)
        if light:
            notes: AbstractSet[NoteKey] = NO_NOTES
            if found:
                settled = recorder.notebook.settled
                notes = {(kind, tracked[at][0]) for kind, at in found
                         if not settled(kind, tracked[at][0])}
            if watched is not None and recorder.broadcasts:
                fresh = recorder.notebook.new_broadcasts(list(recorder.broadcasts.values()),
                                                         watched.graph)
                if fresh:
                    notes = {*notes, *(("broadcast_sum", leaf) for _, leaf in fresh)}
            self.notes = notes
            if not recorder.folding.observe(group, self):
                # Just like its group's others: folded. Its ledger entry is written from
                # its snapshots only if it stays the group's last (Folding.flush); what
                # only the call itself needed is let go of.
                self.result = copied(result) if isinstance(result, tuple) else result
                if watched is not None:
                    self.watched = None
                group.pending = self
                self._finish(None, holding, tracked)
                return result
        self.result = result
        self._kept(tracked, found, holding)
        return result

    @property
    def output_label(self) -> str:
        """The output's label (read by folding for a group's first call only)."""
        outputs = self.request.outputs
        return outputs[0][1] if outputs else ""

    def _watched(self, tracked: Live, trace: bool) -> Result:
        """Perform the call with the notes' hooks on its graph (and the deeper views, the
        drawing)."""
        recorder, request = self.recorder, self.request
        options = recorder.options
        outputs = [t for t, _ in request.outputs]
        graph = walk(outputs, ordered=False)  # looked up, and dropped after the call
        self.seq = recorder.next_seq()
        hooks = NoteHooks(outputs, request.gradients, graph, recorder.probes, options.full,
                          trace)
        watched = self.watched = Watched(graph, hooks)
        if options.dot:
            watched.drawn = drawing_data(outputs, recorder.named,
                                         {id(t): label for label, t, _ in tracked})
        deeper = recorder.deeper
        try:  # the hooks watch only the real call, not the deeper views' own passes
            if deeper is None:
                return hooks.run(self._perform)
            # they write into the call's record while it runs: it is made first
            record = watched.record = self._new_record()
            return deeper.start(request, tracked).perform(
                record, lambda: hooks.run(self._perform))
        except (RuntimeError, ValueError, TypeError) as exc:
            raise self._failed(exc, graph) from exc

    def _kept(self, tracked: Live, found: list[Finding], holding: bool) -> None:
        """A call kept in full: its ledger entry, and the notes it makes (`found`)."""
        recorder, request = self.recorder, self.request
        options = recorder.options
        watched = self.watched
        if watched is None:  # as it would have been set up before the call
            outputs = [t for t, _ in request.outputs]
            # the nodes outlive the call (without their saved tensors)
            watched = Watched(walk(outputs, ordered=False), NoteHooks(
                outputs, request.gradients, None, recorder.probes, options.full, False))
        graph, hooks = watched.graph, watched.hooks
        record = self.entry(watched.record)
        recorder.calls.append(record)
        notebook = recorder.notebook
        made: set[NoteKey] = set()
        for kind, at in found:
            label = tracked[at][0]
            if notebook.write(kind, record, label, self.before[at], self.after[at], hooks):
                made.add((kind, label))
        if recorder.broadcasts:
            positions = {label: at for at, label in enumerate(self.labels)}
            for event, leaf in notebook.new_broadcasts(list(recorder.broadcasts.values()),
                                                       graph):
                where = positions.get(leaf)
                added = None if where is None else \
                    self.after[where].added_to(self.before[where])
                notebook.broadcast_sum(record, event, leaf, added, hooks)
                made.add(("broadcast_sum", leaf))
        # for a later non_leaf_grad note: the leaves this call reached
        recorder.call_leaves = [*recorder.call_leaves[-7:], (self.index, graph.node_ids, [
            label for label, t, _ in tracked if id(t) in graph.leaf_ids])]
        if not self.light:
            self.notes = made
            recorder.folding.observe(self.group, self)
        if watched.drawn is not None:
            record.views.graph = watched.drawn.finish(full=options.full)
        self._finish(record, holding, tracked)

    def entry(self, record: CallRecord | None = None) -> CallRecord:
        """The call's ledger entry, written from its two snapshots (into `record`, when the
        deeper views had it made before the call)."""
        recorder, request = self.recorder, self.request
        full = recorder.options.full
        record = record or self._new_record()
        record.grad_tensors = recorder.gradient_value(request.gradients)
        before, after, added = record.before, record.after, record.added
        for label, old, new, reached in zip(self.labels, self.before, self.after,
                                            self.reached, strict=True):
            before[label] = old.value(full)
            after[label] = new_value = new.value(full)
            if not reached:  # one representation: None, listed as not reached
                added[label] = None
                record.not_reached.append(label)
            elif new.grad is None:
                added[label] = 0
            elif old.grad is None:  # all of .grad is new: one summary
                added[label] = new_value
            else:
                added[label] = to_value(new.added_to(old), full=full)
        result = self.result
        if isinstance(result, tuple) and request.inputs is not None:
            record.results = {lb: to_value(g, full=full)
                              for (_, lb), g in zip(request.inputs, result, strict=False)}
        return record

    def _new_record(self) -> CallRecord:
        """The call's ledger entry before anything is written into it."""
        request = self.request
        context = request.context
        return CallRecord(index=self.index, step=context.step, line=context.line,
                          statement=context.statement, function=request.function,
                          outputs=[label for _, label in request.outputs], grad_tensors=None,
                          retain_graph=bool(self.retain), create_graph=request.create_graph,
                          seq=self.seq)

    def _finish(self, record: CallRecord | None, holding: bool, tracked: Live) -> None:
        """What every successful call leaves for later: its group's graph_rebuilt facts, and
        the graph it freed (for the freed_graph error). `record` is None for a light call;
        `holding`: whether a grad held values before the call (or may have)."""
        request, group = self.request, self.group
        if request.function != "torch.autograd.grad":
            # for the graph_rebuilt note (Folding.graph_rebuilt_notes): a successful call
            group.rebuilt_calls += 1
            group.retained_before_last = group.retained_so_far
            group.retained_so_far = group.retained_so_far and bool(self.retain)
            # (a call that found no grad holding values leaves `zeroed` as it is)
            if group.leaves is None or group.leaf_refs or (group.zeroed and holding):
                self.recorder.folding.zeroing(
                    group, record, self.recorder.retained_labels,
                    dict(zip(self.labels, self.before, strict=True)),
                    {label: tensor for label, tensor, _ in tracked})
        if not (self.retain or request.create_graph):  # backward freed its saved tensors
            roots = []
            for output, _ in request.outputs:
                if (node := output.grad_fn) is not None:
                    roots.append(node)
            context = request.context
            self.recorder.freed.append((self.index, context.statement, context.step, roots))

    def _failed(self, exc: BaseException, graph: GraphWalk) -> GradexplainError:
        """Keep a failed call with its error (a failed call changes no .grad)."""
        recorder, request = self.recorder, self.request
        full = recorder.options.full
        watched = self.watched
        record = watched.record if watched is not None and watched.record is not None \
            else self._new_record()
        record.grad_tensors = recorder.gradient_value(request.gradients)
        record.before = {label: old.value(full) for label, old in zip(self.labels, self.before,
                                                                      strict=True)}
        recorder.calls.append(record)
        if watched is not None and watched.drawn is not None:
            record.views.graph = watched.drawn.finish(full=full)
        outputs = [t for t, _ in request.outputs]
        error = call_error(exc, request, graph, recorder.freed,
                           recorder.no_grad_reasons.get(request.outputs[0][1])
                           or recorder.no_grad_reason(outputs[0]),
                           [lb for lb, t, _ in recorder.live() if t.requires_grad],
                           [(name, t) for name, ref in reversed(recorder.named.items())
                            if (t := ref()) is not None])
        context = request.context
        record.error = ErrorInfo(error.kind, error.message, context.step, context.line,
                                 context.location.col, None, context.statement,
                                 context.location.path, error.hint, error.facts)
        record.after = dict(record.before)
        # what folding sees of it: an error, and no numbers
        self.norms, self.output_value, self.non_finite, self.notes = {}, None, NO_BAD, NO_NOTES
        self.error = True
        recorder.folding.observe(self.group, self)
        return error

    def _perform(self) -> Result:
        request = self.request
        retain = self.retain
        gradients = request.gradients
        if request.function == "backward" and not request.inputs:  # the usual call
            torch.autograd.backward(request.outputs[0][0], gradients[0] if gradients else None,
                                    retain, request.create_graph)
            return None
        outputs = [t for t, _ in request.outputs]
        inputs = [t for t, _ in request.inputs] if request.inputs else None
        if request.function == "torch.autograd.grad":
            return torch.autograd.grad(outputs, inputs or [], grad_outputs=gradients,
                                       retain_graph=retain, create_graph=request.create_graph,
                                       allow_unused=request.allow_unused)
        if request.function == "backward":
            torch.autograd.backward(outputs[0], gradients[0] if gradients else None, retain,
                                    request.create_graph, inputs=inputs)
            return None
        torch.autograd.backward(outputs, grad_tensors=gradients, retain_graph=retain,
                                create_graph=request.create_graph, inputs=inputs)
        return None


def copied(result: tuple[torch.Tensor | None, ...]) -> tuple[torch.Tensor | None, ...]:
    """autograd.grad's results as they are now (copies of its tensors)."""
    return tuple(g.detach().clone() if isinstance(g, torch.Tensor) else g for g in result)


def encodable(text: str) -> str:
    """Lone surrogates ("\\ud800") written as escapes: no stream or JSON encoder takes them."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
