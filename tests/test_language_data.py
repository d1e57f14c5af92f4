"""What tutorials' data and model code uses (issue 29): torch.utils.data, generators with
iter()/next(), the user's own plain classes and class hierarchies, a module's `_modules`,
module hooks, the rest of torch.nn, and matplotlib.pyplot. PyTorch is the oracle: each case
runs under gradexplain and as plain Python with real torch (tests/plain_torch.py), and the
prints (every batch a DataLoader gives, shuffled by the same seed) and the error must agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.language import allowlists as allow
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

HERE = Path(__file__).parent
SETUP = "import torch\nfrom torch import nn\n"

TOY = """
from torch.utils.data import Dataset, DataLoader
class Toy(Dataset):
    def __init__(self, n):
        self.x = torch.arange(n * 2.0).reshape(n, 2)
        self.y = torch.arange(n)
    def __getitem__(self, i):
        return self.x[i], self.y[i]
    def __len__(self):
        return len(self.y)
"""

CASES: dict[str, str] = {
    # torch.utils.data
    "loader_shuffle": TOY + "torch.manual_seed(3)\nds = Toy(7)\nprint(len(ds), ds[2])\n"
    "dl = DataLoader(ds, batch_size=3, shuffle=True)\nprint(len(dl))\n"
    "for epoch in range(2):\n    for xb, yb in dl:\n"
    "        print(epoch, xb.tolist(), yb.tolist())\n",
    "dataset_stepped_by_getitem": TOY + "for x, y in Toy(3):\n    print(x, y)\n"
    "print([int(y) for _, y in Toy(2)])\nToy(2)[5]\n",
    "loader_drop_last_positional": TOY + "dl = DataLoader(Toy(7), 2, True, drop_last=True)\n"
    "print(len(dl), [b[1].tolist() for b in dl])\n",
    "loader_next_iter": TOY + "dl = DataLoader(Toy(5), batch_size=2, shuffle=True)\n"
    "it = iter(dl)\nprint(next(it))\nprint(next(it)[1], next(it)[1], next(it, 'end'))\n",
    "loader_collate_dicts_numbers": "from torch.utils.data import DataLoader, Dataset\n"
    "class D(Dataset):\n    def __getitem__(self, i):\n"
    "        return {'x': torch.ones(2) * i, 'n': i, 'f': i / 2, 'pair': (i, [i, i])}\n"
    "    def __len__(self):\n        return 4\n"
    "for b in DataLoader(D(), batch_size=3):\n    print(b)\n",
    "loader_collate_fn": "from torch.utils.data import DataLoader\n"
    "def stack(batch):\n    return sum(batch)\n"
    "print([b for b in DataLoader([1, 2, 3, 4, 5], batch_size=2, collate_fn=stack)])\n",
    "loader_workers_in_process": TOY + "torch.manual_seed(1)\n"
    "dl = DataLoader(Toy(6), batch_size=4, shuffle=True, num_workers=2)\n"
    "print([b[1].tolist() for b in dl])\n",
    "sampler_and_default_collate": "from torch.utils.data import DataLoader, TensorDataset\n"
    "from torch.utils.data import WeightedRandomSampler\n"
    "from torch.utils.data.dataloader import default_collate\ntorch.manual_seed(0)\n"
    "ds = TensorDataset(torch.arange(6.0), torch.tensor([0, 1, 0, 1, 1, 0]))\n"
    "weights = [2 if label == 1 else 1 for data, label in ds]\n"
    "sampler = WeightedRandomSampler(weights, num_samples=9, replacement=True)\n"
    "for datas, labels in DataLoader(ds, batch_size=3, sampler=sampler):\n"
    "    print(labels.tolist())\ndef my_collate(batch):\n    return default_collate(batch)\n"
    "print(next(iter(DataLoader(ds, 2, collate_fn=my_collate, shuffle=True))))\n",
    "tensor_dataset_split_subset": "import torch.utils.data as Data\ntorch.manual_seed(2)\n"
    "ds = Data.TensorDataset(torch.randn(10, 2), torch.arange(10))\n"
    "train, test = Data.random_split(ds, [7, 3])\nprint(len(train), test.indices)\n"
    "sub = Data.Subset(ds, [1, 3])\nprint(sub[1][1], len(sub), ds.tensors[1][:3])\n"
    "for xb, yb in Data.DataLoader(train, batch_size=4, shuffle=True):\n    print(yb)\n",
    "utils_data_spellings": "from torch.utils import data\nimport torch.utils.data\n"
    "ds = data.TensorDataset(torch.arange(4.0))\n"
    "dl = torch.utils.data.DataLoader(dataset=ds, batch_size=3)\nprint(list(dl))\n",
    "loader_training_loop": "from torch.utils.data import TensorDataset, DataLoader\n"
    "torch.manual_seed(0)\nX = torch.randn(20, 3)\ny = X @ torch.tensor([[1.0], [-2.0], [0.5]])\n"
    "net = nn.Linear(3, 1)\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
    "for epoch in range(3):\n"
    "    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True):\n"
    "        loss = ((net(xb) - yb) ** 2).mean()\n        opt.zero_grad()\n"
    "        loss.backward()\n        opt.step()\n    print(epoch, round(loss.item(), 5))\n",
    # generators, iter and next
    "d2l_data_iter": "torch.manual_seed(0)\nfeatures = torch.randn(10, 2)\n"
    "labels = features.sum(1)\n"
    "def data_iter(batch_size, features, labels):\n    num_examples = len(features)\n"
    "    indices = torch.randperm(num_examples).tolist()\n"
    "    for i in range(0, num_examples, batch_size):\n"
    "        j = torch.tensor(indices[i: min(i + batch_size, num_examples)])\n"
    "        yield features.index_select(0, j), labels.index_select(0, j)\n"
    "for X, y in data_iter(4, features, labels):\n    print(X.shape, y)\n    break\n"
    "print(sum(1 for _ in data_iter(3, features, labels)))\n",
    "generator_return_and_next": "def g(n):\n    for i in range(n):\n        if i == 2:\n"
    "            return\n        yield i\ngen = g(5)\nprint(next(gen), next(gen), next(gen, -1))\n"
    "try:\n    next(gen)\nexcept StopIteration:\n    print('stopped')\n",
    "iter_of_list": "it = iter([1, 2])\nprint(next(it), next(it), next(it, None))\nnext(it)\n",
    # plain classes, special methods, hierarchies
    "plain_class_specials": "class Accumulator:\n    scale = 2\n    def __init__(self, n):\n"
    "        self.data = [0.0] * n\n    def add(self, *args):\n"
    "        self.data = [a + float(b) for a, b in zip(self.data, args)]\n"
    "    def __getitem__(self, idx):\n        return self.data[idx] * self.scale\n"
    "    def __len__(self):\n        return len(self.data)\n"
    "    def __call__(self, x):\n        return x + len(self)\n"
    "    def __repr__(self):\n        return f'Acc({self.data})'\n"
    "a = Accumulator(2)\na.add(1, torch.tensor(2.0))\nprint(a[1], len(a), a(10), a, [a])\n"
    "print(isinstance(a, Accumulator), Accumulator.scale)\n",
    "plain_class_iterator": "class Count:\n    def __init__(self, n):\n        self.n = n\n"
    "        self.i = 0\n    def __iter__(self):\n        return self\n"
    "    def __next__(self):\n        if self.i >= self.n:\n            raise StopIteration\n"
    "        self.i += 1\n        return self.i\n"
    "print(list(Count(3)), [v * 2 for v in Count(2)])\nc = Count(1)\nprint(next(c), next(c, 0))\n",
    "class_generator_iter": "class Batches:\n    def __init__(self, t):\n        self.t = t\n"
    "    def __iter__(self):\n        for row in self.t:\n            yield row * 2\n"
    "    def __len__(self):\n        return len(self.t)\n"
    "b = Batches(torch.arange(3.0))\nprint(len(b), [v.item() for v in b])\n",
    "module_hierarchy_super_forward": "class Base(nn.Module):\n"
    "    def __init__(self, n):\n        super().__init__()\n        self.fc = nn.Linear(n, 1)\n"
    "    def forward(self, x):\n        return self.fc(x)\n"
    "class Scaled(Base):\n    def __init__(self):\n        super().__init__(2)\n"
    "        self.k = 3.0\n    def forward(self, x):\n        return super().forward(x) * self.k\n"
    "torch.manual_seed(0)\nm = Scaled()\ny = m(torch.ones(1, 2)).sum()\ny.backward()\n"
    "print(round(y.item(), 5), m.fc.weight.grad, isinstance(m, Base))\n",
    "plain_class_hierarchy": "class A:\n    def __init__(self, v):\n        self.v = v\n"
    "    def __getitem__(self, i):\n        return self.v * i\n"
    "    def get(self):\n        return self.v\n"
    "class B(A):\n    def __init__(self):\n        super().__init__(5)\n"
    "    def get(self):\n        return super().get() + 1\n"
    "    def __getitem__(self, i):\n        return super().__getitem__(i) + 1\n"
    "print(B().get(), isinstance(B(), A), B()[2])\n",
    # module internals and hooks
    "my_sequential_modules": "class MySequential(nn.Module):\n    def __init__(self, *args):\n"
    "        super().__init__()\n        for idx, module in enumerate(args):\n"
    "            self._modules[str(idx)] = module\n    def forward(self, X):\n"
    "        for block in self._modules.values():\n            X = block(X)\n        return X\n"
    "torch.manual_seed(0)\nnet = MySequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))\n"
    "out = net(torch.ones(2, 4))\nprint(out.shape, len(net._modules), list(net._modules.keys()))\n"
    "print([n for n, _ in net.named_children()], len(list(net.modules())))\n"
    "print(sorted(net.state_dict().keys()))\nprint(net._modules['1'], net._parameters)\n",
    "module_registration": "class M(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.register_parameter('w', nn.Parameter(torch.ones(2)))\n"
    "        self.register_buffer('c', torch.zeros(2))\n"
    "        self.add_module('fc', nn.Linear(2, 2))\n"
    "    def forward(self, x):\n        return self.fc(x * self.w) + self.c\n"
    "m = M()\nprint([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])\n"
    "print(m._parameters['w'])\n",
    "forward_and_pre_hooks": "torch.manual_seed(0)\nm = nn.Linear(2, 2)\n"
    "def pre(module, inputs):\n    print('pre', inputs[0].shape)\n    return (inputs[0] * 2,)\n"
    "def post(module, inputs, output):\n    print('post', output.shape)\n"
    "h1 = m.register_forward_pre_hook(pre)\nh2 = m.register_forward_hook(post)\n"
    "y = m(torch.ones(1, 2))\nh1.remove()\nz = m(torch.ones(1, 2))\nprint(torch.allclose(y, z))\n",
    "backward_hooks": "torch.manual_seed(0)\nm = nn.Linear(3, 1)\n"
    "def bw(module, grad_input, grad_output):\n    print('bw', [g.shape for g in grad_output])\n"
    "    return (grad_input[0] * 0,)\n"
    "def bw_pre(module, grad_output):\n    print('pre', grad_output[0].tolist())\n"
    "m.register_full_backward_hook(bw)\nm.register_full_backward_pre_hook(bw_pre)\n"
    "x = torch.ones(1, 3, requires_grad=True)\nm(x).sum().backward()\nprint(x.grad)\n",
    "hook_raises": "m = nn.Linear(2, 2)\ndef bad(module, inputs, output):\n"
    "    raise ValueError('no')\nm.register_forward_hook(bad)\ny = m(torch.ones(2))\n",
    "hook_wrong_return": "m = nn.Linear(2, 2)\ndef odd(module, inputs):\n    return 'text'\n"
    "m.register_forward_pre_hook(odd)\ny = m(torch.ones(2))\n",
    "hook_registers_itself": "m = nn.Linear(2, 2)\nseen = []\n"
    "def again(module, inputs, output):\n    seen.append(1)\n"
    "    if len(seen) < 3:\n        module.register_forward_hook(again)\n"
    "m.register_forward_hook(again)\nfor i in range(3):\n    y = m(torch.ones(2))\n"
    "print(len(seen))\n",
    # torch.nn beyond the first allowlist
    "more_layers": "torch.manual_seed(0)\ncell = nn.LSTMCell(3, 4)\n"
    "h, c = cell(torch.randn(2, 3))\n"
    "n = nn.InstanceNorm2d(3)\nprint(n(torch.randn(1, 3, 4, 4)).shape, h.shape)\n"
    "pd = nn.ParameterDict({'a': nn.Parameter(torch.ones(2))})\nprint(pd['a'].shape)\n"
    "print(nn.Upsample(scale_factor=2)(torch.ones(1, 1, 2, 2)).shape, nn.PReLU()(torch.ones(2)))\n",
    "parameter_dict_from_pretrained_node_apply": "torch.manual_seed(0)\n"
    "pd = nn.ParameterDict({'a': nn.Parameter(torch.ones(2))})\n"
    "pd.update({'b': nn.Parameter(torch.zeros(3))})\n"
    "print(list(pd.keys()), [v.shape for v in pd.values()])\n"
    "emb = nn.Embedding.from_pretrained(torch.eye(3))\nprint(emb(torch.tensor([1])))\n"
    "class Sq(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
    "        ctx.save_for_backward(x)\n        return x * x\n    @staticmethod\n"
    "    def backward(ctx, g):\n        x, = ctx.saved_tensors\n        return 2 * x * g\n"
    "x = torch.tensor([3.0], requires_grad=True)\ny = Sq.apply(x)\n"
    "print(y.grad_fn.apply(torch.ones(1)))\n",
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """Each case as a file, and what plain torch made of it (one subprocess for all)."""
    folder = tmp_path_factory.mktemp("data_cases")
    paths = {}
    for name, text in CASES.items():
        path = folder / f"{name}.py"
        path.write_text(SETUP + text, encoding="utf-8")
        paths[name] = path
    out = folder / "plain.json"
    subprocess.run([sys.executable, str(HERE / "plain_torch.py"), str(out),
                    *map(str, paths.values())], check=True, capture_output=True, timeout=300)
    plain = json.loads(out.read_text(encoding="utf-8"))
    return {name: (path, plain[str(path)]) for name, path in paths.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_agrees_with_plain_torch(name: str, cases: dict[str, tuple[Path, Any]]
                                           ) -> None:
    path, expected = cases[name]
    record = run_scenario(load_scenario(path, Limits()))
    if expected["error"] is None:
        assert record.error is None, record.error
    else:
        assert record.error is not None, f"plain torch raised {expected['error']}"
        # (an error without a message, StopIteration's, is named by its type)
        wanted = expected["error"]["message"] or expected["error"]["type"]
        assert record.error.message.splitlines()[0] == wanted.splitlines()[0]
    assert "".join(p.text + "\n" for p in record.prints) == expected["stdout"]


def _record(tmp_path: Path, code: str) -> Any:
    path = tmp_path / "case.py"
    path.write_text(SETUP + code, encoding="utf-8")
    return run_scenario(load_scenario(path, Limits()))


def test_module_hooks_are_noted_with_what_they_saw(tmp_path: Path) -> None:
    record = _record(tmp_path, CASES["forward_and_pre_hooks"])
    notes = [n for n in record.notes if n.kind == "module_hook"]
    # one note per statement that ran the hooks: `y = m(...)` ran both, `z = m(...)` one
    assert [(n.facts["kind"], n.facts["layer"], n.step) for n in notes] == [
        ("register_forward_pre_hook", "Linear", 12), ("register_forward_hook", "Linear", 12),
        ("register_forward_hook", "Linear", 14)]
    assert notes[0].facts["received"] == [[[1, 2]]]
    assert notes[0].facts["returned"] == [[1, 2]]  # the input it replaced
    assert notes[1].facts["received"] == [[[1, 2]], [1, 2]]  # the input, then the output
    assert notes[1].facts["returned"] is None


def test_workers_run_in_process_with_a_note(tmp_path: Path) -> None:
    record = _record(tmp_path, CASES["loader_workers_in_process"])
    assert [n.facts["num_workers"] for n in record.notes
            if n.kind == "data_loader_in_process"] == [2]


def test_pyplot_calls_become_the_run_s_plot(tmp_path: Path) -> None:
    record = _record(tmp_path, "import matplotlib.pyplot as plt\nx = torch.linspace(0, 1, 5)\n"
                     "plt.figure(figsize=(3, 2))\nplt.plot(x, x ** 2, label='square')\n"
                     "plt.scatter(x, x)\nplt.xlabel('x')\nplt.ylabel('value')\nplt.legend()\n"
                     "plt.rcParams['figure.figsize'] = (5, 3)\nplt.show()\n")
    assert record.error is None and not record.shown
    plot = record.plot
    assert plot is not None and plot.x is not None
    assert plot.x.values == pytest.approx(torch.linspace(0, 1, 5).tolist())
    assert [s.label for s in plot.series] == ["square", "value 2"]
    assert plot.series[0].values == pytest.approx((torch.linspace(0, 1, 5) ** 2).tolist())
    assert (plot.xlabel, plot.ylabel) == ("x", "value")


def test_pyplot_axes_objects_and_the_last_axes_drawn(tmp_path: Path) -> None:
    record = _record(tmp_path, "from matplotlib import pyplot as plt\n"
                     "fig, axs = plt.subplots(1, 2)\naxs[0].plot([1, 2, 3])\n"
                     "axs[1].plot([0, 1], [5, 6])\naxs[1].set_xlabel('t')\n"
                     "axs[1].set_title('loss')\nplt.tight_layout()\n")
    plot = record.plot
    assert record.error is None and plot is not None and plot.x is not None
    assert (plot.x.values, [s.values for s in plot.series]) == ([0.0, 1.0], [[5.0, 6.0]])
    assert (plot.xlabel, plot.ylabel) == ("t", "loss")


def test_pyplot_points_and_series_are_bounded(tmp_path: Path) -> None:
    record = _record(tmp_path, "import matplotlib.pyplot as plt\n"
                     "x = torch.zeros(4_000_000)\nfor i in range(20):\n    plt.plot(x, x)\n")
    plot = record.plot
    assert record.error is None and plot is not None and plot.x is not None
    assert len(plot.x.values) == 100_000 and len(plot.series) == 6


def test_every_torch_nn_layer_is_allowed_or_refused_on_purpose() -> None:
    names = set(torch.nn.modules.__all__)
    assert names <= allow.NN_CLASSES | allow.NN_REFUSED
    assert not allow.NN_CLASSES & allow.NN_REFUSED


@pytest.mark.parametrize("code", [
    "m = nn.LSTMCell(10, 4000)",  # 4 * 4000 * (10 + 4000) weights: far past the limit
    "m = nn.Transformer(d_model=4096, nhead=8)",
    "m = nn.EmbeddingBag(100000, 1000)",
    "y = nn.Upsample(scale_factor=5000)(torch.ones(1, 1, 2, 2))",
    "y = nn.ZeroPad2d(10000)(torch.ones(1, 1, 2, 2))",
    "y = nn.Embedding(10, 100000)(torch.zeros(1000, dtype=torch.long))",
    "y = nn.ConvTranspose2d(1, 1, 3, stride=3000)(torch.ones(1, 1, 4, 4))",
])
def test_layers_are_sized_before_they_are_built_or_called(code: str, tmp_path: Path) -> None:
    record = _record(tmp_path, code + "\n")
    assert record.error is not None and record.error.kind == "limit_exceeded", record.error


def test_savefig_writes_nothing_anywhere_and_says_so(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path.parent / "gx_langdata_outside.png"
    record = _record(tmp_path, "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
                     f"plt.savefig({str(outside)!r})\nplt.savefig('../up.svg')\n"
                     "fig, ax = plt.subplots()\nfig.savefig('here.png', dpi=600)\n")
    assert record.error is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.py"]
    assert not outside.exists() and not (tmp_path.parent / "up.svg").exists()
    assert [n.facts["file"] for n in record.notes if n.kind == "figure_not_saved"] == [
        str(outside), "../up.svg", "here.png"]


def test_a_loader_with_workers_starts_no_process(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.process

    def refuse(self: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    record = _record(tmp_path, TOY + "dl = DataLoader(Toy(8), batch_size=2, num_workers=4, "
                     "persistent_workers=True, prefetch_factor=2, pin_memory=True)\n"
                     "for xb, yb in dl:\n    print(yb)\n")
    assert record.error is None, record.error
    assert [p.text for p in record.prints] == [str(torch.tensor([i, i + 1]))
                                               for i in range(0, 8, 2)]
