"""The CLI stays cheap to start: importing it, the REPL, the renderers and the explainer, and
`--help`, never import torch; the explainer imports no rich either; `import gradexplain`
imports none of torch, rich, typer, yaml or IPython (not timed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

CODE = """
import sys
import gradexplain
print("PACKAGE", sorted(m for m in ("torch", "rich", "typer", "yaml", "IPython")
                        if m in sys.modules))
import gradexplain.explain, gradexplain.explain.compare, gradexplain.analysis.compare
print("EXPLAIN", sorted(m for m in ("torch", "rich") if m in sys.modules))
import gradexplain.render, gradexplain.render.compare_view, gradexplain.shell.repl
import gradexplain.app.repl_session, gradexplain.app.repl_worker
from gradexplain.shell.cli import app
try:
    app(["--help"], prog_name="gradexplain")
except SystemExit:
    pass
print("TORCH", sorted(m for m in sys.modules if m.split(".")[0] == "torch"))
print("IPYTHON", "IPython" in sys.modules)
"""


def test_cli_repl_render_and_explain_do_not_import_torch() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          check=True, timeout=120, env=env)
    assert "run" in done.stdout  # --help was printed
    assert "PACKAGE []" in done.stdout, done.stdout  # the Python API loads on first use
    assert "IPYTHON False" in done.stdout, done.stdout
    assert "EXPLAIN []" in done.stdout, done.stdout
    assert "TORCH []" in done.stdout, done.stdout


@pytest.mark.slow  # a new gradexplain process
def test_json_of_one_scenario_does_not_import_rich() -> None:
    """`run X --format json` writes JSON lines itself: the consoles (and rich) are made only
    when something is printed through them (a table, an input error, a batch's progress)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradexplain", "run",
                           "accumulation", "--format", "json"], capture_output=True,
                          text=True, check=True, timeout=120, env=env)
    assert '"format": "gradexplain/1"' in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "gradexplain.render.jsonout" in imported
    assert not {m for m in imported if m.split(".")[0] == "rich"}
