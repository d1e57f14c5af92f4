"""Deeper views (issue 6): --jacobian, --check-numeric, --graph (gradient flow and tree)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine.runner import run_scenario
from gradexplain.explain import explain_run
from gradexplain.explain.deeper_text import numeric_note, tree_lines, tree_notes
from gradexplain.limits import Limits
from gradexplain.options import RunOptions, ViewOptions
from gradexplain.record import CallRecord, RunRecord
from gradexplain.render import make_console, report_to_json
from gradexplain.render.deeper import deeper_block
from gradexplain.scenario.bundled import bundled_dir
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.shell.cli import app

ALL = ViewOptions(jacobian=True, check_numeric=True, graph=True)


def bundled(name: str, views: ViewOptions = ALL) -> RunRecord:
    path = next(p for p in Path(bundled_dir()).iterdir() if p.stem == name)
    return run_scenario(load_scenario(path, Limits()), RunOptions(views=views))


def from_yaml(text: str, views: ViewOptions = ALL) -> RunRecord:
    scenario = load_scenario_text(text, "test.yaml", "yaml", Limits(), name="test")
    return run_scenario(scenario, RunOptions(views=views))


def tree_of(record: RunRecord, call: int = 0, lang: str = "en") -> dict[str, list[str]]:
    """The --graph tree of a call as the text lines and notes a user reads."""
    tree = record.calls[call].views.tree
    assert tree is not None
    return {"lines": tree_lines(tree, lang), "folded": tree_notes(tree, lang)}


def functional_jacobian(function: Any, tensor: torch.Tensor) -> torch.Tensor:
    result = torch.autograd.functional.jacobian(function, tensor)  # type: ignore[no-untyped-call]
    assert isinstance(result, torch.Tensor)
    return result


def jacobian_of(call: CallRecord, leaf: str) -> dict[str, Any]:
    return next(e for e in call.views.jacobian if e["leaf"] == leaf)


def flat(value: Any) -> list[float]:
    return torch.tensor(value, dtype=torch.float64).reshape(-1).tolist()


def as64(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    return torch.tensor(value, dtype=torch.float64)


def close(a: Any, b: Any) -> bool:
    return torch.allclose(as64(a), as64(b), atol=1e-6)


# --jacobian -------------------------------------------------------------------------------

def test_mm_jacobian_matches_torch_functional() -> None:
    record = bundled("mm_grad_tensors")
    assert record.ok, record.error
    call = record.calls[0]
    base = torch.tensor([2., 1.])
    y = torch.tensor([[1., 2.], [3., 4.]])
    j_y = functional_jacobian(lambda t: torch.mm(base.view(1, 2), t), y)
    j_x = functional_jacobian(lambda t: torch.mm(t.view(1, 2), y), base)
    entry_y = jacobian_of(call, "y")
    assert close(entry_y["jacobian"], j_y.reshape(2, 4))
    leaf = next(label for label in call.added if label.startswith("torch.tensor"))
    entry_x = jacobian_of(call, leaf)
    assert close(entry_x["jacobian"], j_x.reshape(2, 2))
    for entry in (entry_x, entry_y):
        assert entry["v"] == [1.0, 0.0]  # grad_tensors [[1, 0]]
        assert entry["equal"] is True
        assert close(entry["vjp"], entry["grad_added"])
    assert close(entry_y["vjp"], flat(call.added["y"]))  # the ledger's added
    assert close(entry_x["vjp"], [1.0, 3.0])  # the tutorial's [[1., 3.]]
    second = record.calls[1]
    assert close(jacobian_of(second, "x_leaf")["vjp"], flat(second.added["x_leaf"]))


def test_broadcast_jacobian_matches_torch_functional() -> None:
    record = bundled("broadcast_sum")
    call = record.calls[0]
    x, p = torch.tensor(3.0), torch.ones(2, 2)
    j_x = functional_jacobian(lambda t: 2 * t * t + 2 * p * p, x)
    j_p = functional_jacobian(lambda t: 2 * x * x + 2 * t * t, p)
    assert close(jacobian_of(call, "x")["jacobian"], j_x.reshape(4, 1))
    assert close(jacobian_of(call, "p")["jacobian"], j_p.reshape(4, 4))
    assert jacobian_of(call, "x")["vjp"] == [48.0]  # ones_like: 4 places x 12
    for leaf in ("x", "p"):
        entry = jacobian_of(call, leaf)
        assert entry["v"] == [1.0] * 4 and entry["equal"] is True
        assert close(entry["vjp"], flat(call.added[leaf]))


def test_jacobian_limit_and_retained_grads_untouched() -> None:
    text = """
