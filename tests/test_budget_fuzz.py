"""Fuzz: generated programs (tensor maths, growing lists and strings, loops, shifts, indexing,
backward calls) always end in a record or a GradexplainError of a known kind, inside the
interpreter's budgets, never another exception; a few also run in worker processes with small
OS caps, which always come back (a value or limit_exceeded) within the cap plus 2 s."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradexplain.app import supervisor
from gradexplain.errors import ERROR_KINDS, GradexplainError
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario_text

SMALL = Limits(max_elements=100_000, max_memory=Limits().max_memory, max_loop_iterations=2_000,
               max_executed=20_000)

ATOMS = ["x", "y", "w", "torch.ones(3)", "torch.tensor(2.0)", "n", "[1, 2]", "a"]
STATEMENTS = st.one_of(
    st.builds("y = {} {} {}".format, st.sampled_from(ATOMS), st.sampled_from(
        ["+", "*", "-", "@", "/", "**", "<<", "%"]), st.sampled_from(ATOMS)),
    st.builds("a = a + a".format),
    st.builds("a = a * {}".format, st.integers(-2, 40)),
    st.builds("n = torch.tensor({})".format, st.integers(-3, 5000)),
    st.builds("y = torch.ones(n, {})".format, st.integers(0, 5000)),
    st.builds("y = x.repeat({}, {})".format, st.integers(0, 3000), st.integers(0, 3000)),
    st.builds("y = x[[0] * {}]".format, st.integers(0, 5000)),
    st.builds("print('%0{}d' % 1)".format, st.integers(0, 10**9)),
    st.builds("b = True << {}".format, st.integers(0, 10**6)),
    st.builds("for i in range({}):\n    w = w * 1.0".format, st.integers(0, 3000)),
    st.just("w.sum().backward(retain_graph=True)"),
    st.just("print(a)"),
    st.just("y = torch.inner(x, w)"),
    st.just("y = torch.max(x, other=w)"),
)
HEADER = ("import torch\nx = torch.ones(3, requires_grad=True)\nw = x * 2\n"
          "y = x\nn = torch.tensor(3)\na = [0]\n")


def _outcome(code: str, budget: Budget | None = None) -> str:
    from gradexplain.engine.runner import run_scenario

    try:
        record = run_scenario(load_scenario_text(code, "fuzz.py", "py", SMALL), None, budget)
    except GradexplainError as err:
        return err.kind
    return record.error.kind if record.error else "ok"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(STATEMENTS, min_size=1, max_size=6))
def test_generated_programs_end_in_a_known_outcome(statements: list[str]) -> None:
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    outcome = _outcome(HEADER + "\n".join(statements) + "\n")
    assert outcome == "ok" or outcome in ERROR_KINDS
    assert time.process_time() - started < 30


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(STATEMENTS, min_size=1, max_size=4))
def test_generated_programs_under_os_caps(statements: list[str]) -> None:
    if not supervisor.forking_available():
        return
    code = HEADER + "\n".join(statements) + "\n"
    caps = Limits(max_seconds=2, max_memory=1 << 30)
    try:
        outcome = supervisor.run(lambda budget: _outcome(code, budget), caps)
    except GradexplainError as err:
        outcome = err.kind
    assert outcome == "ok" or outcome in ERROR_KINDS


def test_a_generated_program_file(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_text(HEADER + "a = a + a\nprint(a)\n", encoding="utf-8")
    assert _outcome(path.read_text(encoding="utf-8")) == "ok"
