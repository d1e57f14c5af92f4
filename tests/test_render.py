"""The renderers: hand-built run records in, text and JSON out.

Reports are built from the real dataclasses with fixed texts (not the catalogue), so these
tests pin the renderers, not the wording of explanations. Golden files live in
tests/golden/; regenerate them with `GRADEXPLAIN_REGEN_GOLDEN=1 pytest tests/test_render.py`
and check the diff by eye.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.explain import ExplainedError, Report
from gradexplain.record import (
    CallRecord,
    ErrorInfo,
    ExpectationResult,
    NoteInfo,
    PrintRecord,
    RunRecord,
    ShownValue,
    TensorRow,
)
from gradexplain.render import (
    SummaryRow,
    dumps_line,
    export_console,
    format_value,
    make_console,
    print_bundled,
    print_input_error,
    print_report,
    print_summary,
    progress_bar,
    report_to_json,
)
from gradexplain.render.blocks import prose, table

ANSI = re.compile(r"\x1b\[")
WIDTH = 100


def fill(v: float, rows: int = 2, cols: int = 2) -> list[list[float]]:
    return [[v] * cols for _ in range(rows)]


# --- records, as the runner would make them for the tutorial's examples --------------------

def accumulation_record() -> RunRecord:
    """x = ones(2, 2); out.backward(retain_graph=True) adds 4.5; z.backward(ones) adds 18."""
    return RunRecord(
        name="retain_graph_accumulate", path="tutorial/12_retain_graph.py",
        description="Backward twice through one graph: the grads add up.",
        torch_version="2.13.0", device="cpu", dtype="float32",
        tensors=[
            TensorRow("x", [2, 2], "float32", "cpu", True, True, None, fill(1.0), fill(22.5)),
            TensorRow("y", [2, 2], "float32", "cpu", True, False, "AddBackward0", fill(3.0),
                      None),
            TensorRow("z", [2, 2], "float32", "cpu", True, False, "MulBackward0", fill(27.0),
                      None),
            TensorRow("out", [], "float32", "cpu", True, False, "MeanBackward0", 27.0, None),
        ],
        calls=[
            CallRecord(1, 4, 9, "out.backward(retain_graph=True)", "backward", ["out"], None,
                       True, False, before={"x": None}, added={"x": fill(4.5)},
                       after={"x": fill(4.5)}),
            CallRecord(2, 6, 13, "z.backward(torch.ones_like(z))", "backward", ["z"],
                       fill(1.0), False, False, before={"x": fill(4.5)},
                       added={"x": fill(18.0)}, after={"x": fill(22.5)}),
        ],
        prints=[PrintRecord(3, "None", 7),
                PrintRecord(5, "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])", 11),
                PrintRecord(7, "tensor([[22.5000, 22.5000],\n        [22.5000, 22.5000]])", 15)],
        notes=[NoteInfo("accumulated", "x", 6, {}, call=2)],
        expectations=[ExpectationResult(True, "x.grad after call 2 == 22.5")],
    )


def accumulation_report(lang: str = "en") -> Report:
    record = accumulation_record()
    note = ("Call 2 added to `x.grad` instead of replacing it: 4.5 + 18. = 22.5. Zero it "
            "with `x.grad.zero_()`.")
    return Report(record, None, {}, [(record.notes[0], note)], lang,
                  expectations=[e.text for e in record.expectations])


FREED_MESSAGE = ("Trying to backward through the graph a second time (or directly access saved "
                 "tensors after they have already been freed).")


def freed_graph_report() -> Report:
    """repeat: 2 without retain_graph: call 2 stops the run."""
    error = ErrorInfo("freed_graph", FREED_MESSAGE, step=5, line=8, col=1, end_col=15,
                      statement="out.backward()", path="freed.py",
                      facts={"output": "out", "freed_by_call": 1})
    record = RunRecord(
        name="freed", path="freed.py", description=None, torch_version="2.13.0",
        device="cpu", dtype="float32",
        tensors=[TensorRow("x", [2], "float32", "cpu", True, True, None, [1.0, 2.0],
                           [2.0, 4.0]),
                 TensorRow("out", [], "float32", "cpu", True, False, "SumBackward0", 5.0,
                           None)],
        calls=[CallRecord(1, 3, 6, "out.backward()", "backward", ["out"], None, False, False,
                          before={"x": None}, added={"x": [2.0, 4.0]},
                          after={"x": [2.0, 4.0]}),
               CallRecord(2, 5, 8, "out.backward()", "backward", ["out"], None, False, False,
                          before={"x": [2.0, 4.0]}, added={}, after={"x": [2.0, 4.0]},
                          error=error)],
        error=error,
    )
    explained = ExplainedError(
        "freed_graph", "backward through a graph that was already freed",
        "Call 1 (`out.backward()`) ran backward without `retain_graph=True`, so autograd "
        "freed the tensors the graph saved.",
        "Keep the graph on the earlier call: `out.backward(retain_graph=True)`\n"
        "    out.backward(retain_graph=True)")
    return Report(record, explained, {2: explained}, [], "en",
                  expectations=[e.text for e in record.expectations])


def non_leaf_report() -> Report:
    """The tutorial's `a.grad` on a non-leaf, an autograd.grad call and a shown value."""
    note = NoteInfo("non_leaf_grad", "a", 8, {"leaves": ["w", "x"]})
    record = RunRecord(
        name="non_leaf", path=None, description=None, torch_version="2.13.0",
        device="cpu", dtype="float32",
        tensors=[TensorRow("w", [1], "float32", "cpu", True, True, None, [1.0], [5.0]),
                 TensorRow("x", [1], "float32", "cpu", True, True, None, [2.0], [2.0]),
                 TensorRow("a", [1], "float32", "cpu", True, False, "AddBackward0", [3.0],
                           None)],
        calls=[CallRecord(1, 6, 6, "y.backward()", "backward", ["y"], None, False, False,
                          before={"w": None, "x": None}, added={"w": [5.0], "x": [2.0]},
                          after={"w": [5.0], "x": [2.0]}),
               CallRecord(2, 7, 7, "torch.autograd.grad(a, [w])", "torch.autograd.grad",
                          ["a"], None, False, False, results={"w": [1.0]})],
        prints=[PrintRecord(9, "a's grad: None")],
        shown=[ShownValue(8, "a.grad", "None")],
        notes=[note],
        expectations=[ExpectationResult(False, "w.grad == [4.]: got [5.]")],
    )
    text = ("`a.grad` is None because a is not a leaf. backward() stores gradients only on "
            "leaves (`w` and `x`); call `a.retain_grad()` before backward() to keep it.")
    return Report(record, None, {}, [(note, text)], "en",
                  expectations=[e.text for e in record.expectations])


