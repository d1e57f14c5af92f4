"""The CLI stays cheap to start: importing it and `--help` never import torch (not timed)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_does_not_import_torch() -> None:
    code = "import sys, gradexplain.shell.cli; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "False"


def test_help_mentions_run_without_importing_torch() -> None:
    code = ("import sys\nfrom gradexplain.shell.cli import app\n"
            "try:\n    app(['--help'], prog_name='gradexplain')\n"
            "except SystemExit:\n    pass\n"
            "print('TORCH', 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, env=None)
    assert "run" in done.stdout
    assert "TORCH False" in done.stdout
