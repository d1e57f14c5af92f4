"""The Python API (gradexplain.run_code / run_file / render): PyTorch is the oracle, the JSON
is the CLI's, nothing is printed, and `import gradexplain` stays light."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

import gradexplain
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.record import RunRecord
from gradexplain.shell.cli import app

SEED = Path(__file__).parent / "seed_blocks"
ACCUMULATION = (SEED / "12_retain_graph_accumulate.py").read_text(encoding="utf-8")


def plain_torch_accumulation() -> dict[str, torch.Tensor]:
    """The tutorial's code, run by PyTorch itself: x.grad after each backward call."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward(retain_graph=True)
    assert x.grad is not None
    first = x.grad.clone()
    z.backward(torch.ones_like(z))
    return {"first": first, "added": x.grad - first, "after": x.grad.clone()}


@pytest.fixture(scope="module")
def record() -> RunRecord:
    return gradexplain.run_code(ACCUMULATION)


def test_the_ledger_holds_what_pytorch_computes(record: RunRecord) -> None:
    oracle = plain_torch_accumulation()
    first, second = record.calls
    assert first.before["x"] is None
    assert torch.tensor(first.after["x"]).equal(oracle["first"])  # 4.5
    assert torch.tensor(second.before["x"]).equal(oracle["first"])
    assert torch.tensor(second.added["x"]).equal(oracle["added"])  # 18
    assert torch.tensor(second.after["x"]).equal(oracle["after"])  # 22.5, not 18
    assert [note.kind for note in record.notes] == ["accumulated"]
    assert record.ok and record.error is None


def test_prints_are_what_pytorch_prints(record: RunRecord) -> None:
    oracle = plain_torch_accumulation()
    assert [p.text for p in record.prints] == ["None", str(oracle["first"]), str(oracle["after"])]


def test_json_is_exactly_what_the_cli_prints(record: RunRecord, tmp_path: Path) -> None:
    snippet = tmp_path / "code.py"
    snippet.write_text(ACCUMULATION, encoding="utf-8")
    cli = CliRunner().invoke(app, ["run", str(snippet), "--format", "json"])
    assert cli.exit_code == 0
    ours, theirs = json.loads(gradexplain.render(record, "json")), json.loads(cli.stdout)
    assert ours["scenario"] == {"name": "code", "path": "<code>", "description": None}
    ours.pop("scenario"), theirs.pop("scenario")
    assert ours == theirs


def test_run_file_runs_a_bundled_lesson_like_the_cli(tmp_path: Path) -> None:
    lesson = gradexplain.run_file("accumulation")
    cli = CliRunner().invoke(app, ["run", "accumulation", "--format", "json"])
    assert json.loads(gradexplain.render(lesson, "json")) == json.loads(cli.stdout)
    assert lesson.ok and lesson.expectations
    path = tmp_path / "lesson.yaml"
    path.write_text("tensors: {x: {ones: [3]}}\nexpression: (x * x).sum()\n", encoding="utf-8")
    oracle = torch.ones(3, requires_grad=True)
    (oracle * oracle).sum().backward()
    assert oracle.grad is not None
    assert gradexplain.run_file(path).calls[0].after["x"] == oracle.grad.tolist()


def test_every_format_is_a_string_of_the_same_report(record: RunRecord) -> None:
    table = gradexplain.render(record)
    assert "Backward calls" in table and "22.5000" in table and "\x1b" not in table
    html = gradexplain.render(record, "html")
    assert html.startswith("<pre style=") and "22.5000" in html and "<span style" in html
    svg = gradexplain.render(record, "svg")
    assert svg.lstrip().startswith("<svg") and "22.5000" in svg
    assert gradexplain.render(record, width=60).splitlines()[0].rstrip().__len__() <= 60


def test_language_is_chosen_when_running_and_can_be_changed_when_rendering() -> None:
    record = gradexplain.run_code("x = torch.ones(2, requires_grad=True)\nout = x * 2\n"
                                  "out.backward()\n", lang="zh")
    assert record.lang == "zh"
    assert record.error is not None and record.error.kind == "non_scalar_backward"
    assert "标量" in gradexplain.render(record)
    assert json.loads(gradexplain.render(record, "json"))["lang"] == "zh"
    english = gradexplain.render(record, lang="en")
    assert "scalar" in english and "标量" not in english