def summary_value() -> dict[str, Any]:
    return {"summary": {"shape": [200, 100], "min": -4.25, "max": 4.0, "mean": 0.001,
                        "std": 1.0, "head": [0.5, -1.25, 2.0]}}


def big_report() -> Report:
    """A summarized tensor, an elided matrix and non-finite values."""
    rows = [[float(r * 10 + c) for c in range(10)] for r in range(10)]
    record = RunRecord(
        name="big", path="big.yaml", description=None, torch_version="2.13.0",
        device="cpu", dtype="float32",
        tensors=[TensorRow("big", [200, 100], "float32", "cpu", True, True, None,
                           summary_value(), summary_value()),
                 TensorRow("m", [10, 10], "float32", "cpu", False, True, None, rows, None),
                 TensorRow("r", [3], "float32", "cpu", True, True, None, [1.0, 0.0, -1.0],
                           ["inf", "nan", "-inf"])],
        notes=[NoteInfo("non_finite_grad", "r", 2, {})],
    )
    return Report(record, None, {}, [(record.notes[0], "r.grad holds inf and nan.")], "en",
                  expectations=[e.text for e in record.expectations])


def render(report: Report, *, width: int = WIDTH, full: bool = False) -> str:
    stream = io.StringIO()
    print_report(make_console(stream, width=width, force_plain=True), report, full=full)
    return stream.getvalue()


