"""Training loops: a statement's repeated backward calls folded into a group (issue 15).

PyTorch is the oracle for the numbers (the loss and the grad norm of every iteration); the
folded table is pinned as golden text; JSON keeps groups and caps its per-call list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.shell.cli import app

runner = CliRunner()

FIT = """\
w = torch.tensor(0.0, requires_grad=True)
x = torch.tensor([1., 2., 3.])
y = torch.tensor([2., 4., 6.])
for i in range({n}):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    print("loss", loss.item())
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
"""

REGRESSION = """\
x = torch.linspace(-1, 1, 12).reshape(4, 3)
y = torch.tensor([[1.], [0.], [2.], [-1.]])
w = torch.zeros(3, 1, requires_grad=True)
for i in range({n}):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad.zero_()
"""

# sqrt(w * (260 - i)): finite until i = 260, where sqrt's derivative at 0 is inf (call 261);
# after it the argument is negative and everything is nan.
TURNS_INFINITE = """\
w = torch.tensor([1.0], requires_grad=True)
for i in range(270):
    loss = torch.sqrt(w * (260 - i)).sum()
    loss.backward()
    w.grad.zero_()
"""


def run(tmp_path: Path, code: str, *args: str) -> Any:
    path = tmp_path / "loop.py"
    path.write_text(code, encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), *args], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "json" in args else result.output


def plain_torch(code: str) -> dict[str, list[float]]:
    """The same loop in plain PyTorch, recording the loss and ‖w.grad‖ of each iteration."""
    losses: list[float] = []
    norms: list[float] = []
    body = code.replace("    loss.backward()\n", "    loss.backward()\n"
                        "    losses.append(loss.item())\n"
                        "    norms.append(float(torch.linalg.vector_norm(w.grad)))\n")
    body = body.replace('    print("loss", loss.item())\n', "")
    exec(body, {"torch": torch, "losses": losses, "norms": norms})  # our own test code
    return {"loss": losses, "norm": norms}


GOLDEN_GROUP = """\
  `loss.backward()` (step 6) ran 8 times: calls 1–8. Shown in full: the first, the last and each
  call that differs in kind; the other 6 are summarized (`--calls all` shows every call).
  series    calls  first  last  min    max  over the calls
  loss          8  18.67     0    0  18.67  █▁▁▁▁▁▁▁
  ‖w.grad‖      8  18.67     0    0  18.67  █▁▁▁▁▁▁▁
