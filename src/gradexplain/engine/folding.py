"""Calls of one statement made over and over (a training loop), kept as running aggregates.

The recorder asks `Folding` which group a call belongs to and whether it may be recorded
lightly (no values snapshotted for display); after the call it reports what it measured
(each tensor's grad norm, the output's value, the notes the call would make) and learns
whether the call differs in kind from the group's earlier calls, in which case it is kept
in full. Memory per group is bounded: a few numbers per tensor and a downsampled series.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


# A lightly recorded call that may turn out to be its group's last: what `Folding.writer`
# makes its ledger entry from (copies of its grads, taken when it ran). A tuple: one is made
# per call.
Pending = tuple[Any, ...]


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
    seen_notes: set[tuple[str, str | None]] = field(default_factory=set)
    notes: dict[str, int] = field(default_factory=dict)
    shown: list[int] = field(default_factory=list)
    differing: dict[int, list[str]] = field(default_factory=dict)
    differing_omitted: int = 0
    tensors: dict[str, Series] = field(default_factory=dict)
    output: Series | None = None
    output_label: str = ""
    pending: Pending | None = None
    # graph_rebuilt: successful backward calls, and whether all but the last retained
    rebuilt_calls: int = 0
    retained_so_far: bool = True
    retained_before_last: bool = True
    leaves: list[str] | None = None  # the leaves its first call reached
    zeroed: bool = True  # every later call found their .grad zeroed

    def summary(self) -> CallGroup:
        shown = list(self.shown)
        if self.last not in shown:
            shown.append(self.last)
        return CallGroup(
            self.step, self.line, self.statement, self.calls, self.first, self.last, shown,
            dict(self.differing), self.differing_omitted,
            self.output.trend(self.output_label) if self.output is not None else None,
            [series.trend(label) for label, series in self.tensors.items()], dict(self.notes))


@dataclass
class Measured:
    """What one call showed, for deciding whether it differs from its group's others."""

    labels: tuple[str, ...]
    norms: dict[str, float]  # grad norm after the call, per tensor with a grad
    output: float | None  # the output's value, when it is a single number
    non_finite: frozenset[str]
    notes: set[tuple[str, str | None]]  # (kind, tensor) of the notes the call makes
    error: bool = False


