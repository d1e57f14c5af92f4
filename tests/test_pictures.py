"""Pictures: `run --export`, `compare --export`, `run --dot`, and `gradexplain plot`.

Regenerate the plot golden file with `GRADEXPLAIN_REGEN_GOLDEN=1 pytest tests/test_pictures.py`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.cli import app
from gradexplain.dot import Graph, to_dot, write_graphs

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


# --export -------------------------------------------------------------------------------------

def test_export_svg_parses_and_names_tensors(tmp_path: Path) -> None:
    target = tmp_path / "run.svg"
    result = runner.invoke(app, ["run", "accumulation", "--width", "100", "--export",
                                 str(target)])
    assert result.exit_code == 0, result.output
    root = ET.parse(target).getroot()
    assert root.tag.endswith("svg")
    text = target.read_text(encoding="utf-8")
    for name in ("x", "out", "grad_fn", "MulBackward0"):
        assert name in text


def test_export_txt_equals_plain_output(tmp_path: Path) -> None:
    target = tmp_path / "run.txt"
    result = runner.invoke(app, ["run", "accumulation", "--width", "90", "--export",
                                 str(target)])
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == result.stdout


def test_export_html(tmp_path: Path) -> None:
    target = tmp_path / "run.html"
    result = runner.invoke(app, ["run", "accumulation", "--export", str(target)])
    assert result.exit_code == 0
    assert "<html" in target.read_text(encoding="utf-8").lower()


def test_compare_export_txt(tmp_path: Path) -> None:
    target = tmp_path / "compare.txt"
    result = runner.invoke(app, ["compare", "accumulation", "--zero-grad", "--width", "100",
                                 "--export", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == result.stdout
    assert "x" in result.stdout


# --dot -----------------------------------------------------------------------------------------

def check_dot(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """A tiny structural check: balanced braces outside strings, edges between declared
    nodes. Returns the declared node ids and the edges."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    depth = 0
    for char in unquoted:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert unquoted.lstrip().startswith("digraph")
    declared = set(re.findall(r"^\s*(c\d+_n\d+) \[", unquoted, flags=re.MULTILINE))
    edges = re.findall(r"^\s*(c\d+_n\d+) -> (c\d+_n\d+);", unquoted, flags=re.MULTILINE)
    for start, end in edges:
        assert start in declared and end in declared
    return declared, edges


def test_dot_of_accumulation(tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    result = runner.invoke(app, ["run", "accumulation", "--dot", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    declared, edges = check_dot(text)
    assert "subgraph cluster_1" in text and "subgraph cluster_2" in text  # one per call
    assert declared and edges
    for word in ("MeanBackward0", "AccumulateGrad", "out\\n", "x  [2, 2]", "grad [[22.5"):
        assert word in text


def test_dot_graph_data_is_plain_and_ordered() -> None:
    from gradexplain.bundled import expand_paths
    from gradexplain.engine.runner import RunOptions, run_scenario
    from gradexplain.limits import Limits
    from gradexplain.loader import load_scenario

    path = expand_paths(["accumulation"])[0]
    record = run_scenario(load_scenario(path, Limits()), RunOptions(graph=True))
    graph = record.calls[0].extras["graph"]
    assert [n["id"] for n in graph["nodes"]] == [f"n{i}" for i in range(len(graph["nodes"]))]
    assert graph["nodes"][0]["type"] == "MeanBackward0"
    assert graph["nodes"][0]["names"] == ["out"]
    leaf = next(n for n in graph["nodes"] if n["type"] == "AccumulateGrad")
    assert leaf["leaf"] == "x" and leaf["shape"] == [2, 2]
    assert leaf["grad"] == [[4.5, 4.5], [4.5, 4.5]]
    plain = run_scenario(load_scenario(path, Limits()))
    assert "graph" not in plain.calls[0].extras  # only when asked


def test_dot_several_scenarios_in_one_file(tmp_path: Path) -> None:
    target = tmp_path / "graphs.gv"
    result = runner.invoke(app, ["run", "accumulation", "scalar_backward", "--dot",
                                 str(target)])
    text = target.read_text(encoding="utf-8")
    check_dot(text)
    assert "accumulation: call 1" in text and "scalar_backward: call 1" in text
    assert result.exit_code == 0, result.output


def test_dot_svg_without_graphviz_falls_back(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("gradexplain.dot.shutil.which", lambda name: None)
    err = io.StringIO()
    graph = Graph("call 1: y.backward()", {"nodes": [
        {"id": "n0", "type": "SumBackward0", "names": ['y "quoted"']},
        {"id": "n1", "type": "AccumulateGrad", "names": [], "leaf": "x", "shape": [3],
         "value": [1.0, 2.0, 3.0], "grad": [1.0, 1.0, 1.0]}],
        "edges": [{"from": "n0", "to": "n1"}]})
    written = write_graphs([graph], tmp_path / "g.svg", err)
    assert written == tmp_path / "g.dot"
    assert not (tmp_path / "g.svg").exists()
    assert "apt install graphviz" in err.getvalue()
    check_dot(written.read_text(encoding="utf-8"))
    assert '\\"quoted\\"' in to_dot([graph])


# plot ------------------------------------------------------------------------------------------

def test_plot_terminal_golden() -> None:
    result = runner.invoke(app, ["plot", "torch.tanh(x) * x", "--range", "-4", "4",
                                 "--steps", "101", "--width", "72"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "plot_tanh.txt"
    if os.environ.get("GRADEXPLAIN_REGEN_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert all(len(line) <= 72 for line in result.stdout.splitlines())


def test_plot_values() -> None:
    from gradexplain.plot import compute

    data = compute("x ** 2", -1.0, 1.0, 5)
    assert data.xs == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert data.ys == [1.0, 0.25, 0.0, 0.25, 1.0]
    assert data.grads == [-2.0, -1.0, 0.0, 1.0, 2.0]


@pytest.mark.parametrize("expression", ["x.sum()", "torch.ones(3)", "__import__('os')"])
def test_plot_bad_expression_exits_2(expression: str) -> None:
    result = runner.invoke(app, ["plot", expression])
    assert result.exit_code == 2, result.output


def test_plot_without_matplotlib_exits_2(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gradexplain.plot.have_matplotlib", lambda: False)
    result = runner.invoke(app, ["plot", "x", "--output", str(tmp_path / "p.png")])
    assert result.exit_code == 2
    assert 'pip install "gradexplain[plot]"' in result.output


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the plot extra)")
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"p{suffix}"
    result = runner.invoke(app, ["plot", "torch.sigmoid(x)", "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        ET.fromstring(data)


@pytest.mark.parametrize("command", [["run", "accumulation"],
                                     ["compare", "accumulation", "--zero-grad"]])
def test_export_refuses_json(command: list[str], tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    result = runner.invoke(app, [*command, "--format", "json", "--export", str(target)])
    assert result.exit_code == 2
    assert not target.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program")
def test_dot_svg_with_graphviz(tmp_path: Path) -> None:
    target = tmp_path / "graph.svg"
    result = runner.invoke(app, ["run", "mm_grad_tensors", "--dot", str(target)])
    assert result.exit_code == 0, result.output
    ET.parse(target)
    assert "MmBackward0" in target.read_text(encoding="utf-8")
