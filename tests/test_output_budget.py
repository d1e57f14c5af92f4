"""Output is bounded at its source, and showing it is budgeted (issue 30, families 4 and 5).

A print or shown value over --max-output-chars leaves the worker as its first characters and
its length (engine/output_bounds.py), in the table and in JSON; `d2l.plot(x, [x] * 8000)`
keeps the series a plot can draw. What the parent still does with a record (the table, JSON,
exports, pictures, the Python API's render() and the notebook magic) runs under the same
--max-seconds (app/deadline.py) and ends in limit_exceeded (exit 2), not a hang."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import gradexplain
from gradexplain.engine.output_bounds import HEAD_CHARS, bound_output, bounded_text
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.record import (
    ErrorInfo,
    ExpectationResult,
    PlotLine,
    PlotRecord,
    PrintRecord,
    RunRecord,
    ShownValue,
)
from gradexplain.shell.cli import app

runner = CliRunner()
LONG = 2_000_000  # characters: twenty times the default --max-output-chars


def _file(tmp_path: Path, text: str, name: str = "s.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _record(**fields: Any) -> RunRecord:
    return RunRecord(name="r", path=None, description=None, torch_version="", device="",
                     dtype="", **fields)


# the bounds, as plain data -----------------------------------------------------------------

def test_a_long_print_keeps_its_start_and_length() -> None:
    record = bound_output(_record(prints=[PrintRecord(1, "a" * 300, seq=1),
                                          PrintRecord(2, "short", seq=2)],
                                  shown=[ShownValue(3, "s", "b" * 250, seq=3)]),
                          Limits(max_output_chars=200))
    cut, short = record.prints
    assert (cut.text, cut.length) == ("a" * 200, 300)
    assert (short.text, short.length) == ("short", None)
    assert (record.shown[0].text, record.shown[0].length) == ("b" * 200, 250)
    record = bound_output(_record(prints=[PrintRecord(1, "a" * 300_000)]), Limits())
    assert (len(record.prints[0].text), record.prints[0].length) == (HEAD_CHARS, 300_000)


def test_many_prints_under_the_limit_cannot_add_up() -> None:
    """Past ten times the limit in all, every further text over the head is cut too."""
    limit = 5000
    prints = [PrintRecord(i, "x" * 4000, seq=i) for i in range(40)]
    record = bound_output(_record(prints=prints), Limits(max_output_chars=limit))
    kept = sum(len(p.text) for p in record.prints)
    assert kept <= 10 * limit + 4000 + 40 * HEAD_CHARS
    assert record.prints[0].length is None and record.prints[-1].length == 4000


def test_other_texts_end_in_their_length() -> None:
    error = ErrorInfo("torch_error", "k" * 500, facts={"names": ["n" * 500, 3]})
    plot = PlotRecord("t" * 500, "x", "y", PlotLine("x" * 500, [1.0]),
                      [PlotLine("l" * 500, [1.0])])
    record = bound_output(_record(error=error, plot=plot,
                                  expectations=[ExpectationResult(False, "e" * 500)]),
                          Limits(max_output_chars=100))
    assert record.error is not None
    assert record.error.message == "k" * 100 + "… (500 characters)"
    assert record.error.facts["names"] == ["n" * 100 + "… (500 characters)", 3]
    assert record.expectations[0].text.endswith("… (500 characters)")
    assert plot.title.endswith("(500 characters)") and plot.series[0].label.startswith("l" * 100)
    assert bounded_text("fits", 4) == "fits"


# the red team's cases --------------------------------------------------------------------------

def test_eight_long_prints_render_quickly_in_both_formats(tmp_path: Path) -> None:
    """`run --max-seconds 5` with 8 prints of a long string: each is its start and length."""
    path = _file(tmp_path, f's = "a" * {LONG}\nfor i in range(8):\n    print(s)\n')
    result = runner.invoke(app, ["run", str(path), "--max-seconds", "20", "--width", "100"])
    assert result.exit_code == 0, result.output
    assert len(result.output) < 20_000
    assert "2,000,000 characters in all, the first 1,000 shown" in result.output
    assert "--max-output-chars" in result.output
    result = runner.invoke(app, ["run", str(path), "--max-seconds", "20", "--format", "json"])
    data = json.loads(result.stdout)
    assert len(result.stdout) < 20_000
    assert [p["length"] for p in data["prints"]] == [LONG] * 8
    assert all(p["text"] == "a" * 1000 for p in data["prints"])


@pytest.mark.parametrize("code", [
    's = "ab"\nfor i in range(20):\n    s = "%(x)s%(x)s" % {"x": s}\nprint(s)\ns\n',
    's = "x" * 1000\nt = "".join([s] * 3000)\nprint(t.upper())\nt.upper()\n',
    "x = torch.zeros(300, 300)\nprint(x.tolist())\n",
], ids=["percent-mapping", "join-upper", "tolist"])
def test_string_growth_reaches_the_output_as_a_summary(tmp_path: Path, code: str) -> None:
    path = _file(tmp_path, code)
    result = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    texts = [*data["prints"], *data["shown"]]
    assert texts and all(item["length"] > 100_000 and len(item["text"]) == 1000
                         for item in texts)
    assert len(result.stdout) < 20_000


def test_max_output_chars_shows_more(tmp_path: Path) -> None:
    path = _file(tmp_path, 'print("b" * 150000)\nprint("c" * 30)\n')
    result = runner.invoke(app, ["run", str(path), "--format", "json",
                                 "--max-output-chars", "200000"])
    assert [len(p["text"]) for p in json.loads(result.stdout)["prints"]] == [150000, 30]
    assert "length" not in json.loads(result.stdout)["prints"][0]
    result = runner.invoke(app, ["run", str(path), "--format", "json",
                                 "--max-output-chars", "10"])
    prints = json.loads(result.stdout)["prints"]
    assert [(p["text"], p["length"]) for p in prints] == [("b" * 10, 150000), ("c" * 10, 30)]


def test_expectations_see_the_whole_print(tmp_path: Path) -> None:
    text = "q" * 300
    path = _file(tmp_path, f'steps: |\n  print("q" * 300)\nexpect:\n  prints: ["{text}"]\n',
                 "s.yaml")
    result = runner.invoke(app, ["run", str(path), "--max-output-chars", "100"])
    assert result.exit_code == 0, result.output


def test_a_plot_of_thousands_of_series_keeps_those_it_can_draw(tmp_path: Path) -> None:
    path = _file(tmp_path, "from d2l import torch as d2l\nx = torch.arange(0.0, 100.0, 1.0)\n"
                           "d2l.plot(x, [x] * 8000)\n")
    started = time.monotonic()
    result = runner.invoke(app, ["run", str(path), "--format", "json"])
    plot = json.loads(result.stdout)["plot"]
    assert len(plot["series"]) == 6
    assert plot["problems"][-1]["message"] == "7994 more series not drawn; a plot draws " \
                                              "at most 6 series"
    result = runner.invoke(app, ["run", str(path), "--lang", "zh"])
    assert "另有 7994 条曲线没有画出" in result.output
    assert time.monotonic() - started < 60


def test_the_repl_summarizes_a_long_print() -> None:
    import io

    from gradexplain.app.repl_session import Repl
    from gradexplain.options import ReplOptions
    from gradexplain.render import make_console

    stream = io.StringIO()
    repl = Repl(ReplOptions(), make_console(stream, width=100, force_plain=True))
    try:
        repl.handle(f's = "z" * {LONG}')
        repl.handle("print(s)")
        repl.handle("s")
    finally:
        repl.close()
    said = stream.getvalue()
    assert said.count("2,000,000 characters in all") == 2 and len(said) < 10_000


# the parent's own work under --max-seconds -------------------------------------------------

FULL = "x = torch.zeros(1000, 1000)\n"  # with --full: a million numbers to lay out


def _slow_for(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Explaining the record of scenario `name` takes 30 s: showing it overruns any budget
    here, whatever the machine's load does to the run itself."""
    from gradexplain import explain

    original = explain.explain_run

    def slow(record: RunRecord, lang: str) -> Any:
        if record.name == name and record.error is None:  # not the error that says so
            time.sleep(30)
        return original(record, lang)

    monkeypatch.setattr(explain, "explain_run", slow)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_showing_past_max_seconds_is_limit_exceeded(tmp_path: Path, fmt: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    slow = _file(tmp_path, "x = torch.ones(2)\n", "slow.py")
    quick = _file(tmp_path, "y = torch.ones(2)\n", "quick.py")
    _slow_for("slow", monkeypatch)
    started = time.monotonic()
    result = runner.invoke(app, ["run", str(slow), str(quick), "--max-seconds", "3",
                                 "--format", fmt])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert f"{slow}: error[limit_exceeded]: limit exceeded: showing the result took" in said
    assert "raise --max-seconds" in said
    if fmt == "json":
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert [line["error"] and line["error"]["kind"] for line in lines] == \
            ["limit_exceeded", None]
    else:
        assert "quick" in result.output  # the batch went on
    assert time.monotonic() - started < 25
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_compare_and_plot_drawing_have_the_budget(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(30)

    monkeypatch.setattr("gradexplain.render.compare_view.print_comparison", slow)
    monkeypatch.setattr("gradexplain.render.charts.terminal_plot", slow)
    path = _file(tmp_path, "x = torch.ones(2, requires_grad=True)\nx.sum().backward()\n")
    for command in (["compare", str(path), "--zero-grad"], ["plot", "x * x"]):
        started = time.monotonic()
        result = runner.invoke(app, [*command, "--max-seconds", "1"])
        assert result.exit_code == 2, result.output
        assert "showing the result took" in " ".join(result.output.split())
        assert time.monotonic() - started < 25


def test_the_api_render_honours_max_seconds() -> None:
    record = gradexplain.run_code(FULL, full=True)
    with pytest.raises(GradexplainError) as caught:
        gradexplain.render(record, "html", full=True, limits=Limits(max_seconds=1))
    assert caught.value.kind == "limit_exceeded"
    assert caught.value.facts["limit"] == "max_seconds"
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    long = gradexplain.run_code(f'print("a" * {LONG})\n')
    assert "2,000,000 characters in all" in gradexplain.render(long, limits=Limits(max_seconds=5))


def test_the_notebook_magic_stays_within_max_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("IPython")
    from gradexplain.notebook import magic

    shown: list[Any] = []
    monkeypatch.setattr(magic, "_display", shown.append)
    magics = magic.Magics({})
    started = time.monotonic()
    magics.cell("--max-seconds 5", f's = "c" * {LONG}\nprint(s)\n')
    assert time.monotonic() - started < 30
    assert "2,000,000 characters in all" in shown[-1].text
    _slow_for("cell", monkeypatch)  # showing the cell's record overruns its budget
    started = time.monotonic()
    magics.cell("--max-seconds 3", "x = torch.ones(2)\n")
    assert "showing the result took" in " ".join(shown[-1].text.split())
    assert time.monotonic() - started < 25