"""


def test_folded_group_golden(tmp_path: Path) -> None:
    out = run(tmp_path, FIT.format(n=8), "--width", "100")
    assert GOLDEN_GROUP in out
    assert "call 1 · step 6" in out and "call 8 · step 6" in out
    for hidden in range(2, 8):
        assert f"call {hidden} ·" not in out
    # prints of the loop: the first three, a count, the last
    assert "… 4 more lines from this statement …" in out
    assert out.count("loss 0.0\n") == 1


def test_calls_all_restores_every_call(tmp_path: Path) -> None:
    out = run(tmp_path, FIT.format(n=8), "--width", "100", "--calls", "all")
    for index in range(1, 9):
        assert f"call {index} · step 6" in out
    assert "ran 8 times" not in out and "more lines" not in out


def test_small_loops_are_not_folded(tmp_path: Path) -> None:
    out = run(tmp_path, FIT.format(n=5), "--width", "100")
    assert all(f"call {i} · step 6" in out for i in range(1, 6))
    assert "ran 5 times" not in out


def test_trends_match_pytorch(tmp_path: Path) -> None:
    code = REGRESSION.format(n=300)
    oracle = plain_torch(code)
    data = run(tmp_path, code, "--format", "json")
    (group,) = data["groups"]
    assert group["calls"] == 300 and group["folded"] and group["first"] == 1
    loss, (norm,) = group["output"], group["grad_norms"]
    assert loss["label"] == "loss" and norm["label"] == "w"
    for trend, values in ((loss, oracle["loss"]), (norm, oracle["norm"])):
        assert trend["calls"] == 300 and trend["every"] == 1
        assert trend["first"] == pytest.approx(values[0], rel=1e-6)
        assert trend["last"] == pytest.approx(values[-1], rel=1e-6)
        assert trend["min"] == pytest.approx(min(values), rel=1e-6)
        assert trend["max"] == pytest.approx(max(values), rel=1e-6)
        assert trend["points"] == pytest.approx(values, rel=1e-5, abs=1e-9)
    assert oracle["loss"][-1] < oracle["loss"][0]  # it did learn


def test_json_caps_the_call_list(tmp_path: Path) -> None:
    code = REGRESSION.format(n=250)
    data = run(tmp_path, code, "--format", "json")
    assert data["calls_total"] == 250 and not data["calls_all"]
    assert [c["index"] for c in data["calls"]] == [*range(1, 201), 250]
    last = data["calls"][-1]
    oracle = plain_torch(code)
    grad = torch.tensor(last["after"]["w"])
    assert float(torch.linalg.vector_norm(grad)) == pytest.approx(oracle["norm"][-1], rel=1e-5)
    assert last["before"]["w"] == [[0.0], [0.0], [0.0]]  # zeroed by the previous iteration
    everything = run(tmp_path, code, "--format", "json", "--calls", "all")
    assert everything["calls_total"] == 250 and everything["calls_all"]
    assert [c["index"] for c in everything["calls"]] == list(range(1, 251))
    assert everything["calls"][-1]["after"] == last["after"]


def test_a_call_that_differs_is_shown_with_its_reason(tmp_path: Path) -> None:
    data = run(tmp_path, TURNS_INFINITE, "--format", "json")
    (group,) = data["groups"]
    assert group["differing"] == [{"call": 261, "reasons": ["non_finite:w",
                                                            "note:non_finite_grad:w"]}]
    assert group["shown"] == [1, 261, 270]
    assert 261 in [c["index"] for c in data["calls"]]
    note = next(n for n in data["notes"] if n["kind"] == "non_finite_grad")
    assert note["call"] == 261 and note["facts"]["origin"] == "not_traced_loop"
    assert group["grad_norms"][0]["non_finite"] == 10
    table = run(tmp_path, TURNS_INFINITE, "--width", "100")
    assert "differs from the calls before: w.grad holds inf or nan; a new note: " \
        "non_finite_grad (w)" in table
    assert "call 261 ·" in table and "call 262 ·" not in table


def test_thousand_iterations_print_little(tmp_path: Path) -> None:
    out = run(tmp_path, REGRESSION.format(n=1000), "--width", "100")
    assert len(out.encode()) < 20 * 1024
    assert "call 1 ·" in out and "call 1000 ·" in out and "ran 1000 times" in out


def test_memory_stays_bounded_in_process() -> None:
    from gradexplain.engine.runner import run_scenario
    from gradexplain.options import RunOptions
    from gradexplain.scenario.loader import load_scenario_text

    scenario = load_scenario_text(REGRESSION.format(n=2000), None, "py", RunOptions().limits)
    record = run_scenario(scenario, RunOptions())
    assert len(record.calls) == 201 and record.calls_total == 2000
    assert len(record.groups[0].output.points) <= 512  # type: ignore[union-attr]


def test_repl_interleaves_prints_and_folds(tmp_path: Path) -> None:
    script = ("w = torch.ones(2, requires_grad=True)\n"
              "for i in range(2):\n    (w * i).sum().backward()\n    print('after', i)\n\n"
              "for i in range(50):\n    (w * 2).sum().backward()\n    w.grad.zero_()\n")
    env = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", COLUMNS="120")
    result = subprocess.run([sys.executable, "-m", "gradexplain", "repl"], input=script,
                            capture_output=True, text=True, env=env, cwd=tmp_path,
                            timeout=120, check=False)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    order = [out.index(s) for s in ("call 1 ·", "after 0", "call 2 ·", "after 1")]
    assert order == sorted(order)
    assert "ran 50 times: calls 3–52" in out
    assert "call 3 ·" in out and "call 52 ·" in out and "call 4 ·" not in out


def test_plot_calls_draws_loss_and_grad_norms(tmp_path: Path) -> None:
    code = REGRESSION.format(n=300)
    path = tmp_path / "loop.py"
    path.write_text(code, encoding="utf-8")
    result = runner.invoke(app, ["plot", str(path), "--calls", "--width", "80"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "`loss.backward()`: 300 backward calls (step 6)" in out
    assert "\nloss\n" in out and "\n‖w.grad‖\n" in out
    oracle = plain_torch(code)
    from gradexplain.app.plot_calls import calls_plot
    from gradexplain.options import RunOptions

    plot, values = calls_plot("loop", path, RunOptions().limits)
    assert values == 1 and plot.x is not None and plot.x.values[:3] == [1, 2, 3]
    assert plot.series[0].values == pytest.approx(oracle["loss"], rel=1e-5)
    assert plot.series[1].values == pytest.approx(oracle["norm"], rel=1e-5, abs=1e-9)
    if pytest.importorskip("matplotlib"):
        picture = tmp_path / "trends.png"
        drawn = runner.invoke(app, ["plot", str(path), "--calls", "--output", str(picture)])
        assert drawn.exit_code == 0, drawn.output
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
