"""A batch's long-lived workers (app/batch.py): one fork runs task after task; a kill, a
MemoryError, grown memory or torch state left changed retires it and a fresh one runs the rest;
what one scenario sets (seed, grad mode, default dtype, anomaly mode, ...) never reaches the
next; a budget kill in the middle of a batch stops the task that would never end, and the
next task runs. Tests wait for events, never for a fixed time."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import pytest

from gradexplain.app import batch, supervisor
from gradexplain.app.run import _preload_gradient_support, preload_engine, run_one
from gradexplain.errors import GradexplainError
from gradexplain.language.budget import Budget, resident_bytes
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.scenario.bundled import bundled_dir
from waiting import wait_until

pytestmark = pytest.mark.skipif(not supervisor.forking_available(), reason="needs fork")
ROOT = Path(__file__).resolve().parents[1]
_KEPT: list[bytearray] = []  # what a task leaves behind in its worker


def _pid(budget: Budget) -> int:
    return os.getpid()


def _sleep_forever(budget: Budget) -> None:
    time.sleep(600)


def _hold_memory(budget: Budget) -> None:
    held = []
    while True:  # 32 MiB at a time, touched so it is resident
        held.append(bytearray(32 * 2**20))


def _leave_memory_behind(budget: Budget) -> int:
    _KEPT.append(bytearray(b"x" * (supervisor.RETIRE_GROWTH + 32 * 2**20)))
    return os.getpid()


def _refused(budget: Budget) -> None:
    raise GradexplainError("limit_exceeded", "too big", facts={"limit": "max_elements"})


def _values(outcomes: list[tuple[int, object]]) -> list[object]:
    assert [i for i, _ in outcomes] == list(range(len(outcomes)))
    return [value for _, value in outcomes]


def test_one_worker_runs_the_whole_batch() -> None:
    pids = _values(list(batch.results([_pid] * 20, Limits())))
    assert len(set(pids)) == 1
    assert pids[0] != os.getpid()


def test_jobs_runs_that_many_long_lived_workers() -> None:
    def slow_pid(budget: Budget) -> int:
        time.sleep(0.05)
        return os.getpid()

    pids = _values(list(batch.results([slow_pid] * 12, Limits(), jobs=3)))
    assert len(set(pids)) == 3


@pytest.mark.parametrize("leaves_behind", [_leave_memory_behind, _refused],
                         ids=["grown memory", "limit_exceeded"])
def test_an_unhealthy_worker_retires_and_the_rest_runs_in_a_fresh_one(
        leaves_behind: object) -> None:
    got = _values(list(batch.results([_pid, leaves_behind, _pid, _pid], Limits())))  # type: ignore[list-item]
    assert got[0] != got[2] and got[2] == got[3]


def _lesson(budget: Budget) -> object:
    """A real scenario's outcome (the bundled accumulation lesson), to compare."""
    path = bundled_dir() / "accumulation.yaml"
    return run_one(path, RunOptions())


@pytest.mark.slow  # waits for a budget kill
def test_time_kill_mid_batch_and_the_next_task_runs() -> None:
    limits = Limits(max_seconds=1)
    preload_engine()
    _preload_gradient_support()  # the lesson then takes milliseconds, well inside the cap
    alone = supervisor.run(_lesson, Limits())
    arrived: list[float] = []
    started = time.monotonic()
    outcomes = []
    for outcome in batch.results([_pid, _sleep_forever, _lesson, _pid], limits):
        arrived.append(time.monotonic())
        outcomes.append(outcome)
    first, killed, lesson, last = _values(outcomes)
    assert isinstance(killed, GradexplainError) and killed.kind == "limit_exceeded"
    assert killed.facts["limit"] == "max_seconds" and killed.facts["flag"] == "--max-seconds"
    assert arrived[1] - started >= limits.max_seconds  # not before the cap
    assert lesson.record == alone.record  # type: ignore[attr-defined]  # ran, and right
    assert last != first  # a fresh worker ran the rest


@pytest.mark.slow  # waits for a budget kill
def test_memory_kill_mid_batch_and_the_next_task_runs() -> None:
    preload_engine()
    _preload_gradient_support()
    # A small cap: what this process holds (the worker starts with it) plus 128 MiB.
    limits = Limits(max_memory=resident_bytes() + 128 * 2**20)
    alone = supervisor.run(_lesson, Limits())
    outcomes = list(batch.results([_pid, _hold_memory, _lesson, _pid], limits))
    first, killed, lesson, last = _values(outcomes)
    assert isinstance(killed, GradexplainError) and killed.kind == "limit_exceeded"
    assert killed.facts["limit"] == "max_memory" and killed.facts["flag"] == "--max-memory"
    assert lesson.record == alone.record and last != first  # type: ignore[attr-defined]


def _set_globals(budget: Budget) -> int:
    import torch

    torch.manual_seed(123)
    torch.set_grad_enabled(False)
    torch.set_default_dtype(torch.float64)
    torch.autograd.set_detect_anomaly(True, check_nan=False)
    torch.set_default_device("meta")
    return os.getpid()


def _read_globals(budget: Budget) -> tuple[object, ...]:
    import torch

    return (os.getpid(), torch.is_grad_enabled(), str(torch.get_default_dtype()),
            torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled(),
            str(torch.get_default_device()), torch.rand(3, device="cpu").tolist())


def test_what_one_task_sets_in_torch_does_not_reach_the_next() -> None:
    # As on the command line, the parent has imported torch (a fresh import seeds at random).
    import torch  # noqa: F401

    alone = supervisor.run(_read_globals, Limits())
    setter, after = _values(list(batch.results([_set_globals, _read_globals], Limits())))
    assert after[1:] == alone[1:]  # type: ignore[index]
    assert after[0] == setter  # type: ignore[index]  # reset, not re-forked


