"""Calls of one statement made over and over (a training loop), kept as running aggregates.

The recorder asks `Folding` which group a call belongs to and how deep to record it (a
`Depth`: full, or light past a group's first calls); after the call it reports what it
measured (each tensor's grad norm, the output's value, the notes the call makes) and learns
whether the call differs in kind from the group's earlier calls, in which case a light call
is kept in full after all. Memory per group is bounded: a few numbers per tensor and a
downsampled series.
"""

from __future__ import annotations

import bisect
import math
import weakref
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from gradexplain.engine.snapshot import GradSnapshot
from gradexplain.language.protocol import StatementContext
from gradexplain.record import CallRecord, NoteInfo, PrintRecord
from gradexplain.record_groups import (
    CALL_CAP,
    FOLD_AFTER,
    PRINT_CAP,
    CallGroup,
    PrintGroup,
    Trend,
)

SERIES_POINTS = 256  # points kept per series; pairs are averaged when it fills up
MAX_DIFFERING = 20  # calls kept per group because they differ; past it they are counted
BUFFERED = 256  # numbers a series holds before folding them into its aggregates
ZERO_PLUS = (0.0).__add__  # 0.0 + v: what a one-call point is (-0.0 becomes 0.0)

GroupKey = tuple[int | None, int | None, str]


class Series:
    """A running series of one number per call, with exact first/last/min/max.

    `add` only appends to a short buffer (a loop adds one number per tensor per call); the
    buffer is folded into the aggregates and the downsampled points a batch at a time, by
    builtins, when it fills up or the series is read."""

    __slots__ = (
        "_buffer",
        "_n",
        "_sum",
        "calls",
        "every",
        "first",
        "high",
        "last",
        "low",
        "non_finite",
        "points",
    )

    def __init__(self) -> None:
        self.calls = 0
        self.every = 1
        self.first = self.last = math.nan
        self.low: float | None = None
        self.high: float | None = None
        self.non_finite = 0
        self.points: list[float] = []
        self._sum = 0.0
        self._n = 0
        self._buffer: list[float] = []

    def add(self, value: float) -> None:
        self._buffer.append(value)
        if len(self._buffer) >= BUFFERED:
            self._fold()

    def _fold(self) -> None:
        """Fold the buffered numbers in, as adding them one at a time would have."""
        values, self._buffer = self._buffer, []
        if not values:
            return
        if not self.calls:
            self.first = values[0]
        self.calls += len(values)
        self.last = values[-1]
        finite = list(filter(math.isfinite, values))
        self.non_finite += len(values) - len(finite)
        if finite:
            low, high = min(finite), max(finite)
            if self.low is None or low < self.low:
                self.low = low
            if self.high is None or high > self.high:
                self.high = high
        start = 0
        while start < len(values):
            take = min(self.every - self._n, len(values) - start)
            if take == 1 and self._n == 0 and self.every == 1:  # one point per call
                take = min(len(values) - start, 2 * SERIES_POINTS - len(self.points))
                self.points += map(ZERO_PLUS, values[start:start + take])  # as _sum + v
                start += take
            else:
                self._sum = sum(values[start:start + take], self._sum)  # in call order
                self._n += take
                start += take
                if self._n < self.every:
                    continue
                self.points.append(self._sum / self._n)
                self._sum, self._n = 0.0, 0
            if len(self.points) >= 2 * SERIES_POINTS:  # halve: one point per 2x more calls
                pairs = self.points
                self.points = [(pairs[i] + pairs[i + 1]) / 2 for i in range(0, len(pairs), 2)]
                self.every *= 2

    def trend(self, label: str) -> Trend:
        self._fold()
        points = list(self.points)
        if self._n:
            points.append(self._sum / self._n)
        return Trend(label, self.calls, self.first, self.last, self.low, self.high, points,
                     self.every, self.non_finite)


class Depth(Enum):
    """How much of one backward call is kept: Folding.group_of chooses, the recorder obeys."""

    FULL = "full"  # kept in the record with everything: its ledger entry, its notes
    # folded into its group's series; its ledger entry is written only if it stays the
    # group's last (Folding.flush)
    LIGHT = "light"


NoteKey = tuple[str, str | None]  # a note's kind and the tensor it is about


class Measured(Protocol):
    """What one call showed, for deciding whether it differs from its group's others."""

    index: int
    labels: tuple[str, ...]
    norms: dict[str, float]  # grad norm after the call, per tensor with a grad
    output_value: float | None  # the output's value, when it is a single number
    non_finite: frozenset[str]
    notes: AbstractSet[NoteKey]  # the notes the call makes (not those already said once for all)
    error: bool

    @property
    def output_label(self) -> str:
        """The output's label, for the output's series (read for a group's first call)."""
        ...

    def entry(self) -> CallRecord:
        """Its ledger entry (for a light call that stays its group's last: at flush)."""
        ...


class FoldingOptions(Protocol):
    """The options folding decides from (RecorderOptions)."""

    calls_all: bool  # --calls all: keep every call
    dot: bool  # each call's backward graph is drawn
    views: bool  # each call has its deeper views (--graph, --jacobian, --check-numeric)
    keep_calls: frozenset[int]  # call numbers an `expect:` names


