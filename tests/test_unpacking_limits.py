"""Attack family: turning one big tensor into many Python objects (issue 13). Unpacking or
stepping through a 16-million-element tensor, and unbind/split/chunk into as many views, are
refused as limit_exceeded naming the limit before the views or numbers are made: quickly and
without the process growing; the same code on small tensors runs as PyTorch runs it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.language.budget import resident_bytes
from gradexplain.limits import Limits
from gradexplain.options import RunOptions
from gradexplain.scenario.loader import load_scenario

HUGE = "x = torch.zeros(16000000)\n"

STEPPING = [  # PyTorch steps through a tensor by unbinding it whole: one view per row
    ("unpack_starred", "a, b, *rest = x"),
    ("unpack_two", "a, b = x"),
    ("for_loop", "for row in x:\n    pass"),
    ("list", "y = list(x)"),
    ("tuple", "y = tuple(x)"),
    ("comprehension", "y = [r for r in x]"),
    ("starred_display", "y = [*x]"),
    ("starred_call", "y = torch.stack([*x])"),
    ("sum", "y = sum(x)"),
    ("max", "y = max(x)"),
    ("sorted", "y = sorted(x)"),
    ("enumerate", "y = enumerate(x)"),
    ("zip", "y = zip(x, x)"),
    ("set", "y = set(x)"),
]
PIECES = [  # a call that makes one view per piece
    ("unbind_method", "y = x.unbind()"),
    ("unbind_function", "y = torch.unbind(x)"),
    ("unbind_dim_keyword", "y = torch.unbind(x, dim=0)"),
    ("split_method", "y = x.split(1)"),
    ("split_function", "y = torch.split(x, 1)"),
    ("split_keywords", "y = torch.split(x, split_size_or_sections=1, dim=0)"),
    ("chunk_method", "y = x.chunk(16000000)"),
    ("chunk_function", "y = torch.chunk(x, chunks=16000000)"),
    ("split_rows_dim", "z = x.reshape(16000000, 1)\ny = z.split(1, 0)"),
]


def _run(code: str, tmp_path: Path, limits: Limits) -> tuple[object, float, int]:
    path = tmp_path / "big.py"
    path.write_text(f"import torch\n{code}\n", encoding="utf-8")
    before = resident_bytes()
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    record = run_scenario(load_scenario(path, limits), RunOptions(limits=limits))
    return record, time.process_time() - started, resident_bytes() - before


@pytest.mark.parametrize(("name", "code"), STEPPING, ids=[s[0] for s in STEPPING])
def test_stepping_through_a_huge_tensor_is_refused_before_it_is_unbound(
        name: str, code: str, tmp_path: Path) -> None:
    record, seconds, grown = _run(HUGE + code, tmp_path, Limits())
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == "limit_exceeded", error
    assert error.facts["limit"] == "max_loop_iterations"
    assert error.facts["flag"] == "--max-loop-iterations"
    assert error.line == 3
    assert seconds < 10 and grown < 300 * 2**20, (seconds, grown)


@pytest.mark.parametrize(("name", "code"), PIECES, ids=[p[0] for p in PIECES])
def test_cutting_a_huge_tensor_into_views_is_refused_before_they_are_made(
        name: str, code: str, tmp_path: Path) -> None:
    record, seconds, grown = _run(HUGE + code, tmp_path, Limits())
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == "limit_exceeded", error
    assert error.facts["limit"] == "max_memory"
    assert error.facts["flag"] == "--max-memory"
    assert seconds < 10 and grown < 300 * 2**20, (seconds, grown)


def test_tolist_counts_its_numbers_against_the_memory_budget(tmp_path: Path) -> None:
    # 16 million numbers are about 512 MB: past a budget of what this process holds + 300 MB.
    limits = Limits(max_memory=resident_bytes() + 300 * 2**20)
    record, _, grown = _run(HUGE + "y = x.tolist()", tmp_path, limits)
    error = record.error  # type: ignore[attr-defined]
    assert error is not None and error.kind == "limit_exceeded", error
    assert error.facts["limit"] == "max_memory" and error.line == 3
    assert grown < 300 * 2**20


@pytest.mark.parametrize("code", [s[1] for s in STEPPING[:6]] + [p[1] for p in PIECES[:8]]
                         + ["y = x.tolist()"])
def test_the_same_code_on_a_small_tensor_runs(code: str, tmp_path: Path) -> None:
    small = "x = torch.arange(6.0).reshape(2, 3)\n"
    record, _, _ = _run(small + code.replace("16000000", "2"), tmp_path, Limits())
    assert record.error is None, record.error  # type: ignore[attr-defined]