def test_scenario_b_is_not_affected_by_what_scenario_a_set(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("import torch\ntorch.manual_seed(123)\ntorch.set_grad_enabled(False)\n"
                 "torch.autograd.set_detect_anomaly(True)\n"
                 "x = torch.randn(3)\nprint(x.requires_grad)\n", encoding="utf-8")
    b = tmp_path / "b.py"
    b.write_text("import torch\nx = torch.rand(3, requires_grad=True)\ny = (x * x).sum()\n"
                 "y.backward()\nprint(torch.is_grad_enabled(), torch.get_default_dtype())\n"
                 "print(x.grad)\n", encoding="utf-8")
    options = RunOptions()
    alone = supervisor.run(functools.partial(run_one, b, options), options.limits)
    tasks = [functools.partial(run_one, p, options) for p in (a, b)]
    after = _values(list(batch.results(tasks, options.limits)))[1]
    assert after.record == alone.record  # type: ignore[attr-defined]
    assert after.record.prints == alone.record.prints  # type: ignore[attr-defined]


@pytest.mark.slow  # every lesson, twice
def test_every_lesson_and_corpus_file_gives_the_same_record_in_one_worker() -> None:
    paths = sorted(p for p in bundled_dir().iterdir() if p.suffix in (".yaml", ".py"))
    paths += [p for p in sorted((ROOT / "tests" / "corpus").glob("*.py"))[:40]
              if "exploding" not in p.name]  # two seconds of matmuls, nothing new here
    preload_engine()  # as `run` does: torch imported once, in the parent
    _preload_gradient_support()  # else each one-shot worker imports sympy (half a second)
    options = RunOptions()
    tasks = [functools.partial(run_one, p, options) for p in paths]
    together = _values(list(batch.results(tasks, options.limits)))
    for path, task, outcome in zip(paths, tasks, together, strict=True):
        alone = supervisor.run(task, options.limits)
        assert outcome.record == alone.record, path  # type: ignore[attr-defined]
        assert outcome.status == alone.status, path  # type: ignore[attr-defined]


def test_a_crash_in_a_task_is_reported_and_the_batch_goes_on() -> None:
    def die(budget: Budget) -> None:
        os._exit(3)

    got = _values(list(batch.results([_pid, die, _pid], Limits())))
    assert isinstance(got[1], GradexplainError) and got[1].kind == "torch_error"
    assert got[1].facts["exit_status"] == 3
    assert isinstance(got[2], int) and got[2] != got[0]


_FREEZE_PROBE = """
import gc, sys
from gradexplain.language.budget import mark_command_line
if {fresh}:
    mark_command_line()
from gradexplain.app.run import preload_engine
preload_engine()
print(gc.get_freeze_count())
"""


@pytest.mark.parametrize("fresh", [True, False])
@pytest.mark.slow  # a new gradexplain process
def test_only_the_command_line_freezes_torch_out_of_the_collectors_sight(fresh: bool) -> None:
    """The CLI's parent freezes torch's objects before importing the engine (a full
    collection would walk them all); the Python API, maybe in a notebook kernel whose own
    objects must stay collectable, does not."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", _FREEZE_PROBE.format(fresh=fresh)],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    frozen = int(done.stdout.strip().splitlines()[-1])
    assert (frozen > 10_000) if fresh else (frozen == 0), frozen


def _started_then_wait(directory: Path, budget: Budget) -> int:
    (directory / f"started-{os.getpid()}").touch()
    wait_until((directory / "go").exists, "the parent's go")
    return os.getpid()


def test_the_parents_own_work_overlaps_with_the_first_tasks(tmp_path: Path) -> None:
    """`while_first_runs` is called once, in the parent, while the first tasks run (it
    imports what renders the results), not before or after them: the tasks wait for it,
    and it waits for a task to have started."""
    calls: list[bool] = []

    def parents_work() -> None:
        wait_until(lambda: any(tmp_path.glob("started-*")), "a task to start")
        calls.append(True)
        (tmp_path / "go").touch()

    task = functools.partial(_started_then_wait, tmp_path)
    values = [value for _, value in batch.results([task] * 3, Limits(), 2, parents_work)]
    assert calls == [True]
    assert len(values) == 3 and os.getpid() not in values  # ran in workers


@pytest.mark.slow  # a new gradexplain process
def test_run_imports_the_renderer_while_the_scenario_runs(tmp_path: Path) -> None:
    """`gradexplain run` (table) has rich and the loop renderer loaded when the worker's
    first result arrives: they were imported while it ran."""
    import subprocess
    import sys

    script = tmp_path / "loop.py"
    script.write_text("x = torch.ones(2, requires_grad=True)\nfor i in range(8):\n"
                      "    (x * x).sum().backward()\n")
    probe = (
        "import sys\n"
        "from gradexplain.app import supervisor\n"
        "seen = []\n"
        "real = supervisor.wait\n"
        "def wait(children):\n"
        "    seen.append({'rich', 'gradexplain.render.loops'} <= set(sys.modules))\n"
        "    return real(children)\n"
        "supervisor.wait = wait\n"
        "from gradexplain.shell.cli import run_command\n"
        f"sys.argv = ['gradexplain', 'run', {str(script)!r}]\n"
        "try:\n"
        "    run_command()\n"
        "finally:\n"
        "    sys.stderr.write(f'SEEN {seen}')\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, env=env, timeout=120)
    assert "calls 1–8" in done.stdout or "8 times" in done.stdout, done.stdout[-2000:]
    assert "SEEN [True" in done.stderr, done.stderr[-2000:]
