"""PyTorch is the oracle: every seed block and snippet runs under gradexplain's interpreter and
as plain Python with real torch; prints, values, grads and errors must agree."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario

HERE = Path(__file__).parent
# corpus/: code in the shape people paste from tutorials, docs, d2l.ai and forum answers
# (each file names the source it is modeled on); the language must run it unchanged.
SNIPPETS = sorted((HERE / "seed_blocks").glob("*.py")) + sorted(
    (HERE / "oracle_snippets").glob("*.py")) + sorted((HERE / "corpus").glob("*.py"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run every snippet once as plain Python, in one subprocess (one torch import)."""
    out = tmp_path_factory.mktemp("oracle") / "plain.json"
    subprocess.run([sys.executable, str(HERE / "plain_torch.py"), str(out),
                    *map(str, SNIPPETS)], check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def _numbers(value: Any) -> Any:
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, str) and value in {"inf", "-inf", "nan"}:
        return float(value)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_interpreter_agrees_with_plain_torch(path: Path, plain: dict[str, Any]) -> None:
    expected = plain[str(path)]
    record = run_scenario(load_scenario(path, Limits()))

    if expected["error"] is None:
        assert record.error is None, record.error
    else:
        assert record.error is not None, f"plain torch raised {expected['error']}"
        first_line = expected["error"]["message"].splitlines()[0]
        assert record.error.message.splitlines()[0] == first_line

    printed = "".join(p.text + "\n" for p in record.prints)
    if "object at 0x" not in expected["stdout"]:
        assert printed == expected["stdout"]

    mine = {row.name: row for row in record.tensors}
    assert set(mine) == set(expected["tensors"])
    for name, want in expected["tensors"].items():
        row = mine[name]
        assert row.shape == want["shape"], name
        assert row.is_leaf == want["is_leaf"], name
        assert row.requires_grad == want["requires_grad"], name
        assert _same(_numbers(row.value), want["value"]), name
        assert _same(_numbers(row.grad), want["grad"]), f"{name}.grad"
