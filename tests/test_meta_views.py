"""--jacobian and --check-numeric on meta tensors (issue 13): the run goes on as PyTorch's
does (meta tensors have shapes, no values), and each view says in words why it has no numbers
instead of failing with "Cannot copy out of meta tensor"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.limits import Limits
from gradexplain.options import RunOptions, ViewOptions
from gradexplain.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CODE = ('import torch\nx = torch.ones(3, device="meta", requires_grad=True)\n'
        "y = (x * x).sum()\ny.backward()\nprint(x.grad.shape)\n")


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "meta.py"
    path.write_text(CODE, encoding="utf-8")
    return path


def test_plain_pytorch_runs_it() -> None:  # the oracle: backward on meta works, no values
    x = torch.ones(3, device="meta", requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None and x.grad.is_meta and x.grad.shape == (3,)


@pytest.mark.parametrize("views", [ViewOptions(jacobian=True), ViewOptions(check_numeric=True),
                                   ViewOptions(graph=True, jacobian=True, check_numeric=True)],
                         ids=["jacobian", "numeric", "all"])
def test_views_on_meta_tensors_say_why_they_hold_no_numbers(tmp_path: Path,
                                                            views: ViewOptions) -> None:
    record = run_scenario(load_scenario(_scenario(tmp_path), Limits()), RunOptions(views=views))
    assert record.error is None and record.ok, record.error
    shown = record.calls[0].views
    if views.jacobian:
        assert shown.jacobian and all(e.get("reason") == "meta" for e in shown.jacobian)
        assert [(e["output"], e["leaf"]) for e in shown.jacobian] == [("y", "x")]
    if views.check_numeric:
        assert shown.numeric and shown.numeric[0]["reason"] == "meta"
    if views.graph:
        assert shown.tree is not None


@pytest.mark.parametrize(("lang", "words"), [("en", "meta tensors have shapes but no values"),
                                             ("zh", "`meta` 设备上的张量只有形状、没有数值")])
@pytest.mark.slow  # a new gradexplain process
def test_the_command_line_explains_it(tmp_path: Path, lang: str, words: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    path = _scenario(tmp_path)
    table = subprocess.run([sys.executable, "-m", "gradexplain", "run", str(path), "--jacobian",
                            "--check-numeric", "--lang", lang, "--width", "200"],
                           capture_output=True, text=True, timeout=120, check=False, env=env)
    assert table.returncode == 0, table.stdout + table.stderr
    assert table.stdout.count(words) == 2, table.stdout  # the Jacobian and the numeric check
    assert "Cannot copy out of meta tensor" not in table.stdout
    done = subprocess.run([sys.executable, "-m", "gradexplain", "run", str(path), "--jacobian",
                           "--format", "json", "--lang", lang],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    call = json.loads(done.stdout)["calls"][0]
    assert call["jacobian"][0]["reason"] == "meta"
