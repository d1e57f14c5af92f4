"""--check-numeric on code (.py files and YAML steps), issue 16 case 11.

PyTorch is the oracle: every numeric column is compared with finite differences (or
torch.autograd.gradcheck) computed here in plain PyTorch, float64.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine import numeric_replay
from gradexplain.engine.float64_replay import Float64Replay
from gradexplain.engine.runner import run_scenario
from gradexplain.explain.deeper_text import numeric_note
from gradexplain.limits import Limits
from gradexplain.options import RunOptions, ViewOptions
from gradexplain.record import NumericEntry, RunRecord
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.shell.cli import app

NUMERIC = ViewOptions(check_numeric=True)


def run_code(tmp_path: Path, code: str, views: ViewOptions = NUMERIC) -> RunRecord:
    path = tmp_path / "snippet.py"
    path.write_text(code, encoding="utf-8")
    return run_scenario(load_scenario(path, Limits()), RunOptions(views=views))


def entries(record: RunRecord, call: int) -> dict[str | None, NumericEntry]:
    numeric = record.calls[call].views.numeric
    assert numeric is not None
    return {e["leaf"]: e for e in numeric}


def central(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> list[float]:
    """Plain central differences of a scalar function, float64, eps 1e-6."""
    x = x.detach().to(torch.float64)
    flat = x.reshape(-1)
    result = []
    for j in range(flat.numel()):
        up, down = flat.clone(), flat.clone()
        up[j] += 1e-6
        down[j] -= 1e-6
        result.append(float((f(up.reshape(x.shape)) - f(down.reshape(x.shape))) / 2e-6))
    return result


def close(a: list[float] | None, b: list[float], atol: float = 1e-5) -> bool:
    assert a is not None
    return torch.allclose(torch.tensor(a, dtype=torch.float64),
                          torch.tensor(b, dtype=torch.float64), atol=atol)


TWO_LEAVES = """import torch
x = torch.tensor([1., 2., 3.], requires_grad=True)
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = (x * w).sin().sum()
y.backward()
"""


def test_two_leaves_of_a_py_file_match_plain_finite_differences(tmp_path: Path) -> None:
    found = entries(run_code(tmp_path, TWO_LEAVES), 0)
    x0 = torch.tensor([1., 2., 3.], dtype=torch.float64)
    w0 = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    assert close(found["x"]["numeric"], central(lambda x: (x * w0).sin().sum(), x0))
    assert close(found["w"]["numeric"], central(lambda w: (x0 * w).sin().sum(), w0))
    assert found["x"]["agrees"] is True and found["w"]["agrees"] is True
    # and gradcheck agrees that autograd's answer is the derivative
    assert torch.autograd.gradcheck(lambda x, w: (x * w).sin().sum(),
                                    (x0.clone().requires_grad_(), w0.clone().requires_grad_()))
    assert close(found["x"]["autograd"], (w0 * (x0 * w0).cos()).tolist())


LOOP = """import torch
torch.manual_seed(0)
x = torch.randn(4, 3)
model = torch.nn.Linear(3, 2)
w = torch.randn(2, requires_grad=True)
for i in range(5):
    out = (model(x).tanh() @ w).pow(2).mean()
    out.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        for p in model.parameters():
            p -= 0.1 * p.grad
    w.grad.zero_()
    model.zero_grad()
