"""broadcast_sum and non_finite_grad in depth (issue 6): facts checked against plain torch."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine import note_hooks
from gradexplain.engine.note_hooks import NonFiniteTracer, Probes, broadcast_probe
from gradexplain.engine.runner import run_scenario
from gradexplain.explain import explain_note
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.record import NoteInfo, RunRecord
from gradexplain.scenario.bundled import bundled_dir
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.shell.cli import app

CJK = re.compile(r"[\u4e00-\u9fff]")


def bundled(name: str) -> RunRecord:
    path = next(p for p in Path(bundled_dir()).iterdir() if p.stem == name)
    return run_scenario(load_scenario(path, Limits()), RunOptions())


def from_steps(steps: str, tensors: str = "") -> RunRecord:
    body = "".join(f"  {line}\n" for line in steps.strip().splitlines())
    text = f"name: test\n{tensors}steps: |\n{body}"
    scenario = load_scenario_text(text, "test.yaml", "yaml", Limits(), name="test")
    return run_scenario(scenario, RunOptions())


def note(record: RunRecord, kind: str, tensor: str | None = None) -> NoteInfo:
    return next(n for n in record.notes if n.kind == kind and (tensor is None or
                                                                 n.tensor == tensor))


def close(value: Any, tensor: torch.Tensor) -> bool:
    return torch.allclose(torch.tensor(value, dtype=tensor.dtype), tensor.detach())


# --- broadcast_sum -----------------------------------------------------------------------------

def tutorial(reduce: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The tutorial's broadcasting example in plain torch: x.grad, p.grad and what reached
    2*x*x (the broadcast operand)."""
    x = torch.tensor(3.0, requires_grad=True)
    p = torch.ones(2, 2, requires_grad=True)
    a = 2 * x * x
    z = a + 2 * p * p
    out = z.mean() if reduce == "mean" else z.sum()
    (reached,) = torch.autograd.grad(out, a, retain_graph=True)
    out.backward()
    assert x.grad is not None and p.grad is not None
    return x.grad, p.grad, reached


def test_broadcast_sum_facts_match_torch() -> None:
    facts = note(bundled("broadcast_sum"), "broadcast_sum", "x").facts
    x_sum, _, reached = tutorial("sum")
    x_mean, _, _ = tutorial("mean")
    assert facts["dims_added"] == [0, 1] and facts["dims_stretched"] == []
    assert facts["grad_arrived"] == [[1.0, 1.0], [1.0, 1.0]]  # grad_tensors: ones
    assert close(facts["grad_summed"], reached)
    assert facts["reduction"] == "ones" and facts["reduction_numel"] == 4
    assert close(facts["grad_added"], x_sum) and close(facts["grad_with_mean"], x_mean)
    assert facts["grad_with_mean"] == 12.0 and facts["grad_added"] == 48.0  # the tutorial


def test_broadcast_mean_facts_match_torch() -> None:
    facts = note(bundled("broadcast_mean"), "broadcast_sum", "x").facts
    x_mean, _, reached = tutorial("mean")
    x_sum, _, _ = tutorial("sum")
    assert facts["grad_arrived"] == [[0.25, 0.25], [0.25, 0.25]]
    assert close(facts["grad_summed"], reached)
    assert facts["reduction"] == "mean" and facts["reduction_numel"] == 4
    assert close(facts["grad_added"], x_mean) and close(facts["grad_with_sum"], x_sum)
    assert facts["grad_added"] == 12.0 and facts["grad_with_sum"] == 48.0


B = [[1.0], [-2.0], [0.5]]
W = [[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, -3.0, 4.0]]


@pytest.mark.parametrize("reduce", ["mean", "sum"])
def test_stretched_dim_with_mul_matches_torch(reduce: str) -> None:
    record = from_steps(f"loss = (w * b).{reduce}()\nloss.backward()",
                        f"tensors:\n  b: {B}\n  w: {{expr: 'torch.tensor({W})'}}\n")
    facts = note(record, "broadcast_sum", "b").facts
    assert facts["dims_added"] == [] and facts["positions"] == 4
    assert facts["dims_stretched"] == [{"dim": 1, "from": 1, "to": 4}]
    b = torch.tensor(B, requires_grad=True)
    w = torch.tensor(W)
    other = "sum" if reduce == "mean" else "mean"
    for kind, key in ((reduce, "grad_added"), (other, f"grad_with_{other}")):
        b.grad = None
        getattr(w * b, kind)().backward()
        assert b.grad is not None and close(facts[key], b.grad), (key, facts[key], b.grad)
    # what arrived at w * b, and what the mul node passed on to b (the sum over dim 1)
    b.grad = None
    product = w * b
    product.retain_grad()
    getattr(product, reduce)().backward()
    assert product.grad is not None and b.grad is not None
    assert close(facts["grad_arrived"], product.grad) and close(facts["grad_summed"], b.grad)


