"""`--check-numeric` for code (a .py file, or YAML steps): finite differences by re-running it.

Code has no expression to re-evaluate, and a backward call's output is a function of its
leaves only through everything the code did before the call (loops, updates, prints). So each
check runs the whole scenario again in a fresh session, from the same seed, up to the call:
once as it is (the probe: it must reproduce the call's output, and it finds the leaves), then
twice per leaf element with that element moved by +-eps at the moment the leaf takes the value
it has at the call (engine/float64_replay), all in float64. The call's output weighted by its
grad_tensors, sum(v * output), gives central differences element by element.

Bounded: only the first CALLS_CHECKED calls are checked, at most MAX_RERUNS re-runs for the
whole scenario, each leaf at most --jacobian-limit elements, every re-run inside the
scenario's own limits (time, memory, statements). Each entry says why where it cannot check.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.engine.float64_replay import ORDINAL, Perturbation
from gradexplain.engine.graphwalk import walk
from gradexplain.engine.numeric import (
    EPS,
    NON_SMOOTH,
    element_of,
    grad_vectors,
    non_smooth_reason,
)
from gradexplain.errors import GradexplainError
from gradexplain.language.checker import Program
from gradexplain.language.protocol import BackwardRequest
from gradexplain.record import CallRecord, NumericEntry

CALLS_CHECKED = 3  # calls of one statement (a loop's): its first calls stand for the rest
MAX_RERUNS = 400  # re-runs of the code for one scenario, every call and leaf together


class StopReplay(BaseException):
    """Raised at the checked call: nothing the user's code can catch (try/except) stops it."""

    def __init__(self, captured: Captured) -> None:
        super().__init__("stop")
        self.captured = captured


@dataclass
class Captured:
    """What a re-run found at the checked call."""

    value: float  # sum(v * output) over the call's outputs, in float64
    leaves: dict[str, torch.Tensor] = field(default_factory=dict)  # label -> leaf (re-run)
    wide: bool = True  # the outputs were float64


TrackedTensors = Sequence[tuple[str, torch.Tensor, object]]  # label, tensor, entry


@dataclass
class Stopper:
    """Stands in for the recorder's deeper views in a re-run: calls before the checked one
    run for real; the checked one is captured and the re-run stops there."""

    stop_at: int
    labels: list[str]
    calls: int = 0

    def start(self, request: BackwardRequest, tracked: TrackedTensors) -> _Stop:
        self.calls += 1
        return _Stop(self, request, tracked)


@dataclass
class _Stop:
    owner: Stopper
    request: BackwardRequest
    tracked: TrackedTensors

    def perform(self, call: CallRecord, action: Callable[[], object]) -> object:
        if self.owner.calls < self.owner.stop_at:
            return action()
        raise StopReplay(capture(self.request, self.tracked, self.owner.labels))


# Runs the scenario's code again in a fresh session, in float64 with the Perturbation's one
# element moved (None: as it is), each backward call watched by the Stopper, which ends the
# run at the checked call (engine.runner.rerun_code).
Rerun = Callable[[Stopper, Perturbation | None], None]


def capture(request: BackwardRequest, tracked: TrackedTensors, labels: list[str]) -> Captured:
    outputs = [t for t, _ in request.outputs]
    total = torch.zeros((), dtype=torch.float64)
    wide = True
    for output, v in zip(outputs, grad_vectors(request, outputs), strict=True):
        wide = wide and output.dtype == torch.float64
        total = total + (v.detach().to(torch.float64) * output.detach().to(torch.float64)).sum()
    if request.inputs is not None:
        candidates = [(label, t) for t, label in request.inputs]
    else:
        graph = walk(outputs)
        candidates = [(label, t) for label, t, _ in tracked if id(t) in graph.leaf_ids]
    found = {label: t for label, t in candidates if label in labels}
    return Captured(float(total), found, wide)


