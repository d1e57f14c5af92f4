"""Make docs/notebook.png: run a notebook with the %%gradexplain magic in a real kernel,
convert it to HTML with nbconvert, and photograph that page with headless Chromium.

    PYTHONPATH=src python3 docs/notebook_screenshot.py

Needs nbclient, ipykernel, nbconvert and a `chromium` binary (not project dependencies).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
CELLS = [
    "%load_ext gradexplain",
    """%%gradexplain
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward(retain_graph=True)
z.backward(torch.ones_like(z))""",
]


def main() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with tempfile.TemporaryDirectory() as folder:
        NotebookClient(notebook, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": folder}}).execute(env=env)
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
        page = Path(folder) / "notebook.html"
        page.write_text(body, encoding="utf-8")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            sys.exit("needs chromium (apt-get install chromium)")
        target = HERE / "notebook.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={target}",
                        "--window-size=1200,1060", page.as_uri()],
                       check=True, capture_output=True, timeout=120)  # noqa: S603
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