name: retained
tensors:
  x: [1.0, 2.0, 3.0]
steps: |
  y = x * x
  y.retain_grad()
  y.sum().backward()
"""
    plain = from_yaml(text, ViewOptions())
    deep = from_yaml(text, ViewOptions(jacobian=True))
    assert deep.calls[0].added == plain.calls[0].added  # the retained y.grad is not doubled
    assert deep.calls[0].views.jacobian[0]["equal"] is True
    small = from_yaml(text, ViewOptions(jacobian=True, jacobian_limit=2))
    assert small.calls[0].views.jacobian is None


# --check-numeric --------------------------------------------------------------------------

def test_numeric_check_smooth() -> None:
    record = from_yaml("""
name: cube
tensors:
  x: [-1.5, 0.5, 2.0]
expression: x ** 3
grad_tensors: ones_like
""", ViewOptions(check_numeric=True))
    (entry,) = record.calls[0].views.numeric
    assert entry["agrees"] is True and numeric_note(entry, "en") is None
    assert close(entry["autograd"], [6.75, 0.75, 12.0])
    assert entry["max_diff"] < 1e-3


def test_numeric_check_relu_at_zero_disagrees_with_a_note() -> None:
    record = from_yaml("""
name: relu0
tensors:
  x: [-1.0, 0.0, 1.0]
expression: torch.relu(x)
grad_tensors: ones_like
""", ViewOptions(check_numeric=True))
    (entry,) = record.calls[0].views.numeric
    assert entry["agrees"] is False
    assert close(entry["numeric"], [0.0, 0.5, 1.0])
    assert entry["autograd"] == [0.0, 0.0, 1.0]
    assert "relu" in (numeric_note(entry, "en") or "")
    assert "relu" in (numeric_note(entry, "zh") or "")


def test_numeric_check_of_steps_reruns_the_code() -> None:
    record = bundled("mm_grad_tensors", ViewOptions(check_numeric=True))
    numeric = record.calls[0].views.numeric
    assert numeric and all(e["agrees"] is True for e in numeric)
    assert all(close(e["numeric"], e["autograd"]) for e in numeric)


# --graph: gradient flow and the tree ------------------------------------------------------

FLOW = """
name: flow
tensors:
  x: [0.5, -1.0]
  w: 2.0
steps: |
  a = x * w
  b = torch.sin(a)
  c = (b * b).sum()
  c.backward()
"""


def test_flow_equals_retain_grad() -> None:
    record = from_yaml(FLOW, ViewOptions(graph=True))
    flow = {e["tensor"]: e for e in record.calls[0].views.flow}
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    a = x * w
    b = torch.sin(a)
    c = (b * b).sum()
    for t in (a, b, c):
        t.retain_grad()
    c.backward()  # type: ignore[no-untyped-call]
    for name, tensor in {"a": a, "b": b, "c": c, "x": x, "w": w}.items():
        assert close(flow[name]["grad"], tensor.grad), name
    assert flow["x"]["leaf"] and not flow["a"]["leaf"]
    assert next(e["tensor"] for e in record.calls[0].views.flow) == "c"


def test_tree_names_nodes_and_is_deterministic() -> None:
    first = tree_of(from_yaml(FLOW, ViewOptions(graph=True)))
    second = tree_of(from_yaml(FLOW, ViewOptions(graph=True)))
    assert first == second
    assert first["lines"][0] == "c = SumBackward0 []"
    text = "\n".join(first["lines"])
    assert "b = SinBackward0 [2]" in text and "a = MulBackward0 [2]" in text
    assert "x = AccumulateGrad [2]" in text and "w = AccumulateGrad []" in text


CHAIN = """
name: chain
tensors:
  x: [1.0, 2.0]
  w: 1.0001
steps: |
  y = x * 1.0
  for i in range(3000):
      y = torch.sin(y) * w + 0.001
  y.sum().backward()
"""


@pytest.mark.slow  # a deep graph
def test_a_3000_step_chain_folds_into_a_screenful() -> None:
    record = from_yaml(CHAIN, ViewOptions(graph=True, jacobian=True))
    call = record.calls[0]
    tree = tree_of(record)
    assert any("x 2999" in line for line in tree["lines"])
    assert tree["folded"]
    stream = io.StringIO()
    console = make_console(stream, width=100, force_plain=True)
    block = deeper_block(console, explain_run(record, "en"), call)
    assert block is not None
    console.print(block)
    lines = stream.getvalue().splitlines()
    assert len(lines) < 60, "\n".join(lines)


def test_tree_folds_a_longer_pattern() -> None:
    record = from_yaml("""
