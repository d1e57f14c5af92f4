"""`gradexplain compare`: each variant mode through the CLI, the JSON shape, one golden text.

Regenerate the golden file with `GRADEXPLAIN_REGEN_GOLDEN=1 pytest tests/test_compare.py`
and check the diff by eye.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from gradexplain.analysis.compare import compare_records, constant_ratio, value_diff
from gradexplain.record import CallRecord, RunRecord
from gradexplain.shell.cli import app

ANSI = re.compile(r"\x1b\[")
WIDTH = 100

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["compare", *args, "--width", str(WIDTH)],
                         env={"NO_COLOR": "1", "COLUMNS": str(WIDTH)})


def compare_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["compare", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert isinstance(obj, dict)
    return obj


def check_shape(obj: dict[str, Any], mode: str) -> None:
    assert set(obj) == {"format", "mode", "a", "b", "differences", "same"}
    assert obj["format"] == "gradexplain-compare/1"
    assert obj["mode"] == mode
    for side in ("a", "b"):
        assert obj[side]["format"] == "gradexplain/1"
        assert isinstance(obj[side]["calls"], list)
    assert isinstance(obj["same"], bool)
    assert obj["same"] == (not obj["differences"])
    for diff in obj["differences"]:
        assert {"call", "tensor", "a", "b", "max_abs", "max_rel", "why"} <= set(diff)
        assert isinstance(diff["call"], int)
        assert isinstance(diff["tensor"], str)
        assert isinstance(diff["why"], str) and diff["why"]


# --- --zero-grad -----------------------------------------------------------------------------

def test_zero_grad_accumulation() -> None:
    result = invoke("accumulation", "--zero-grad")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not ANSI.search(out)
    call2 = out[out.index("Call 2"):]
    assert "22.5" in call2 and "18." in call2
    assert "differs" in call2 and "✗" in call2
    assert "already held 4.5 from earlier calls" in call2
    assert "1 difference(s)" in out


def test_zero_grad_json() -> None:
    obj = compare_json("accumulation", "--zero-grad")
    check_shape(obj, "zero_grad")
    assert obj["same"] is False
    [diff] = obj["differences"]
    assert diff["call"] == 2 and diff["tensor"] == "x"
    assert diff["a"] == [[22.5, 22.5], [22.5, 22.5]]
    assert diff["b"] == [[18.0, 18.0], [18.0, 18.0]]
    assert diff["max_abs"] == pytest.approx(4.5)
    assert diff["max_rel"] == pytest.approx(0.2)
    assert "4.5" in diff["why"]


def test_zero_grad_chinese() -> None:
    result = invoke("accumulation", "--zero-grad", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "之前调用留下的 4.5" in result.stdout
    assert "共 1 处不同" in result.stdout and "原样运行" in result.stdout


def test_fail_on_diff() -> None:
    assert invoke("accumulation", "--zero-grad", "--fail-on-diff").exit_code == 1
    assert invoke("accumulation", "--device", "cpu", "--device", "cpu",
                  "--fail-on-diff").exit_code == 0


# --- --retain-graph --------------------------------------------------------------------------

def test_retain_graph_freed() -> None:
    result = invoke("retain_graph", "--retain-graph")
    assert result.exit_code == 0, result.output
    out = result.stdout
    call2 = out[out.index("Call 2"):]
    assert "stopped [freed_graph]" in call2
    assert "[[9., 9.]," in call2
    assert "A stopped here with freed_graph: call 1" in call2
    assert "error[freed_graph]" in call2
    assert "freed" in call2.lower()
    obj = compare_json("retain_graph", "--retain-graph")
    check_shape(obj, "retain_graph")
    [diff] = obj["differences"]
    assert diff["call"] == 2 and diff["a"] is None
    assert diff["b"] == [[9.0, 9.0], [9.0, 9.0]]
    assert obj["a"]["error"]["kind"] == "freed_graph"
    assert obj["b"]["error"] is None


# --- PATH PATH2 ------------------------------------------------------------------------------

def test_two_scenarios_scale() -> None:
    result = invoke("broadcast_sum", "broadcast_mean")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "48." in out and "12." in out
    assert "B is A × 0.25" in out
    assert "mean divides by N = 4" in out
    obj = compare_json("broadcast_sum", "broadcast_mean")
    check_shape(obj, "paths")
    by_tensor = {d["tensor"]: d for d in obj["differences"]}
    assert by_tensor["x"]["a"] == 48.0 and by_tensor["x"]["b"] == 12.0
    assert "0.25" in by_tensor["p"]["why"]


# --- --device ---------------------------------------------------------------------------------

def test_same_device_no_differences() -> None:
    result = invoke("accumulation", "--device", "cpu", "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    obj = compare_json("accumulation", "--device", "cpu", "--device", "cpu")
    check_shape(obj, "device")
    assert obj["same"] is True and obj["differences"] == []


def test_missing_device_exits_2() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is present here")
    result = invoke("accumulation", "--device", "cpu", "--device", "cuda")
    assert result.exit_code == 2
    assert "device_unavailable" in result.output


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["accumulation"],
    ["accumulation", "--zero-grad", "--retain-graph"],
    ["broadcast_sum", "broadcast_mean", "--zero-grad"],
    ["accumulation", "--device", "cpu"],
    ["accumulation", "--device", "cpu", "--device", "cpu", "--device", "cpu"],
])
def test_exactly_one_variant(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert "--device" in result.output


def test_unknown_scenario_exits_2() -> None:
    assert invoke("no_such_scenario_here", "--zero-grad").exit_code == 2


# --- the library on hand-built records ---------------------------------------------------------

def _record(calls: list[CallRecord]) -> RunRecord:
    return RunRecord(name="r", path=None, description=None, torch_version="", device="cpu",
                     dtype="float32", calls=calls)


def test_library_device_numerics() -> None:
    a = _record([CallRecord(1, 1, 1, "l.backward()", "backward", ["l"], None, False, False,
                            after={"w": [1.0, 2.0]})])
    b = _record([CallRecord(1, 1, 1, "l.backward()", "backward", ["l"], None, False, False,
                            after={"w": [1.0, 2.000001]})])
    comparison = compare_records(a, b, "device")
    [row] = comparison.differences
    assert row.why == "numerics"
    assert row.max_abs == pytest.approx(1e-6, rel=1e-3)
    assert row.max_rel == pytest.approx(5e-7, rel=1e-3)


def test_value_helpers() -> None:
    assert value_diff([[1.0, "nan"]], [[1.0, "nan"]]) == (0.0, 0.0)
    assert value_diff([1.0, 2.0], [1.0, 2.0, 3.0]) is None
    assert constant_ratio([0.0, 4.0], [0.0, 1.0]) == pytest.approx(0.25)
    assert constant_ratio([1.0, 4.0], [1.0, 1.0]) is None


# --- golden -----------------------------------------------------------------------------------

def test_golden_accumulation(golden: Callable[[str, str], None]) -> None:
    result = invoke("accumulation", "--zero-grad")
    assert result.exit_code == 0, result.output
    golden("compare_accumulation.txt", result.stdout)
