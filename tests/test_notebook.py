"""The notebook path with the real parts: a real notebook run by a real IPython kernel
(nbclient + ipykernel) with `%load_ext gradexplain` and the tutorial's accumulation code in a
`%%gradexplain` cell. The kernel imports this checkout's gradexplain (PYTHONPATH)."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
import torch
from nbclient import NotebookClient

import gradexplain

pytestmark = pytest.mark.slow  # a Jupyter kernel

SRC = Path(gradexplain.__file__).resolve().parents[1]
ACCUMULATION = (Path(__file__).parent / "seed_blocks" / "12_retain_graph_accumulate.py"
                ).read_text(encoding="utf-8")

PLOT_YAML = """tensors:
  x: {linspace: [-2, 2, 9]}
steps: |
  y = torch.relu(x)
  y.backward(torch.ones_like(y))
plot: {x: x, y: [x.grad], title: grad of relu}
"""

CELLS = [
    "%load_ext gradexplain",
    "%%gradexplain --record rec\n" + ACCUMULATION,
    "print(rec.calls[1].after['x'])",
    "%%gradexplain\nimport ctypes\nctypes.CDLL(None).system(b'echo escaped')",
    "%gradexplain accumulation --lang zh",
    "%%gradexplain --nonsense\nx = 1",
    "%%gradexplain --compare zero-grad --lang zh\n" + ACCUMULATION,
    "%%gradexplain --yaml\n" + PLOT_YAML,
    "%gradexplain --help",
    "%%gradexplain --max-seconds 1\na = torch.rand(1000, 1000)\nfor i in range(50000):\n"
    "    b = a @ a",
    "print('kernel alive')",
    "import matplotlib\nprint(matplotlib.get_backend())",
    # the language from GRADEXPLAIN_LANG, as the command line takes it
    "import os\nos.environ['GRADEXPLAIN_LANG'] = 'zh'",
    "%%gradexplain\n" + ACCUMULATION,
    "%gradexplain --help",
    "%%gradexplain --compare zero-grad\n" + ACCUMULATION,
    "del os.environ['GRADEXPLAIN_LANG']",
]


def torch_accumulated() -> str:
    """22.5, as PyTorch computes it and the ledger prints it."""
    x = torch.ones(2, 2, requires_grad=True)
    z = (x + 2) * (x + 2) * 3
    z.mean().backward(retain_graph=True)
    z.backward(torch.ones_like(z))
    assert x.grad is not None
    return f"{x.grad[0, 0].item():.4f}"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The notebook's cells after a kernel ran them all (one kernel for every test here)."""
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = ""  # rich's HTML keeps its colours
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(folder)}})
    started = time.monotonic()
    client.execute(env=env)
    print(f"notebook executed in {time.monotonic() - started:.1f} s")  # shown with -s
    nbformat.write(notebook, folder / "executed.ipynb")
    return list(notebook.cells)


def outputs(cell: Any, mime: str) -> str:
    return "\n".join(str(o.get("data", {}).get(mime, "")) for o in cell.outputs)


def test_the_cell_shows_the_ledger_with_the_accumulated_gradient(executed: list[Any]) -> None:
    cell = executed[1]
    assert [o.output_type for o in cell.outputs] == ["display_data"]
    html, text = outputs(cell, "text/html"), outputs(cell, "text/plain")
    accumulated = torch_accumulated()
    assert accumulated == "22.5000"
    for shown in (html, text):
        assert "Backward calls" in shown
        assert "z.backward(torch.ones_like(z))" in shown
        assert accumulated in shown
        assert "4.5000" in shown and "18." in shown  # before + added = after
    assert html.startswith("<pre style=") and "<span style=" in html  # drawn by rich
    assert "accumulated" in text  # the note that explains it


def test_the_record_is_a_notebook_variable(executed: list[Any]) -> None:
    assert executed[2].outputs[0].text.strip() == "[[22.5, 22.5], [22.5, 22.5]]"


