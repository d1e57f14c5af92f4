"""Issue 29's wider language against plain Python, the oracle: the numpy subset, `import os`
and other placeholders, `__name__`, `id`/`dir`, the `collections`/`random`/`time`/`copy`
subsets, print options, and the names a user's own classes and functions may have. Each
snippet runs under gradexplain and as plain Python (tests/plain_torch.py, seeded like a
scenario); their prints, tensors and errors must agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.scenario.model import Code, Scenario

HERE = Path(__file__).parent
# The oracle seeds torch; these seed numpy and random themselves, as the corpus's files do.
SNIPPETS: dict[str, str] = {
    "numpy_data_from_numpy": """\
import numpy as np
import torch
np.random.seed(0)
x_np = np.random.normal(0, 1, (4, 2)).astype(np.float32)
y_np = x_np @ np.array([[2.0], [-1.0]], dtype=np.float32) + 0.5
x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
w = torch.zeros(2, 1, requires_grad=True)
losses = np.zeros(3)
for epoch in range(3):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
    losses[epoch] = loss.item()
    if loss.data.numpy() < 0.01:
        break
print(losses, losses.shape, losses.dtype, np.round(losses, 3).tolist())
print(w.detach().numpy(), w.detach().numpy().T.shape)
""",
    "numpy_math_and_printing": """\
import numpy as np
a = np.arange(6).reshape(2, 3)
b = np.linspace(0, 1, 5)
print(a, a.T, a.sum(axis=0), a.mean(), np.max(a), np.argmax(a))
print(b, b.size, b.ndim, [np.float64(0.5), np.ones(2)])
print(np.exp(b).round(2), np.sqrt(a), np.sin(b) > 0.5, np.where(b > 0.5, 1, 0))
m = np.array([[2.0, 1.0], [1.0, 3.0]])
print(np.linalg.inv(m), np.linalg.det(m), np.linalg.solve(m, np.ones(2)), np.linalg.norm(m))
print(np.dot(m, m), m @ m, np.eye(2), np.zeros_like(m), np.concatenate([m, m]).shape)
a[0, 1] = 9
a[a > 4] = 0
print(a, a[:, 1], a[1], a[[0, 1], [2, 0]], list(a[0]))
for row in a:
    print(row.tolist(), float(row.sum()), int(row[0]))
np.set_printoptions(precision=2)
print(np.array([1.23456, 2.5]), f"{np.float32(1.5):.3f}", np.zeros(2, dtype=int),
      np.ones(2).astype(bool), np.arange(3).astype(float).dtype)
np.set_printoptions(precision=8)  # the oracle runs the next snippet in this process
""",
    "numpy_random_generators": """\
import numpy as np
np.random.seed(1)
print(np.random.rand(2), np.random.randn(2, 2).shape, np.random.randint(0, 10, 3))
print(np.random.uniform(-1, 1, 2), np.random.choice(5, 3), np.random.permutation(4))
idx = np.arange(5)
np.random.shuffle(idx)
print(idx)
rng = np.random.default_rng(3)
print(rng.normal(size=2), rng.integers(0, 5, 3))
rs = np.random.RandomState(2)
print(rs.randn(2), rs.uniform(0, 1, 2))
""",
    "tensor_numpy_requires_grad_error": """\
import torch
x = torch.ones(2, requires_grad=True)
print(x.detach().numpy())
y = x.numpy()
""",
    "placeholders_and_main": """\
import os
import sys, argparse
from pathlib import Path
import torch

def main():
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    print(x.grad, __name__)

if __name__ == "__main__":
    main()
""",
    "id_dir_copy_modules": """\
import copy
import torch
from torch import nn
net = nn.Linear(2, 1)
same = net
clone = copy.deepcopy(net)
print(id(net) == id(same), id(net) == id(clone), id(net.weight) == id(clone.weight))
print(torch.equal(net.weight, clone.weight), copy.copy([1, [2]]))
w = torch.ones(2, requires_grad=True)
w2 = copy.deepcopy(w)
print(w2.requires_grad, w2.is_leaf, 'grad' in dir(w), 'backward' in dir(w))
""",
    "collections_random_time": """\
