"""Issue 25: every claim an explanation makes holds in PyTorch (tests/claims.py checks them):
over the bundled lessons, tests/corpus, the learner and matrix cases, the seed blocks and
generated programs (loops, rebinding, broadcasting with products, views, several leaves)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import problems, quoted_numbers
from claims_oracle import run as oracle_run
from gradexplain.engine.runner import run_scenario
from gradexplain.errors import GradexplainError
from gradexplain.explain.notes import explain_note
from gradexplain.limits import Limits
from gradexplain.record import RunRecord
from gradexplain.scenario.loader import load_scenario, load_scenario_text

HERE = Path(__file__).parent
ROOT = HERE.parent
CODE = sorted((HERE / "corpus").glob("*.py")) + sorted((HERE / "learner").glob("*.py")) + \
    sorted((HERE / "matrix").glob("*.py")) + sorted((HERE / "seed_blocks").glob("*.py")) + \
    sorted((HERE / "oracle_snippets").glob("*.py"))
LESSONS = sorted((ROOT / "scenarios").glob("*.yaml")) + \
    sorted((HERE / "learner").glob("*.yaml")) + sorted((HERE / "matrix").glob("*.yaml"))


def _record(path: Path) -> RunRecord | None:
    try:
        return run_scenario(load_scenario(path, Limits()))
    except GradexplainError:  # refused before it runs: no explanation to check
        return None


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every code file once as plain Python, in one subprocess (one torch import)."""
    out = tmp_path_factory.mktemp("claims") / "oracle.json"
    subprocess.run([sys.executable, str(HERE / "claims_oracle.py"), str(out),
                    *map(str, CODE)], check=True, capture_output=True, timeout=600)
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize("path", CODE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_claims_of_code_hold(path: Path, oracle: dict[str, Any]) -> None:
    record = _record(path)
    if record is None:
        return
    seen = oracle[str(path)]
    assert len(seen["calls"]) == (record.calls_total or len(record.calls))
    assert problems(record, seen) == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_claims_of_lessons_hold(path: Path) -> None:
    record = _record(path)
    if record is not None:
        assert problems(record) == []


def check_code(tmp_path: Path, code: str) -> RunRecord:
    """Run `code` under gradexplain and as plain Python; every claim must hold."""
    path = tmp_path / "snippet.py"
    path.write_text(code, encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    seen = oracle_run(str(path))
    assert len(seen["calls"]) == (record.calls_total or len(record.calls))
    assert problems(record, seen) == []
    return record


def notes(record: RunRecord, kind: str, lang: str) -> list[str]:
    return [" ".join(explain_note(n, lang).split()) for n in record.notes if n.kind == kind]


# The cases, each true and clear in both languages ------------------------------------

def test_broadcast_product_says_what_is_summed(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
                        "x = torch.tensor([1., 2., 3.])\n(w * x).sum().backward()\n")
    en, = notes(record, "broadcast_sum", "en")
    assert "times the other operand of `w * x`, that is `[1., 2., 3.]` at those positions, " \
        "and summed over them, `6.` reached `w`" in en
    zh, = notes(record, "broadcast_sum", "zh")
    assert "乘以 `w * x` 的另一个操作数后，这些位置上的梯度是 `[1., 2., 3.]`，" \
        "求和后传给 `w` 的是 `6.`" in zh


def test_training_loop_lesson_adds_up() -> None:
    record = run_scenario(load_scenario(ROOT / "scenarios" / "training_loop.yaml", Limits()))
    en = " ".join(notes(record, "broadcast_sum", "en"))
    assert "`[-1.3333, -5.3333, -12.]` at those positions, and summed over them, `-18.6667` " \
        "reached `w`" in en
    assert problems(record) == []


def test_a_sum_of_broadcast_operands_still_sums_what_arrived(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nb = torch.tensor(0.5, requires_grad=True)\n"
                        "x = torch.tensor([1., 2., 3.])\n(x + b).sum().backward()\n")
    en, = notes(record, "broadcast_sum", "en")
    assert "the gradient `[1., 1., 1.]` arrived at the broadcast result; summed over those " \
        "positions, `3.` reached `b`" in en


def test_a_rebound_name_means_its_new_tensor(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nx = torch.ones(2, requires_grad=True)\n"
                        "(x * 2).sum().backward()\nx = torch.tensor(3., requires_grad=True)\n"
                        "y = x * x\ny.backward()\n")
    assert record.calls[1].before == {"x": None} and record.calls[1].after == {"x": 6.0}
    assert not [n for n in record.notes if n.kind == "no_gradient"]


def test_an_earlier_tensor_the_call_reaches_is_labelled_by_its_code(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nx = torch.ones(2, requires_grad=True)\n"
                        "y = (x * 2).sum()\nx = torch.tensor(3., requires_grad=True)\n"
                        "y.backward()\n")
    call = record.calls[0]
    assert call.added["torch.ones(2, requires_grad=True)"] == [2.0, 2.0]
    assert call.added["x"] is None  # the current `x`: not reached, and still reachable
    en, = notes(record, "no_gradient", "en")
    assert en.startswith("`x` requires grad but is not connected to `y`")


def test_a_name_bound_before_it_required_grad_labels_its_row(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nx = torch.arange(4.0)\n"
                        "x.requires_grad_(True)\ny = 2 * torch.dot(x, x)\ny.backward()\n")
    assert list(record.calls[0].added) == ["x"]


LOOP_LEAF = ("import torch\nfor i in range(1000):\n"
             "    w = torch.tensor([1.], requires_grad=True)\n    (w * 3).sum().backward()\n")


def test_a_leaf_made_in_the_loop_is_no_accumulating_parameter(tmp_path: Path) -> None:
    record = check_code(tmp_path, LOOP_LEAF)
    assert [n.kind for n in record.notes] == ["graph_rebuilt"]
    en, = notes(record, "graph_rebuilt", "en")
    assert "`w` is made anew in each iteration: each new tensor's .grad starts at None, so " \
        "nothing accumulates across iterations, and `w.grad` holds the last iteration's " \
        "gradient alone." in en
    assert "still accumulate" not in en and "zeroed" not in en
    zh, = notes(record, "graph_rebuilt", "zh")
    assert "`w` 在每次迭代中都被重新创建" in zh and "累加" in zh
    assert [t.label for t in record.groups[0].tensors] == ["w"]
    assert {lb for c in record.calls for lb in c.before} == {"w"}


def test_the_loop_leaf_output_is_short_and_the_same_every_time(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gradexplain.shell.cli import app

    path = tmp_path / "loopleaf.py"
    path.write_text(LOOP_LEAF, encoding="utf-8")
    outputs = {lang: [CliRunner().invoke(app, ["run", str(path), "--lang", lang, "--width",
                                              "80"]).stdout for _ in range(2)]
               for lang in ("en", "zh")}
    for first, second in outputs.values():
        assert first == second
        assert len(first.encode("utf-8")) < 5_000


def test_a_parameter_that_survives_the_loop_still_accumulates(tmp_path: Path) -> None:
    record = check_code(tmp_path, "import torch\nw = torch.tensor([1.], requires_grad=True)\n"
                        "for i in range(3):\n    (w * 3).sum().backward()\n")
    en, = notes(record, "graph_rebuilt", "en")
    assert "The gradients of `w` still accumulate across iterations unless zeroed" in en
    assert "anew" not in en


def test_quoted_numbers_are_values_and_prose() -> None:
    assert quoted_numbers("call 3 added `[1., 2.]` in `w * 3`") == ["3", "1.", "2."]


# Generated programs ---------------------------------------------------------------------------

SHAPES = {"[]": "1.5", "[3]": "[1., -2., 3.]", "[1, 3]": "[[2., 0.5, -1.]]",
          "[2, 3]": "[[1., 2., 3.], [-1., 0., 2.]]"}


@st.composite
def programs(draw: st.DrawFn) -> str:
    """Small programs whose operands all broadcast to [2, 3]: several leaves, products with a
    data tensor and with each other, views, rebinding, loops that make leaves or reuse them."""
    leaves = draw(st.lists(st.sampled_from(sorted(SHAPES)), min_size=1, max_size=3))
    names = [f"p{i}" for i in range(len(leaves))]
    lines = ["import torch", "d = torch.tensor([[1., 2., 3.], [4., 5., 6.]])"]
    made = {name: f"torch.tensor({SHAPES[shape]}, requires_grad=True)"
            for name, shape in zip(names, leaves, strict=True)}
    lines += [f"{name} = {code}" for name, code in made.items()]

    def term() -> str:
        name = draw(st.sampled_from(names))
        return draw(st.sampled_from([name, f"{name} * d", f"d * {name}", f"{name}.expand(2, 3)",
                                     f"{name} * {draw(st.sampled_from(names))}",
                                     f"({name} + d) * 2"]))

    def statement(depth: int) -> list[str]:
        kind = draw(st.sampled_from(["backward", "backward", "rebind", "zero", "loop"]
                                    if depth == 0 else ["backward", "backward", "rebind"]))
        if kind == "backward":
            expr = " + ".join(term() for _ in range(draw(st.integers(1, 2))))
            return [f"({expr}).{draw(st.sampled_from(['sum', 'mean']))}().backward()"]
        if kind == "rebind":
            name = draw(st.sampled_from(names))
            return [f"{name} = {made[name]}"]
        if kind == "zero":
            return [f"{draw(st.sampled_from(names))}.grad = None"]
        body = [line for _ in range(draw(st.integers(1, 3))) for line in statement(1)]
        return [f"for i in range({draw(st.integers(2, 7))}):", *("    " + b for b in body)]

    for _ in range(draw(st.integers(1, 4))):
        lines += statement(0)
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(code=programs())
def test_claims_of_generated_programs_hold(tmp_path: Path, code: str) -> None:
    check_code(tmp_path, code)


def test_the_checker_finds_a_false_claim() -> None:
    """The checker is no rubber stamp: a broadcast note that sums to the wrong number and a
    no_gradient note on a connected leaf are both found."""
    scenario = load_scenario_text(
        "import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
        "x = torch.tensor([1., 2., 3.])\n(w * x).sum().backward()\n", "t.py", "py", Limits())
    record = run_scenario(scenario)
    note = next(n for n in record.notes if n.kind == "broadcast_sum")
    note.facts["grad_summed"] = 3.0
    record.notes.append(type(note)("no_gradient", "w", None, {"tensor": "w", "tensors": ["w"],
                                                              "call": 1}, 1))
    found = problems(record)
    assert any("does not sum to 3.0" in p for p in found), found
    assert any("no_gradient `w`" in p for p in found), found


def test_compare_of_two_files_says_the_shorter_one_ran_to_its_end(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gradexplain.shell.cli import app

    head = "import torch\nw = torch.tensor([1., 2.], requires_grad=True)\n"
    call = "(w * 3).sum().backward()\n"
    (tmp_path / "two.py").write_text(head + call + call, encoding="utf-8")
    (tmp_path / "one.py").write_text(head + call, encoding="utf-8")
    said = {lang: " ".join(CliRunner().invoke(app, [
        "compare", str(tmp_path / "two.py"), str(tmp_path / "one.py"), "--lang", lang,
        "--width", "100"]).stdout.split()) for lang in ("en", "zh")}
    assert "B has no call 2: it ran to its end after 1 call(s); A got 6." in said["en"]
    assert "stopped" not in said["en"]
    assert "B 没有第 2 次调用：它只做了 1 次调用就运行完毕了；A 得到 6。" in said["zh"]
