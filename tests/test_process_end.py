"""The command line ends its process without Python's teardown (shell/cli.end_process):
what it printed must still arrive whole, with the command's exit status, and a reader that
leaves early must not cause a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradexplain.shell.cli import exit_status

SRC = Path(__file__).resolve().parents[1] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC)}


def _gradexplain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradexplain", *args], capture_output=True,
                          text=True, check=False, timeout=300, env=ENV)


@pytest.mark.slow  # a new gradexplain process
def test_every_scenario_of_a_batch_arrives_through_a_pipe_with_the_status(tmp_path: Path
                                                                          ) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("x = torch.ones(3, requires_grad=True)\n(x * 2).backward()\n")
    done = _gradexplain("run", "accumulation", str(broken), "training_loop",
                        "--format", "json")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["scenario"]["name"] for r in records] == ["accumulation", "broken",
                                                         "training_loop"]
    assert records[1]["error"]["kind"] == "non_scalar_backward"
    assert done.returncode == 1  # broken.py stopped with its error
    assert "Traceback" not in done.stderr


def test_bad_input_ends_with_status_2_and_its_message() -> None:
    done = _gradexplain("run", "no_such_file.py")
    assert done.returncode == 2
    assert "no_such_file.py" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow  # a new gradexplain process
def test_a_reader_that_leaves_early_causes_no_traceback(tmp_path: Path) -> None:
    big = tmp_path / "big.py"  # several MB of JSON: far more than a pipe holds
    big.write_text("a = torch.ones(300, 300, requires_grad=True)\n(a * 2).sum().backward()\n")
    command = f"{sys.executable} -m gradexplain run {big} --format json --full | head -c 20"
    done = subprocess.run(["sh", "-c", command], capture_output=True, check=False,
                          timeout=300, env=ENV)
    assert done.stdout == b'{"format": "gradexpl'
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130),
                                              ("stopped", 1)])
def test_exit_status_follows_python(code: object, status: int,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(code) == status
    assert capsys.readouterr().err == ("stopped\n" if code == "stopped" else "")
