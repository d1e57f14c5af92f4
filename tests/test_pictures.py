"""Pictures: `run --export`, `compare --export`, `run --dot`, and `gradexplain plot`.

Regenerate the plot golden file with `GRADEXPLAIN_REGEN_GOLDEN=1 pytest tests/test_pictures.py`.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.render.dot import Graph, to_dot, write_graphs
from gradexplain.shell.cli import app

runner = CliRunner()
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


def test_export_svg_keeps_leading_spaces(tmp_path: Path) -> None:
    """Text runs keep their leading spaces and say so (xml:space="preserve", white-space:
    pre), or renderers such as librsvg drop them: the chart's axis lines all sit in one
    column, right of the y labels."""
    target = tmp_path / "relu.svg"
    result = CliRunner().invoke(app, ["run", "relu_plot", "--export", str(target),
                                      "--width", "90"])
    assert result.exit_code == 0, result.output
    svg = target.read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    svg_ns, xml_space = "{http://www.w3.org/2000/svg}", "{http://www.w3.org/XML/1998/namespace}space"
    (matrix,) = [g for g in root.iter(f"{svg_ns}g") if g.get("class", "").endswith("-matrix")]
    assert matrix.get(xml_space) == "preserve" and "white-space: pre;" in svg
    texts = [(float(t.get("x", "0")), t.text or "") for t in matrix.iter(f"{svg_ns}text")]
    char = min(x for x, _ in texts if x > 0) / 2  # the report is indented by 2 columns
    axis = {round(x / char) + text.index("|") for x, text in texts if text.strip() == "|"}
    labelled = [round(x / char) + text.index("|") for x, text in texts
                if text.lstrip().startswith("1\xa0|")]
    assert len(axis) == 1 and labelled == list(axis)


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


def test_dot_says_which_saved_tensors_each_call_freed(tmp_path: Path) -> None:
    """retain_graph: call 1 frees what MulBackward0 saved, call 2 finds it gone and stops."""
    target = tmp_path / "graph.dot"
    result = runner.invoke(app, ["run", "retain_graph", "--dot", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    check_dot(text)
    call_1, call_2 = text.split("subgraph cluster_2")
    assert "saved self, other: freed" in call_1
    assert "saved self, other: already freed" in call_2
    assert "call 2: out.backward() (stopped: error[freed_graph])" in call_2
    kept = tmp_path / "kept.dot"
    runner.invoke(app, ["run", "mm_grad_tensors", "--dot", str(kept)])
    first = kept.read_text(encoding="utf-8").split("subgraph cluster_2")[0]
    assert "saved self=x, mat2=y: kept" in first


def test_dot_graph_data_is_plain_and_ordered() -> None:
    from gradexplain.engine.runner import run_scenario
    from gradexplain.limits import Limits
    from gradexplain.options import RunOptions
    from gradexplain.scenario.bundled import expand_paths
    from gradexplain.scenario.loader import load_scenario

    path = expand_paths(["accumulation"])[0]
    record = run_scenario(load_scenario(path, Limits()), RunOptions(dot=True))
    graph = record.calls[0].views.graph
    assert [n["id"] for n in graph["nodes"]] == [f"n{i}" for i in range(len(graph["nodes"]))]
    assert graph["nodes"][0]["type"] == "MeanBackward0"
    assert graph["nodes"][0]["names"] == ["out"]
    leaf = next(n for n in graph["nodes"] if n["type"] == "AccumulateGrad")
    assert leaf["leaf"] == "x" and leaf["shape"] == [2, 2]
    assert leaf["grad"] == [[4.5, 4.5], [4.5, 4.5]]
    plain = run_scenario(load_scenario(path, Limits()))
    assert plain.calls[0].views.graph is None  # only when asked


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

    monkeypatch.setattr("gradexplain.render.dot.shutil.which", lambda name: None)
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

def test_plot_terminal_golden(golden: Callable[[str, str], None]) -> None:
    result = runner.invoke(app, ["plot", "torch.tanh(x) * x", "--range", "-4", "4",
                                 "--steps", "101", "--width", "72"])
    assert result.exit_code == 0, result.output
    golden("plot_tanh.txt", result.stdout)
    assert all(len(line) <= 72 for line in result.stdout.splitlines())


def test_plot_values() -> None:
    from gradexplain.engine.expression_plot import compute

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
    monkeypatch.setattr("gradexplain.render.figures.have_matplotlib", lambda: False)
    result = runner.invoke(app, ["plot", "x", "--output", str(tmp_path / "p.png")])
    assert result.exit_code == 2
    assert 'pip install "gradexplain[plot]"' in result.output


def test_plot_output_suffix_is_checked_before_matplotlib(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gradexplain.render.figures.have_matplotlib", lambda: False)
    result = runner.invoke(app, ["plot", "x", "--output", str(tmp_path / "p.txt")])
    assert result.exit_code == 2
    assert "the file must end in .png, .svg or .pdf" in result.output
    assert "matplotlib" not in result.output


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


# plot: sections of scenarios ------------------------------------------------------------------

def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, right after the signature)."""
    import struct

    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_run_json_plot_is_plain_torch() -> None:
    import json

    import torch

    result = runner.invoke(app, ["run", "relu_plot", "--format", "json"])
    assert result.exit_code == 0, result.output
    plot = json.loads(result.stdout)["plot"]
    # The tutorial, in plain PyTorch.
    x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
    y = torch.relu(x)
    y.backward(torch.ones_like(x))
    assert x.grad is not None
    assert plot["x"] == {"label": "x", "values": x.detach().tolist()}
    assert plot["series"] == [{"label": "x.grad", "values": x.grad.tolist()}]
    assert (plot["title"], plot["xlabel"], plot["ylabel"]) == ("grad of relu", "x",
                                                               "grad of relu")
    assert plot["problems"] == []
    assert len(plot["x"]["values"]) == 160


