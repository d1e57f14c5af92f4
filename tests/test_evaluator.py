"""The one evaluator (language/evaluator.py): every node kind has one rule in the builder table,
and PyTorch is the oracle for each. Each row below runs as a scenario under gradexplain and as
plain Python with real torch; prints, values, grads and errors must agree. Then: the hooks a
training loop fires, errors located in loops, and the guard around each statement (its
budgets: max_executed, the element limit, the memory plan, the time and the status page).
"""

from __future__ import annotations

import ast
import json
import math
import mmap
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.language import budget as budgets
from gradexplain.language.budget import Budget
from gradexplain.language.checker import parse_expression, parse_program
from gradexplain.language.evaluator import (
    BUILDERS,
    BackwardRequest,
    Interpreter,
    StatementContext,
)
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario
from gradexplain.scenario.model import Code

HERE = Path(__file__).parent
SETUP = "import torch\nx = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)\n"

# One row per node kind the language admits (the kind the row is about first), then rows for
# rules with something of their own to say. Each prints what it computed and ends with the
# tensors whose values and grads are compared.
NODES: dict[str, str] = {
    # expressions
    "Constant": "c = 2.5\ny = (x * c).sum()\ny.backward()\nprint(c, 'text', None, True)\n",
    "Name": "w = x\ny = (w * w).sum()\ny.backward()\nprint(w is x)\n",
    "BinOp": "m = torch.ones(3, 2)\ny = ((x @ m) ** 2 - x.sum() / 4 + 1).sum()\ny.backward()\n"
             "print(7 // 2, 7 % 3, 2 ** 10, 6 & 3, 6 | 3, 6 ^ 3, 1 << 4, 256 >> 2, [0] * 3)\n",
    "UnaryOp": "y = (-x).sum() + (+x).sum()\ny.backward()\nprint(-3, not 0, ~5, not x.sum())\n",
    "BoolOp": "y = x.sum() if (x.sum() > 0 and len([1]) or None) else x.mean()\ny.backward()\n"
              "print(0 or 'b', 1 and 0, None or [] or 3, 1 and 2 and 3)\n",
    "Compare": "print(1 < 2 <= 2 != 3, 3 in [1, 3], 4 not in (1,), None is None, x is not None,"
               " (x > 0).tolist(), x == x)\n",
    "IfExp": "y = (x * 2 if x.sum() > 0 else x * 3).sum()\ny.backward()\n"
             "print(1 if 0 else 2)\n",
    "List": "ys = [x * 2, x * 3]\ny = sum([t.sum() for t in ys])\ny.backward()\n"
            "print(len(ys), [1, *range(3), 4])\n",
    "Tuple": "a, b = x * 2, (x.sum(),)\ny = a.sum() + b[0]\ny.backward()\n"
             "print((1,), (), (1, 2))\n",
    "Set": "s = {1, 2, 2, *[3, 3]}\ny = (x * len(s)).sum()\ny.backward()\nprint(sorted(s))\n",
    "Dict": "d = {'w': x * 2, **{'k': 3}}\ny = (d['w'] * d['k']).sum()\ny.backward()\n"
            "print(sorted(d))\n",
    "Slice": "y = (x[1:] * 2).sum() + x[::2].sum() + x[:-1:1].sum()\ny.backward()\n"
             "print([0, 1, 2, 3][1:3], 'abc'[::-1])\n",
    "JoinedStr": "y = (x ** 2).sum()\ny.backward()\nn = 3\n"
                 "print(f'y={y.item():.2f} n={n!r} x={x.grad} {n:>4}|{\"a\"!s}')\n",
    "Attribute": "y = (x.T * x.data).sum()\ny.backward()\n"
                 "print(x.shape, x.requires_grad, x.is_leaf, y.grad_fn.name(), x.grad.dtype)\n",
    "Subscript": "m = torch.arange(6.0).reshape(2, 3).requires_grad_()\n"
                 "y = (m[0] * m[1, 2] + m[:, 1].sum()).sum()\ny.backward()\n"
                 "print([1, 2][0], {'a': 1}['a'], (4, 5)[-1], m[0, 0].item())\n",
    "Call": "import torch.nn.functional as F\n"
            "y = torch.sigmoid(x).sum() + F.relu(x).sum() + x.mul(2).sum() + len([x])\n"
            "y.backward()\nprint(max(1, 2), min([3, 4]), abs(-1), round(2.5), list(range(3)))\n",
    "Lambda": "f = lambda v, k=2, *, p=1: (v * k + p).sum()\ny = f(x) + f(x, 3, p=0)\n"
              "y.backward()\nprint(f(torch.ones(2)).item())\n",
    "ListComp": "y = sum([t * t for t in x if t > 0]).sum()\ny.backward()\n"
                "print([i * j for i in range(3) for j in range(2) if i != j])\n",
    "SetComp": "s = {i % 3 for i in range(10)}\ny = (x * len(s)).sum()\ny.backward()\n"
               "print(sorted(s))\n",
    "GeneratorExp": "y = sum(t ** 2 for t in x)\ny.backward()\nprint(any(v > 2 for v in [1, 3]))\n",
    "Yield": "def g(n):\n    for i in range(n):\n        yield x * i\n"
             "y = sum(g(3)).sum()\ny.backward()\nprint(list(g(2))[1].tolist(), next(g(0), 'no'))\n",
    "YieldFrom": "def g():\n    yield from [x, x * 2]\n    yield x.sum()\n"
                 "y = sum(t.sum() for t in g())\ny.backward()\nprint(len(list(g())))\n",
    "DictComp": "d = {k: x * k for k in (1, 2)}\ny = (d[1] + d[2]).sum()\ny.backward()\n"
                "print({k: k * k for k in range(3)})\n",
    # statements
    "Expr": "y = (x * 4).sum()\ny.backward()\n'a docstring-like string'\nx.grad\n"
            "print(x.grad)\n",
    "Assign": "a = b = x * 2\n(p, q), r = (1, 2), [3]\nfirst, *rest = [1, 2, 3]\n"
              "y = (a + b).sum()\ny.backward()\nprint(p, q, r, first, rest)\n",
    "AugAssign": "y = (x * 2).sum()\ny.backward()\nt = torch.zeros(3)\nt += x.grad\n"
                 "t[0] -= 1\nn = 5\nn //= 2\nitems = [1]\nitems *= 2\n"
                 "with torch.no_grad():\n    x -= 0.5 * x.grad\nprint(t, n, items)\n",
    "AnnAssign": "k: int = 3\ny = (x * k).sum()\ny.backward()\nz: float\nprint(k)\n",
    "Delete": "a = x * 2\nkept = [1, 2, 3]\nd = {'a': 1, 'b': 2}\ndel kept[0], d['a']\n"
              "y = a.sum()\ny.backward()\ndel a\nprint(kept, d)\n",
    "Import": "import math\nimport torch.nn as nn\nlayer = nn.Linear(3, 1)\n"
              "y = layer(x).sum() * math.pi\ny.backward()\nprint(math.sqrt(16.0))\n",
    "ImportFrom": "from torch import sin\nfrom torch.autograd import grad\ny = sin(x).sum()\n"
                  "(g,) = grad(y, x)\nprint(g)\n",
    "Pass": "for i in range(2):\n    pass\ny = x.sum()\ny.backward()\nprint(i)\n",
    "If": "n = 0\nif x.sum() > 100:\n    n = 1\nelif x.sum() > 0:\n    n = 2\nelse:\n    n = 3\n"
          "y = (x * n).sum()\ny.backward()\nprint(n)\n",
    "For": "w = torch.zeros(3, requires_grad=True)\nfor i in range(3):\n"
           "    loss = ((w - x.detach()) ** 2).sum()\n    loss.backward()\n"
           "    with torch.no_grad():\n        w -= 0.1 * w.grad\n    w.grad.zero_()\n"
           "else:\n    print('done', i)\nfor k, v in enumerate('ab'):\n    print(k, v)\n",
    "While": "n = 0\ny = x.sum()\nwhile n < 3:\n    y = y * 2\n    n += 1\nelse:\n"
             "    print('w', n)\ny.backward()\n",
    "Break": "for i in range(10):\n    if i == 3:\n        break\nelse:\n    i = -1\n"
             "y = (x * i).sum()\ny.backward()\nprint(i)\n",
    "Continue": "total = x.sum() * 0\nfor i in range(4):\n    if i % 2:\n        continue\n"
                "    total = total + x[i % 3]\ntotal.backward()\nprint(total)\n",
    "Return": "def f(v):\n    if v.sum() > 0:\n        return (v * 2).sum()\n    return v.sum()\n"
              "def g():\n    return\ny = f(x)\ny.backward()\nprint(g())\n",
    "With": "with torch.no_grad():\n    z = x * 2\n"
            "with torch.enable_grad(), torch.set_grad_enabled(True):\n"
            "    y = (x * 3).sum()\ny.backward()\nprint(z.requires_grad, y.requires_grad)\n",
    "Try": "try:\n    bad = torch.ones(2) @ torch.ones(3)\nexcept RuntimeError as e:\n"
           "    print('caught', e)\nelse:\n    print('no')\nfinally:\n"
           "    print('finally')\ntry:\n    1 / 0\nexcept (ValueError, ZeroDivisionError):\n"
           "    print('zero')\ny = x.sum()\ny.backward()\n",
    "Raise": "try:\n    raise ValueError('bad value')\nexcept ValueError as e:\n    print(e)\n"
             "try:\n    try:\n        raise KeyError\n    except KeyError:\n        raise\n"
             "except KeyError:\n    print('again')\ny = x.sum()\ny.backward()\n",
    "Assert": "assert x.requires_grad, 'needs grad'\ny = x.sum()\ny.backward()\n"
              "assert x.grad.sum() == 3\nprint('ok')\n",
    "FunctionDef": "def loss(v, scale=2, *extra, power=2, **options):\n"
                   "    return ((v * scale) ** power).sum() + len(extra) + len(options)\n"
                   "@torch.no_grad()\ndef quiet(v):\n    return v * 2\n"
                   "y = loss(x, 3, 1, 2, power=1, a=1)\ny.backward()\n"
                   "print(quiet(x).requires_grad, loss(torch.ones(1)).item())\n",
    "ClassDef": "import torch.nn as nn\nclass Net(nn.Module):\n    scale = 2.0\n"
                "    def __init__(self):\n        super().__init__()\n"
                "        self.fc = nn.Linear(3, 1)\n    def forward(self, v):\n"
                "        return self.fc(v) * self.scale\ntorch.manual_seed(1)\nnet = Net()\n"
                "y = net(x).sum()\ny.backward()\nprint(net.scale, net.fc.weight.shape)\n",
}
# Rules with something of their own, and errors: each against plain torch, as above.
RULES: dict[str, str] = {
    "custom_function": "class Cube(torch.autograd.Function):\n    @staticmethod\n"
                       "    def forward(ctx, v):\n        ctx.save_for_backward(v)\n"
                       "        return v ** 3\n    @staticmethod\n    def backward(ctx, g):\n"
                       "        (v,) = ctx.saved_tensors\n        return 3 * v ** 2 * g\n"
                       "y = Cube.apply(x).sum()\ny.backward()\nprint(x.grad)\n",
    "hook": "h = x.register_hook(lambda g: g * 10)\ny = (x * 2).sum()\ny.backward()\n"
            "h.remove()\nprint(x.grad)\n",
    "optimizer": "w = torch.ones(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
                 "for i in range(2):\n    opt.zero_grad()\n"
                 "    loss = ((w - x.detach()) ** 2).sum()\n    loss.backward()\n    opt.step()\n"
                 "print(w)\n",
    "closure": "def make(k):\n    def scale(v):\n        return v * k\n    return scale\n"
               "y = make(3)(x).sum()\ny.backward()\nprint(make(2)(1))\n",
    "retain_grad": "h = x * 2\nh.retain_grad()\ny = (h ** 2).sum()\ny.backward()\nprint(h.grad)\n",
    "autograd_backward": "y = x * 2\ntorch.autograd.backward([y], [torch.ones(3)])\n"
                         "print(x.grad)\n",
    "format_method": "y = (x * 2).sum()\ny.backward()\nprint('{} and {n:.1f}'.format(1, n=2.0))\n",
    "broadcast": "b = torch.tensor(1.0, requires_grad=True)\nm = torch.ones(2, 3)\n"
                 "y = (m * x + b).sum()\ny.backward()\nprint(b.grad)\n",
    "shape_error_in_loop": "for i in range(3):\n    b = torch.ones(4, 5)\n    c = x @ b\n",
    "leaf_inplace_error": "w = torch.ones(2, requires_grad=True)\nfor i in range(2):\n"
                          "    w -= 0.1\n",
    "view_error_in_loop": "for i in range(2):\n    b = (x * 2).view(7)\n",
    "cat_error_in_loop": "a = torch.ones(2, 3)\nfor n in [3, 4]:\n"
                         "    c = torch.cat([a, torch.ones(2, n)], dim=0)\n",
    "augmented_error": "a = torch.ones(2, 3)\nfor i in range(2):\n    a += torch.ones(5)\n",
    "error_in_function": "def f(k):\n    return 1 / k\ntotal = 0\nfor k in [2, 1, 0]:\n"
                         "    total += f(k)\n",
    "error_after_a_call": "def g(v):\n    return v.sum()\nfor i in range(2):\n"
                          "    y = g(x * 2) @ torch.ones(4, 4)\n",
}
CASES = {**{f"node/{k}": v for k, v in NODES.items()}, **{f"rule/{k}": v for k, v in RULES.items()}}

