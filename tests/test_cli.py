"""The command line end to end: exit codes, JSON, and one test per error kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.errors import ERROR_KINDS
from gradexplain.shell.cli import app

runner = CliRunner()

# kind -> (file name, text, exit code, names the explanation must mention)
ERROR_CASES: dict[str, tuple[str, str, int, list[str]]] = {
    "non_scalar_backward": ("s.py", "x = torch.ones(2, requires_grad=True)\nz = x + 2\n"
                            "z.backward()\n", 1, ["z", "[2]"]),
    "freed_graph": ("s.py", "x = torch.ones(2, requires_grad=True)\nout = (x * x).sum()\n"
                    "out.backward()\nout.backward()\n", 1, ["out", "retain_graph=True"]),
    "no_grad_fn": ("s.py", "x = torch.ones(2)\nout = (x * 2).sum()\nout.backward()\n", 1,
                   ["out"]),
    "grad_shape_mismatch": ("s.py", "x = torch.ones(2, requires_grad=True)\nz = x * 2\n"
                            "z.backward(torch.ones(3))\n", 1, ["z", "[3]", "[2]"]),
    "inplace_modified": ("s.py", "x = torch.ones(2, requires_grad=True)\ny = x.sigmoid()\n"
                         "y.mul_(2)\ny.sum().backward()\n", 1, ["version"]),
    "leaf_inplace": ("s.py", "x = torch.ones(2, requires_grad=True)\nx += 1\n", 1,
                     ["x", "no_grad"]),
    "non_float_requires_grad": ("s.py", "x = torch.tensor([1, 2], requires_grad=True)\n", 1,
                                ["float"]),
    "shape_mismatch": ("s.py", "a = torch.ones(2, 3)\nb = torch.ones(2, 3)\n"
                       "c = torch.mm(a, b)\n", 1, ["a", "b", "[2, 3]"]),
    "device_mismatch": ("s.py", "a = torch.ones(2)\nb = torch.ones(2, device='meta')\n"
                        "c = a + b\n", 1, ["meta"]),
    "dtype_mismatch": ("s.py", "a = torch.ones(2, 2)\nb = torch.ones(2, 2, "
                       "dtype=torch.float64)\nc = torch.mm(a, b)\n", 1, ["float64"]),
    "unknown_name": ("s.py", "x = torch.ones(2)\ny = xx + 1\n", 1, ["xx"]),
    "not_allowed": ("s.py", "x = torch.ones(2)\ny = x.storage()\n", 2, ["storage"]),
    "limit_exceeded": ("s.py", "x = torch.ones(100000, 100000)\n", 2, ["--max-elements"]),
    "invalid_scenario": ("s.yaml", "tensors:\n  x: {ones: [2]}\nexpresion: x.sum()\n", 2,
                         ["expression"]),
    "torch_error": ("s.py", "x = torch.ones(2)\ny = x[5]\n", 1, []),
}


def _json(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_every_error_kind_has_a_cli_case() -> None:
    covered = set(ERROR_CASES) | {"device_unavailable"}
    assert covered == set(ERROR_KINDS)


@pytest.mark.parametrize("kind", sorted(ERROR_CASES))
def test_error_kind_through_the_cli(kind: str, tmp_path: Path) -> None:
    name, text, code, mentions = ERROR_CASES[kind]
    path = tmp_path / name
    path.write_text(("import torch\n" if name.endswith(".py") else "") + text,
                    encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert result.exit_code == code, result.output
    data = _json(result)
    assert data["format"] == "gradexplain/1"
    assert data["ok"] is False
    error = data["error"]
    assert error["kind"] == kind
    assert error["explanation"] and error["fix"]
    words = error["explanation"] + error["fix"] + error["message"]
    for mention in mentions:
        assert mention in words, (mention, words)
    assert "Traceback" not in result.output


def test_device_unavailable(tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = runner.invoke(app, ["run", "scalar_backward", "--device", "cuda"])
    assert result.exit_code == 2
    assert "device_unavailable" in result.output
    assert "cpu" in result.output


def test_expected_error_exits_zero() -> None:
    result = runner.invoke(app, ["run", "retain_graph"])
    assert result.exit_code == 0, result.output


def test_failed_expectation_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text("tensors:\n  x: 3.0\nexpression: x * x\nexpect:\n  grads:\n    x: 7\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 1
    assert "expected 7, got 6" in result.output


def test_several_paths_give_json_lines_and_the_highest_exit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("x = open('f')\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "scalar_backward", str(bad), "--format", "json"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["error"] and line["error"]["kind"] for line in lines] == [None, "not_allowed"]


def test_missing_path_suggests_a_bundled_example() -> None:
    result = runner.invoke(app, ["run", "acumulation"])
    assert result.exit_code == 2
    assert "accumulation" in result.output


def test_no_path_lists_the_bundled_examples() -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0
    assert "accumulation" in result.output and "broadcast_sum" in result.output


def test_tutorial_mm_example_tells_the_truth() -> None:
    result = runner.invoke(app, ["run", "mm_grad_tensors", "--format", "json"])
    data = _json(result)
    notes = [n for n in data["notes"] if n["kind"] == "non_leaf_grad"]
    assert notes, data["notes"]
    # The gradient lands on the unnamed leaf made inside the expression.
    assert "torch.tensor([2., 1.], requires_grad=True)" in notes[0]["text"]


def test_chinese_explanations() -> None:
    result = runner.invoke(app, ["run", "non_scalar_error", "--lang", "zh", "--format", "json"])
    assert result.exit_code == 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in _json(result)["error"]["explanation"])


def test_version_and_help() -> None:
    assert runner.invoke(app, ["--version"]).exit_code == 0
    for command in ("run", "compare", "repl"):
        result = runner.invoke(app, [command, "--help"])
        if result.exit_code == 2 and "No such command" in result.output:
            continue
        assert result.exit_code == 0
        assert "Example" in result.output or "example" in result.output


@pytest.mark.parametrize(("steps", "reason"), [
    ("y = x.detach()\nz = (y * 2).sum()\n", "detached"),
    ("y = x.data * 3\nz = y.sum()\n", "detached"),
    ("y = (x * 2).detach().clone()\nz = torch.exp(y).sum()\n", "detached"),
    ("with torch.no_grad():\n    z = (x * 2).sum()\n", "no_grad"),
    ("y = torch.ones(2)\nz = (y * 2).sum()\n", "no_requires_grad"),
])
def test_no_grad_fn_says_why(steps: str, reason: str, tmp_path: Path) -> None:
    """The reason is what really happened; PyTorch agrees that z has no grad_fn."""
    code = "x = torch.ones(2, requires_grad=True)\n" + steps
    plain: dict[str, Any] = {"torch": torch}
    exec(code, plain)  # the test's own fixed code: plain PyTorch is the oracle
    assert plain["z"].grad_fn is None and not plain["z"].requires_grad
    path = tmp_path / "s.py"
    path.write_text(code + "z.backward()\n", encoding="utf-8")
    data = _json(CliRunner().invoke(app, ["run", str(path), "--format", "json"]))
    assert data["error"]["kind"] == "no_grad_fn"
    words = {"detached": ".detach()", "no_grad": "torch.no_grad()",
             "no_requires_grad": "requires_grad=True"}[reason]
    assert words in data["error"]["fix"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_non_finite_note_names_the_operation(lang: str, tmp_path: Path) -> None:
    """sqrt at 0: the note names SqrtBackward0 and the input x, in the table and in JSON."""
    path = tmp_path / "s.py"
    path.write_text("x = torch.tensor([0., 4.], requires_grad=True)\ny = torch.sqrt(x)\n"
                    "y.sum().backward()\n", encoding="utf-8")
    table = runner.invoke(app, ["run", str(path), "--lang", lang, "--width", "200"])
    assert table.exit_code == 0 and "SqrtBackward0" in table.output and "`x`" in table.output
    data = _json(runner.invoke(app, ["run", str(path), "--lang", lang, "--format", "json"]))
    (note,) = [n for n in data["notes"] if n["kind"] == "non_finite_grad"]
    assert note["facts"]["op"] == "SqrtBackward0" and note["facts"]["input"] == "x"
    assert note["facts"]["input_value"] == 0.0 and note["facts"]["value"] == "inf"
    assert "SqrtBackward0" in note["text"]


def test_meta_tensors_run_two_backward_calls(tmp_path: Path) -> None:
    """Meta tensors have shapes but no values: no value check may call .item() on them."""
    path = tmp_path / "meta.py"
    path.write_text('x = torch.ones(2, device="meta", requires_grad=True)\n'
                    "y = (x * 2).sum()\ny.backward(retain_graph=True)\ny.backward()\n",
                    encoding="utf-8")
    data = _json(CliRunner().invoke(app, ["run", str(path), "--format", "json"]))
    assert data["ok"] is True and data["error"] is None
    assert len(data["calls"]) == 2
    assert [n["kind"] for n in data["notes"]] == ["accumulated"]


# the two drift bugs of issue 12 ------------------------------------------------------------

@pytest.mark.parametrize("args", [(0, 1, 0.25), (0, 1, 0.3), (5,), (-2, 3), (0, 10, 3),
                                  (1.5, -1, -0.5), (0, 6, 2)])
def test_arange_length_is_torchs(args: tuple[float, ...]) -> None:
    """One element count for arange (loader, runner and guard share it): torch's own."""
    from gradexplain.limits import arange_length

    start, end, step = (0, args[0], 1) if len(args) == 1 else (
        args[0], args[1], args[2] if len(args) > 2 else 1)
    assert arange_length(start, end, step) == torch.arange(*args).numel()


