"""The memory budget as the interpreter sees it: the process's resident memory, read cheaply.

The worker process (app/worker.py) is capped by the operating system; these checks come first
so that most overruns end in a clear, located refusal instead of a kill: a planned allocation
is refused when resident memory plus its bytes would pass `max_memory`, and every statement
(and every repeated backward call) checks that the run has not already passed it, which bounds
everything that lives in the process at once: tensors, graphs, and the records of the ledger.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import resource
import sys
import time
from dataclasses import dataclass

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.limits import Limits, exceeded


@dataclass
class Watch:
    """Set by the worker process (app/worker.py) in the child that runs scenario code."""

    # The page shared with the worker's parent, where each statement writes its status line
    # (`status_line`) before it runs, so that a kill can name it.
    page: mmap.mmap | None = None
    deadline: float | None = None  # time.monotonic() at which --max-seconds runs out
    ran_operations: bool = False  # this process has run scenario code (see app/worker.py)
    fresh_process: bool = False  # set by the command line's entry point, before any operation


WATCH = Watch()

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_handle: dict[str, int] = {}  # the open /proc/self/statm of this process


def resident_bytes() -> int:
    """This process's resident set size now (Linux: /proc/self/statm, about 1 µs); elsewhere
    the peak so far, which can only overstate it."""
    if sys.platform.startswith("linux"):
        try:
            if "statm" not in _handle:
                _handle["statm"] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
            return int(os.pread(_handle["statm"], 64, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def forget_handle() -> None:
    """After fork the child reads its own /proc/self: drop the parent's descriptor (and its
    last reading)."""
    ALLOWANCE.left = -1
    fd = _handle.pop("statm", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=forget_handle)


# Reading resident memory costs a system call, and a loop plans an allocation at nearly
# every operation. So memory is read every 16th statement (language/compiled.py) and when
# the allocations planned since the last reading could have brought it within REREAD_MARGIN
# of the budget; in between, each plan only takes its bytes from the allowance. Growth that
# no check plans (autograd's saved tensors, the ledger) is found at the next reading.
REREAD_MARGIN = 256 * 2**20


class Allowance:
    """What planned allocations may still take before memory is read again: the budget less
    the last reading and REREAD_MARGIN (negative near the budget: every plan reads)."""

    __slots__ = ("left", "maximum")

    def __init__(self) -> None:
        self.left = -1  # read at the first plan
        self.maximum = -1  # the budget it was worked out for


ALLOWANCE = Allowance()


def check_memory(limits: Limits, location: SourceLocation | None, planned: int = 0) -> None:
    """limit_exceeded (max_memory) when resident memory plus `planned` bytes would pass the
    budget. (language/compiled_expr.py writes this out for operators.)"""
    allowance = ALLOWANCE
    allowance.left -= planned
    if allowance.left < 0 or allowance.maximum != limits.max_memory:
        read_memory(limits, location, planned)


def read_memory(limits: Limits, location: SourceLocation | None, planned: int = 0) -> None:
    """Read resident memory now: limit_exceeded (max_memory) when it, plus `planned` bytes
    about to be allocated, passes the budget; else a fresh allowance."""
    used = resident_bytes()
    maximum = limits.max_memory
    if used + planned > maximum:
        ALLOWANCE.left = -1
        raise exceeded("max_memory", used + planned, maximum, location)
    ALLOWANCE.maximum = maximum
    ALLOWANCE.left = maximum - used - planned - REREAD_MARGIN


def start_task(deadline: float) -> None:
    """A long-lived worker (app/batch.py) starts its next task: the task's own deadline, and
    resident memory read afresh at the first plan (the last task's reading is stale)."""
    WATCH.deadline = deadline
    ALLOWANCE.left = -1


STATUS_BYTES = 4096  # the status page's size


def status_line(location: SourceLocation, statement: str) -> bytes:
    """What a statement writes into the status page: `path\tline\tstatement`, ended by a
    zero byte (app/worker.py reads it back)."""
    text = f"{location.path or ''}\t{location.line or ''}\t{statement[:1000]}"
    return text.encode("utf-8", "replace")[:STATUS_BYTES - 1] + b"\0"


def statement_started(limits: Limits, location: SourceLocation, statement: str) -> None:
    """Before a statement that is not compiled (the short form's repeated backward call):
    tell the parent which one runs, and stop cleanly (with the statement located) when the
    time or memory budget has run out. (A compiled statement does the same, written out in
    its guard: language/compiled.py.)"""
    WATCH.ran_operations = True
    if WATCH.page is not None:
        line = status_line(location, statement)
        WATCH.page[:len(line)] = line
    if WATCH.deadline is not None and time.monotonic() > WATCH.deadline:
        raise out_of_time(limits, location)
    read_memory(limits, location)


def out_of_time(limits: Limits, location: SourceLocation | None) -> GradexplainError:
    return exceeded("max_seconds", f"more than {limits.max_seconds}", limits.max_seconds,
                    location)


def parent_ran_operations() -> bool:
    """Whether this process may have started torch's thread pools (a forked child must then
    run single-threaded): true unless the command line started it and ran nothing yet."""
    return WATCH.ran_operations or not WATCH.fresh_process
