"""Issue 16 case 3: a note or check names the element it is about, so that printing a big
tensor summarized (PyTorch's threshold 1000, edge items 3) never hides it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import torch
from typer.testing import CliRunner

from gradexplain.shell.cli import app

runner = CliRunner()


def run(path: Path, *args: str) -> str:
    result = runner.invoke(app, ["run", str(path), "--width", "400", *args])
    assert result.exit_code in (0, 1), result.stdout
    return " ".join(result.stdout.split())


def run_json(path: Path, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["run", str(path), "--format", "json", *args])
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


NAN_AT_700 = """import torch
x = torch.ones(2000, requires_grad=True)
m = torch.ones(2000)
m[700] = 0.
y = torch.sqrt(x * m).sum()
y.backward()
"""


def test_a_nan_grad_element_of_a_summarized_tensor_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "nan.py", NAN_AT_700)
    # PyTorch's own answer: the one bad element is 700
    x = torch.ones(2000, requires_grad=True)
    m = torch.ones(2000)
    m[700] = 0.0
    torch.sqrt(x * m).sum().backward()
    assert x.grad is not None
    assert (~torch.isfinite(x.grad)).nonzero().flatten().tolist() == [700]
    out = run(path)
    assert "..." in out  # the grad itself is printed summarized, as torch prints it
    assert "the gradient of `x` holds nan at `x.grad[700]`." in out
    zh = run(path, "--lang", "zh")
    assert "`x` 的梯度中出现了 nan（位置 `x.grad[700]`）" in zh
    (note,) = [n for n in run_json(path)["notes"] if n["kind"] == "non_finite_grad"]
    assert note["facts"]["positions"] == [[700]]
    assert (note["facts"]["count"], note["facts"]["numel"]) == (1, 2000)


def test_several_and_all_non_finite_elements(tmp_path: Path) -> None:
    path = write(tmp_path, "log.py", """import torch
w = torch.tensor([[1., 0.], [0., 4.]], requires_grad=True)
torch.log(w).sum().backward()
z = torch.zeros(2, 3, requires_grad=True)
torch.sqrt(z).sum().backward()
""")
    out = run(path)
    assert "holds inf at `w.grad[0, 1]` and `w.grad[1, 0]` (2 of its 4 elements)" in out
    assert "holds inf in all 6 of its elements" in out
    zh = run(path, "--lang", "zh")
    assert "（位置 `w.grad[0, 1]` 和 `w.grad[1, 0]`，共 2 个，总共 4 个元素）" in zh
    assert "（全部 6 个元素）" in zh


def test_relu_at_zero_in_a_2000_element_leaf_is_named_by_the_check(tmp_path: Path) -> None:
    path = write(tmp_path, "relu.yaml", """name: relu2000
tensors:
  x:
    arange: [-500.0, 1500.0]
expression: torch.relu(x)
grad_tensors: ones_like
""")
    out = run(path, "--check-numeric", "--jacobian-limit", "2000")
    assert "..." in out  # numeric and autograd columns are summarized
    # float64 differences of a sum of 2000 terms: 0.5 to about 1e-5
    assert re.search(r"at x\[500\] = 0: numeric 0\.500\d*, autograd 0 ", out), out
    zh = run(path, "--check-numeric", "--jacobian-limit", "2000", "--lang", "zh")
    assert re.search(r"在 x\[500\] = 0 处：数值结果 0\.500\d*，autograd 结果 0", zh), zh


def test_a_disagreement_without_a_known_cause_names_its_element(tmp_path: Path) -> None:
    # A custom Function whose backward is wrong (3 instead of 2): the numeric check finds it.
    path = write(tmp_path, "wrong.py", """import torch

class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3

x = torch.tensor([1., 2., 3.], requires_grad=True)
Double.apply(x).sum().backward()
""")
    data = run_json(path, "--check-numeric")
    (entry,) = data["calls"][0]["numeric"]
    assert entry["agrees"] is False and entry["reason"] is None
    assert torch.allclose(torch.tensor(entry["numeric"]), torch.tensor([2.0, 2.0, 2.0]))
    assert entry["element"]["autograd"] == 3.0
    assert entry["note"].startswith("autograd and finite differences disagree; at x[")
    assert entry["note"].endswith(": numeric 2, autograd 3")
    zh = run(path, "--check-numeric", "--lang", "zh")
    assert "autograd 与有限差分的结果不一致" in zh and "数值结果 2，autograd 结果 3" in zh