"""


def test_a_training_loop_is_checked_call_by_call_at_the_updated_values(tmp_path: Path) -> None:
    record = run_code(tmp_path, LOOP)
    # The same loop in plain PyTorch: at each call, the loss as a function of w (the model's
    # parameters and the data as they are at that call), by finite differences.
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    model = torch.nn.Linear(3, 2)
    w = torch.randn(2, requires_grad=True)
    for call in range(3):
        weight = model.weight.detach().to(torch.float64)
        bias = model.bias.detach().to(torch.float64)
        x64 = x.to(torch.float64)

        def loss_of(v: torch.Tensor, weight: torch.Tensor = weight,
                    bias: torch.Tensor = bias, x64: torch.Tensor = x64) -> torch.Tensor:
            return ((x64 @ weight.T + bias).tanh() @ v).pow(2).mean()

        found = entries(record, call)
        assert close(found["w"]["numeric"], central(loss_of, w), atol=1e-6), call
        assert found["w"]["agrees"] and found["model.weight"]["agrees"], call
        assert found["model.bias"]["agrees"], call
        out = (model(x).tanh() @ w).pow(2).mean()
        out.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            for parameter in model.parameters():
                parameter.sub_(0.1 * parameter.grad)
        w.grad.zero_()
        model.zero_grad()
    # the fourth call says once why it is not checked; the fifth says nothing more
    (later,) = record.calls[3].views.numeric or []
    assert later["reason"] == "later_call" and later["leaf"] is None
    assert numeric_note(later, "en") == (
        "not checked from here on: the numeric check re-runs the code for each call it "
        "checks, so it checks only the first 3 calls this statement makes")
    assert "前 3 次调用" in (numeric_note(later, "zh") or "")
    assert not record.calls[4].views.numeric


def test_unnamed_leaf_random_data_and_autograd_grad(tmp_path: Path) -> None:
    record = run_code(tmp_path, """import torch
y = (torch.tensor([2., 1.], requires_grad=True) * 3).pow(2).sum()
y.backward()
a = torch.tensor([1., -1.], requires_grad=True)
g, = torch.autograd.grad((a.exp() * torch.rand(2)).sum(), [a])
""")
    (unnamed,) = record.calls[0].views.numeric or []
    assert unnamed["leaf"] == "torch.tensor([2., 1.], requires_grad=True)"
    assert close(unnamed["numeric"], [36.0, 18.0]) and unnamed["agrees"]
    (grad,) = record.calls[1].views.numeric or []
    # the random factor drawn after the leaf is the real run's: numeric == autograd
    assert grad["leaf"] == "a" and grad["agrees"]
    assert close(grad["numeric"], grad["autograd"] or [])


def test_relu_at_zero_names_the_element_in_both_languages(tmp_path: Path) -> None:
    record = run_code(tmp_path, """import torch
b = torch.tensor([0.5, 0., -2.], requires_grad=True)
torch.relu(b).sum().backward()
""")
    (entry,) = record.calls[0].views.numeric or []
    assert entry["agrees"] is False and entry["reason"] == "non_smooth_at_zero"
    assert close(entry["numeric"], [1.0, 0.5, 0.0])
    assert entry.get("element") == {"index": [1], "value": 0.0, "numeric": pytest.approx(0.5),
                                    "autograd": 0.0}
    assert (numeric_note(entry, "en") or "").endswith("; at b[1] = 0: numeric 0.5, autograd 0")
    assert (numeric_note(entry, "zh") or "").endswith(
        "在 b[1] = 0 处：数值结果 0.5，autograd 结果 0")


def test_skips_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = run_code(tmp_path, """import torch
c = torch.ones(3, requires_grad=True)
(c * c).sum().backward()
c.data.mul_(2)
(c * c).sum().backward()
c.data.zero_()
(c * c).sum().backward()
big = torch.ones(100, requires_grad=True)
(big * 2).sum().backward()
""")
    assert entries(record, 0)["c"]["agrees"] is True
    # .data scaled every element: the step at the call is measured, so it still checks
    doubled = entries(record, 1)["c"]
    assert doubled["agrees"] is True and close(doubled["numeric"], [4.0, 4.0, 4.0])
    changed = entries(record, 2)["c"]  # .data.zero_(): moving an element moves nothing
    assert changed["reason"] == "leaf_changed" and changed["numeric"] is None
    assert "through .data" in (numeric_note(changed, "en") or "")
    large = entries(record, 3)["big"]
    assert large["reason"] == "too_large"
    assert numeric_note(large, "en") == ("not checked: the leaf has 100 elements, more than "
                                         "the limit of 64 (raise it with --jacobian-limit)")
    assert "100 个元素" in (numeric_note(large, "zh") or "")
    monkeypatch.setattr(numeric_replay, "MAX_RERUNS", 4)
    budget = entries(run_code(tmp_path, TWO_LEAVES), 0)
    assert budget["x"]["reason"] == "rerun_budget" and budget["w"]["reason"] == "rerun_budget"
    assert "4 times" in (numeric_note(budget["x"], "en") or "")


def test_yaml_steps_are_checked_too() -> None:
    scenario = load_scenario_text("""