name: deep
tensors:
  x: [1.0]
steps: |
  y = x
  for i in range(50):
      y = torch.sin(y)
      y = torch.exp(y) * 0.5
      y = torch.cos(y) + 1.0
      y = y.sum() + x
  y.sum().backward()
""", ViewOptions(graph=True))
    tree = tree_of(record)
    assert len(tree["lines"]) <= 20
    assert any("x 49" in line for line in tree["lines"]), tree["lines"]


def test_tree_depth_limit() -> None:
    ops = ["torch.sin(y)", "torch.exp(y)", "torch.cos(y)", "torch.tanh(y)",
           "torch.sigmoid(y)", "y * 0.5", "y + 1.0", "y - 0.1", "y / 2.0"]
    body = "".join(f"      y = {op}\n" for op in ops)
    record = from_yaml(f"""
name: deep
tensors:
  x: [1.0]
steps: |
  y = x
  for i in range(20):
{body}  y.sum().backward()
""", ViewOptions(graph=True))
    tree = tree_of(record)
    assert len(tree["lines"]) <= 33
    assert tree["folded"][0] == "depth limit 30: 152 node(s) not shown"


# JSON, tables and the command line -------------------------------------------------------

def test_json_keys_are_additive() -> None:
    plain = report_to_json(explain_run(bundled("broadcast_sum", ViewOptions()), "en"))
    deep = report_to_json(explain_run(bundled("broadcast_sum"), "en"))
    assert not {"jacobian", "numeric", "flow", "tree"} & set(plain["calls"][0])
    assert {"jacobian", "numeric", "flow", "tree"} <= set(deep["calls"][0])
    assert set(plain["calls"][0]) <= set(deep["calls"][0])
    json.dumps(deep, allow_nan=False)


def test_cli_flags(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["run", "broadcast_sum", "--graph", "--jacobian",
                                 "--check-numeric", "--format", "json"])
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout.splitlines()[0])["calls"][0]
    assert call["jacobian"][0]["equal"] is True
    table = runner.invoke(app, ["run", "mm_grad_tensors", "--graph", "--jacobian",
                                "--width", "100"])
    assert table.exit_code == 0, table.output
    for words in ("Backward graph", "Gradient flow", "Jacobians", "v^T J equals the grad added",
                  "z = MmBackward0"):
        assert words in table.stdout
    limited = runner.invoke(app, ["run", "broadcast_sum", "--jacobian", "--jacobian-limit",
                                  "2", "--format", "json"])
    assert "jacobian" not in json.loads(limited.stdout.splitlines()[0])["calls"][0]
    bad = runner.invoke(app, ["run", "broadcast_sum", "--jacobian-limit", "0"])
    assert bad.exit_code == 2


# mm_grad_tensors: its second call does not reach the first call's unnamed leaf, whose grad
# the Jacobian's autograd.grad passes must leave alone (not even rewrite with equal values).
@pytest.mark.parametrize("name", ["accumulation", "two_backwards", "retain_graph",
                                  "non_scalar_error", "training_loop", "mm_grad_tensors"])
def test_views_never_change_a_ledger(name: str) -> None:
    plain = bundled(name, ViewOptions())
    deep = bundled(name)
    assert [c.added for c in deep.calls] == [c.added for c in plain.calls]
    assert [c.after for c in deep.calls] == [c.after for c in plain.calls]
    assert [c.not_reached for c in deep.calls] == [c.not_reached for c in plain.calls]
    assert [n.kind for n in deep.notes] == [n.kind for n in plain.notes]
    assert (deep.error.kind if deep.error else None) == (plain.error.kind if plain.error
                                                         else None)
    assert deep.ok == plain.ok


# the tree as text: golden files ------------------------------------------------------------



def _golden_tree(name: str, record: RunRecord, lang: str) -> str:
    parts = []
    for index, call in enumerate(record.calls):
        tree = tree_of(record, index, lang)
        parts.append(f"call {call.index} · {call.statement}")
        parts += tree["lines"] + [f"  note: {note}" for note in tree["folded"]]
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("name, make, lang", [
    ("mm_grad_tensors", lambda: bundled("mm_grad_tensors", ViewOptions(graph=True)), "en"),
    ("broadcast_sum", lambda: bundled("broadcast_sum", ViewOptions(graph=True)), "en"),
    ("retain_graph", lambda: bundled("retain_graph", ViewOptions(graph=True)), "en"),
    ("retain_graph_zh", lambda: bundled("retain_graph", ViewOptions(graph=True)), "zh"),
    pytest.param("chain3000", lambda: from_yaml(CHAIN, ViewOptions(graph=True)), "en",
                 marks=pytest.mark.slow),  # a deep graph
])
def test_tree_golden(name: str, make: Any, lang: str,
                     golden: Callable[[str, str], None]) -> None:
    golden(f"tree_{name}.txt", _golden_tree(name, make(), lang))


def test_tree_says_which_saved_tensors_the_call_freed() -> None:
    """Freed against kept is what PyTorch itself does: reading a freed saved tensor raises."""
    kept = tree_of(bundled("retain_graph_fixed", ViewOptions(graph=True)))
    freed = tree_of(bundled("retain_graph", ViewOptions(graph=True)))
    assert any(line.endswith(": kept") for line in kept["lines"])
    assert not any(line.endswith(": freed") for line in kept["lines"][:8])
    assert any(line.endswith(": freed") for line in freed["lines"])
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    node = out.grad_fn.next_functions[0][0]  # type: ignore[union-attr]
    out.backward()  # type: ignore[no-untyped-call]
    with pytest.raises(RuntimeError, match="freed"):
        node._saved_other  # noqa: B018


def test_compare_shows_the_views_of_both_variants() -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["compare", "two_backwards", "--retain-graph", "--graph",
                                "--width", "120"])
    assert table.exit_code == 0, table.output
    call_2 = [line.strip() for line in table.stdout[table.stdout.index("Call 2"):].splitlines()]
    a_at, b_at = call_2.index("A: as written"), call_2.index("B: retain_graph=True")
    a_part, b_part = "\n".join(call_2[a_at:b_at]), "\n".join(call_2[b_at:])
    assert "saved self=a, other=b: freed" in a_part
    assert "saved self=a, other=b: kept" in b_part
    # call 1 retains the graph in both variants: one block, said once
    call_1 = table.stdout[table.stdout.index("Call 1"):table.stdout.index("Call 2")]
    assert "the same in A (as written) and B (retain_graph=True)" in call_1
    assert call_1.count("Backward graph") == 1
    result = runner.invoke(app, ["compare", "two_backwards", "--retain-graph", "--graph",
                                 "--jacobian", "--format", "json"])
    data = json.loads(result.stdout)
    a_tree = data["a"]["calls"][1]["tree"]["lines"]
    b_tree = data["b"]["calls"][1]["tree"]["lines"]
    assert a_tree[0].endswith(": freed") and b_tree[0].endswith(": kept")
    assert data["a"]["calls"][0]["jacobian"][0]["equal"] is True


def test_views_in_chinese() -> None:
    record = bundled("broadcast_sum")
    stream = io.StringIO()
    console = make_console(stream, width=120, force_plain=True)
    block = deeper_block(console, explain_run(record, "zh"), record.calls[0])
    assert block is not None
    console.print(block)
    text = stream.getvalue()
    for heading in ("反向计算图", "梯度流", "雅可比矩阵", "数值检验", "本次加上的梯度", "已释放"):
        assert heading in text, heading
    for english in ("Backward graph", "Gradient flow", "Jacobians", "Numeric check",
                    "grad added", "freed", "shared"):
        assert english not in text, english


@pytest.mark.parametrize(("yaml_tensors", "expression", "reason", "agrees"), [
    ("  x: [1.0, 1.0, 0.5]\n", "x.max()", "non_smooth_tie", True),
    ("  a: [1.0, 2.0]\n  b: [1.0, 3.0]\n", "torch.maximum(a, b).sum()", "non_smooth_tie", True),
    ("  x: [1.0, 2.0]\n", "torch.relu(x - 1.0).sum()", "non_smooth_kink", False),
    ("  x: [0.5, 2.0]\n", "torch.relu(x - 1.0).sum()", None, True),
    ("  x: [1.0, 2.0, 0.5]\n", "x.max()", None, True),
])
def test_numeric_check_explains_points_without_a_derivative(
        yaml_tensors: str, expression: str, reason: str | None, agrees: bool) -> None:
    """Ties and kinks get a sentence; smooth points none. PyTorch splits ties evenly."""
    record = from_yaml(f"name: t\ntensors:\n{yaml_tensors}expression: {expression}\n",
                       ViewOptions(check_numeric=True))
    first = record.calls[0].views.numeric[0]
    assert first["reason"] == reason
    assert first["agrees"] is agrees
    if reason is not None:
        assert numeric_note(first, "en") and numeric_note(first, "zh")
