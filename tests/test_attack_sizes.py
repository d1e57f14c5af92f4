"""Attack family: operations that would allocate past the element limit, written every way
PyTorch accepts them (keywords, 0-d tensors as sizes, tensor bounds, aliased lists...).

Each is refused as limit_exceeded (exit 2) before anything is allocated: quickly, and without
the process growing by the size it asked for.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.language.budget import resident_bytes
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

BIG = "n = torch.tensor(30000)\n"

SIZE_ATTACKS: list[tuple[str, str]] = [
    ("matmul_keywords", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\n"
                        "c = torch.matmul(input=a, other=b)"),
    ("mm_keywords", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\n"
                    "c = torch.mm(input=a, mat2=b)"),
    ("linear_keywords", "a = torch.ones(30000, 1)\nw = torch.ones(30000, 1)\n"
                        "c = F.linear(input=a, weight=w)"),
    ("outer_method_keyword", "a = torch.ones(30000)\nc = a.outer(vec2=a)"),
    ("inner", "a = torch.ones(30000, 1)\nc = torch.inner(a, a)"),
    ("inner_keywords", "a = torch.ones(30000, 1)\nc = torch.inner(input=a, other=a)"),
    ("max_broadcast", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\nc = torch.max(a, b)"),
    ("min_method_broadcast", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\n"
                             "c = a.min(b)"),
    ("max_keyword_broadcast", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\n"
                              "c = torch.max(a, other=b)"),
    ("where_keywords", "a = torch.ones(30000, 1)\nb = torch.ones(1, 30000)\n"
                       "c = torch.where(a > 0, input=a, other=b)"),
    ("repeat_keyword", "x = torch.ones(1)\ny = x.repeat(repeats=(30000, 30000))"),
    ("repeat_tensor_sizes", BIG + "x = torch.ones(1)\ny = x.repeat(n, n)"),
    ("ones_tensor_size", BIG + "x = torch.ones(n, n)"),
    ("zeros_tensor_size", BIG + "x = torch.zeros(n, n)"),
    ("zeros_tensor_size_tuple", BIG + "x = torch.zeros((n, n))"),
    ("rand_size_keyword", BIG + "x = torch.rand(size=(n, n))"),
    ("full_tensor_size", BIG + "x = torch.full((n, n), 1.0)"),
    ("full_keywords", BIG + "x = torch.full(fill_value=1.0, size=(n, n))"),
    ("randint_tensor_size", BIG + "x = torch.randint(0, 2, (n, n))"),
    ("randint_size_keyword", BIG + "x = torch.randint(2, size=(n, n))"),
    ("eye_tensor_size", BIG + "x = torch.eye(n)"),
    ("eye_keywords", BIG + "x = torch.eye(n=n, m=n)"),
    ("expand_tensor_size", BIG + "x = torch.ones(1).expand(n, n)"),
    ("expand_size_keyword", BIG + "x = torch.ones(1).expand(size=(n, n))"),
    ("broadcast_to_keywords", BIG + "x = torch.broadcast_to(input=torch.ones(1), size=(n, n))"),
    ("arange_tensor_bound", "x = torch.arange(torch.tensor(1e9))"),
    ("arange_tensor_keywords", "x = torch.arange(start=torch.tensor(0), end=torch.tensor(10**9))"),
    ("arange_tensor_step", "x = torch.arange(0, 1, torch.tensor(1e-9))"),
    ("linspace_tensor_steps", "x = torch.linspace(0, 1, torch.tensor(10**9))"),
    ("linspace_keywords", "x = torch.linspace(start=0, end=1, steps=10**9)"),
    ("legacy_tensor_sizes", BIG + "x = torch.Tensor(n, n)"),
    ("list_index", "x = torch.ones(1, 1000000)\ny = x[[0] * 1000]"),
    ("nested_list_index", "x = torch.ones(1, 1000)\ny = x[[[0] * 1000] * 1000]"),
    ("tensor_aliased_lists", "a = [0.0] * 1000\nb = [a] * 1000\nc = [b] * 1000\n"
                             "t = torch.tensor(c)"),
    ("as_tensor_aliased_lists", "a = [0.0] * 1000\nb = [a] * 1000\nc = [b] * 1000\n"
                                "t = torch.as_tensor(c)"),
    ("matmul_augmented", "x = torch.ones(30000, 1)\ny = torch.ones(1, 30000)\nx @= y"),
    ("cat_keyword", "x = torch.ones(10**6)\ny = torch.cat(tensors=[x] * 100)"),
    ("pad_meta", "x = torch.ones(1)\ny = F.pad(x, (0, 10**9))"),
    ("bool_shift", "x = True << 10**8"),
    ("bool_shift_augmented", "x = True\nx <<= 10**8"),
    ("list_doubling", "a = [0]\nfor i in range(40):\n    a = a + a"),
    ("tuple_doubling", "a = (0,)\nfor i in range(40):\n    a = a + a"),
    ("percent_width", 'print("%0300000000d" % 1)'),
    ("percent_star_width", 'print("%*d" % (300000000, 1))'),
    ("percent_precision", 'print("%.300000000f" % 1.0)'),
    ("printed_list_dag", "a = [0]\nfor i in range(64):\n    a = [a, a]\nprint(a)"),
    ("shown_list_dag", "a = [0]\nfor i in range(64):\n    a = [a, a]\na"),
]


def _limit_error(tmp_path: Path, name: str, text: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = resident_bytes()
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    record = run_scenario(load_scenario(path, Limits()))
    elapsed = time.process_time() - started
    grown = resident_bytes() - before
    assert record.error is not None, "ran to the end"
    assert elapsed < 5.0, f"took {elapsed:.2f} s of CPU"
    assert grown < 200 * 2**20, f"grew by {grown / 2**20:.0f} MiB before the refusal"
    return record.error.kind, record.error.message


@pytest.mark.parametrize(("name", "code"), SIZE_ATTACKS, ids=[a[0] for a in SIZE_ATTACKS])
def test_size_attack_is_refused_before_allocation(name: str, code: str,
                                                  tmp_path: Path) -> None:
    kind, message = _limit_error(tmp_path, "attack.py", "import torch\n" + code + "\n")
    assert kind == "limit_exceeded", message


YAML_SIZE_ATTACKS: list[tuple[str, str]] = [
    ("yaml_expr_repeat_keyword",
     "tensors:\n  x: {expr: 'torch.ones(1).repeat(repeats=(30000, 30000))'}\n"
     "steps: ['y = x']\n"),
    ("yaml_expr_matmul_keywords",
     "tensors:\n  a: {ones: [30000, 1]}\n  c: {expr: 'torch.matmul(input=a, other=a.t())'}\n"
     "steps: ['y = c']\n"),
]


@pytest.mark.parametrize(("name", "text"), YAML_SIZE_ATTACKS,
                         ids=[a[0] for a in YAML_SIZE_ATTACKS])
def test_yaml_size_attack_is_refused(name: str, text: str, tmp_path: Path) -> None:
    kind, message = _limit_error(tmp_path, "attack.yaml", text)
    assert kind == "limit_exceeded", message


HARMLESS: list[tuple[str, str]] = [
    ("broadcast_to_keywords", "x = torch.broadcast_to(input=torch.ones(3), size=(2, 3))\n"
                              "print(x.shape)", "torch.Size([2, 3])"),
    ("matmul_keywords", "a = torch.ones(2, 3)\nc = torch.matmul(input=a, other=a.t())\n"
                        "print(c.shape)", "torch.Size([2, 2])"),
    ("inner_small", "a = torch.ones(4, 3)\nc = torch.inner(a, a)\nprint(c.shape)",
     "torch.Size([4, 4])"),
    ("tensor_size_ones", "n = torch.tensor(3)\nx = torch.ones(n, 2)\nprint(x.shape)",
     "torch.Size([3, 2])"),
    ("arange_tensor", "x = torch.arange(torch.tensor(4))\nprint(x.tolist())", "[0, 1, 2, 3]"),
    ("list_index_small", "x = torch.arange(5)\nprint(x[[0, 0, 1]].tolist())", "[0, 0, 1]"),
    ("percent_small", 'print("%05d|%.2f" % (7, 1.5))', "00007|1.50"),
    ("bool_shift_small", "print(True << 3)", "8"),
    ("shared_list_small", "a = [1]\nb = [a, a]\nprint(b)", "[[1], [1]]"),
    ("function_repr", "print(torch.add)", "<function torch.add>"),
    ("format_keyword", 'print("{a}-{0}".format(1, a=2))', "2-1"),
    ("flat_sum_34", "print(" + "+".join(str(i) for i in range(1, 35)) + ")", "595"),
    ("flat_tensor_sum_34", "x = torch.ones(2)\nprint((" + "+".join(["x"] * 34) + ").tolist())",
     "[34.0, 34.0]"),
]


@pytest.mark.parametrize(("name", "code", "printed"), HARMLESS, ids=[h[0] for h in HARMLESS])
def test_harmless_code_still_runs(name: str, code: str, printed: str, tmp_path: Path) -> None:
    path = tmp_path / "ok.py"
    path.write_text("import torch\n" + code + "\n", encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    assert record.prints[-1].text == printed
