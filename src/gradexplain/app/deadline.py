"""The parent's own work under --max-seconds: rendering a record, writing its JSON, drawing
its pictures.

The worker's run is bounded by the operating system (app/supervisor.py), and its texts at the
source (engine/output_bounds.py), so showing a record is cheap. Whatever is still slow (a
`--full` table of millions of numbers, a picture of a huge series) is stopped here, by the
same budget, with limit_exceeded (exit 2) rather than a hang: a real-time timer (SIGALRM)
interrupts the Python code drawing it. Only in the main thread of a POSIX process, where
signals are delivered; elsewhere (a notebook's worker thread, Windows) the work runs
unbounded, its input bounded all the same.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.limits import Limits, stopped


class _Overran(BaseException):
    """Raised by the timer inside whatever was drawing; a BaseException, so that no
    `except Exception` on the way (in rich, in matplotlib) can swallow it."""


@contextmanager
def deadline(limits: Limits, where: str | None = None) -> Iterator[None]:
    """Run the body within `limits.max_seconds`; past it, GradexplainError limit_exceeded
    (at `where`: the scenario being shown)."""
    if not _timers_available():
        yield
        return
    started = time.monotonic()
    armed = True

    def overran(signum: int, frame: FrameType | None) -> None:
        if armed:
            raise _Overran

    previous = signal.signal(signal.SIGALRM, overran)
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)  # an enclosing deadline's time
    seconds = float(limits.max_seconds)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        try:
            yield
        finally:
            armed = False  # a signal from here on is ignored (or, just before, caught below)
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Overran:
        raise too_slow(limits, time.monotonic() - started, where) from None
    finally:
        if previous is not None:  # None: a handler set outside Python, which cannot be restored
            signal.signal(signal.SIGALRM, previous)
        if outer_left:  # the enclosing deadline goes on with what it had left
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def too_slow(limits: Limits, seconds: float, where: str | None = None) -> GradexplainError:
    """limit_exceeded for output that took longer to show than --max-seconds."""
    location = SourceLocation(where) if where is not None else None
    error = stopped("max_seconds", round(seconds, 1), limits.max_seconds, location, "")
    error.message = (f"limit exceeded: showing the result took {round(seconds, 1)} seconds, "
                     f"over the limit of {limits.max_seconds}")
    error.hint = ("the output is too large to show in time: print or show less (a slice, a "
                  "shape, a sum), leave out --full, or raise --max-seconds")
    error.facts["output"] = True
    return error


def _timers_available() -> bool:
    return hasattr(signal, "setitimer") and \
        threading.current_thread() is threading.main_thread()
