"""Hypothesis: small programs of the widened language (functions, lambdas, closures, if,
while, comprehensions, hooks, custom Functions) agree with plain PyTorch on every value and
gradient. The plain side runs the same generated text with Python itself: it is the oracle."""

from __future__ import annotations

import math

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradexplain.engine.runner import run_scenario
from gradexplain.scenario.model import Code, Scenario

PRELUDE = """\
import torch
import math
a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
b = torch.tensor([1.5, 0.25, -0.75], requires_grad=True)
def square(t):
    return t * t
scale = lambda t, k=2.0: t * k
def clipped(t):
    if t.sum() > 0:
        return t.clamp(max=1.0)
    else:
        return -t
def make_adder(c):
    def add(t):
        return t + c
    return add
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return t ** 3
    @staticmethod
    def backward(ctx, g):
        t, = ctx.saved_tensors
        return 3 * t ** 2 * g
"""

UNARY = ["torch.sin({})", "torch.exp({} / 4)", "torch.tanh({})", "torch.relu({})",
         "square({})", "scale({})", "scale({}, k=-0.5)", "clipped({})", "make_adder(1.5)({})",
         "Cube.apply({} / 2)", "({}).abs()", "sum([{}[i] for i in range(3)]) * {}"]
BINARY = ["{} + {}", "{} * {}", "{} - {}", "torch.maximum({}, {})", "{} / (1 + {} ** 2)"]


@st.composite
def programs(draw: st.DrawFn) -> str:
    names = ["a", "b"]
    lines = [PRELUDE]
    for index in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            form = draw(st.sampled_from(UNARY))
            arg = draw(st.sampled_from(names))
            expr = form.format(arg, arg)
        else:
            form = draw(st.sampled_from(BINARY))
            expr = form.format(draw(st.sampled_from(names)), draw(st.sampled_from(names)))
        name = f"t{index}"
        lines.append(f"{name} = {expr}")
        names.append(name)
    if draw(st.booleans()):
        lines.append("h = a.register_hook(lambda g: g * 3)")
    loops = draw(st.integers(0, 2))
    lines.append(f"acc = {names[-1]}.sum()\nn = 0\nwhile n < {loops}:\n"
                 f"    acc = acc + (b * n).sum()\n    n += 1")
    lines.append("out = acc + sum(t.sum() for t in [a, b])\nout.backward()")
    return "\n".join(lines) + "\n"


def _plain(source: str) -> dict[str, torch.Tensor]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # the oracle side: plain Python
    return {k: v for k, v in namespace.items() if isinstance(v, torch.Tensor)}


def _same(x: object, y: object) -> bool:
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y, strict=True))
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return x == y


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_programs_agree_with_pytorch(source: str) -> None:
    expected = _plain(source)
    scenario = Scenario(name="gen", path="gen.py", steps=(Code(source, "gen.py", 1),),
                        is_snippet=True, source_text=source)
    record = run_scenario(scenario)
    assert record.error is None, (record.error, source)
    rows = {row.name: row for row in record.tensors}
    assert set(rows) == set(expected), source
    for name, tensor in expected.items():
        assert _same(rows[name].value, tensor.detach().tolist()), (name, source)
    for leaf in ("a", "b"):
        grad = expected[leaf].grad
        assert grad is not None
        assert _same(rows[leaf].grad, grad.tolist()), (leaf, source)