class Folding:
    """Groups of calls by statement; decides which calls are kept in full."""

    def __init__(self, keep_all: bool = False, keep: frozenset[int] = frozenset()) -> None:
        self.keep_all = keep_all
        self.keep = keep  # call numbers an `expect:` names: always kept in full
        self.groups: dict[GroupKey, GroupState] = {}
        self._context: Any = None  # the statement context of the last call, and its group
        self._group: GroupState | None = None
        self.writer: Callable[..., CallRecord] | None = None  # a Pending's ledger entry

    def group_of(self, context: Any, index: int) -> tuple[GroupState, bool]:
        """The group of a statement context (language.protocol.StatementContext: frozen, one
        per statement, so a loop's calls find their group without building its key), and
        whether call `index` may be recorded lightly: without snapshotting values for display
        (past the first CALL_CAP calls, once its group has made FOLD_AFTER)."""
        group = self._group
        if context is not self._context or group is None:
            group = self._group = self.group(context.step, context.line, context.statement,
                                             index)
            self._context = context
        return group, not self.keep_all and index > CALL_CAP and \
            group.calls >= FOLD_AFTER and index not in self.keep

    def group(self, step: int | None, line: int | None, statement: str,
              index: int) -> GroupState:
        key = (step, line, statement)
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = GroupState(step, line, statement, index)
        return found

    def fold(self, group: GroupState, index: int, labels: tuple[str, ...],
             norms: dict[str, float], output: float | None, non_finite: frozenset[str],
             notes: set[tuple[str, str | None]], output_label: str) -> bool:
        """A lightly recorded call: add its numbers to its group, True when it is just like
        the group's earlier calls (as `observe` would find; else `observe` takes it and it
        is kept in full: False)."""
        if not group.calls or labels != group.labels or non_finite != group.non_finite or \
                not notes <= group.seen_notes:
            return not self.observe(group, index, Measured(labels, norms, output, non_finite,
                                                           notes), output_label)
        group.calls += 1
        group.last = index
        for kind, _ in notes:
            group.notes[kind] += 1
        tensors = group.tensors
        for label, norm in norms.items():  # Series.add, inlined: once per tensor per call
            series = tensors.get(label)
            if series is None:
                series = tensors[label] = Series()
            buffer = series._buffer
            buffer.append(norm)
            if len(buffer) >= BUFFERED:
                series._fold()
        if output is not None:
            series = group.output
            if series is None:
                series = group.output = Series()
                group.output_label = output_label
            buffer = series._buffer
            buffer.append(output)
            if len(buffer) >= BUFFERED:
                series._fold()
        group.pending = None
        return True

    def observe(self, group: GroupState, index: int, measured: Measured,
                output_label: str) -> list[str]:
        """Add one call's numbers to its group; the reasons it differs in kind (if any)."""
        if group.calls and not measured.error and measured.labels == group.labels and \
                measured.non_finite == group.non_finite and \
                measured.notes <= group.seen_notes:  # the usual case: just like the last
            group.calls += 1
            group.last = index
            for kind, _ in measured.notes:
                group.notes[kind] += 1
            self._add_numbers(group, measured, output_label)
            group.pending = None
            return []
        first = group.calls == 0
        group.calls += 1
        group.last = index
        reasons: list[str] = []
        if measured.error:
            reasons.append("error")
        if group.labels is not None and not first:
            old = set(group.labels)
            reasons += [f"appeared:{lb}" for lb in measured.labels if lb not in old]
            reasons += [f"disappeared:{lb}" for lb in group.labels
                        if lb not in measured.labels]
        reasons += [f"non_finite:{lb}" for lb in sorted(measured.non_finite - group.non_finite)]
        fresh = sorted((kind, tensor or "") for kind, tensor in measured.notes
                       if (kind, tensor) not in group.seen_notes)
        if not first:
            reasons += [f"note:{kind}:{tensor}" if tensor else f"note:{kind}"
                        for kind, tensor in fresh]
        group.seen_notes |= measured.notes
        for kind, _ in measured.notes:
            group.notes[kind] = group.notes.get(kind, 0) + 1
        group.labels, group.non_finite = measured.labels, measured.non_finite
        self._add_numbers(group, measured, output_label)
        if first:
            group.shown.append(index)
        elif reasons:
            if len(group.differing) < MAX_DIFFERING or measured.error:
                group.differing[index] = reasons
                group.shown.append(index)
            else:
                group.differing_omitted += 1
                reasons = []
        group.pending = None
        return reasons

    @staticmethod
    def _add_numbers(group: GroupState, measured: Measured, output_label: str) -> None:
        for label, norm in measured.norms.items():
            series = group.tensors.get(label)
            if series is None:
                series = group.tensors[label] = Series()
            series.add(norm)
        if measured.output is not None:
            if group.output is None:
                group.output, group.output_label = Series(), output_label
            group.output.add(measured.output)

    @staticmethod
    def zeroing(group: GroupState, call: CallRecord | None, retained: set[str],
                holds_values: Callable[[str], bool]) -> None:
        """For graph_rebuilt: the leaves the group's first call reached (the parameters), and
        whether every later call found their .grad already zeroed (nothing accumulated):
        `holds_values` says whether a label's grad held anything but zeros before the call.
        `call` is None for a call recorded lightly (no ledger: it reached no leaf it can
        name)."""
        if group.leaves is None:  # the first call: always recorded in full
            group.leaves = [] if call is None else [
                label for label in call.added if label not in call.not_reached
                and label not in retained]
            return
        if group.zeroed:
            group.zeroed = not any(holds_values(label) for label in group.leaves)

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
            }))
        return notes

    def flush(self, kept: list[CallRecord]) -> list[CallRecord]:
        """Write out each group's last call if it was not kept, into `kept` (in call order):
        at the end of a run, or of a REPL entry. Returns `kept`."""
        for group in self.groups.values():
            pending = group.pending
            if pending is None:
                continue
            assert self.writer is not None  # set by whoever records calls lightly
            call = self.writer(*pending)
            indexes = [c.index for c in kept]
            kept.insert(bisect.bisect(indexes, call.index), call)
            group.pending = None
        return kept

    def summaries(self, since: int = 0) -> list[CallGroup]:
        """Each group's summary (only those with a call after call number `since`)."""
        return [group.summary() for group in self.groups.values() if group.last > since]


class PrintFolding:
    """Prints per statement: every one up to PRINT_CAP (or all), then only the last."""

    def __init__(self, keep_all: bool = False) -> None:
        self.keep_all = keep_all
        self.groups: dict[tuple[int | None, int | None], list[Any]] = {}  # [count, kept, last]

    def add(self, record: PrintRecord, kept: list[PrintRecord]) -> None:
        key = (record.step, record.line)
        state = self.groups.get(key)
        if state is None:
            state = self.groups[key] = [0, 0, None]
        state[0] += 1
        if self.keep_all or state[1] < PRINT_CAP:
            state[1] += 1
            kept.append(record)
        else:
            state[2] = record  # the latest one past the cap; written out at the end

    def flush(self, kept: list[PrintRecord]) -> list[PrintRecord]:
        """Write each statement's latest print past the cap into `kept`, in print order."""
        flushed = False
        for state in self.groups.values():
            if state[2] is not None:
                kept.append(state[2])
                state[1] += 1
                state[2] = None
                flushed = True
        if flushed:
            kept.sort(key=lambda p: p.seq)
        return kept

    def summaries(self, keys: set[tuple[int | None, int | None]] | None = None
                  ) -> list[PrintGroup]:
        """Each statement's print count (only those in `keys`, when given)."""
        return [PrintGroup(step, line, state[0], state[1] + (state[2] is not None))
                for (step, line), state in self.groups.items()
                if keys is None or (step, line) in keys]
