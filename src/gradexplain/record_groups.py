"""Folded calls and prints: plain data summarizing a statement run many times in a loop.

Part of the run record (see gradexplain.record); no torch, no rich. The engine fills these
from running aggregates (engine/folding.py), so a loop of any length costs a bounded amount
of memory; the renderers show a group's first call, its last, every call that differs in
kind, and one summary row per tensor for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CALL_CAP = 200  # calls kept in full for JSON before only the calls a table shows are kept
FOLD_AFTER = 5  # a group of more calls than this is folded (fewer are shown in full)
PRINT_HEAD = 3  # prints shown per statement before the rest are counted
PRINT_CAP = 200  # prints kept per statement (JSON) before only the last one is kept


@dataclass
class Trend:
    """One number per call, summarized: the grad's norm of a tensor, or the output's value.

    `points` is the series over the calls, averaged over `every` consecutive calls once
    there are too many to keep one point each (the last point may average fewer).
    first/last/low/high are exact; low/high skip non-finite values (None when none is finite).
    """

    label: str
    calls: int
    first: float
    last: float
    low: float | None
    high: float | None
    points: list[float] = field(default_factory=list)
    every: int = 1
    non_finite: int = 0  # calls where the number was inf or nan


@dataclass
class CallGroup:
    """The backward calls made by one statement (in a loop, or under `repeat:`)."""

    step: int | None
    line: int | None
    statement: str
    calls: int  # how many calls the statement made
    first: int  # call index of its first and last call
    last: int
    shown: list[int] = field(default_factory=list)  # calls a table shows in full, in order
    differing: dict[int, list[str]] = field(default_factory=dict)  # call -> why it is shown
    differing_omitted: int = 0  # calls that differed past the number kept
    output: Trend | None = None  # the output's value per call (a scalar output: the loss)
    tensors: list[Trend] = field(default_factory=list)  # each tensor's grad norm per call
    notes: dict[str, int] = field(default_factory=dict)  # notes of every call, by kind

    @property
    def folded(self) -> bool:
        return self.calls > FOLD_AFTER


@dataclass
class PrintGroup:
    """The prints made by one statement: how many, and which are kept."""

    step: int | None
    line: int | None
    count: int
    kept: int  # prints of this statement present in RunRecord.prints
