"""Lint is part of the test command: ruff must be clean.

The lint rules encode the architecture: torch only on the runner side (engine/, language/),
rich only in render/console.py, no eval/exec/pickle anywhere. mypy (strict) and
`lint-imports` (the layer contract in pyproject.toml) run as their own steps in .ci/run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests",
                             "benchmarks"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