# The kinds the checker admits (language/checker.py): each has exactly one rule.
STATEMENT_KINDS = {ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Import,
                   ast.ImportFrom, ast.Pass, ast.If, ast.For, ast.While, ast.Break,
                   ast.Continue, ast.Return, ast.With, ast.Try, ast.Raise, ast.Assert,
                   ast.FunctionDef, ast.ClassDef}
EXPRESSION_KINDS = {ast.Constant, ast.Name, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare,
                    ast.IfExp, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Slice,
                    ast.JoinedStr, ast.Attribute, ast.Subscript, ast.Call, ast.Lambda,
                    ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.Yield,
                    ast.YieldFrom}


def test_every_admitted_node_kind_has_one_rule_and_an_oracle_row() -> None:
    assert set(BUILDERS) == STATEMENT_KINDS | EXPRESSION_KINDS
    assert {getattr(ast, name) for name in NODES} == set(BUILDERS)
    for name, text in NODES.items():  # each row holds the kind it is named for
        kinds = {type(node) for node in ast.walk(ast.parse(SETUP + text))}
        assert getattr(ast, name) in kinds, name


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """Each case as a file, and what plain torch made of it (one subprocess for all)."""
    folder = tmp_path_factory.mktemp("evaluator")
    paths = {}
    for name, text in CASES.items():
        path = folder / (name.replace("/", "_") + ".py")
        path.write_text(SETUP + text, encoding="utf-8")
        paths[name] = path
    out = folder / "plain.json"
    subprocess.run([sys.executable, str(HERE / "plain_torch.py"), str(out),
                    *map(str, paths.values())], check=True, capture_output=True, timeout=300)
    plain = json.loads(out.read_text(encoding="utf-8"))
    return {name: (path, plain[str(path)]) for name, path in paths.items()}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and a in {"inf", "-inf", "nan"}:
        a = float(a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule_agrees_with_plain_torch(name: str, cases: dict[str, tuple[Path, Any]]
                                           ) -> None:
    path, expected = cases[name]
    record = run_scenario(load_scenario(path, Limits()))
    if expected["error"] is None:
        assert record.error is None, record.error
    else:
        assert record.error is not None, f"plain torch raised {expected['error']}"
        assert record.error.message.splitlines()[0] == \
            expected["error"]["message"].splitlines()[0]
    assert "".join(p.text + "\n" for p in record.prints) == expected["stdout"]
    mine = {row.name: row for row in record.tensors}
    assert set(mine) == set(expected["tensors"])
    for tensor, want in expected["tensors"].items():
        row = mine[tensor]
        assert (row.shape, row.is_leaf, row.requires_grad) == \
            (want["shape"], want["is_leaf"], want["requires_grad"]), tensor
        assert _same(row.value, want["value"]), tensor
        assert _same(row.grad, want["grad"]), f"{tensor}.grad"


# the hooks a loop fires ----------------------------------------------------------------------

TRAINING = """\
x = torch.linspace(-1, 1, 12).reshape(4, 3)
y = torch.tensor([[1.], [0.], [2.], [-1.]])
w = torch.zeros(3, 1, requires_grad=True)
for i in range(30):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
print(w)
"""


class Log:
    """Hooks that write down every call (tensors by shape), and run backward themselves."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def _seen(self, value: Any) -> Any:
        return tuple(value.shape) if isinstance(value, torch.Tensor) else repr(value)

    def backward(self, request: BackwardRequest) -> Any:
        self.calls.append(("backward", request.function, request.context.statement,
                           [label for _, label in request.outputs]))
        tensors = [t for t, _ in request.outputs]
        torch.autograd.backward(tensors, request.gradients, request.retain_graph)

    def printed(self, context: StatementContext, text: str) -> None:
        self.calls.append(("printed", context.line, text))

    def shown(self, context: StatementContext, expression: str, value: Any) -> None:
        self.calls.append(("shown", context.line, expression, self._seen(value)))

    def read_non_leaf_grad(self, context: StatementContext, tensor: torch.Tensor,
                           label: str) -> None:
        self.calls.append(("read_non_leaf_grad", context.line, label))

    def new_tensor(self, tensor: torch.Tensor, label: str) -> None:
        self.calls.append(("new_tensor", label, self._seen(tensor)))

    def assigned(self, name: str, value: Any) -> None:
        self.calls.append(("assigned", name, self._seen(value)))

    def retained(self, tensor: torch.Tensor, label: str) -> None:
        self.calls.append(("retained", label))

    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str,
                  result: torch.Tensor | None = None) -> None:
        self.calls.append(("broadcast", context.line, label, result_shape, operation))

    def made_without_grad(self, operation: str, operands: list[Any],
                          result: torch.Tensor) -> None:
        self.calls.append(("made_without_grad", operation, [self._seen(o) for o in operands],
                           self._seen(result)))

    def event(self, context: StatementContext, kind: str, facts: dict[str, Any]) -> None:
        self.calls.append(("event", context.line, kind))


def _hook_calls(text: str, limits: Limits, budget: Budget | None = None
                ) -> tuple[list[tuple[Any, ...]], Any]:
    log = Log()
    interpreter = Interpreter(limits, log, budget)
    program = parse_program(Code(text, "case.py", 1), limits, line_steps=True)
    error = None
    try:
        interpreter.run(program)
    except GradexplainError as err:
        location = err.location
        error = (err.kind, err.message, location and (location.line, location.col,
                                                      location.end_col), err.facts)
    return log.calls, error


def test_the_training_loop_reports_every_operation_every_iteration() -> None:
    calls, error = _hook_calls(TRAINING, Limits())
    assert error is None
    made = [c[1] for c in calls if c[0] == "made_without_grad"]
    # x and y; then per iteration the update's mul (under no_grad) and zero_
    assert made == ["linspace", "reshape", "tensor"] + ["mul", "zero_"] * 30
    assert not any(c[0] == "read_non_leaf_grad" for c in calls)  # w is a leaf
    assert sum(1 for c in calls if c[0] == "backward") == 30
    assert calls.count(("assigned", "w", (3, 1))) == 31  # `w = ...` and every `w -= ...`


def test_a_broadcast_is_reported_each_iteration_with_the_operands_label() -> None:
    text = ("w = torch.ones(3, requires_grad=True)\nx = torch.ones(2, 3)\nfor i in range(3):\n"
            "    y = (x * w).sum()\n    y.backward()\n")
    calls, error = _hook_calls(text, Limits())
    assert error is None
    assert [c for c in calls if c[0] == "broadcast"] == [
        ("broadcast", 4, "w", [2, 3], "x * w")] * 3


def test_a_non_leaf_grad_read_in_a_loop_is_reported_each_time() -> None:
    text = ("x = torch.ones(2, requires_grad=True)\nfor i in range(3):\n    y = x * 2\n"
            "    g = y.grad\n    y.retain_grad()\n    h = y.grad\n    z = x.grad\n")
    calls, error = _hook_calls(text, Limits())
    assert error is None
    assert [c for c in calls if c[0] == "read_non_leaf_grad"] == [
        ("read_non_leaf_grad", 4, "y")] * 3  # not after retain_grad(), not for the leaf


def test_an_expression_statement_is_shown_unless_it_is_done_for_its_effect() -> None:
    text = ("x = torch.ones(2, requires_grad=True)\nx * 2\n'text'\nx.sum().backward()\n"
            "x.grad.zero_()\nprint(1)\nlen([1])\ndef f():\n    x * 3\nf()\n")
    calls, error = _hook_calls(text, Limits())
    assert error is None
    assert [c[:3] for c in calls if c[0] == "shown"] == [("shown", 2, "x * 2"),
                                                         ("shown", 7, "len([1])")]


def test_the_training_loop_agrees_with_plain_torch() -> None:
    interpreter = Interpreter(Limits(), Log())
    interpreter.run(parse_program(Code(TRAINING, "case.py", 1), Limits()))
    x = torch.linspace(-1, 1, 12).reshape(4, 3)
    y = torch.tensor([[1.], [0.], [2.], [-1.]])
    w = torch.zeros(3, 1, requires_grad=True)
    for _ in range(30):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        assert w.grad is not None
        w.grad.zero_()
    assert torch.equal(interpreter.env["w"], w)  # type: ignore[arg-type]
    assert torch.equal(interpreter.env["loss"], loss)  # type: ignore[arg-type]


def test_evaluate_gives_an_expression_s_value_and_locates_its_error() -> None:
    interpreter = Interpreter(Limits(), Log())
    interpreter.env["x"] = torch.ones(2)
    program = parse_expression(Code("(x * 3).sum()", "e.py", 1), Limits())
    assert interpreter.evaluate(program) == 6
    assert interpreter.executed == 0  # an expression is not a statement
    failing = parse_expression(Code("x @ torch.ones(3)", "e.py", 4, 5), Limits())
    with pytest.raises(GradexplainError) as caught:
        interpreter.evaluate(failing)
    assert caught.value.kind == "shape_mismatch" and caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.col) == (4, 5)


# errors located inside loops -----------------------------------------------------------------

def test_an_error_in_a_loop_keeps_its_kind_and_location() -> None:
    text = ("a = torch.ones(2, 3, requires_grad=True)\nfor i in range(3):\n"
            "    b = torch.ones(4, 5)\n    c = a @ b\n")
    _, error = _hook_calls(text, Limits())
    kind, _, where, facts = error
    assert kind == "shape_mismatch"
    assert where == (4, 5, 14)  # the statement `c = a @ b` on line 4
    assert facts["step"] == 4 and facts["statement"] == "c = a @ b"
    assert facts["function"] == "matmul" and facts["operands"] == ["a", "b"]
    assert facts["shapes"] == [[2, 3], [4, 5]]


@pytest.mark.parametrize("call", ["y.backward()", "y.backward(retain_graph=None)"])
def test_a_failing_backward_names_its_output_and_shape(call: str) -> None:
    # The hooks run torch's backward themselves, so its error reaches the statement's guard,
    # which reads the operation the call set: `y.backward()` sets it by a shorter way.
    text = f"x = torch.ones(3, requires_grad=True)\ny = x * 2\n{call}\n"
    _, error = _hook_calls(text, Limits())
    kind, _, where, facts = error
    assert kind == "non_scalar_backward" and where[0] == 3
    assert facts["function"] == "backward" and facts["operands"] == ["y"]
    assert facts["shapes"] == [[3]] and facts["statement"] == call


def test_an_unknown_attribute_in_a_with_block_is_located() -> None:
    text = "w = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    w -= 0.1 * w.gradd\n"
    _, error = _hook_calls(text, Limits())
    kind, message, where, facts = error
    assert kind == "unknown_name" and "gradd" in message and facts["suggestion"] == "grad"
    assert where == (3, 16, 23)  # `w.gradd`
    assert facts["statement"] == "w -= 0.1 * w.gradd"


def test_a_function_from_an_earlier_program_is_located_in_its_own_code() -> None:
    """As in the REPL, where each entry is a program: a function defined in one and failing
    when a later one calls it names its own statement and operands (its body is compiled
    with the code it is written in)."""
    interpreter = Interpreter(Limits(), Log())
    interpreter.run(parse_program(Code("a = 1\ndef f(v):\n    w = v * 2\n"
                                       "    return w @ torch.ones(3)\n", "<repl>", 1),
                                  Limits(), line_steps=True))
    with pytest.raises(GradexplainError) as caught:
        interpreter.run(parse_program(Code("x = torch.ones(2)\ny = f(x)\n", "<repl>", 5),
                                      Limits(), line_steps=True))
    error = caught.value
    assert error.kind == "shape_mismatch" and error.location is not None
    assert (error.location.line, error.location.col) == (4, 5)
    assert error.facts["statement"] == "return w @ torch.ones(3)"
    assert error.facts["operands"] == ["w", "torch.ones(3)"]


def test_a_number_has_no_tensor_method_even_in_a_loop() -> None:
    _, error = _hook_calls("x = 0\nfor i in range(2):\n    y = x.sum()\n", Limits())
    kind, message, where, _ = error
    assert kind == "not_allowed" and "'sum' is not available on a int" in message
    assert where[0] == 3


# the guard around each statement: its budgets ------------------------------------------------

def test_the_element_limit_refuses_an_op_inside_a_loop_before_it_runs() -> None:
    text = "for i in range(3):\n    big = torch.ones(1000, 1) * torch.ones(1, 1000)\n"
    calls, error = _hook_calls(text, Limits(max_elements=100_000))
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["limit"] == "max_elements"
    assert facts["value"] == 1_000_000
    assert where == (2, 11, 52)
    assert not any(c[0] == "made_without_grad" and c[1] == "mul" for c in calls)  # never ran


def test_an_operator_meets_new_shapes_in_a_loop() -> None:
    # the same `*` sized afresh when its shapes change: the third pass is refused
    text = "for n in [10, 100, 2000]:\n    a = torch.ones(n, 1) * torch.ones(1, n)\n"
    calls, error = _hook_calls(text, Limits(max_elements=1_000_000))
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["value"] == 4_000_000
    assert where == (2, 9, 44)
    assert [c[3] for c in calls if c[0] == "made_without_grad" and c[1] == "mul"] == [
        (10, 10), (100, 100)]


def test_an_in_place_operator_is_sized_as_its_function() -> None:
    text = "a = torch.ones(1, 1000)\nfor i in range(2):\n    a += torch.ones(1000, 1)\n"
    _, error = _hook_calls(text, Limits(max_elements=100_000))
    assert error[0] == "limit_exceeded" and error[3]["value"] == 1_000_000
    assert error[2][0] == 3


def test_an_operator_sized_again_plans_its_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budgets, "resident_bytes", lambda: 10**8)
    budget = Budget()
    text = "for n in [10, 10, 20]:\n    a = torch.ones(n, 1) + torch.ones(1, n)\n"
    _hook_calls(text, Limits(max_memory=2**31), budget)
    # torch.ones(n, 1), torch.ones(1, n), then the sum: n * n float32s, sized again for n=20
    planned = sum([40, 40, 400] * 2 + [80, 80, 1600])
    assert budget.left == 2**31 - 10**8 - budgets.REREAD_MARGIN - planned


def test_a_plan_reads_memory_only_once_the_allowance_runs_out(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    found = [1000, 1900, 1900, 1900, 1000]  # resident memory at each reading
    readings: list[int] = []

    def resident() -> int:
        readings.append(found[len(readings)])
        return readings[-1]

    monkeypatch.setattr(budgets, "resident_bytes", resident)
    monkeypatch.setattr(budgets, "REREAD_MARGIN", 100)
    budget = Budget()
    limits = Limits(max_memory=2000)
    budget.check_memory(limits, None, 300)  # read: 2000 - 1000 - 300 - 100 = 600 left
    assert len(readings) == 1 and budget.left == 600
    for _ in range(3):
        budget.check_memory(limits, None, 200)  # from the allowance, no reading
    assert len(readings) == 1 and budget.left == 0
    budget.check_memory(limits, None, 50)  # past it: read again, now within the margin
    assert len(readings) == 2 and budget.left == 2000 - 1900 - 50 - 100
    budget.check_memory(limits, None, 10)  # near the budget every plan reads
    assert len(readings) == 3
    with pytest.raises(GradexplainError) as refused:
        budget.check_memory(limits, None, 101)
    assert refused.value.facts["limit"] == "max_memory" and refused.value.facts["value"] == 2001
    budget.check_memory(Limits(max_memory=5000), None, 10)  # another budget: read for it
    assert len(readings) == 5 and budget.left == 5000 - 1000 - 10 - 100


def test_each_statement_writes_its_status_line_for_the_worker() -> None:
    from gradexplain.app.supervisor import published_statement

    status = mmap.mmap(-1, budgets.STATUS_BYTES)
    seen: list[tuple[str, int | None]] = []

    class Watching(Log):  # what the worker's parent would read while print runs
        def printed(self, context: StatementContext, text: str) -> None:
            statement, location = published_statement(status)
            seen.append((statement, location and location.line))

    text = ("x = torch.ones(3, requires_grad=True)\nfor i in range(2):\n"
            "    loss = (x * 2).sum()\n    print(1)\n    loss.backward()\n    print(2)\n")
    Interpreter(Limits(), Watching(), Budget(status)).run(
        parse_program(Code(text, "loop.py", 1), Limits(), line_steps=True))
    assert seen == [("print(1)", 4), ("print(2)", 6)] * 2


def test_max_executed_stops_a_loop() -> None:
    # not a range: no refusal ahead. Statements 1-3, then two per pass: the 51st is the
    # 24th pass's `n += 1`.
    text = "k = 100\nn = 0\nfor i in list(range(k)):\n    print(n)\n    n += 1\n"
    calls, error = _hook_calls(text, Limits(max_executed=50))
    kind, _, where, facts = error
    assert kind == "limit_exceeded" and facts["limit"] == "max_executed"
    assert facts["value"] == 51
    assert where is not None and where[0] == 5  # `n += 1`, counted as it starts
    assert [c[2] for c in calls if c[0] == "printed"] == [str(n) for n in range(24)]


def test_a_constant_range_past_max_executed_is_refused_before_it_starts() -> None:
    calls, error = _hook_calls("n = 0\nfor i in range(100):\n    n += 1\n",
                               Limits(max_executed=50))
    assert error[0] == "limit_exceeded" and error[3]["limit"] == "max_executed"
    assert error[2] == (2, 10, 20)  # `range(100)`
    assert ("assigned", "i", "0") not in calls


def test_resident_memory_is_read_every_16th_statement() -> None:
    seen: list[int | None] = []

    class Counting(Budget):
        def read_memory(self, limits: Limits, location: Any, planned: int = 0) -> None:
            if not planned:  # a statement's reading, not an operation's plan
                seen.append(location.line)
            super().read_memory(limits, location, planned)

    _hook_calls(TRAINING, Limits(), Counting())
    lines = [1, 2, 3, 4] + [5, 6, 7, 8, 9] * 30 + [10]  # the statements, as they run
    assert seen == lines[15::16]


def test_a_loop_past_the_memory_budget_stops_at_a_statement(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    readings = iter([10, 20, 10**12])  # resident memory, as the third reading finds it
    monkeypatch.setattr(budgets, "resident_bytes", lambda: next(readings))
    calls, error = _hook_calls(TRAINING, Limits(max_memory=2**30))
    assert error is not None and error[0] == "limit_exceeded"
    assert error[3]["limit"] == "max_memory"
    assert sum(1 for c in calls if c[0] == "backward") < 30


def test_a_loop_past_its_deadline_stops_at_a_statement() -> None:
    calls, error = _hook_calls(TRAINING, Limits(), Budget(deadline=0.0))
    assert error is not None and error[0] == "limit_exceeded"
    assert error[3]["limit"] == "max_seconds" and error[2][0] in range(1, 11)
    assert sum(1 for c in calls if c[0] == "backward") < 30


def test_two_runs_keep_their_own_budgets() -> None:
    """No budget is shared by accident: a deadline given to one interpreter is its own."""
    _, stopped = _hook_calls(TRAINING, Limits(), Budget(deadline=0.0))
    _, finished = _hook_calls(TRAINING, Limits())
    assert stopped is not None and finished is None
