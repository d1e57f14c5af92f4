"""Shapes found by the held-out measurement (real tutorial and docs code): each runs under the
interpreter exactly as in plain PyTorch, the oracle. The snippets are our own, in the same shape
as the sources named beside them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

HERE = Path(__file__).parent

SNIPPETS: dict[str, str] = {
    # docs/notes/extending.rst: LinearFunction saves a bias that may be None.
    "save_none": '''import torch
from torch.autograd import Function

class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        print(bias is None)
        grad_input = grad_output.mm(weight)
        grad_weight = grad_output.t().mm(input)
        return grad_input, grad_weight, None

x = torch.randn(4, 3, requires_grad=True)
w = torch.randn(2, 3, requires_grad=True)
y = LinearFunction.apply(x, w)
y.sum().backward()
print(x.grad)
print(w.grad)
''',
    # d2l builders' guide: lazy layers take their input size from the first call.
    "lazy_layers": '''import torch
from torch import nn
from torch.nn import functional as F

net = nn.Sequential(nn.LazyLinear(6), nn.ReLU(), nn.LazyLinear(2))
X = torch.rand(3, 5)
out = net(X)
print(out.shape, net[0].weight.shape)
out.sum().backward()
print(net[2].weight.grad.shape)

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.LazyConv2d(4, kernel_size=3)
        self.fc = nn.LazyLinear(1)

    def forward(self, x):
        return self.fc(F.relu(self.conv(x)).flatten(1))

block = Block()
img = torch.randn(2, 1, 5, 5)
loss = block(img).sum()
loss.backward()
print(block.conv.weight.shape, block.fc.weight.shape)

def init_normal(module):
    if type(module) == nn.Linear:
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)

net.apply(init_normal)
print(net[0].bias)
''',
    # beginner blitz LeNet and friends: the pooling and activation functions of F.
    "functional": '''import torch
import torch.nn.functional as F

x = torch.randn(1, 2, 6, 6, requires_grad=True)
y = F.max_pool2d(F.relu(x), (2, 2))
z = F.avg_pool2d(y, 3)
a = F.adaptive_avg_pool2d(x, (2, 2))
m = F.max_pool1d(torch.randn(1, 2, 8), 2)
loss = z.sum() + a.sum() + F.adaptive_max_pool2d(x, 1).sum()
loss.backward()
print(y.shape, z.shape, a.shape, m.shape)
logits = torch.randn(4, 3, requires_grad=True)
target = torch.tensor([0, 2, 1, 2])
ce = F.cross_entropy(logits, target) + F.nll_loss(F.log_softmax(logits, dim=1), target)
oh = F.one_hot(target)
print(oh, F.one_hot(target, num_classes=5).shape)
mse = F.mse_loss(F.softmax(logits, dim=1), oh.float())
act = F.gelu(logits) + F.silu(logits) + F.leaky_relu(logits, 0.1) + F.softmin(logits, dim=1)
(ce + mse + act.sum() + F.pad(logits, (1, 1)).sum()).backward()
print(logits.grad)
''',
    # autograd.graph docstring: one hook over several tensors.
    "multi_grad_hook": '''import torch

a = torch.rand(2, 3, requires_grad=True)
b = torch.rand(2, 3, requires_grad=True)
c = a * b
d = a + b

def fn(grads):
    print([g is not None for g in grads])

handle = torch.autograd.graph.register_multi_grad_hook((a, b, c, d), fn)
c.sum().backward(retain_graph=True)
c.sum().backward(inputs=(a,), retain_graph=True)
handle.remove()
d.sum().backward()
print(a.grad)
''',
    # in-place indexed writes, and a tensor's type printed like Python prints it.
    "indexed_writes": '''import torch

x = torch.zeros(5, 3)
t = torch.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 9]], requires_grad=True)
x.index_copy_(0, torch.tensor([0, 4, 2]), t * 2)
x.sum().backward()
print(x)
print(t.grad)
s = torch.zeros(3, 5).scatter_add_(0, torch.tensor([[0, 1, 2, 0, 0]]), torch.ones(1, 5))
s.scatter_(1, torch.tensor([[4], [3], [2]]), 9.0)
s.index_add_(0, torch.tensor([1]), torch.ones(1, 5))
s.index_fill_(1, torch.tensor([0]), -1.0)
s.masked_fill_(s > 5, 5.0)
mask = torch.tensor([[True, False], [False, True]])
m = torch.zeros(2, 2).masked_scatter_(mask, torch.tensor([7., 8.]))
print(s, m)
print(RuntimeError, [ValueError])
try:
    torch.zeros(2).index_copy_(0, torch.tensor([5]), torch.ones(1))
except (RuntimeError, IndexError) as err:
    print(type(err) is not None)
''',
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("heldout")
    paths = {}
    for name, text in SNIPPETS.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def plain(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("plain") / "plain.json"
    subprocess.run([sys.executable, str(HERE / "plain_torch.py"), str(out),
                    *map(str, files.values())], check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(SNIPPETS))
@pytest.mark.slow  # plain torch in a new process
def test_runs_like_plain_torch(name: str, files: dict[str, Path], plain: dict[str, Any]) -> None:
    expected = plain[str(files[name])]
    assert expected["error"] is None, expected["error"]
    record = run_scenario(load_scenario(files[name], Limits()))
    assert record.error is None, record.error
    assert "".join(p.text + "\n" for p in record.prints) == expected["stdout"]
    mine = {row.name: row for row in record.tensors}
    assert set(mine) == set(expected["tensors"])
    for key, want in expected["tensors"].items():
        assert mine[key].shape == want["shape"], key
        assert mine[key].value == want["value"], key
        assert mine[key].grad == want["grad"], f"{key}.grad"


@pytest.mark.parametrize("code", [
    # A lazy layer's weight is in-features times out-features: refused before it is made.
    "import torch\nfrom torch import nn\nnet = nn.LazyLinear(5000)\n"
    "y = net(torch.zeros(1, 5000))\n",
    "import torch\nfrom torch import nn\nnet = nn.LazyConv2d(300, kernel_size=30)\n"
    "y = net(torch.zeros(1, 300, 30, 30))\n",
    # one_hot's default class count comes from the largest value.
    "import torch\nimport torch.nn.functional as F\ny = F.one_hot(torch.tensor([0, 10**8]))\n",
])
def test_sizes_are_checked_first(code: str, tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text(code, encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is not None and record.error.kind == "limit_exceeded", record.error


def test_module_apply_runs_the_callable_in_the_interpreter(tmp_path: Path) -> None:
    """`m.apply(fn)` hands torch a wrapper: the callable is interpreted, like a hook (so
    `m.apply(print)` prints through the run's own output, never the real builtin)."""
    path = tmp_path / "apply.py"
    path.write_text("from torch import nn\nm = nn.Sequential(nn.Linear(2, 2))\nm.apply(print)\n",
                    encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    assert [p.text.splitlines()[0] for p in record.prints] == [
        "Linear(in_features=2, out_features=2, bias=True)", "Sequential("]