def test_refused_code_shows_the_error_and_never_runs(executed: list[Any]) -> None:
    cell = executed[3]
    text = outputs(cell, "text/plain")
    assert "<cell>:1:1: error[not_allowed]" in text
    assert "error[not_allowed]" in outputs(cell, "text/html")
    assert "escaped" not in str(cell.outputs)


def test_a_bundled_lesson_runs_from_the_line_magic(executed: list[Any]) -> None:
    text = outputs(executed[4], "text/plain")
    assert "accumulation" in text and "22.5000" in text and "通过" in text


def test_a_bad_option_is_a_usage_error(executed: list[Any]) -> None:
    (shown,) = executed[5].outputs  # IPython shows a UsageError as one line, no traceback
    assert shown.output_type == "stream" and shown.name == "stderr"
    assert shown.text.startswith("UsageError: %%gradexplain: unrecognized arguments: --nonsense")


def test_compare_shows_both_variants(executed: list[Any]) -> None:
    x = torch.ones(2, 2, requires_grad=True)
    z = (x + 2) * (x + 2) * 3
    z.backward(torch.ones_like(z))  # what call 2 adds, and all x.grad holds when zeroed
    assert x.grad is not None
    zeroed = str(x.grad).splitlines()[0].removeprefix("tensor(")  # as torch prints it
    text = outputs(executed[6], "text/plain")
    assert zeroed == "[[18., 18.]," and zeroed in text and torch_accumulated() in text
    assert "对比" in text and "不同" in text  # in Chinese, as asked


def test_a_yaml_cell_shows_its_plot(executed: list[Any]) -> None:
    cell = executed[7]
    x = torch.linspace(-2, 2, 9, requires_grad=True)
    torch.relu(x).backward(torch.ones_like(x))
    assert x.grad is not None
    text = outputs(cell, "text/plain")
    assert "grad of relu" in text and "Plot" in text  # the text chart is always there
    assert str(x.grad.tolist()[-1]) == "1.0"
    pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
    if importlib.util.find_spec("matplotlib") is None:
        assert pictures == []
    else:  # the "plot" extra: the same series drawn as a PNG, after the report
        assert len(pictures) == 1 and cell.outputs[-1] is pictures[0]
        assert pictures[0].data["image/png"].startswith("iVBORw0KGgo")  # base64 PNG
        # what a terminal shows and a saved notebook keeps: a line, not the PNG's bytes
        said = pictures[0].data["text/plain"]
        assert said.startswith("<gradexplain picture: grad of relu (PNG, ") and len(said) < 100
        # drawing it left the kernel's own plots alone (no switch to a file-only backend)
        assert "inline" in executed[11].outputs[0].text


def test_help_lists_the_options(executed: list[Any]) -> None:
    """`%gradexplain --help` (IPython refuses `%%gradexplain` with an empty cell before the
    magic runs): both magics and every option."""
    text = outputs(executed[8], "text/plain")
    assert "usage: %%gradexplain [options]" in text and "%gradexplain [SCENARIO]" in text
    for option in ("--lang", "--graph", "--jacobian", "--check-numeric", "--compare",
                   "--yaml", "--record"):
        assert option in text


def test_the_language_comes_from_the_environment(executed: list[Any]) -> None:
    text, html = outputs(executed[13], "text/plain"), outputs(executed[13], "text/html")
    assert text.startswith("单元格 ─") and "反向传播调用" in text and "Backward calls" not in text
    assert "梯度累加（accumulated）" in text and torch_accumulated() in text
    assert "display:inline-block;width:" in html  # Chinese in boxes of its cells
    assert "#00ff00" not in html  # the title's rule is muted, not bright green
    help_text = outputs(executed[14], "text/plain")
    assert help_text.startswith("%%gradexplain 运行所在单元格的代码") and "选项：" in help_text
    assert "对比：单元格" in outputs(executed[15], "text/plain")


def test_a_run_past_its_time_budget_is_stopped_and_the_kernel_lives_on(
        executed: list[Any]) -> None:
    text = outputs(executed[9], "text/plain")
    assert "error[limit_exceeded]" in text or "limit_exceeded" in text
    assert "--max-seconds" in text
    assert executed[10].outputs[0].text == "kernel alive\n"
