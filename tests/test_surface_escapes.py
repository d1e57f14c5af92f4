"""Lone surrogates and terminal escapes on every output surface (issue 30, families 6 and 7):
a `"\\ud800"` in a print, a YAML `name:` or a plot label is written as its escape in the
table, JSON, exports, DOT, pictures and the REPL, never an encoding error; code holding one
is refused at its place; `gradexplain plot` escapes ESC/OSC/BEL in every label and title as
`run` does."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gradexplain
from gradexplain.errors import GradexplainError
from gradexplain.shell.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# A scenario whose texts hold lone surrogates (YAML double quotes make them real characters),
# with a backward call so that ledgers, graphs and DOT clusters are drawn too.
SURROGATES = """\
name: "title\\ud800"
description: {en: "about\\udc00", zh: "关于\\udfff"}
tensors:
  x: [1.0, 2.0]
steps: |
  s = "\\\\ud800"
  y = (x * 2).sum()
  y.backward()
  print(s, "\\\\udc00", y)
  {s: 1}
expect:
  prints: ["\\ud800"]
plot:
  x: x
  y: [x.grad]
  title: "plot\\ud800"
  xlabel: "x\\udbff"
"""
RAW = ("\ud800", "\udc00", "\udfff", "\udbff")


def _scenario(tmp_path: Path, text: str = SURROGATES, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _clean(text: str) -> None:
    assert not any(raw in text for raw in RAW)
    assert "UnicodeEncodeError" not in text and "internal error" not in text


@pytest.mark.parametrize("flags", [[], ["--lang", "zh"], ["--graph", "--jacobian"],
                                   ["--calls", "all"]],
                         ids=["table", "zh", "deeper", "calls-all"])
def test_run_table_escapes_lone_surrogates(tmp_path: Path, flags: list[str]) -> None:
    result = runner.invoke(app, ["run", str(_scenario(tmp_path)), "--width", "120", *flags])
    _clean(result.output)
    assert result.exit_code == 1  # the expected print is the raw surrogate: it differs
    assert "title\\ud800" in result.output
    assert "\\ud800 \\udc00" in result.output  # the print, as Python would escape it


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_json_escapes_lone_surrogates(tmp_path: Path, lang: str) -> None:
    result = runner.invoke(app, ["run", str(_scenario(tmp_path)), "--format", "json",
                                 "--lang", lang])
    _clean(result.output)
    data = json.loads(result.stdout)
    assert data["scenario"]["name"] == "title\\ud800"
    assert data["prints"][0]["text"].startswith("\\ud800 \\udc00")
    assert data["plot"]["title"] == "plot\\ud800"
    description = data["scenario"]["description"]
    assert description == ("about\\udc00" if lang == "en" else "关于\\udfff")


def test_exports_dot_and_compare_escape_lone_surrogates(tmp_path: Path) -> None:
    path = _scenario(tmp_path)
    for suffix in ("svg", "html", "txt"):
        target = tmp_path / f"out.{suffix}"
        result = runner.invoke(app, ["run", str(path), "--export", str(target)])
        _clean(result.output)
        assert "title\\ud800" in target.read_text(encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--dot", str(tmp_path / "g.dot")])
    _clean(result.output)
    (tmp_path / "g.dot").read_text(encoding="utf-8")  # strict UTF-8: no surrogate in it
    for fmt in ("table", "json"):
        result = runner.invoke(app, ["compare", str(path), "--zero-grad", "--format", fmt])
        _clean(result.output)
        assert result.exit_code == 0
    json.loads(result.stdout)


def test_plot_text_chart_escapes_lone_surrogates(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plot", str(_scenario(tmp_path))])
    _clean(result.output)
    assert result.exit_code == 0 and "plot\\ud800" in result.output


def test_python_api_renders_lone_surrogates(tmp_path: Path) -> None:
    record = gradexplain.run_file(_scenario(tmp_path))
    for fmt in ("table", "json", "html", "svg"):
        text = gradexplain.render(record, fmt)
        _clean(text)
        text.encode("utf-8")
    assert json.loads(gradexplain.render(record, "json"))["scenario"]["name"] == "title\\ud800"


@pytest.mark.parametrize(("source", "line"), [
    ('steps:\n  - "y = 1"\n  - "print(\\"\\ud800\\")"\n', 3),
    ('name: n\nexpression: "torch.ones(1) if \\"\\udc00\\" else 0"\n', 2),
], ids=["steps", "expression"])
def test_code_holding_a_lone_surrogate_is_refused_where_it_is(tmp_path: Path, source: str,
                                                               line: int) -> None:
    """Python source cannot hold one: refused at its line (the column counts the YAML value's
    characters, not its escapes), exit 2, not "the worker failed"."""
    path = _scenario(tmp_path, source)
    result = runner.invoke(app, ["run", str(path)])
    assert result.exit_code == 2
    _clean(result.output)
    assert f"s.yaml:{line}:" in result.output
    assert "error[invalid_scenario]: the code holds a lone surrogate" in \
        " ".join(result.output.split())
    assert "worker failed" not in result.output
    result = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert json.loads(result.stdout)["error"]["kind"] == "invalid_scenario"


def test_api_code_holding_a_lone_surrogate_is_an_input_error() -> None:
    with pytest.raises(GradexplainError) as caught:
        gradexplain.run_code('x = 1\nprint("\ud800")\n')
    assert caught.value.kind == "invalid_scenario"
    assert (caught.value.location.line, caught.value.location.col) == (2, 8)  # type: ignore[union-attr]


def _repl(text: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1", "COLUMNS": "100",
           "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "gradexplain", "repl"], input=text,
                          capture_output=True, timeout=120, check=False, env=env, cwd=tmp_path)


def test_repl_survives_lone_surrogates_and_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    _scenario(tmp_path, SURROGATES.replace("expect:\n  prints: [\"\\ud800\"]\n", ""))
    done = _repl(b'print("a\xffb")\n'  # piped bytes that are not UTF-8
                 b's = "\\ud800"\nprint(s)\ns\n{s: 2}\n'
                 b':load s.yaml\n:tensors\n:graph y\nprint("still", 1 + 1)\n', tmp_path)
    out = done.stdout.decode("utf-8")  # strict: nothing undecodable was written
    assert done.returncode == 0
    assert "Traceback" not in out and "UnicodeEncodeError" not in out
    assert "<repl>:1:9: error[invalid_scenario]: the code holds a lone surrogate (U+DCFF)" in \
        " ".join(out.split())
    assert "\\ud800" in out and "loaded s.yaml" in out and "still 2" in out


# terminal escapes in `plot` ------------------------------------------------------------------

ESCAPES = ("\x1b", "\x07", "\x9b")


def _no_raw_escapes(text: str) -> None:
    assert not any(raw in text for raw in ESCAPES), repr(text)


def test_plot_escapes_d2l_labels(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "from d2l import torch as d2l\n"
                     "x = torch.arange(0.0, 4.0, 1.0)\n"
                     'd2l.plot(x, [x * 2, x], xlabel="x\\x1b]0;pwned\\x07", ylabel="y\\x1b[2J",'
                     ' legend=["a\\x1b[31mred", "b\\x9b1m"])\n', "d.py")
    result = runner.invoke(app, ["plot", str(path)])
    assert result.exit_code == 0, result.output
    _no_raw_escapes(result.output)
    assert "a\\x1b[31mred" in result.output and "b\\x9b1m" in result.output


def test_plot_escapes_a_yaml_title_and_labels(tmp_path: Path) -> None:
    path = _scenario(tmp_path, 'tensors:\n  x: {arange: [0.0, 4.0, 1.0]}\n'
                     'steps: |\n  y = x * 2\nplot:\n  x: x\n  y: [y]\n'
                     '  title: "T\\e[2J\\a"\n  xlabel: "\\e]0;t\\a"\n')
    result = runner.invoke(app, ["plot", str(path)])
    assert result.exit_code == 0, result.output
    _no_raw_escapes(result.output)
    assert "T\\x1b[2J\\x07" in result.output and "\\x1b]0;t\\x07" in result.output


def test_plot_calls_escapes_the_statement_title(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "w = torch.ones(2, requires_grad=True)\nfor i in range(3):\n"
                     '    (w * 2).sum().backward(retain_graph="\x1b]0;x\x07" != "")\n', "c.py")
    result = runner.invoke(app, ["plot", str(path), "--calls"])
    assert result.exit_code == 0, result.output
    _no_raw_escapes(result.output)
    assert 'retain_graph="\\x1b]0;x\\x07"' in result.output


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the plot extra)")
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_pictures_draw_surrogates_escapes_and_dollars_literally(tmp_path: Path,
                                                                suffix: str) -> None:
    path = _scenario(tmp_path, 'tensors:\n  x: {arange: [0.0, 4.0, 1.0]}\n'
                     'steps: |\n  y = x * 2\nplot:\n  x: x\n  y: [y]\n'
                     '  title: "a $\\\\frac{ b\\ud800"\n  ylabel: "$x^$\\e[2J"\n')
    target = tmp_path / f"p{suffix}"
    result = runner.invoke(app, ["plot", str(path), "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    if suffix == ".svg":
        svg = target.read_text(encoding="utf-8")
        assert "\x1b" not in svg
    calls = _scenario(tmp_path, "w = torch.ones(2, requires_grad=True)\nfor i in range(3):\n"
                      '    (w * 2).sum().backward(retain_graph="$x^$\\ud800" != "")\n', "c.py")
    result = runner.invoke(app, ["plot", str(calls), "--calls", "--output", str(target)])
    assert result.exit_code == 0, result.output