@dataclass
class GroupState:
    step: int | None
    line: int | None
    statement: str
    first: int
    calls: int = 0
    last: int = 0
    labels: tuple[str, ...] | None = None
    non_finite: frozenset[str] = frozenset()
    seen_notes: set[NoteKey] = field(default_factory=set)
    notes: dict[str, int] = field(default_factory=dict)
    shown: list[int] = field(default_factory=list)
    differing: dict[int, list[str]] = field(default_factory=dict)
    differing_omitted: int = 0
    tensors: dict[str, Series] = field(default_factory=dict)
    output: Series | None = None
    output_label: str = ""
    pending: Measured | None = None  # its last call, when light: written out at flush
    # graph_rebuilt: successful backward calls, and whether all but the last retained
    rebuilt_calls: int = 0
    retained_so_far: bool = True
    retained_before_last: bool = True
    leaves: list[str] | None = None  # the leaves its first call reached
    zeroed: bool = True  # every later call found their .grad zeroed
    # Each of those leaves as a tensor, to tell whether a later call's leaf of the same name
    # is the same tensor: a leaf the loop makes anew (`w = torch.tensor(..., requires_grad=
    # True)` inside it) starts each iteration with no grad, and never accumulates across them.
    leaf_refs: dict[str, weakref.ReferenceType[Any]] = field(default_factory=dict)
    recreated: list[str] = field(default_factory=list)  # those leaves a later call made anew

    def summary(self) -> CallGroup:
        shown = list(self.shown)
        if self.last not in shown:
            shown.append(self.last)
        return CallGroup(
            self.step, self.line, self.statement, self.calls, self.first, self.last, shown,
            dict(self.differing), self.differing_omitted,
            self.output.trend(self.output_label) if self.output is not None else None,
            [series.trend(label) for label, series in self.tensors.items()], dict(self.notes))


NO_REASONS: list[str] = []  # a call just like its group's others (never appended to)