import random
import time
from collections import OrderedDict, defaultdict, deque, Counter, namedtuple
import torch
from torch import nn
random.seed(4)
items = list(range(6))
random.shuffle(items)
print(items, random.randint(1, 9), random.choice(items), random.sample(items, 2))
print(round(random.random(), 6), round(random.uniform(0, 1), 6), round(random.gauss(0, 1), 6))
net = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 1)), ("act", nn.ReLU())]))
print(net)
counts = defaultdict(int)
for word in ["a", "b", "a"]:
    counts[word] += 1
print(dict(counts), Counter("abca").most_common(1))
window = deque(maxlen=2)
for v in range(4):
    window.append(v)
print(list(window), len(window))
Point = namedtuple("Point", ["x", "y"])
p = Point(1, y=2)
print(p, p.x + p.y, p[0])
start = time.time()
t0 = time.perf_counter()
time.sleep(0.01)
print(time.time() - start >= 0.0, time.perf_counter() >= t0)
""",
    "own_names_and_classes": """\
import torch
from torch import nn
from torch.autograd.function import Function

def set_seed(seed):
    torch.manual_seed(seed)

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self._scale = 2.0
        self.fc = self._make_layer(2)

    def _make_layer(self, n):
        return nn.Linear(n, 1)

    @staticmethod
    def double(x):
        return x * 2

    def forward(self, x):
        return self.double(self.fc(x)) * self._scale

class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 2 * x * grad

set_seed(0)
block = Block()
print(block.__class__.__name__, type(block).__name__, set_seed.__name__)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = Square.apply(x)
print(y.grad_fn.__class__.__name__)
out = block(y)
out.sum().backward()
print(x.grad)
g = torch.Generator().manual_seed(5)
print(torch.rand(2, generator=g), torch.logical_not(torch.tensor([True, False])))
opt = torch.optim.SGD(block.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
opt.step()
sched.step()
print(sched.get_last_lr(), torch.backends.mps.is_available())
state = block.state_dict()
block.load_state_dict(state)
torch.set_printoptions(precision=2)
print(torch.tensor([1.23456]))
torch.set_printoptions(precision=4)  # the oracle runs the next snippet in this process
""",
    "builtins_and_names": """\
import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler
model = nn.Linear(2, 1)
print(list(map(lambda v: v * 2, [1, 2])), list(filter(None, [0, 3])), list(map(str, [1])))
print(sorted([3, 1, 2], key=lambda v: -v), max([1, 5, 2], key=lambda v: -v))
print(isinstance(model, nn.Linear), isinstance(model, nn.ReLU), type(model).__module__)
target = torch.from_numpy(np.array([0, 1])).type(torch.LongTensor)
print(target, target.dtype, np.c_[np.ones(2), np.zeros(2)], np.r_[0:3, np.ones(1)])
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = lr_scheduler.ExponentialLR(opt, gamma=0.9)
print(sched.__module__ == lr_scheduler.__name__, opt.state_dict()["param_groups"][0]["lr"])
y = torch.ones(1, requires_grad=True) * 2
print(y.grad_fn.next_functions[0][0].variable, "name" in dir(y.grad_fn))
print(dict(a=1), "Ab".isupper(), "ab".find("b"))
print(hasattr(y, "ndim"), hasattr([1], "__len__"), hasattr(1, "__len__"), hasattr(y, "nosuch"))
""",
    "node_apply_and_lambda_lr": """\
import torch as t
from torch.autograd import Function
class MultiplyAdd(Function):
    @staticmethod
    def forward(ctx, w, x, b):
        ctx.save_for_backward(w, x)
        return w * x + b
    @staticmethod
    def backward(ctx, grad_output):
        w, x = ctx.saved_tensors
        return grad_output * x, grad_output * w, grad_output
x = t.ones(1)
w = t.rand(1, requires_grad=True)
b = t.rand(1, requires_grad=True)
z = MultiplyAdd.apply(w, x, b)
print(z.grad_fn.apply(t.ones(1)))
opt = t.optim.SGD([w], lr=1.0)
s = t.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda e: 0.5 ** e)
for i in range(3):
    opt.step(); s.step()
