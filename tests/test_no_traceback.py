"""Odd input ends in a clear message and a documented exit status, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.app.repl_session import Repl
from gradexplain.limits import Limits
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from gradexplain.scenario.loader import load_scenario
from gradexplain.shell.cli import app

runner = CliRunner()
LONG = "a" * 300
META_EXPECT = ('tensors:\n  x: {expr: "torch.ones(2, device=\\"meta\\", requires_grad=True)"}\n'
               'steps:\n  - "y = (x * 2).sum()"\n  - "y.backward()"\n'
               "expect:\n  grads:\n    x: [2, 2]\n")

CASES: list[tuple[str, list[str], int]] = [
    ("long_name_run", ["run", LONG], 2),
    ("long_name_compare", ["compare", LONG, "--zero-grad"], 2),
    ("long_name_plot", ["plot", LONG], 1),
    ("export_unwritable", ["run", "accumulation", "--export", "/nonexistent/dir/x.svg"], 2),
    ("dot_unwritable", ["run", "accumulation", "--dot", "/nonexistent/dir/x.dot"], 2),
    ("plot_huge_range", ["plot", "x * 2", "--range", "-1e308", "1e308"], 2),
    ("plot_reversed_range", ["plot", "x * 2", "--range", "2", "1"], 2),
]


@pytest.mark.parametrize(("name", "args", "status"), CASES, ids=[c[0] for c in CASES])
def test_cli_case_has_no_traceback(name: str, args: list[str], status: int) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                      SystemExit)


CODE_CASES: list[tuple[str, str, str]] = [
    ("format_missing_key", 'print("{a}".format(b=1))', "torch_error"),
    ("shift_float_tensor", "x = torch.ones(3)\nx <<= 1", "torch_error"),
    ("lone_surrogate", 'print("\\ud800")', ""),
    ("complex_H", "z = torch.ones(2, 2, dtype=torch.complex64)\nprint(z.H)", ""),
    ("function_repr", "print(torch.add)", ""),
]


@pytest.mark.parametrize(("name", "code", "kind"), CODE_CASES, ids=[c[0] for c in CODE_CASES])
def test_code_case_is_explained(name: str, code: str, kind: str, tmp_path: Path) -> None:
    from gradexplain.engine.runner import run_scenario
    from gradexplain.explain import explain_run
    from gradexplain.render import print_report

    path = tmp_path / "s.py"
    path.write_text("import torch\n" + code + "\n", encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert (record.error.kind if record.error else "") == kind
    stream = io.StringIO()
    print_report(make_console(stream, width=120, force_plain=True), explain_run(record, "en"))
    out = stream.getvalue()
    out.encode("utf-8")  # every character can be written
    assert " at 0x" not in out
    if kind:
        assert "raised by PyTorch" not in out or name == "shift_float_tensor"


def test_meta_tensors_with_expect_fail_the_expectation(tmp_path: Path) -> None:
    from gradexplain.engine.runner import run_scenario

    path = tmp_path / "m.yaml"
    path.write_text(META_EXPECT, encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None
    assert [e.ok for e in record.expectations] == [False]
    assert record.expectations[0].facts["got"] == "meta (no values)"


def test_repl_counts_executed_statements_per_entry() -> None:
    stream = io.StringIO()
    repl = Repl(ReplOptions(limits=Limits(max_executed=50)),
                make_console(stream, width=120, force_plain=True))
    for _ in range(3):  # 3 x 40 statements: over 50 in all, under it in each entry
        repl.handle("for i in range(40):\n    y = i")
    assert "limit exceeded" not in stream.getvalue()
    repl.handle("for i in range(60):\n    y = i")
    assert "--max-executed" in stream.getvalue()
