"""The second red team's cases inside the interpreter (issue 30): deep structures never reach C
recursion, sizes are checked before every allocation the allowlist allows, text cannot grow
past the element limit, and every exception in the learner's code is a scenario error.

The crashing cases run in a real worker (`gradexplain run` as a subprocess): a regression is
a segfault there, seen as the exit status and the "ended abnormally" message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.language import allowlists as allow
from gradexplain.language import guards, held_nodes, layer_sizes, sizes
from gradexplain.language.evaluator import recursion_room
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

CHAIN = "x = torch.ones(1, requires_grad=True)\ny = x\nfor i in range(60000):\n    y = y * 1.0\n"

# Each used to crash the worker (a segfault): now each ends cleanly, ok or a located error.
WORKER_CASES: list[tuple[str, str, int, str]] = [
    ("chain_dropped", CHAIN + "y.backward()\ny = 0\nprint('after')\n", 0, "after"),
    ("chain_in_closure", "x = torch.ones(1, requires_grad=True)\ndef make():\n    y = x\n"
     "    for i in range(60000):\n        y = y * 1.0\n    def get():\n        return y\n"
     "    return get\ng = make()\ng().backward()\ng = 0\nprint('after')\n", 0, "after"),
    ("chain_walked_by_the_code", CHAIN + "n = y.grad_fn\nfor i in range(59990):\n"
     "    n = n.next_functions[0][0]\nn = 0\ny = 0\nprint('after')\n", 0, "after"),
    ("tuple_hashed", "t = ()\nfor i in range(100000):\n    t = (((((t,),),),),)\ns = {t}\n",
     2, "limit_exceeded"),
    ("tuple_as_key", "t = ()\nfor i in range(100000):\n    t = (t,)\nd = {}\nd[t] = 1\n",
     2, "limit_exceeded"),
    ("module_holds_itself", "from torch import nn\nm = nn.Sequential(nn.Linear(2, 2))\n"
     "m.append(m)\nm(torch.ones(2))\n", 2, "not_allowed"),
    ("module_nested_deep", "from torch import nn\nm = nn.Linear(2, 2)\nfor i in range(5000):\n"
     "    m = nn.Sequential(m)\nm(torch.ones(2))\n", 2, "limit_exceeded"),
    ("forward_calls_itself", "from torch import nn\nclass N(nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n    def forward(self, x):\n"
     "        return self(x)\nm = N()\nm(torch.ones(1))\n", 2, "limit_exceeded"),
]


def _run_cli(tmp_path: Path, code: str, *args: str, stdin: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "case.py"
    path.write_text("import torch\n" + code, encoding="utf-8")
    command = [sys.executable, "-m", "gradexplain", *(args or ("run", str(path), "--width",
                                                               "100"))]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.run(command, capture_output=True, text=True, input=stdin, timeout=600,
                          env=env, check=False)


@pytest.mark.slow  # a worker each, some with a 60,000-step chain
@pytest.mark.parametrize(("name", "code", "status", "said"), WORKER_CASES,
                         ids=[c[0] for c in WORKER_CASES])
def test_no_input_makes_the_worker_crash(name: str, code: str, status: int, said: str,
                                         tmp_path: Path) -> None:
    done = _run_cli(tmp_path, code)
    shown = done.stdout + done.stderr
    assert "ended abnormally" not in shown and "worker failed" not in shown, shown
    assert done.returncode == status, shown
    assert said in shown


@pytest.mark.slow
def test_the_repl_lets_go_of_a_tagged_chain_dropped_mid_session(tmp_path: Path) -> None:
    # The REPL tags every binding's node (--why): 60,000 touched nodes, then dropped.
    done = _run_cli(tmp_path, "", "repl", stdin=CHAIN + "y = 0\nprint('alive')\n")
    shown = done.stdout + done.stderr
    assert "ended abnormally" not in shown and "rebuilt" not in shown, shown
    assert "alive" in shown


def test_held_nodes_go_once_nothing_else_holds_them() -> None:
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes = []
    node = y.grad_fn
    while node is not None:
        nodes.append(node)
        node = node.next_functions[0][0] if node.next_functions else None
    held_nodes.hold(reversed(nodes))
    del node, nodes
    held_nodes.let_go()
    kept = held_nodes.held_count()
    assert kept >= 3000  # y still holds the chain
    y = x  # the chain's last tensor is gone: every node goes, one at a time
    held_nodes.let_go()
    assert held_nodes.held_count() <= kept - 3000


def test_the_recursion_limit_fits_the_stack_and_the_call_depth_fits_it() -> None:
    room = recursion_room()
    assert 1_000 <= room <= 20_000
    # A user function takes up to about 15 frames per call: the default call depth ends
    # a recursion well inside the room.
    assert Limits().max_call_depth * 15 < room


SIZE_CASES: list[tuple[str, str]] = [
    ("d2l_arange", "from d2l import torch as d2l\nx = d2l.arange(30000000.0)"),
    ("d2l_arange_huge", "from d2l import torch as d2l\nx = d2l.arange(9e8)"),
    ("jacobian", "def f(x):\n    return x * 2\n"
     "j = torch.autograd.functional.jacobian(f, torch.ones(6000))"),
    ("hessian", "def f(x):\n    return (x * x).sum()\n"
     "h = torch.autograd.functional.hessian(f, torch.ones(5000))"),
    ("nonzero", "x = torch.ones(4000, 4000)\nn = x.nonzero()"),
    ("nonzero_function", "x = torch.ones(4000, 4000)\nn = torch.nonzero(x)"),
    ("masked_select", "x = torch.ones(5000, 1)\nm = torch.ones(1, 5000) > 0\n"
     "s = x.masked_select(m)"),
    ("conv_tuple_kernel", "from torch import nn\nc = nn.Conv2d(1, 1, (5000, 5000))"),
    ("layernorm_list", "from torch import nn\nc = nn.LayerNorm([5000, 5000])"),
    ("lstm", "from torch import nn\nc = nn.LSTM(1, 4096)"),
    ("embedding_call", "from torch import nn\ne = nn.Embedding(10, 4000)\n"
     "y = e(torch.zeros(5000, dtype=torch.long))"),
    ("conv_transpose_stride", "from torch import nn\nc = nn.ConvTranspose2d(1, 1, 3)\n"
     "c.stride = (6000, 6000)\ny = c(torch.ones(1, 1, 2, 2))"),
    ("conv_padding", "from torch import nn\nc = nn.Conv2d(1, 1, 3)\nc.padding = (3000, 3000)\n"
     "y = c(torch.ones(1, 1, 2, 2))"),
    ("conv_inside_sequential", "from torch import nn\nc = nn.Conv2d(1, 1, 3)\n"
     "m = nn.Sequential(c, nn.ReLU())\nc.padding = (3000, 3000)\n"
     "y = m(torch.ones(1, 1, 2, 2))"),
    ("adaptive_pool", "from torch import nn\np = nn.AdaptiveAvgPool2d(5000)\n"
     "y = p(torch.ones(1, 1, 2, 2))"),
]


def _run(tmp_path: Path, code: str, limits: Limits | None = None) -> object:
    path = tmp_path / "case.py"
    path.write_text("import torch\n" + code + "\n", encoding="utf-8")
    return run_scenario(load_scenario(path, limits or Limits()))


@pytest.mark.parametrize(("name", "code"), SIZE_CASES, ids=[c[0] for c in SIZE_CASES])
def test_a_size_past_the_element_limit_is_refused_before_it_is_made(
        name: str, code: str, tmp_path: Path) -> None:
    record = _run(tmp_path, code)
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == "limit_exceeded", error
    assert error.facts["limit"] == "max_elements"


def test_small_layers_and_calls_still_agree_with_torch(tmp_path: Path) -> None:
    code = ("from torch import nn\ntorch.manual_seed(0)\nc = nn.Conv2d(1, 2, (3, 2))\n"
            "c.padding = (1, 1)\ne = nn.Embedding(10, 3)\nr = nn.LSTM(2, 3)\n"
            "y = c(torch.ones(1, 1, 4, 4)).sum() + e(torch.tensor([1, 2])).sum()\n"
            "o, _ = r(torch.ones(5, 1, 2))\nprint(y + o.sum())\n")
    record = _run(tmp_path, code)
    torch.manual_seed(0)
    c = torch.nn.Conv2d(1, 2, (3, 2))
    c.padding = (1, 1)
    e = torch.nn.Embedding(10, 3)
    r = torch.nn.LSTM(2, 3)
    y = c(torch.ones(1, 1, 4, 4)).sum() + e(torch.tensor([1, 2])).sum()
    o, _ = r(torch.ones(5, 1, 2))
    assert record.error is None, record.error  # type: ignore[attr-defined]
    assert record.prints[-1].text == str(y + o.sum())  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", [torch.nn.Conv2d, torch.nn.ConvTranspose2d])
def test_the_convolution_formulas_match_torch(kind: type) -> None:
    layer = kind(2, 3, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    x = torch.ones(4, 2, 9, 7)
    assert layer_sizes.output_numel(layer, [x]) == layer(x).numel()


# Every name the allowlist reaches is sized before it runs, or is known not to allocate.
# A name added to the allowlist without one of these fails here.
NOT_ALLOCATING = frozenset({
    "manual_seed", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled", "get_default_dtype", "device", "is_tensor",
    "is_floating_point", "numel", "backward", "register_hook",
    "register_post_accumulate_grad_hook", "type", "stride", "storage_offset",
})


def _sized(name: str) -> bool:
    return name in sizes.RULES or name.rstrip("_") in sizes.RULES or \
        name in sizes.SAME_OR_SMALLER or name.rstrip("_") in sizes.SAME_OR_SMALLER or \
        name in guards.PIECEWISE or sizes.needs_meta(name)


@pytest.mark.parametrize("name", sorted(allow.TORCH_FUNCTIONS | allow.TENSOR_METHODS |
                                        allow.FUNCTIONAL))
def test_every_torch_name_has_a_size_rule_or_runs_on_meta_or_allocates_nothing(
        name: str) -> None:
    assert _sized(name) or name in NOT_ALLOCATING


@pytest.mark.parametrize("name", sorted(allow.NN_CLASSES))
def test_every_layer_is_sized_when_built_and_when_called(name: str) -> None:
    kind = getattr(torch.nn, name)
    listed = layer_sizes.NOT_GROWING | layer_sizes.CONTAINERS | layer_sizes.SIZED_ON_META
    # weights sized on meta when built, or a listed kind (those hold no weights of their own)
    assert layer_sizes.takes_device(kind) or name in listed, name
    called = layer_sizes.output_sizing(kind)
    assert called is not None or name in layer_sizes.NOT_GROWING or \
        name in layer_sizes.CONTAINERS, name


@pytest.mark.parametrize("name", sorted(allow.D2L_FUNCTIONS))
def test_every_d2l_function_is_sized(name: str, tmp_path: Path) -> None:
    # arange is torch.arange's rule; plot keeps at most MAX_POINTS per series; the others
    # set display options and make nothing.
    assert name in {"arange", "plot", "set_figsize", "use_svg_display"}


ERROR_CASES: list[tuple[str, str, str]] = [
    ("hook_stop_iteration", "x = torch.ones(2, requires_grad=True)\ndef h(g):\n"
     "    raise StopIteration\nx.register_hook(h)\nx.sum().backward()", "torch_error"),
    ("hook_returns_a_deep_tuple", "x = torch.ones(2, requires_grad=True)\nt = ()\n"
     "for i in range(100000):\n    t = (t,)\nx.register_hook(lambda g: t)\n"
     "x.sum().backward()", "limit_exceeded"),
    ("over_64_dims_reduced", "x = torch.ones([1] * 65)\ny = x.all()", "torch_error"),
]


@pytest.mark.parametrize(("name", "code", "kind"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_an_exception_in_the_code_is_a_located_scenario_error(
        name: str, code: str, kind: str, tmp_path: Path) -> None:
    record = _run(tmp_path, code)
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == kind, error
    assert error.line is not None


def test_sparse_grads_conj_views_and_65_dims_show_as_torch_has_them(tmp_path: Path) -> None:
    code = ("from torch import nn\ne = nn.Embedding(4, 2, sparse=True)\n"
            "e(torch.tensor([1, 2])).sum().backward()\nprint(e.weight.grad)\n"
            "z = torch.tensor([[1+2j, 3-1j]])\nw = z.H\nprint(w)\nq = torch.ones([1] * 65)")
    record = _run(tmp_path, code)
    assert record.error is None, record.error  # type: ignore[attr-defined]
    rows = {row.name: row for row in record.tensors}  # type: ignore[attr-defined]
    grad = torch.zeros(4, 2)
    grad[1:3] = 1.0
    assert rows["e.weight"].grad == grad.tolist()
    assert rows["w"].value == torch.view_as_real(
        torch.tensor([[1 + 2j, 3 - 1j]]).H.resolve_conj()).tolist()
    assert record.prints[0].text.startswith("tensor(indices=")  # type: ignore[attr-defined]
    assert rows["q"].shape == [1] * 65


@pytest.mark.slow
def test_the_repl_recovers_after_every_such_error(tmp_path: Path) -> None:
    entries = ("z = torch.tensor([[1+2j, 3-1j]])\nw = z.H\nfrom torch import nn\n"
               "e = nn.Embedding(10, 3, sparse=True)\ne(torch.tensor([1, 2])).sum().backward()\n"
               "q = torch.ones([1] * 65)\nq.all()\nk = torch.ones(2)\nprint(k * 3)\n")
    done = _run_cli(tmp_path, "", "repl", stdin=entries)
    shown = done.stdout + done.stderr
    assert "Traceback" not in shown, shown
    assert "tensor([3., 3.])" in shown


TEXT_CASES: list[tuple[str, str]] = [
    ("percent_mapping", 'd = {"x": "a" * 1000}\nfor i in range(20):\n'
     '    d = {"x": "%(x)s%(x)s" % d}'),
    ("join", 's = "a" * 10000\nfor i in range(10):\n    s = s.join([s, s])'),
    ("upper", 's = "a" * 9000000\nt = s.upper()'),
    ("format", 's = "a" * 9000000\nt = "{}{}".format(s, s)'),
    ("fstring", 's = "a" * 9000000\nt = f"{s}{s}"'),
    ("print", 's = "a" * 9000000\nprint(s, s)'),
]


@pytest.mark.parametrize(("name", "code"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_text_cannot_grow_past_the_element_limit(name: str, code: str, tmp_path: Path) -> None:
    record = _run(tmp_path, code)
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == "limit_exceeded", error
    assert error.line is not None


def test_short_text_still_formats_as_python_does(tmp_path: Path) -> None:
    code = ('d = {"x": "ab"}\nprint("%(x)s-%(x)s" % d, "-".join(["a", "b"]), "ab".upper(),'
            ' f"{1}{2}", "{}!".format(3))')
    record = _run(tmp_path, code)
    assert record.prints[0].text == "ab-ab a-b AB 12 3!"  # type: ignore[attr-defined]
