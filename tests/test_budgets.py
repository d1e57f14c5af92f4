"""Budgets the operating system enforces (app/supervisor.py): time and memory caps on the
process stop work that would never end by itself, and say which cap; the rest of a batch
runs; results come back as the record's own dataclasses (app/transfer.py), never anything
else. What is checked is that the budget stopped the work, not how fast the machine is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradexplain.app import batch, supervisor, transfer
from gradexplain.app.run import run_one
from gradexplain.errors import GradexplainError
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.scenario.bundled import find_bundled

pytestmark = pytest.mark.skipif(not supervisor.forking_available(), reason="needs fork")
ROOT = Path(__file__).resolve().parents[1]


def _sleep_forever(budget: Budget) -> None:
    time.sleep(600)


def _hold_memory(budget: Budget) -> None:
    held = []
    while True:  # 32 MiB at a time, touched so it is resident
        held.append(bytearray(32 * 2**20))


def _python_loop(budget: Budget) -> None:
    while True:
        pass


@pytest.mark.parametrize("task", [_sleep_forever, _python_loop],
                         ids=["sleeping", "busy"])
@pytest.mark.slow  # waits for a budget kill
def test_time_budget_stops_a_task_that_never_ends(task: object) -> None:
    with pytest.raises(GradexplainError) as caught:
        supervisor.run(task, Limits(max_seconds=1))  # type: ignore[arg-type]
    assert caught.value.kind == "limit_exceeded"
    assert caught.value.facts["limit"] == "max_seconds"
    assert caught.value.facts["flag"] == "--max-seconds"


@pytest.mark.slow  # waits for a budget kill
def test_memory_budget_stops_a_task_that_never_ends() -> None:
    with pytest.raises(GradexplainError) as caught:
        supervisor.run(_hold_memory, Limits(max_memory=400 * 2**20))
    assert caught.value.kind == "limit_exceeded"
    assert caught.value.facts["limit"] == "max_memory"
    assert caught.value.facts["flag"] == "--max-memory"


@pytest.mark.slow  # waits for a budget kill
def test_a_batch_goes_on_after_a_kill() -> None:
    limits = Limits(max_seconds=1)
    tasks = [_sleep_forever, lambda budget: 42, _python_loop, lambda budget: "done"]
    got = list(batch.results(tasks, limits, jobs=2))
    assert [i for i, _ in got] == [0, 1, 2, 3]
    assert isinstance(got[0][1], GradexplainError) and isinstance(got[2][1], GradexplainError)
    assert got[1][1] == 42 and got[3][1] == "done"


def test_the_worker_returns_the_same_record_as_running_here() -> None:
    path = find_bundled("accumulation")
    assert path is not None
    here = run_one(path, RunOptions())
    there = supervisor.run(lambda budget: run_one(path, RunOptions(), budget), Limits())
    assert there.record == here.record
    assert there.status == here.status


def test_transfer_builds_only_record_classes() -> None:
    error = GradexplainError("not_allowed", "no", hint="h", facts={"a": (1, 2.5)})
    assert transfer.loads(transfer.dumps(error)) == error
    for name in ("os:system", "subprocess:Popen", "gradexplain.record:json",
                 "builtins:eval", "gradexplain.app.supervisor:Child"):
        hostile = json.dumps({"__record__": name, "fields": {}}).encode()
        with pytest.raises(ValueError, match="not one of the record's classes"):
            transfer.loads(hostile)
    with pytest.raises(TypeError):
        transfer.dumps(object())


@pytest.mark.slow  # a new gradexplain process and a budget kill
def test_scenario_statement_stopped_by_time_is_named(tmp_path: Path) -> None:
    slow = tmp_path / "slow.py"
    slow.write_text("import torch\na = [0]\nb = [0]\nfor i in range(60):\n    a = [a, a]\n"
                    "    b = [b, b]\nprint(a == b)\n", encoding="utf-8")
    ok = tmp_path / "ok.py"
    ok.write_text("import torch\nx = torch.ones(2, requires_grad=True)\n"
                  "x.sum().backward()\n", encoding="utf-8")
    # `a == b` compares 2**60 pairs of lists: only the budget ends it.
    result = subprocess.run(
        [sys.executable, "-m", "gradexplain", "run", str(slow), str(ok), "--format", "json",
         "--jobs", "2"], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "GRADEXPLAIN_MAX_SECONDS": "1",
             "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 2, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["error"]["kind"] if line["error"] else None for line in lines] == \
        ["limit_exceeded", None]
    assert lines[0]["error"]["line"] == 7
    assert "--max-seconds" in result.stderr
    assert "print(a == b)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # a new gradexplain process
def test_memory_flag_refuses_many_big_tensors_early(tmp_path: Path) -> None:
    many = tmp_path / "many.py"
    many.write_text("import torch\nts = []\nfor i in range(200):\n"
                    "    ts = ts + [torch.ones(4096, 4096)]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "gradexplain", "run", str(many), "--max-memory", "1G"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--max-memory" in result.stdout + result.stderr
    assert "ts = ts + [torch.ones(4096, 4096)]" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