print(s.get_last_lr())
""",
}


def _run(source: str, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    scenario = Scenario(name="lang", path="lang.py", steps=(Code(source, "lang.py", 1),),
                        is_snippet=True, source_text=source)
    return run_scenario(scenario, RunOptions(limits=limits or Limits()))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("subsets")
    paths = []
    for name, text in SNIPPETS.items():
        path = folder / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    out = folder / "plain.json"
    subprocess.run([sys.executable, str(HERE / "plain_torch.py"), str(out), *paths],
                   check=True, capture_output=True, timeout=300)
    results = json.loads(out.read_text(encoding="utf-8"))
    return {Path(p).stem: results[p] for p in paths}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_the_subsets_agree_with_plain_python(name: str, plain: dict[str, Any]) -> None:
    expected = plain[name]
    record = _run(SNIPPETS[name])
    printed = "".join(p.text + "\n" for p in record.prints)
    assert printed == expected["stdout"]
    if expected["error"] is None:
        assert record.error is None, record.error
    else:
        assert record.error is not None
        assert record.error.message.splitlines()[0] == \
            expected["error"]["message"].splitlines()[0]
    mine = {row.name: row for row in record.tensors}
    for tensor, want in expected["tensors"].items():
        if tensor in mine:
            assert mine[tensor].value == want["value"], tensor


def test_random_streams_are_seeded_from_the_scenario_and_repeat() -> None:
    source = "import random\nimport numpy as np\nprint(random.random(), np.random.rand())\n"
    first, second = _run(source), _run(source)
    assert first.prints[0].text == second.prints[0].text


def test_print_options_last_only_for_the_run() -> None:
    import numpy as np
    import torch

    before = (dict(vars(torch._tensor_str.PRINT_OPTS)), np.get_printoptions())
    record = _run("import numpy as np\nimport torch\ntorch.set_printoptions(precision=1)\n"
                  "np.set_printoptions(precision=1)\nprint(torch.tensor([1.25]), "
                  "np.array([1.25]))\n")
    assert record.error is None
    assert record.prints[0].text == "tensor([1.2]) [1.2]"
    assert (dict(vars(torch._tensor_str.PRINT_OPTS)), np.get_printoptions()) == before


def test_a_placeholder_costs_nothing_until_used_and_names_the_line() -> None:
    record = _run("import os\nimport torch\nx = torch.ones(1)\nprint(x)\np = os.path\n")
    assert record.error is not None and record.error.kind == "not_allowed"
    assert record.error.line == 5
    assert "'os'" in record.error.message
    assert [p.text for p in record.prints] == ["tensor([1.])"]


def test_id_is_a_small_number_never_an_address() -> None:
    record = _run("import torch\na = torch.ones(1)\nb = torch.ones(1)\n"
                  "print(id(a), id(b), id(a))\n")
    assert record.prints[0].text == "1 2 1"


def test_custom_function_nodes_print_with_their_module() -> None:
    record = _run("import torch\nclass Sq(torch.autograd.Function):\n"
                  "    @staticmethod\n    def forward(ctx, x):\n        return x * x\n"
                  "    @staticmethod\n    def backward(ctx, g):\n        return g\n"
                  "y = Sq.apply(torch.ones(1, requires_grad=True))\nprint(y.grad_fn)\n"
                  "print((y * 2).grad_fn)\n")
    assert [p.text for p in record.prints] == [
        "<torch.autograd.function.SqBackward object>", "<MulBackward0 object>"]