@dataclass
class NumericReplay:
    """Owned by the deeper views of a run of code; `check` is called after each backward."""

    programs: list[Program]  # the code's statements
    rerun: Rerun  # runs the code again under the run's budget (runner.rerun_code)
    reruns: int = 0
    _non_smooth: set[str] | None = None
    _per_statement: dict[tuple[int | None, int | None, str], int] = field(default_factory=dict)

    def check(self, index: int, request: BackwardRequest, leaves: list[tuple[str, torch.Tensor]],
              added: dict[str, torch.Tensor], too_large: list[tuple[str, int]],
              limit: int) -> list[NumericEntry]:
        """One entry per leaf of call `index` (numbered from 1, as the ledger does); the
        leaves in `too_large` have more than `limit` (--jacobian-limit) elements."""
        context = request.context
        key = (context.step, context.line, context.statement)
        seen = self._per_statement[key] = self._per_statement.get(key, 0) + 1
        if seen > CALLS_CHECKED:  # said once, on the statement's first call not checked
            return [_entry(None, "later_call", calls=CALLS_CHECKED)] \
                if seen == CALLS_CHECKED + 1 else []
        large = [_entry(label, "too_large", numel=numel, limit=limit)
                 for label, numel in too_large]
        if not leaves:
            return large
        return self._check(index, request, leaves, added) + large

    def _check(self, index: int, request: BackwardRequest, leaves: list[tuple[str, torch.Tensor]],
               added: dict[str, torch.Tensor]) -> list[NumericEntry]:
        original = capture(request, [(label, t, None) for label, t in leaves],
                           [label for label, _ in leaves])
        labels = [label for label, _ in leaves]
        try:
            probe = self._rerun(index, labels, None)
        except GradexplainError as err:
            return [_entry(label, "rerun_failed", error=err.message) for label in labels]
        if probe is None:
            return [_entry(label, "not_reproduced") for label in labels]
        if not _close(probe.value, original.value):
            return [_entry(label, "not_reproduced") for label in labels]
        return [self._leaf(index, label, tensor, added[label], probe, labels)
                for label, tensor in leaves]

    def _leaf(self, index: int, label: str, tensor: torch.Tensor, grad: torch.Tensor,
              probe: Captured, labels: list[str]) -> NumericEntry:
        leaf = probe.leaves.get(label)
        if leaf is None or getattr(leaf, ORDINAL, None) is None:
            return _entry(label, "leaf_not_found")
        if not probe.wide or leaf.dtype != torch.float64:
            return _entry(label, "not_float64")
        count = tensor.numel()
        if self.reruns + 2 * count > MAX_RERUNS:
            return _entry(label, "rerun_budget", reruns=MAX_RERUNS)
        base = leaf.detach().clone()
        flat_base = base.reshape(-1)
        numeric = torch.zeros(count, dtype=torch.float64)
        ordinal, version = int(getattr(leaf, ORDINAL)), int(leaf._version)
        for j in range(count):
            step = EPS * max(1.0, abs(float(flat_base[j])))
            sides: list[tuple[float, float]] = []
            for sign in (1.0, -1.0):
                plan = Perturbation(ordinal, version, j, sign * step)
                try:
                    moved = self._rerun(index, labels, plan)
                except GradexplainError as err:
                    return _entry(label, "rerun_failed", error=err.message)
                after = moved.leaves.get(label) if moved is not None else None
                if moved is None or after is None or not plan.done:
                    return _entry(label, "leaf_changed")
                shift = (after.detach().reshape(-1) - flat_base)
                others = torch.cat([shift[:j], shift[j + 1:]])
                if bool(others.abs().gt(0).any()) or float(shift[j]) == 0.0:
                    return _entry(label, "leaf_changed")
                sides.append((moved.value, float(shift[j])))
            (plus, up), (minus, down) = sides
            numeric[j] = (plus - minus) / (up - down)
        autograd = grad.detach().to(torch.float64).reshape(-1).cpu()
        difference = (numeric - autograd).abs()
        diff = float(difference.max()) if count else 0.0
        tolerance = 1e-3 * max(1.0, float(autograd.abs().max()) if count else 1.0)
        agrees = diff <= tolerance
        reason = non_smooth_reason(self._kinked(), base, [], agrees)
        entry = NumericEntry(leaf=label, numeric=numeric.tolist(), autograd=autograd.tolist(),
                             max_diff=diff, agrees=agrees, reason=reason)
        element = element_of(numeric, autograd, base, reason, agrees)
        if element is not None:
            entry["element"] = element
        return entry

    def _kinked(self) -> set[str]:
        """The functions without a derivative somewhere that the code calls, by name."""
        if self._non_smooth is None:
            used: set[str] = set()
            for program in self.programs:
                for node in ast.walk(program.tree):
                    name = node.attr if isinstance(node, ast.Attribute) else (
                        node.id if isinstance(node, ast.Name) else None)
                    if name in NON_SMOOTH:
                        used.add(name)
            self._non_smooth = used
        return self._non_smooth

    def _rerun(self, index: int, labels: list[str], plan: Perturbation | None
               ) -> Captured | None:
        """Run the scenario again up to call `index`; None when it never gets there."""
        self.reruns += 1
        try:
            self.rerun(Stopper(index, labels), plan)
        except StopReplay as stop:
            return stop.captured
        return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(a), abs(b))


def _entry(label: str | None, reason: str, **facts: Any) -> NumericEntry:
    entry = NumericEntry(leaf=label, numeric=None, autograd=None, max_diff=None, agrees=None,
                         reason=reason)
    if facts:
        entry["facts"] = facts
    return entry
