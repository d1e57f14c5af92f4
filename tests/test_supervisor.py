"""The process supervisor's own API (app/supervisor.py), which the batch, the REPL's session
and one task all use: a child takes request after request, exits by itself after the last
one, reports a request that raised and a task that crashed as errors (never a traceback),
and is killed past its budget with the statement it was running named. Tests wait for
events, never for a fixed time."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from gradexplain.app import supervisor
from gradexplain.app.supervisor import Gone, Handler, Terms
from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits
from waiting import wait_until

pytestmark = pytest.mark.skipif(not supervisor.forking_available(), reason="needs fork")


def _doubling(budget: Budget) -> Handler:
    calls = [0]  # state that lives from one request to the next, in the child

    def handle(request: Any, request_budget: Budget) -> Any:
        calls[0] += 1
        return [request * 2, calls[0], os.getpid()]

    return handle


def test_a_child_serves_requests_and_exits_after_the_last() -> None:
    child = supervisor.start(_doubling, Terms(Limits()))
    try:
        first = child.ask(21)
        assert first[:2] == [42, 1] and first[2] == child.pid != os.getpid()
        stays = not child.retiring
        assert child.ask(4, last=True)[:2] == [8, 2]
        assert stays and child.retiring
        # End of file without a kill: it left by itself, at once.
        wait_until(lambda: child.receive() == [] and child.ended, "the child to exit")
        assert child.exit_status == 0
    finally:
        child.close()


def _failing(budget: Budget) -> Handler:
    def handle(request: str, request_budget: Budget) -> Any:
        if request == "refuse":
            raise GradexplainError("not_allowed", "refused here", hint="try less")
        raise RuntimeError("boom")

    return handle


def test_an_error_is_a_reply_and_a_crash_is_an_error_too() -> None:
    child = supervisor.start(_failing, Terms(Limits()))
    try:
        refused = child.ask("refuse")
        assert isinstance(refused, GradexplainError) and refused.hint == "try less"
        goes_on = not child.retiring  # a task child goes on after an input error
        crashed = child.ask("crash")
        assert isinstance(crashed, GradexplainError) and crashed.kind == "torch_error"
        assert crashed.message == "the worker failed: RuntimeError: boom"
        assert goes_on and child.retiring
    finally:
        child.close()


def test_one_task_that_crashes_raises_an_error_not_a_traceback() -> None:
    def crash(budget: Budget) -> None:
        raise RuntimeError("boom")

    with pytest.raises(GradexplainError) as caught:
        supervisor.run(crash, Limits())
    assert caught.value.kind == "torch_error" and "RuntimeError: boom" in caught.value.message


def _sleeping_in_a_statement(budget: Budget) -> Handler:
    def handle(request: Any, request_budget: Budget) -> Any:
        request_budget.statement_started(Limits(), SourceLocation("<t>", 3), "time.sleep(600)")
        time.sleep(600)

    return handle


@pytest.mark.slow  # waits for a budget kill
def test_a_request_past_its_seconds_is_killed_and_its_statement_named() -> None:
    child = supervisor.start(_sleeping_in_a_statement, Terms(Limits(max_seconds=60)))
    with pytest.raises(Gone) as gone:
        child.ask(None, seconds=0.2)  # a request's own allowance (a REPL's replay: more)
    error = gone.value.error
    assert error is not None and error.facts["limit"] == "max_seconds"
    assert error.facts["statement"] == "time.sleep(600)"
    assert error.location is not None and error.location.line == 3
    assert child.ended