name: steps
tensors:
  x: [1.0, 2.0]
  w: 3.0
steps: |
  y = (x * w).pow(2).sum()
  y.backward()
""", "t.yaml", "yaml", Limits(), name="steps")
    record = run_scenario(scenario, RunOptions(views=NUMERIC))
    found = entries(record, 0)
    assert close(found["x"]["numeric"], [18.0, 36.0]) and close(found["w"]["numeric"], [30.0])


def test_the_replay_mode_keeps_the_real_runs_random_values() -> None:
    def make() -> list[torch.Tensor]:
        torch.manual_seed(3)
        layer = torch.nn.Linear(3, 2)
        noise = torch.rand(5)
        like = torch.randn_like(noise)
        filled = torch.empty(4).uniform_(-1, 1)
        drop = torch.nn.functional.dropout(torch.ones(20), 0.5)
        return [layer.weight, layer.bias, noise, like, filled, drop]

    plain = make()
    with Float64Replay(torch.float32):
        wide = make()
    for a, b in zip(plain, wide, strict=True):
        assert b.dtype == torch.float64
        assert torch.equal(a.detach().to(torch.float64), b.detach())


def test_cli_py_file_check_numeric_table_and_json(tmp_path: Path) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(TWO_LEAVES, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["run", str(path), "--check-numeric", "--width", "120"])
    assert out.exit_code == 0, out.stdout
    assert "Numeric check (central differences, float64)" in out.stdout
    assert out.stdout.count("✓ agrees") == 2 and "short form" not in out.stdout
    zh = runner.invoke(app, ["run", str(path), "--check-numeric", "--lang", "zh"])
    assert "数值检验（中心差分，float64）" in zh.stdout and zh.stdout.count("✓ 一致") == 2
    data: dict[str, Any] = json.loads(runner.invoke(
        app, ["run", str(path), "--check-numeric", "--format", "json"]).stdout)
    numeric = data["calls"][0]["numeric"]
    assert [e["leaf"] for e in numeric] == ["x", "w"]
    assert set(numeric[0]) >= {"leaf", "numeric", "autograd", "max_diff", "agrees", "reason",
                               "note"}


def test_second_derivative_and_backward_inputs(tmp_path: Path) -> None:
    record = run_code(tmp_path, """import torch
x = torch.tensor([1., 2.], requires_grad=True)
y = (x ** 3).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
h, = torch.autograd.grad(g.sum(), x)
w = torch.tensor([0.5, 1.5], requires_grad=True)
z = (w * x.detach()).sum()
z.backward(inputs=[w])
""")
    x0 = torch.tensor([1., 2.], dtype=torch.float64)
    # d/dx of sum(d/dx sum(x^3)) = d/dx sum(3 x^2) = 6 x, by plain finite differences
    second = entries(record, 1)["x"]
    assert close(second["numeric"], central(lambda x: (3 * x ** 2).sum(), x0), atol=1e-4)
    assert close(second["numeric"], [6.0, 12.0], atol=1e-4) and second["agrees"]
    only = entries(record, 2)
    assert list(only) == ["w"] and close(only["w"]["numeric"], [1.0, 2.0])