def test_added_and_stretched_dims() -> None:
    record = from_steps("out = (b + w).sum()\nout.backward()",
                        "tensors:\n  b: {ones: [4, 1]}\n  w: {ones: [2, 4, 3]}\n")
    facts = note(record, "broadcast_sum", "b").facts
    assert facts["dims_added"] == [0]
    assert facts["dims_stretched"] == [{"dim": 2, "from": 1, "to": 3}]
    assert facts["positions"] == 6 and facts["grad_added"] == [[6.0]] * 4
    text = explain_note(note(record, "broadcast_sum", "b"), "en")
    assert "added dim 0 and stretched dim 2 from 1 to 3" in text
    assert "6 positions" in text


def test_autograd_grad_call_has_no_reduction_facts() -> None:
    record = from_steps("z = (x + p).sum()\ng = torch.autograd.grad(z, [x])",
                        "tensors:\n  x: 3.0\n  p: {ones: [2, 2]}\n")
    facts = note(record, "broadcast_sum", "x").facts
    assert "reduction" not in facts and facts["dims_added"] == [0, 1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_broadcast_texts(lang: str) -> None:
    sum_text = explain_note(note(bundled("broadcast_sum"), "broadcast_sum"), lang)
    mean_text = explain_note(note(bundled("broadcast_mean"), "broadcast_sum"), lang)
    assert "`48.`" in sum_text and "`12.`" in sum_text and "`4.`" in sum_text
    assert "`12.`" in mean_text and "`48.`" in mean_text
    if lang == "en":
        assert "dims 0 and 1: each element is summed over all 4 positions of [2, 2]" in sum_text
        assert "`x.grad` is `12.` here; with `.sum()` it would be `48.`" in mean_text
        assert "`x.grad` is `48.` here; with `.mean()` it would be `12.`" in sum_text
        assert "`out` is a `.mean()` over 4 elements" in mean_text
    else:
        assert CJK.search(sum_text) and "[2, 2] 的全部 4 个位置" in sum_text
        assert "这里 `x.grad` 是 `12.`；若改用 `.sum()`，它会是 `48.`" in mean_text


def test_probe_hooks_are_removed_and_the_node_let_go() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    z = x + torch.ones(3)
    probe = broadcast_probe(z, x)
    assert probe is not None and probe.slot == 0
    probes = Probes()
    probes.add(probe)
    assert z.grad_fn is not None
    chosen, handles = probes.watch({id(z.grad_fn)}, full=False)
    try:
        z.sum().backward(retain_graph=True)
    finally:
        probes.unwatch(chosen, handles)
    assert probe.seen and probe.summed == 3.0 and probe.node is None and not probes.pending
    probe.seen, probe.summed = False, None
    z.sum().backward()  # the hook is gone: nothing changes
    assert not probe.seen and probe.summed is None


# --- non_finite_grad ---------------------------------------------------------------------------

# (steps, the op made by the statement the oracle names, input label, input value, position)
NON_FINITE = {
    "sqrt_at_0": ("y = torch.sqrt(x)", "x = torch.tensor([0., 4.], requires_grad=True)",
                  "x", 0.0, [0]),
    "log_at_0": ("y = torch.log(x)", "x = torch.tensor([1., 0.], requires_grad=True)",
                 "x", 0.0, [1]),
    "div_by_0": ("y = x / d", "x = torch.tensor([1., 2.], requires_grad=True)\n"
                 "d = torch.tensor([2., 0.])", "d", 0.0, [1]),
    "pow_negative_at_0": ("y = x ** -1", "x = torch.tensor([0., 2.], requires_grad=True)",
                          "x", 0.0, [0]),
    "zero_times_inf": ("y = x * w\nz = y * 0", "x = torch.tensor([0.], requires_grad=True)\n"
                       "w = torch.tensor([1.]) / 0", "w", float("inf"), [0]),
    "nan_input": ("y = torch.sin(x)", "x = torch.tensor([0., 1.]) / torch.tensor([0., 1.])\n"
                  "x.requires_grad_(True)", None, float("nan"), [0]),
}


def torch_oracle(setup: str, op: str) -> tuple[str, torch.Tensor]:
    """The same statements in plain torch: y's grad_fn name and the leaf's grad."""
    env: dict[str, Any] = {"torch": torch}
    for line in (setup + "\n" + op).splitlines():
        name, _, expression = line.partition(" = ")
        if expression:
            env[name] = eval(expression, env)  # fixed test code, not user input
        else:
            eval(line, env)
    last = env["z"] if "z" in env else env["y"]
    node = type(env["y"].grad_fn).__name__
    last.sum().backward()
    return node, env["x"].grad


@pytest.mark.parametrize("case", list(NON_FINITE))
def test_non_finite_origin_is_named(case: str) -> None:
    op, setup, culprit, value, position = NON_FINITE[case]
    record = from_steps(f"{setup}\n{op}\nout = {'z' if 'z =' in op else 'y'}.sum()\n"
                        "out.backward()")
    found = note(record, "non_finite_grad")
    facts = found.facts
    node, grad = torch_oracle(setup, op)
    assert facts["origin"] == "operation" and facts["op"] == node, facts
    assert facts["made"] == "y" and facts["position"] == position
    assert facts["value"] == ("nan" if bool(torch.isnan(grad).any()) else "inf")
    if culprit is not None:
        assert facts["input"] == culprit
    assert facts["input_position"] == position
    got = facts["input_value"]
    assert (got != got) if value != value else got == value  # nan is not equal to itself
    for lang in ("en", "zh"):
        text = explain_note(found, lang)
        assert f"`{node}`" in text
        if lang == "zh":
            assert CJK.search(text) and "最早出现在" in text


def test_sqrt_text_names_op_and_input() -> None:
    record = from_steps("x = torch.tensor([0., 4.], requires_grad=True)\ny = torch.sqrt(x)\n"
                        "y.sum().backward()")
    found = note(record, "non_finite_grad")
    en = explain_note(found, "en")
    assert "It first appeared in `SqrtBackward0`, the backward of the `sqrt` that made `y`: it " \
        "produced inf for `x` from finite incoming gradients; its input `x` has 0 at " \
        "position [0]." in en
    zh = explain_note(found, "zh")
    assert "它的输入 `x` 在位置 [0] 上的值是 0" in zh


def test_non_finite_grad_tensors() -> None:
    record = from_steps("x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 2\n"
                        "g = torch.tensor([1., 1.]) / torch.tensor([0., 1.])\ny.backward(g)")
    found = note(record, "non_finite_grad")
    assert found.facts["origin"] == "grad_tensors" and found.facts["produced"] == "inf"
    assert "`grad_tensors`" in explain_note(found, "en")
    assert CJK.search(explain_note(found, "zh"))


def test_large_graph_is_not_traced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(note_hooks, "TRACE_MAX_NODES", 1)
    record = from_steps("x = torch.tensor([0., 4.], requires_grad=True)\n"
                        "y = torch.sqrt(x) * 2\ny.sum().backward()")
    found = note(record, "non_finite_grad")
    assert found.facts["origin"] == "not_traced" and found.facts["trace_limit"] == 1
    assert found.facts["op"] is None
    assert "was not traced" in explain_note(found, "en")
    assert "没有追踪" in explain_note(found, "zh")


def test_tracer_hooks_are_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = NonFiniteTracer._hook

    def counting(self: NonFiniteTracer, node: Any, grad_inputs: Any, grad_outputs: Any) -> None:
        calls.append(node)
        original(self, node, grad_inputs, grad_outputs)

    monkeypatch.setattr(NonFiniteTracer, "_hook", counting)
    x = torch.tensor([1.0, 4.0], requires_grad=True)
    y = torch.sqrt(x).sum()
    assert y.grad_fn is not None
    tracer = NonFiniteTracer([y.grad_fn, y.grad_fn.next_functions[0][0]], None)
    handles = tracer.watch()
    try:
        y.backward(retain_graph=True)
    finally:
        tracer.unwatch(handles)
    assert len(calls) == 1  # SqrtBackward0 (SumBackward0 only passes its gradient on)
    y.backward()
    assert len(calls) == 1
    assert tracer.finish(list) == {"origin": "not_found"}


def test_json_notes_carry_facts() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["run", "broadcast_mean", "--format", "json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)["notes"][0]["facts"]
    assert facts["tensor"] == "x" and facts["positions"] == 4  # the old keys are kept
    assert facts["grad_with_sum"] == 48.0 and facts["dims_added"] == [0, 1]


def test_meta_tensors_have_no_values_to_trace() -> None:
    record = from_steps("x = torch.ones(2, device='meta', requires_grad=True)\n"
                        "y = (x + torch.ones(3, 2, device='meta')).mean()\ny.backward()")
    assert record.error is None
    facts = note(record, "broadcast_sum", "x").facts
    assert facts["dims_added"] == [0] and "grad_arrived" not in facts