def test_an_error_of_the_run_is_in_the_record_as_pytorch_raises_it() -> None:
    code = "x = torch.ones(2, requires_grad=True)\nout = (x * x).sum()\nout.backward()\n" \
           "out.backward()\n"
    x = torch.ones(2, requires_grad=True)
    out = (x * x).sum()
    out.backward()
    with pytest.raises(RuntimeError) as raised:
        out.backward()
    record = gradexplain.run_code(code)
    assert record.error is not None and record.error.kind == "freed_graph"
    assert record.error.message == str(raised.value)
    assert json.loads(gradexplain.render(record, "json"))["error"]["kind"] == "freed_graph"


def test_input_errors_raise_and_render_as_the_cli_shows_them() -> None:
    with pytest.raises(GradexplainError) as raised:
        gradexplain.run_code("import ctypes\n")
    error = raised.value
    assert error.kind == "not_allowed" and error.location is not None
    assert error.location.describe() == "<code>:1:1"
    text = gradexplain.render(error)
    assert text.startswith("<code>:1:1: error[not_allowed]") and "^^^^^^^^^" in text
    assert json.loads(gradexplain.render(error, "json"))["error"]["kind"] == "not_allowed"
    assert "error[not_allowed]" in gradexplain.render(error, "html")
    with pytest.raises(GradexplainError, match="no such file"):
        gradexplain.run_file("no_such_lesson")
    with pytest.raises(GradexplainError) as yaml_error:
        gradexplain.run_code("tensors: {x: 1.0}\nexpresion: x * 2\n", kind="yaml")
    assert "did you mean 'expression'" in yaml_error.value.message


def test_limits_and_options_are_those_of_the_cli() -> None:
    capped = gradexplain.run_code("x = torch.ones(100, 100)\n", limits=Limits(max_elements=50))
    assert capped.error is not None and capped.error.kind == "limit_exceeded"
    assert capped.error.facts["limit"] == "max_elements"
    record = gradexplain.run_code(ACCUMULATION, dtype="float64", graph=True)
    assert record.dtype == "float64"
    assert "Backward graph" in gradexplain.render(record)
    with pytest.raises(ValueError, match="lang"):
        gradexplain.run_code("x = 1\n", lang="fr")
    with pytest.raises(ValueError, match="format"):
        gradexplain.render(record, "pdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dtype"):
        gradexplain.run_code("x = 1\n", dtype="int8")


def test_the_library_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    record = gradexplain.run_code(ACCUMULATION)
    for output_format in ("table", "json", "html", "svg"):
        gradexplain.render(record, output_format)  # type: ignore[arg-type]
    with pytest.raises(GradexplainError):
        gradexplain.run_code("import ctypes\n")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_render_is_both_the_function_and_the_renderers_package() -> None:
    from gradexplain.render import make_console

    assert callable(gradexplain.render) and callable(make_console)
    assert gradexplain.render.make_console is make_console


def test_compare_code_is_the_compare_command_for_code() -> None:
    oracle = plain_torch_accumulation()
    runs = gradexplain.compare_code(ACCUMULATION, "zero_grad")
    assert torch.tensor(runs.a.calls[1].after["x"]).equal(oracle["after"])  # 22.5
    assert torch.tensor(runs.b.calls[1].after["x"]).equal(oracle["added"])  # 18 when zeroed
    assert not runs.same
    [row] = runs.comparison.differences
    assert (row.call, row.tensor) == (2, "x")
    table = gradexplain.render(runs)
    assert "22.5000" in table and "18." in table
    assert json.loads(gradexplain.render(runs, "json"))["same"] is False
    with pytest.raises(ValueError, match="mode"):
        gradexplain.compare_code(ACCUMULATION, "device")  # type: ignore[arg-type]


@pytest.mark.slow  # waits for a budget kill
def test_code_runs_under_the_time_budget_of_the_cli() -> None:
    """--max-seconds holds for the API as for `gradexplain run`: the run stops at the cap."""
    loop = "x = torch.ones(2)\nfor i in range(10**8):\n    x = x + 1\n"
    budget = Limits(max_seconds=1, max_loop_iterations=10**9, max_executed=10**9)
    record = gradexplain.run_code(loop, limits=budget)  # 10**8 iterations: minutes
    assert record.error is not None and record.error.kind == "limit_exceeded"
    assert record.error.facts["limit"] == "max_seconds"
    assert "--max-seconds" in gradexplain.render(record)
