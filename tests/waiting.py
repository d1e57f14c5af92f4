"""Waiting for an event, never for a fixed time: a loaded machine makes any fixed delay too
short, and a test that paces itself by the clock fails there."""

from __future__ import annotations

import time
from collections.abc import Callable

WAIT_SECONDS = 120  # a ceiling for a hang, never a pace the test relies on


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Return once `condition()` holds; fail, naming `what`, if it never does."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS} s for {what}")
        time.sleep(0.01)
