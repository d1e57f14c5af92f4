"""The time and memory budget of a run, as the interpreter checks it: a `Budget` object.

Whoever runs scenario code makes one and hands it to the interpreter: a child of the process
supervisor (app/supervisor.py: one task, a batch's tasks, the REPL's session) with the page
its parent reads and a deadline per task or REPL entry, and an in-process run (tests, the
Python API without fork) a plain one. The operating system caps the worker process; these
checks come first so that most overruns end in a clear, located refusal instead of a kill: a
planned allocation is refused when resident memory plus its bytes would pass `max_memory`,
and every statement (and every repeated backward call) checks that the run has not already
passed it, which bounds everything that lives in the process at once: tensors, graphs, and
the records of the ledger.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import resource
import sys
import time

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.limits import Limits, exceeded

STATUS_BYTES = 4096  # the status page's size
# Reading resident memory costs a system call, and a loop plans an allocation at nearly
# every operation. So memory is read every 16th statement (the statement guard,
# language/compiler.py) and when the allocations planned since the last reading could have
# brought it within REREAD_MARGIN of the budget; in between, each plan only takes its bytes
# from the allowance. Growth that no check plans (autograd's saved tensors, the ledger) is
# found at the next reading.
REREAD_MARGIN = 256 * 2**20


class Budget:
    """A run's deadline, the page its statements are published in, and the allowance that
    planned allocations draw on before resident memory is read again."""

    __slots__ = ("deadline", "left", "maximum", "page")

    def __init__(self, page: mmap.mmap | None = None, deadline: float | None = None) -> None:
        # The page shared with the worker's parent, where each statement writes its status
        # line (`status_line`) before it runs, so that a kill can name it.
        self.page = page
        self.deadline = deadline  # time.monotonic() at which --max-seconds runs out
        # What planned allocations may still take before memory is read again: the budget
        # less the last reading and REREAD_MARGIN (negative near the budget: every plan reads).
        self.left = -1  # read at the first plan
        self.maximum = -1  # the budget `left` was worked out for
        _THIS_PROCESS["ran_code"] = True

    def start(self, deadline: float | None) -> None:
        """The next task (a batch's worker) or REPL entry starts: its own deadline, and
        resident memory read afresh at the first plan (the last reading is stale)."""
        self.deadline = deadline
        self.left = -1

    def check_memory(self, limits: Limits, location: SourceLocation | None,
                     planned: int = 0) -> None:
        """limit_exceeded (max_memory) when resident memory plus `planned` bytes would pass
        the budget."""
        self.left -= planned
        if self.left < 0 or self.maximum != limits.max_memory:
            self.read_memory(limits, location, planned)

    def read_memory(self, limits: Limits, location: SourceLocation | None,
                    planned: int = 0) -> None:
        """Read resident memory now: limit_exceeded (max_memory) when it, plus `planned` bytes
        about to be allocated, passes the budget; else a fresh allowance."""
        used = resident_bytes()
        maximum = limits.max_memory
        if used + planned > maximum:
            self.left = -1
            raise exceeded("max_memory", used + planned, maximum, location)
        self.maximum = maximum
        self.left = maximum - used - planned - REREAD_MARGIN

    def statement_started(self, limits: Limits, location: SourceLocation,
                          statement: str) -> None:
        """Before a statement that is not compiled (the short form's repeated backward
        call): tell the parent which one runs, and stop cleanly (with the statement located)
        when the time or memory budget has run out. (A compiled statement does the same in
        its guard, every 16th statement for the clock and memory.)"""
        if self.page is not None:
            line = status_line(location, statement)
            self.page[:len(line)] = line
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise out_of_time(limits, location)
        self.read_memory(limits, location)


def status_line(location: SourceLocation, statement: str) -> bytes:
    """What a statement writes into the status page: `path\tline\tstatement`, ended by a
    zero byte (app/supervisor.py reads it back)."""
    text = f"{location.path or ''}\t{location.line or ''}\t{statement[:1000]}"
    return text.encode("utf-8", "replace")[:STATUS_BYTES - 1] + b"\0"


def out_of_time(limits: Limits, location: SourceLocation | None) -> GradexplainError:
    return exceeded("max_seconds", f"more than {limits.max_seconds}", limits.max_seconds,
                    location)


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


def _forget_handle() -> None:
    """After fork the child reads its own /proc/self: drop the parent's descriptor."""
    fd = _handle.pop("statm", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_handle)


# What this process has done, for the children forked from it (app/supervisor.py): each fact has
# one writer. The command line's entry point marks its own process before any operation
# (`mark_command_line`); making a Budget marks a process that runs scenario code.
_THIS_PROCESS = {"command_line": False, "ran_code": False}


def mark_command_line() -> None:
    """The command line's own process (shell/cli.py), before it runs any operation."""
    _THIS_PROCESS["command_line"] = True


def is_command_line() -> bool:
    return _THIS_PROCESS["command_line"]


def parent_ran_operations() -> bool:
    """Whether this process may have started torch's thread pools (a forked child must then
    run single-threaded): true unless the command line started it and ran no code yet."""
    return _THIS_PROCESS["ran_code"] or not _THIS_PROCESS["command_line"]