def test_run_table_shows_the_plot() -> None:
    result = runner.invoke(app, ["run", "relu_plot", "--width", "100"])
    assert result.exit_code == 0, result.output
    section = result.stdout[result.stdout.index("\nPlot\n"):]
    assert "grad of relu" in section and "x.grad" in section
    assert section.index("Plot") < section.index("Expectations")


def test_plot_scenario_terminal_golden(golden: Callable[[str, str], None]) -> None:
    result = runner.invoke(app, ["plot", "relu_plot", "--width", "72"])
    assert result.exit_code == 0, result.output
    golden("plot_relu.txt", result.stdout)
    assert all(len(line) <= 72 for line in result.stdout.splitlines())


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the plot extra)")
def test_plot_scenario_png(tmp_path: Path) -> None:
    target = tmp_path / "relu.png"
    result = runner.invoke(app, ["plot", "relu_plot", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert png_size(target.read_bytes()) == (960, 600)  # figsize (8, 5) at 120 dpi


@pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="needs matplotlib (the plot extra)")
def test_plot_scenario_svg_has_its_title(tmp_path: Path) -> None:
    target = tmp_path / "relu.svg"
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "relu_plot.yaml"
    result = runner.invoke(app, ["plot", str(scenario), "--output", str(target)])
    assert result.exit_code == 0, result.output
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(target.read_bytes(), parser=parser)
    assert root.tag.endswith("svg")
    # matplotlib draws text as paths, each after a comment holding the text.
    comments = {(c.text or "").strip() for c in root.iter() if c.tag is ET.Comment}
    assert {"grad of relu", "x.grad", "x"} <= comments


def flat(text: str) -> str:
    """Output with rich's line wrapping undone, for matching sentences."""
    return " ".join(text.split())


BAD_SERIES = """\
tensors:
  x: {linspace: [-1, 1, 5]}
steps: |
  y = x * 2
  y.backward(torch.ones_like(y))
  m = x.view(5, 1)
  short = x[:3]
plot:
  x: x
  y: [x.grad, y.grad, m, short, q, yy]
"""


def test_plot_problems_are_recorded_not_raised(tmp_path: Path) -> None:
    from gradexplain.engine.runner import run_scenario
    from gradexplain.limits import Limits
    from gradexplain.scenario.loader import load_scenario

    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SERIES, encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    plot = record.plot
    assert plot is not None and plot.x is not None
    assert [line.label for line in plot.series] == ["x.grad"]
    assert plot.series[0].values == [2.0] * 5
    assert [(p.series, p.message, p.line, p.col) for p in plot.problems] == [
        ("y.grad", "y.grad is None: y is not a leaf, so backward does not keep its grad "
                   "(call y.retain_grad() before backward)", 10, 15),
        ("m", "m has shape (5, 1); a plot needs 1-D tensors (use .flatten() in the steps "
              "and name the result)", 10, 23),
        ("short", "short has 3 values but x has 5; each series needs one value per x", 10, 26),
        ("q", "no tensor named 'q' at the end of the run; the tensors are: x, y, m, short",
         10, 33),
        ("yy", "no tensor named 'yy' at the end of the run; did you mean 'y'?", 10, 36),
    ]
    assert record.ok  # a plot that cannot be drawn does not fail the run
    table = runner.invoke(app, ["run", str(path), "--width", "200"])
    assert table.exit_code == 0, table.output
    assert f"✗ y.grad ({path}:10:15): y.grad is None" in flat(table.stdout)


def test_plot_of_a_bad_series_exits_2_at_its_place(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short path, so that no line is wrapped inside it
    Path("bad.yaml").write_text(BAD_SERIES, encoding="utf-8")
    result = runner.invoke(app, ["plot", "bad.yaml"])
    assert result.exit_code == 2
    assert "bad.yaml:10:15: error[invalid_scenario]" in result.output
    assert "  y: [x.grad, y.grad, m, short, q, yy]\n" in result.output
    assert "\n" + " " * 18 + "^^^^^^\n" in result.output  # the caret under y.grad
    assert "cannot plot y.grad: y.grad is None" in flat(result.output)


def test_plot_of_a_scenario_without_plot_exits_2() -> None:
    result = runner.invoke(app, ["plot", "relu_grad"])
    assert result.exit_code == 2
    assert "relu_grad has no `plot:` section" in flat(result.output)
    assert 'gradexplain plot "torch.relu(x)"' in flat(result.output)


def test_plot_of_a_scenario_that_fails_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "fails.yaml"
    path.write_text("tensors: {x: [1.0, 2.0]}\nsteps: ['y = x * 2', 'y.backward()']\n"
                    "plot: {x: x, y: [x.grad]}\n", encoding="utf-8")
    result = runner.invoke(app, ["plot", str(path)])
    assert result.exit_code == 1
    assert "stopped on an error [non_scalar_backward]" in flat(result.output)


@pytest.mark.parametrize("flag", [["--range", "0", "1"], ["--steps", "5"]])
def test_plot_range_is_for_expressions_only(flag: list[str]) -> None:
    result = runner.invoke(app, ["plot", "relu_plot", *flag])
    assert result.exit_code == 2
    assert "--range and --steps are for expressions" in flat(result.output)


def test_plot_missing_scenario_file_exits_2() -> None:
    result = runner.invoke(app, ["plot", "no_such_lesson.yaml"])
    assert result.exit_code == 2
    assert "no such file: no_such_lesson.yaml" in flat(result.output)


def test_chart_places_unsorted_x_by_value() -> None:
    from gradexplain.render.charts import chart

    lines = chart("t", [2.0, 0.0, 1.0], [20.0, 0.0, 10.0], width=40, rows=3)
    top, middle, bottom = (line.split("|", 1)[1] for line in lines[1:4])
    # Ascending in x, so the low value is drawn on the left and the high on the right.
    assert bottom.index("*") < middle.index("*") < top.index("*")
    assert lines[-1].split()[0] == "0" and lines[-1].split()[-2] == "2"