class Folding:
    """Groups of calls by statement; decides how deep each call is recorded."""

    def __init__(self, options: FoldingOptions) -> None:
        # Every call is kept in full when every call is asked for, and when each call has
        # views of its own (a drawing, Jacobians, a numeric check, the graph tree).
        self.keep_all = options.calls_all or options.dot or options.views
        self.keep = options.keep_calls  # call numbers an `expect:` names: always kept in full
        self.groups: dict[GroupKey, GroupState] = {}
        self._context: object = None  # the statement context of the last call, and its group
        self._group: GroupState | None = None

    def group_of(self, context: StatementContext, index: int) -> tuple[GroupState, Depth]:
        """The group of a statement context (frozen, one per statement, so a loop's calls
        find their group without building its key), and how deep call `index` is recorded:
        light past the first CALL_CAP calls, once its group has made FOLD_AFTER."""
        group = self._group
        if context is not self._context or group is None:
            group = self._group = self.group(context.step, context.line, context.statement,
                                             index)
            self._context = context
        light = not self.keep_all and index > CALL_CAP and group.calls >= FOLD_AFTER and \
            index not in self.keep
        return group, LIGHT if light else FULL

    def group(self, step: int | None, line: int | None, statement: str,
              index: int) -> GroupState:
        key = (step, line, statement)
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = GroupState(step, line, statement, index)
        return found

    def observe(self, group: GroupState, call: Measured) -> list[str]:
        """Add one call's numbers to its group; the reasons it differs in kind (if any)."""
        if not group.calls or call.error or call.labels != group.labels or \
                call.non_finite != group.non_finite or not call.notes <= group.seen_notes:
            reasons = self._differs(group, call)
        else:  # the usual case: just like the last
            reasons = NO_REASONS
        group.calls += 1
        group.last = call.index
        counts = group.notes
        for kind, _ in call.notes:
            counts[kind] = counts.get(kind, 0) + 1
        tensors = group.tensors
        for label, norm in call.norms.items():  # Series.add, inlined: once per tensor per call
            series = tensors.get(label)
            if series is None:
                series = tensors[label] = Series()
            buffer = series._buffer
            buffer.append(norm)
            if len(buffer) >= BUFFERED:
                series._fold()
        output = call.output_value
        if output is not None:
            series = group.output
            if series is None:
                series = group.output = Series()
                group.output_label = call.output_label
            buffer = series._buffer
            buffer.append(output)
            if len(buffer) >= BUFFERED:
                series._fold()
        group.pending = None
        return reasons

    @staticmethod
    def _differs(group: GroupState, call: Measured) -> list[str]:
        """How a call differs from its group's calls before it (nothing for the first),
        remembered in the group: the call is shown, unless MAX_DIFFERING calls already are."""
        first = group.calls == 0
        index = call.index
        reasons: list[str] = []
        if call.error:
            reasons.append("error")
        if group.labels is not None and not first:
            old = set(group.labels)
            reasons += [f"appeared:{lb}" for lb in call.labels if lb not in old]
            reasons += [f"disappeared:{lb}" for lb in group.labels if lb not in call.labels]
        reasons += [f"non_finite:{lb}" for lb in sorted(call.non_finite - group.non_finite)]
        fresh = sorted((kind, tensor or "") for kind, tensor in call.notes
                       if (kind, tensor) not in group.seen_notes)
        if not first:
            reasons += [f"note:{kind}:{tensor}" if tensor else f"note:{kind}"
                        for kind, tensor in fresh]
        group.seen_notes |= call.notes
        group.labels, group.non_finite = call.labels, call.non_finite
        if first:
            group.shown.append(index)
        elif reasons:
            if len(group.differing) < MAX_DIFFERING or call.error:
                group.differing[index] = reasons
                group.shown.append(index)
            else:
                group.differing_omitted += 1
                reasons = []
        return reasons

    @staticmethod
    def zeroing(group: GroupState, call: CallRecord | None, retained: set[str],
                before: Mapping[str, GradSnapshot], tensors: Mapping[str, object]) -> None:
        """For graph_rebuilt: the leaves the group's first call reached (the parameters), and
        whether every later call found their .grad already zeroed (nothing accumulated):
        `before` holds each label's grad before the call, `tensors` each label's tensor. A
        leaf whose label names another tensor in a later call was made anew by the loop: it
        moves to `recreated` (its grad cannot accumulate across iterations). `call` is None
        for a light call (a group's first call is always recorded in full)."""
        if group.leaves is None:
            group.leaves = [] if call is None else [
                label for label in call.added if label not in call.not_reached
                and label not in retained]
            group.leaf_refs = {label: weakref.ref(tensors[label]) for label in group.leaves
                               if label in tensors}
            return
        if group.leaf_refs:
            for label, ref in list(group.leaf_refs.items()):
                if tensors.get(label) is not ref():
                    del group.leaf_refs[label]
                    group.leaves.remove(label)
                    group.recreated.append(label)
        if group.zeroed:
            group.zeroed = not any((grad := before.get(label)) is not None and
                                   grad.holds_values() for label in group.leaves)

    def graph_rebuilt_notes(self, repeat: int) -> list[NoteInfo]:
        """One note per statement whose backward ran on a freshly built graph more than once."""
        notes = []
        for group in self.groups.values():
            if group.step is None or group.rebuilt_calls < 2 or group.retained_before_last:
                continue
            leaves = group.leaves or []
            notes.append(NoteInfo("graph_rebuilt", None, group.step, {
                "iterations": group.rebuilt_calls,
                "where": "repeat" if repeat > 1 else "loop", "statement": group.statement,
                "leaves": leaves, "zeroed": bool(leaves) and group.zeroed,
                **({"recreated": list(group.recreated)} if group.recreated else {}),
            }))
        return notes

    def flush(self, kept: list[CallRecord]) -> list[CallRecord]:
        """Write out each group's last call if it was not kept, into `kept` (in call order):
        at the end of a run, or of a REPL entry. Returns `kept`."""
        for group in self.groups.values():
            pending = group.pending
            if pending is None:
                continue
            call = pending.entry()
            indexes = [c.index for c in kept]
            kept.insert(bisect.bisect(indexes, call.index), call)
            group.pending = None
        return kept

    def summaries(self, since: int = 0) -> list[CallGroup]:
        """Each group's summary (only those with a call after call number `since`)."""
        return [group.summary() for group in self.groups.values() if group.last > since]


FULL, LIGHT = Depth.FULL, Depth.LIGHT


@dataclass
class PrintCount:
    """One statement's prints: how many it made, how many are kept, the latest past the cap."""

    made: int = 0
    kept: int = 0
    latest: PrintRecord | None = None  # written out at the end (flush)


class PrintFolding:
    """Prints per statement: every one up to PRINT_CAP (or all), then only the last."""

    def __init__(self, keep_all: bool = False) -> None:
        self.keep_all = keep_all
        self.groups: dict[tuple[int | None, int | None], PrintCount] = {}

    def add(self, record: PrintRecord, kept: list[PrintRecord]) -> None:
        key = (record.step, record.line)
        count = self.groups.get(key)
        if count is None:
            count = self.groups[key] = PrintCount()
        count.made += 1
        if self.keep_all or count.kept < PRINT_CAP:
            count.kept += 1
            kept.append(record)
        else:
            count.latest = record

    def flush(self, kept: list[PrintRecord]) -> list[PrintRecord]:
        """Write each statement's latest print past the cap into `kept`, in print order."""
        flushed = False
        for count in self.groups.values():
            if count.latest is not None:
                kept.append(count.latest)
                count.kept += 1
                count.latest = None
                flushed = True
        if flushed:
            kept.sort(key=lambda p: p.seq)
        return kept

    def summaries(self, keys: set[tuple[int | None, int | None]] | None = None
                  ) -> list[PrintGroup]:
        """Each statement's print count (only those in `keys`, when given)."""
        return [PrintGroup(step, line, count.made, count.kept + (count.latest is not None))
                for (step, line), count in self.groups.items()
                if keys is None or (step, line) in keys]
