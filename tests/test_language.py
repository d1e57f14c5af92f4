"""The widened statement language end to end: the corpus's provenance, d2l.plot, parameters
named by path, the notes for hooks / optimizers / custom Functions, budgets of the new
constructs, and errors that `try` may (and may not) catch."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine.runner import run_scenario
from gradexplain.limits import Limits
from gradexplain.scenario.model import Code, Scenario
from gradexplain.shell.cli import app

CORPUS = Path(__file__).parent / "corpus"


def _run(source: str, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    scenario = Scenario(name="lang", path="lang.py", steps=(Code(source, "lang.py", 1),),
                        is_snippet=True, source_text=source)
    from gradexplain.options import RunOptions

    return run_scenario(scenario, RunOptions(limits=limits or Limits()))


def test_the_corpus_is_large_and_names_its_sources() -> None:
    files = sorted(CORPUS.glob("*.py"))
    assert len(files) >= 60
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Modeled on: http"), path.name


SEED_PLOT = """\
import torch
from d2l import torch as d2l

x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
d2l.plot(x.detach(), y.detach(), 'x', 'relu(x)', figsize=(5, 2.5))
y.backward(torch.ones_like(x), retain_graph=True)
d2l.plot(x.detach(), x.grad, 'x', 'grad of relu', figsize=(5, 2.5))
"""


def test_the_seed_d2l_plot_block_runs_and_plots() -> None:
    record = _run(SEED_PLOT)
    assert record.error is None
    plot = record.plot
    assert plot is not None and plot.x is not None
    x = torch.arange(-8.0, 8.0, 0.1)
    assert plot.x.values == x.tolist()
    relu, grad = plot.series
    assert (relu.label, grad.label) == ("relu(x)", "grad of relu")
    assert relu.values == torch.relu(x).tolist()
    assert grad.values == (x > 0).float().tolist()


def test_gradexplain_plot_draws_the_d2l_block(tmp_path: Path) -> None:
    script = tmp_path / "relu.py"
    script.write_text(SEED_PLOT, encoding="utf-8")
    result = CliRunner().invoke(app, ["plot", str(script)])
    assert result.exit_code == 0, result.output
    assert "grad of relu" in result.output


def test_parameters_are_leaves_named_by_path() -> None:
    record = _run("import torch\nfrom torch import nn\n"
                  "class Net(nn.Module):\n"
                  "    def __init__(self):\n"
                  "        super().__init__()\n"
                  "        self.fc1 = nn.Linear(2, 3)\n"
                  "    def forward(self, x):\n"
                  "        return self.fc1(x).sum()\n"
                  "model = Net()\n"
                  "loss = model(torch.ones(1, 2))\n"
                  "loss.backward()\n")
    assert record.error is None
    names = [row.name for row in record.tensors]
    assert "model.fc1.weight" in names and "model.fc1.bias" in names
    call = record.calls[0]
    assert call.added["model.fc1.bias"] == [1.0, 1.0, 1.0]


def test_hook_optimizer_custom_function_and_legacy_notes() -> None:
    record = _run("""\
import torch
from torch.autograd import Variable
w = Variable(torch.tensor([1.0, 2.0]), requires_grad=True)
h = w.register_hook(lambda g: g * 10)
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g
opt = torch.optim.SGD([w], lr=0.01)
Square.apply(w).sum().backward()
opt.step()
J = torch.autograd.functional.jacobian(lambda t: t * 3, torch.ones(2))
""")
    assert record.error is None
    kinds = {note.kind: note for note in record.notes}
    assert {"hook_called", "optimizer_step", "custom_function", "autograd_functional",
            "legacy_api"} <= set(kinds)
    assert kinds["hook_called"].facts["before"] == [2.0, 4.0]
    assert kinds["hook_called"].facts["after"] == [20.0, 40.0]
    step = kinds["optimizer_step"].facts["changed"][0]
    assert step["before"] == [1.0, 2.0] and step["after"] == pytest.approx([0.8, 1.6])
    assert kinds["custom_function"].facts["saved"] == [[2]]
    assert kinds["autograd_functional"].facts["result"] == [2, 2]


@pytest.mark.parametrize(("code", "kind"), [
    ("def f(n):\n    return f(n + 1)\nf(0)", "limit_exceeded"),
    ("i = 0\nwhile i < 10**6:\n    i += 1", "limit_exceeded"),
    ("y = [i for i in range(10**6)]", "limit_exceeded"),
])
def test_new_constructs_are_bounded(code: str, kind: str) -> None:
    record = _run("import torch\n" + code + "\n")
    assert record.error is not None and record.error.kind == kind


def test_try_catches_pytorch_errors_but_never_a_refusal() -> None:
    caught = _run("import torch\ntry:\n    torch.ones(2) @ torch.ones(3)\n"
                  "except RuntimeError as e:\n    print('caught', type(e) == type(e))\n")
    assert caught.error is None and caught.prints[0].text == "caught True"
    refused = _run("import torch\ntry:\n    x = torch.ones(10**9, 10**9)\n"
                   "except Exception:\n    pass\n")
    assert refused.error is not None and refused.error.kind == "limit_exceeded"


def test_a_failed_assert_is_an_error_with_its_message() -> None:
    record = _run("import torch\nx = torch.ones(2)\nassert x.sum() == 3, 'sum is not 3'\n")
    assert record.error is not None
    assert record.error.message == "sum is not 3"
    assert record.error.line == 3


def test_user_functions_are_opaque() -> None:
    record = _run("def f():\n    return 1\ny = f.body\n")
    assert record.error is not None and record.error.kind == "not_allowed"


def test_grad_mode_is_restored_after_a_run() -> None:
    record = _run("import torch\ntorch.set_grad_enabled(False)\n")
    assert record.error is None
    assert torch.is_grad_enabled()


def test_call_depth_is_a_documented_limit() -> None:
    record = _run("def f(n):\n    return 0 if n == 0 else f(n - 1)\ny = f(30)\n",
                  Limits(max_call_depth=10))
    assert record.error is not None and record.error.kind == "limit_exceeded"
    assert "--max-call-depth" in (record.error.hint or "")