def stripped(text: str) -> str:
    """Rich pads table lines to their width; golden files keep no trailing spaces."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


# --- values: PyTorch's own printing is the oracle ------------------------------------------

def test_values_like_pytorch_without_torch() -> None:
    assert format_value(fill(4.5)) == "[[4.5000, 4.5000],\n [4.5000, 4.5000]]"
    assert format_value(fill(4.5), wrap=True) == (
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])")
    assert format_value(fill(1.0)) == "[[1., 1.],\n [1., 1.]]"
    assert format_value([1, 20, 3]) == "[ 1, 20,  3]"
    assert format_value(22.5) == "22.5000"
    assert format_value(3) == "3"
    assert format_value(None) == "None"
    assert format_value(["inf", 1.5, "nan"]) == "[   inf, 1.5000,    nan]"
    assert format_value([1e-8, 1.0]) == "[1.0000e-08, 1.0000e+00]"
    assert format_value([True, False]) == "[ True, False]"
    assert format_value(list(range(10))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"  # as torch
    assert format_value(list(range(1001))) == "[   0,    1,    2,  ...,  998,  999, 1000]"
    assert len(format_value(list(range(10)), full=True).split(",")) == 10


def test_summary_value() -> None:
    text = format_value(summary_value())
    assert text.splitlines() == ["shape [200, 100]", "min -4.2500  max 4.", "mean 0.0010  std 1.",
                                 "head [0.5000, -1.2500, 2.0000, ...]"]


def test_values_match_torch_printing() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    cases = [torch.ones(2, 2) * 4.5, torch.tensor(22.5), torch.arange(12).reshape(3, 4),
             torch.randn(2, 3, 4), torch.tensor([1e-8, 1.0, 2.0]), torch.arange(40.0),
             torch.tensor([float("inf"), 1.5, float("nan")]), torch.tensor([-0.0, 1.0]),
             torch.tensor([[1.0, -2.0], [300.0, 4.0]]), torch.tensor([True, False]),
             torch.tensor([1e9, 1.0]), torch.randn(40, 50), torch.arange(2000).reshape(20, 100),
             torch.zeros(0), torch.randn(3, 1, 2), torch.arange(7.0), torch.arange(1001.0),
             torch.arange(-2.0, 2.0, 0.5)]
    for t in cases:  # torch's own threshold (1000) and edge items (3), not ours
        assert format_value(t.tolist(), wrap=True) == str(t), t


# --- the table renderer --------------------------------------------------------------------

def test_accumulation_ledger() -> None:
    text = render(accumulation_report())
    for piece in ("retain_graph_accumulate", "Tensors", "Backward calls",
                  "call 1 · step 4 · `out.backward(retain_graph=True)`",
                  "call 2 · step 6 · `z.backward(torch.ones_like(z))`",
                  "before", "added", "after", "None", "4.5000", "[[18., 18.],", "22.5000",
                  "MeanBackward0", "retain_graph  True", "Notes", "accumulated",
                  "Expectations", "✓ passed", "✓ ok"):
        assert piece in text, piece
    ledger = text.split("call 1")[1].split("call 2")[0]
    x_row = next(line for line in ledger.splitlines() if line.strip().startswith("x "))
    assert x_row.split()[1] == "None"  # before call 1: no grad yet
    assert "[[4.5000," in x_row
    assert not ANSI.search(text)


def test_prints_in_step_order() -> None:
    text = render(accumulation_report())
    output = text.split("Output")[1]
    assert output.index("[3] None") < output.index("[5] tensor") < output.index("[7] tensor")


def test_freed_graph_error_panel() -> None:
    text = render(freed_graph_report())
    assert "Error[freed_graph]" in text
    assert "at freed.py:8:1 (step 5)" in text
    assert "Original message: Trying to backward through the graph a second time" in text
    assert "Fix:" in text and "out.backward(retain_graph=True)" in text
    assert "this call stopped the run, see the error below" in text
    assert "✗ failed · stopped on an error [freed_graph]" in text


def test_non_leaf_note_grad_results_and_shown() -> None:
    text = render(non_leaf_report())
    assert "non_leaf_grad" in text and "a.retain_grad()" in text
    assert "results" in text and "torch.autograd.grad(a, [w])" in text
    assert ">>> a.grad" in text
    assert "✗ failed  w.grad == [4.]: got [5.]" in text
    assert "0/1 expectations held" in text


def test_big_values_are_summarized_and_elided() -> None:
    text = render(big_report())
    assert "shape [200, 100]" in text and "head [0.5000, -1.2500, 2.0000, ...]" in text
    assert " ...," in text and "..." in text  # rows elided like torch
    assert "99." in text and "55." not in text
    assert "inf" in text and "nan" in text
    full = render(big_report(), width=200, full=True)
    assert "55." in full


@pytest.mark.parametrize("width", [80, 100])
def test_fits_the_width(width: int) -> None:
    for report in (accumulation_report(), freed_graph_report(), non_leaf_report(),
                   big_report()):
        for line in render(report, width=width).splitlines():
            assert len(line) <= width, line


def test_narrow_console_splits_tensor_table() -> None:
    text = render(accumulation_report(), width=80)
    assert "requires_grad" in text  # header not broken
    assert text.count("MeanBackward0") == 1


def test_labels_in_chinese() -> None:
    text = render(accumulation_report("zh"))
    assert "张量" in text  # "Tensors" from the catalogue


@pytest.mark.parametrize("name, make", [("accumulation", accumulation_report),
                                        ("freed_graph", freed_graph_report)])
def test_golden(name: str, make: Any, golden: Callable[[str, str], None]) -> None:
    golden(f"{name}.txt", stripped(render(make())))


def test_a_missing_golden_file_fails_and_is_not_written(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import conftest

    monkeypatch.setattr(conftest, "GOLDEN", tmp_path)
    monkeypatch.setattr(conftest, "REGEN", False)
    with pytest.raises(AssertionError, match="no golden file"):
        conftest.check_golden("new.txt", "text")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(conftest, "REGEN", True)
    conftest.check_golden("new.txt", "text")  # only regeneration writes it
    assert (tmp_path / "new.txt").read_text(encoding="utf-8") == "text"


# --- colour, terminals, export -------------------------------------------------------------

class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_escape_codes_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(var, raising=False)
    stream = io.StringIO()
    print_report(make_console(stream, width=WIDTH), freed_graph_report())
    assert not ANSI.search(stream.getvalue())


def test_no_color_env_wins_over_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = _Tty()
    print_report(make_console(stream, width=WIDTH), freed_graph_report())
    assert ANSI.search(stream.getvalue())  # colour on a terminal...
    monkeypatch.setenv("NO_COLOR", "1")
    stream = _Tty()
    print_report(make_console(stream, width=WIDTH), freed_graph_report())
    assert not ANSI.search(stream.getvalue())  # ...and none at all with NO_COLOR


def test_export_console(tmp_path: Path) -> None:
    console = make_console(io.StringIO(), width=WIDTH, force_plain=True, record=True)
    print_report(console, accumulation_report())
    for suffix in ("svg", "html", "txt"):
        console_copy = make_console(io.StringIO(), width=WIDTH, force_plain=True, record=True)
        print_report(console_copy, accumulation_report())
        export_console(console_copy, tmp_path / f"out.{suffix}")
        assert "22.5000" in (tmp_path / f"out.{suffix}").read_text(encoding="utf-8")


def test_ascii_stream_gets_ascii_marks() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    print_report(make_console(stream, width=WIDTH, force_plain=True), non_leaf_report())
    stream.flush()
    text = raw.getvalue().decode("ascii")  # nothing it cannot encode
    assert "x failed" in text and "+ ok" not in text


# --- summary and input errors ------------------------------------------------------------

def test_summary() -> None:
    stream = io.StringIO()
    rows: list[SummaryRow | RunRecord | Report] = [accumulation_record(), freed_graph_report(),
            SummaryRow.of_input_error("bad", "bad.yaml",
                                      GradexplainError("invalid_scenario", "no steps"))]
    print_summary(make_console(stream, width=WIDTH, force_plain=True), rows)
    text = stream.getvalue()
    assert "retain_graph_accumulate" in text and "freed_graph" in text
    assert "invalid_scenario" in text and "bad.yaml" in text
    assert "✓ ok" in text and "✗ failed" in text
    assert "3 scenarios: 1 ok, 2 failed" in text


def test_summary_from_mappings_with_elapsed() -> None:
    stream = io.StringIO()
    rows = [{"name": "a", "path": "a.py", "ok": True, "error": None, "calls": 2},
            {"name": "b", "path": "b.py", "ok": False, "error": "freed_graph", "calls": 2}]
    print_summary(make_console(stream, width=WIDTH, force_plain=True), rows, elapsed=1.25)
    assert "2 scenarios: 1 ok, 1 failed (1.2 s)" in stream.getvalue()


def test_bundled_list() -> None:
    stream = io.StringIO()
    print_bundled(make_console(stream, width=WIDTH, force_plain=True),
                  ["accumulation", "non_leaf_grad", "retain_graph"], "/pkg/scenarios")
    text = stream.getvalue()
    assert "accumulation" in text and "retain_graph" in text
    assert "gradexplain run accumulation" in text


def test_progress_bar_is_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    with progress_bar(make_console(stream), 3, enabled=True) as advance:
        for _ in range(3):
            advance()
    assert stream.getvalue() == ""


def test_console_follows_redirected_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    console = make_console(sys.stdout, width=WIDTH)
    console.print("hello [not markup] :smile:")
    assert capsys.readouterr().out == "hello [not markup] :smile:\n"


def test_input_error_with_caret() -> None:
    location = SourceLocation("s.yaml", 7, 3, 14, "  grad_tensor: ones_like")
    error = GradexplainError("invalid_scenario", "unknown key 'grad_tensor'", location,
                             hint="did you mean 'grad_tensors'?")
    stream = io.StringIO()
    print_input_error(make_console(stream, width=WIDTH, force_plain=True), error, "en")
    assert stream.getvalue() == (
        "s.yaml:7:3: error[invalid_scenario]: unknown key 'grad_tensor'\n"
        "      grad_tensor: ones_like\n"
        "      ^^^^^^^^^^^\n"
        "hint: did you mean 'grad_tensors'?\n")


def test_input_error_in_chinese_says_message_and_hint_in_chinese() -> None:
    location = SourceLocation("s.py", 1, 1, 10, "import os")
    error = GradexplainError(
        "not_allowed", "only `import torch` and `import torch.nn.functional as F` are "
        "accepted; other imports could load any code", location,
        hint="torch and F are always available; remove the import", facts={"what": "import"})
    stream = io.StringIO()
    print_input_error(make_console(stream, width=200, force_plain=True), error, "zh")
    assert stream.getvalue() == (
        "s.py:1:1: 错误[not_allowed]：只接受 `import torch` 和 "
        "`import torch.nn.functional as F`；其他导入可能加载任意代码\n"
        "    import os\n"
        "    ^^^^^^^^^\n"
        "提示：torch 和 F 总是可用的；删除这条导入\n")


def test_input_error_in_chinese_quotes_the_users_keys() -> None:
    location = SourceLocation("s.yaml", 7, 3, 14, "  grad_tensor: ones_like")
    error = GradexplainError("invalid_scenario", "unknown key 'grad_tensor' at line 7; did you "
                             "mean 'grad_tensors'?", location, hint="the keys of a scenario "
                             "are: name, grad_tensors, steps")
    stream = io.StringIO()
    print_input_error(make_console(stream, width=200, force_plain=True), error, "zh")
    assert stream.getvalue() == (
        "s.yaml:7:3: 错误[invalid_scenario]：第 7 行有未知的键 'grad_tensor'；"
        "是不是想写 'grad_tensors'？\n"
        "      grad_tensor: ones_like\n"
        "      ^^^^^^^^^^^\n"
        "提示：场景可用的键有：name、grad_tensors、steps\n")


def test_input_error_the_catalogue_lacks_keeps_its_words_after_a_chinese_title() -> None:
    error = GradexplainError("not_allowed", "something new is refused", None, hint="do not")
    stream = io.StringIO()
    print_input_error(make_console(stream, width=200, force_plain=True), error, "zh")
    assert stream.getvalue() == ("<input>: 错误[not_allowed]：被安全解释器拒绝："
                                 "something new is refused\n提示：do not\n")


def test_input_error_without_location() -> None:
    stream = io.StringIO()
    error = GradexplainError("device_unavailable", "cuda is not available on this machine")
    print_input_error(make_console(stream, width=WIDTH, force_plain=True), error, "en")
    assert stream.getvalue() == (
        "<input>: error[device_unavailable]: cuda is not available on this machine\n")


# --- JSON: the schema of shared/spec/output.md, checked key by key -------------------------

NULL = type(None)


def is_value(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return math.isfinite(v)
    if isinstance(v, str):
        return v in ("inf", "-inf", "nan")
    if isinstance(v, list):
        return all(is_value(item) for item in v)
    if isinstance(v, dict):
        summary = v.get("summary")
        return (set(v) == {"summary"} and isinstance(summary, dict)
                and {"shape", "min", "max", "mean", "std", "head"} <= set(summary))
    return False


def check(obj: Any, schema: dict[str, Any], where: str) -> None:
    """Every schema key is present with its type; extra keys are allowed (additive)."""
    assert isinstance(obj, dict), where
    for key, kind in schema.items():
        assert key in obj, f"{where}.{key} missing"
        value = obj[key]
        if callable(kind) and not isinstance(kind, type) and not isinstance(kind, tuple):
            assert kind(value), f"{where}.{key} = {value!r}"
        else:
            assert isinstance(value, kind) and not (
                isinstance(value, bool) and bool not in _types(kind)), f"{where}.{key}"


def _types(kind: Any) -> tuple[Any, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def error_ok(e: Any) -> bool:
    if e is None:
        return True
    check(e, {"kind": str, "message": str, "step": (int, NULL), "line": (int, NULL),
              "statement": (str, NULL), "explanation": str, "fix": str}, "error")
    return True


def check_report_json(obj: dict[str, Any]) -> None:
    check(obj, {"format": lambda v: v == "gradexplain/1", "scenario": dict, "torch": str,
                "device": str, "dtype": str, "ok": bool, "tensors": list, "calls": list,
                "prints": list, "error": error_ok, "notes": list, "expectations": list}, "top")
    check(obj["scenario"], {"name": str, "path": (str, NULL)}, "scenario")
    for t in obj["tensors"]:
        check(t, {"name": str, "shape": lambda v: isinstance(v, list) and all(
                      isinstance(d, int) and not isinstance(d, bool) for d in v),
                  "dtype": str, "device": str, "requires_grad": bool, "is_leaf": bool,
                  "grad_fn": (str, NULL), "value": is_value,
                  "grad": lambda v: v is None or is_value(v)}, "tensor")
    for c in obj["calls"]:
        check(c, {"index": int, "step": (int, NULL), "statement": str,
                  "outputs": lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                  "grad_tensors": lambda v: v is None or is_value(v),
                  "retain_graph": bool, "create_graph": bool,
                  "before": lambda v: all(x is None or is_value(x) for x in v.values()),
                  "added": lambda v: all(x is None or is_value(x) for x in v.values()),
                  "after": lambda v: all(x is None or is_value(x) for x in v.values()),
                  "error": error_ok}, "call")
    for p in obj["prints"]:
        check(p, {"step": (int, NULL), "text": str}, "print")
    for n in obj["notes"]:
        check(n, {"kind": str, "tensor": (str, NULL), "step": (int, NULL), "text": str}, "note")
    for e in obj["expectations"]:
        check(e, {"ok": bool, "text": str}, "expectation")


@pytest.mark.parametrize("make", [accumulation_report, freed_graph_report, non_leaf_report,
                                  big_report])
def test_json_schema(make: Any) -> None:
    obj = report_to_json(make())
    check_report_json(obj)
    line = dumps_line(obj)
    assert "\n" not in line
    assert json.loads(line) == json.loads(json.dumps(obj, allow_nan=False))


def test_json_facts() -> None:
    obj = report_to_json(freed_graph_report())
    assert obj["ok"] is False
    assert obj["error"]["kind"] == "freed_graph" and obj["error"]["line"] == 8
    assert obj["error"]["fix"].startswith("Keep the graph")
    assert obj["calls"][1]["error"]["kind"] == "freed_graph"
    acc = report_to_json(accumulation_report())
    assert acc["calls"][0]["before"] == {"x": None}
    assert acc["calls"][1]["after"] == {"x": fill(22.5)}
    assert acc["notes"][0]["kind"] == "accumulated"


def test_json_non_finite_floats_become_strings() -> None:
    report = big_report()
    report.record.tensors[2].grad = [math.inf, math.nan, -math.inf]  # a careless runner
    line = dumps_line(report_to_json(report))
    assert json.loads(line)["tensors"][2]["grad"] == ["inf", "nan", "-inf"]


def test_real_explainer_renders() -> None:
    """Smoke test with the real catalogue (no wording pinned)."""
    from gradexplain.explain import explain_run

    record = freed_graph_report().record
    for lang in ("en", "zh"):
        report = explain_run(record, lang)
        text = render(report)
        assert "freed_graph" in text
        check_report_json(report_to_json(report))


@pytest.mark.parametrize("width", [60, 73, 88, 100])
def test_chinese_text_wraps_between_characters(width: int) -> None:
    """Chinese has no spaces: lines break between characters, fill the width, and never lose
    a word to an ellipsis (rich alone moved whole runs of Chinese to the next line)."""
    from rich.cells import cell_len

    text = ("`x`（经由 `2 * x * x`，形状 []）在 `2 * x * x + 2 * p * p` 中被广播成 [2, 2]，所以"
            "它的每个元素都在 4 个位置上被使用；它的梯度是所有这些位置贡献之和。在这次调用中，"
            "到达广播结果的梯度是 `[[0.25, 0.25], [0.25, 0.25]]`；求和后传给 `2 * x * x` 的是 "
            "`1.`。")
    stream = io.StringIO()
    console = make_console(stream, width=width, force_plain=True)
    console.print(prose(text))
    lines = [line.rstrip() for line in stream.getvalue().splitlines()]
    assert "…" not in stream.getvalue()
    assert all(cell_len(line) <= width for line in lines)
    # filled, unless the next line starts with inline code, which never breaks inside
    assert all(cell_len(line) >= width - 10 or after.startswith("`")
               for line, after in itertools.pairwise(lines)), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    for line in lines[1:]:
        assert line[0] not in "，。；：、）"  # closing punctuation never starts a line


def test_english_wraps_as_before() -> None:
    """Text without Chinese or inline code renders exactly as rich's own Text, at any width
    (inline code is one word: test_inline_code_is_one_word)."""
    from rich.text import Text as RichText

    from gradexplain.render.console import Text

    for text in ("backward() stores gradients only on leaves; call a.retain_grad() first.",
                 "  (x + w) * (w + 1)  ", "[[4.5000, 4.5000],\n [4.5000, 4.5000]]", ""):
        for width in (12, 30, 80):
            ours, theirs = io.StringIO(), io.StringIO()
            make_console(ours, width=width, force_plain=True).print(Text(text))
            make_console(theirs, width=width, force_plain=True).print(RichText(text))
            assert ours.getvalue() == theirs.getvalue()


@pytest.mark.parametrize("width", [20, 30, 44])
def test_inline_code_is_one_word(width: int) -> None:
    """A code span that fits the width is never broken inside (rich broke at its spaces)."""
    from gradexplain.render.console import Text

    code = "`torch.tensor([2., 1.], requires_grad=True)`"
    stream = io.StringIO()
    make_console(stream, width=width, force_plain=True).print(
        Text(f"make it with {code} and then call backward on it"))
    lines = [line.rstrip() for line in stream.getvalue().splitlines()]
    if width >= len(code):
        assert any(code in line for line in lines), lines
    assert all(len(line) <= width for line in lines)


def test_chinese_in_a_table_cell_fills_its_lines() -> None:
    """In a table cell too, Chinese breaks between characters: rich alone left a line with
    only "y" on it, and broke the next run of Chinese at the column's edge."""
    from rich.cells import cell_len

    from gradexplain.render.console import Text

    sentence = "这个张量的梯度来自 x 和 y 两次反向传播的累加，所以是两倍。"
    grid = table("说明")
    grid.add_row(Text(sentence))
    stream = io.StringIO()
    make_console(stream, width=24, force_plain=True).print(grid)
    lines = [line.rstrip() for line in stream.getvalue().splitlines()][2:]
    assert all(cell_len(line) >= 20 for line in lines[:-1]), lines
    assert "".join(lines).replace(" ", "") == sentence.replace(" ", "")


def test_a_large_grad_is_summarized_once_per_version() -> None:
    """The ledger and the tensor table show one grad: one summary, unless it changed."""
    import torch

    from gradexplain.engine import values

    grad = torch.arange(20_000, dtype=torch.float32)
    first = values.to_value(grad)
    assert values.to_value(grad) == first
    assert values._SUMMARIES[id(grad)][1] == grad._version
    grad.mul_(2)  # in place: the version counter moves, the summary is taken again
    again = values.to_value(grad)
    assert again["summary"]["max"] == 2 * first["summary"]["max"]
    plain = grad.detach().double()
    assert again["summary"]["mean"] == pytest.approx(float(plain.mean()), rel=1e-4)
    del grad
    assert not any(ref() is None for ref, _, _ in values._SUMMARIES.values())
