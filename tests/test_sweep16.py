"""Issue 16, second pass on variants a learner writes: two files of accumulation with grads of
different values (compare names them), and graph_rebuilt in Python code (the optimizer's
zero_grad, never the YAML key)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gradexplain.shell.cli import app

runner = CliRunner()


def plain(*args: str) -> str:
    result = runner.invoke(app, [*args, "--width", "400"])
    return " ".join(result.stdout.split())


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


LOOP = """import torch
x = torch.tensor([1., 2.], requires_grad=True)
for _ in range(3):
    y = (x * x).sum()
{zero}    y.backward()
"""


def test_compare_of_two_files_writes_out_a_few_different_values(tmp_path: Path) -> None:
    accum = write(tmp_path, "accum.py", LOOP.format(zero=""))
    zeroed = write(tmp_path, "zeroed.py", LOOP.format(zero="    x.grad = None\n"))
    out = plain("compare", accum, zeroed)
    # PyTorch: call 2 leaves [4., 8.] with accumulation, [2., 4.] without
    assert "x.grad already held [2, 4] from earlier calls and this call added [2, 4] on top " \
        "of it; in B x.grad was empty or zeroed before this call, so it holds only the [2, 4] " \
        "this call computed. The difference is accumulation" in out
    assert "values)" not in out
    zh = plain("compare", zeroed, accum, "--lang", "zh")
    assert "B 中，x.grad 里已经有之前调用留下的 [4, 8]，这次调用又在上面加了 [2, 4]" in zh


MODEL = """import torch
x = torch.tensor([[1., 2.], [3., 4.]])
y = torch.tensor([[1.], [2.]])
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
for _ in range(3):
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
"""


def test_graph_rebuilt_in_python_suggests_the_optimizers_zero_grad(tmp_path: Path) -> None:
    path = write(tmp_path, "train.py", MODEL)
    out = plain("run", path)
    assert "The gradients of `model.weight` and `model.bias` still accumulate across " \
        "iterations unless zeroed (`opt.zero_grad()` in each iteration)." in out
    assert "zero_grad: true" not in out and "short form" not in out
    zh = plain("run", path, "--lang", "zh")
    assert "不过除非清零（在每次迭代中调用 `opt.zero_grad()`），`model.weight` 和 " \
        "`model.bias` 的梯度仍会在迭代之间累加。" in zh


def test_graph_rebuilt_in_python_without_an_optimizer_names_the_leaf(tmp_path: Path) -> None:
    out = plain("run", write(tmp_path, "accum.py", LOOP.format(zero="")))
    assert "The gradients of `x` still accumulate across iterations unless zeroed " \
        "(`x.grad.zero_()`)." in out
    assert "zero_grad: true" not in out


def test_graph_rebuilt_in_yaml_still_offers_the_yaml_key(tmp_path: Path) -> None:
    path = write(tmp_path, "r.yaml", """name: r
tensors:
  x: [1., 2.]
steps: |
  y = (x * x).sum()
  y.backward()
repeat: 3
""")
    out = plain("run", path)
    assert "(`x.grad.zero_()`, or `zero_grad: true` in the short form)" in out


TWO_LEAVES = """import torch
x = torch.tensor([1., 2., 3.])
w = torch.tensor([0.5, -1., 2.], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
for step in range(2):
    loss = ((w * x).sum() + b) ** 2
    loss.backward()
"""


def _torch_b_grads() -> tuple[str, str]:
    import torch

    x = torch.tensor([1., 2., 3.])
    w = torch.tensor([0.5, -1., 2.], requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    added = []
    for _ in range(2):
        before = 0.0 if b.grad is None else float(b.grad)
        (((w * x).sum() + b) ** 2).backward()
        added.append(float(b.grad) - before)
    return f"{added[1]:g}", f"{float(b.grad):g}"


def test_two_leaves_accumulating_in_one_call_explain_the_rule_once(tmp_path: Path) -> None:
    """w and b both accumulate in call 2: the rule is said once (w's note); b's note says
    what was added and how to zero it, in both languages."""
    path = write(tmp_path, "two.py", TWO_LEAVES)
    added, after = _torch_b_grads()  # PyTorch: 9.2 added, 18.4 after
    out = plain("run", path)
    assert out.count("Gradients accumulate in .grad") == 1
    assert f"Call 2 also added to `b.grad`: {added} + {added} = {after} (zero it with " \
           "`b.grad.zero_()`)." in out
    zh = plain("run", path, "--lang", "zh")
    assert zh.count("会在多次 `backward()` 调用之间不断累加") == 1
    assert f"第 2 次调用也把梯度累加到了 `b.grad` 上：{added} + {added} = {after}" in zh