@pytest.mark.parametrize(("limit", "code"), [("4", 0), ("3", 2)])
def test_arange_at_the_element_limit(limit: str, code: int, tmp_path: Path) -> None:
    """`arange: [0, 1, 0.25]` makes 4 elements: --max-elements 4 runs, 3 refuses ("4")."""
    path = tmp_path / "ar.yaml"
    path.write_text("tensors:\n  x: {arange: [0, 1, 0.25]}\nsteps:\n"
                    "  - y = (x * 2).sum()\n  - y.backward()\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--max-elements", limit,
                                 "--format", "json"])
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    if code == 0:
        assert data["tensors"][0]["grad"] == [2.0, 2.0, 2.0, 2.0]
    else:
        assert data["error"]["kind"] == "limit_exceeded"
        assert "would be 4" in data["error"]["message"]


def test_batch_summary_in_chinese() -> None:
    """`run A B --lang zh`: the summary after several scenarios is in Chinese too."""
    result = runner.invoke(app, ["run", "accumulation", "retain_graph", "--lang", "zh",
                                 "--width", "100"])
    assert result.exit_code == 0, result.output
    summary = result.stdout[result.stdout.rindex("汇总"):]
    assert "共 2 个场景：2 个成功，0 个失败" in summary
    assert "Summary" not in result.stdout and " scenarios: " not in summary
    assert "Scenario" not in summary and "error kind" not in summary
