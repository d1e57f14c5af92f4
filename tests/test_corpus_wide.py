"""The wide corpus (tests/corpus_wide/) and its harness (benchmarks/corpus_wide.py): each file
names its source and runs as plain Python; the harness tells agreement, refusals (every one
of them, not only the first), errors, disagreements and crashes apart."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
CORPUS = Path(__file__).parent / "corpus_wide"
FILES = sorted(CORPUS.glob("*.py"))


def _harness() -> Any:
    spec = importlib.util.spec_from_file_location(
        "corpus_wide", ROOT / "benchmarks" / "corpus_wide.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_wide"] = module
    spec.loader.exec_module(module)
    return module


harness = _harness()


def test_the_corpus_is_wide_half_chinese_and_names_its_sources() -> None:
    assert len(FILES) >= 120
    chinese = [p for p in FILES if p.name.startswith("zh")]
    assert {p.name[:2] for p in FILES} == {"zh", "en"}
    assert 0.4 <= len(chinese) / len(FILES) <= 0.6
    for path in FILES:
        assert not path.name.endswith("_test.py"), f"pytest would collect {path.name}"
        first, second = path.read_text(encoding="utf-8").splitlines()[:2]
        assert first.startswith("# Modeled on: http"), path.name
        assert second == "# (written for this corpus after that source's example; not copied)"


def _matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


@pytest.mark.slow
def test_every_file_runs_as_plain_python(tmp_path: Path) -> None:
    """All files in one process (one torch import): only those that say so end on an error.
    Files that plot are skipped where matplotlib is not installed."""
    files = [p for p in FILES if _matplotlib() or "matplotlib" not in p.read_text("utf-8")]
    out = tmp_path / "plain.json"
    subprocess.run([sys.executable, str(ROOT / "tests" / "plain_torch.py"), str(out),
                    *map(str, files)], check=True, capture_output=True, timeout=600,
                   cwd=tmp_path, env=dict(os.environ, MPLBACKEND="Agg"))
    results = json.loads(out.read_text(encoding="utf-8"))
    for path in files:
        ends_on_error = harness.ENDS_ON_ERROR in path.read_text(encoding="utf-8")
        error = results[str(path)]["error"]
        assert (error is not None) == ends_on_error, (path.name, error)


def _write(tmp_path: Path, text: str, name: str = "zh999_case.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_static_refusal_is_found_not_only_the_first(tmp_path: Path) -> None:
    path = _write(tmp_path, "import ctypes\nimport torch\n\n"
                            "if __name__ == '__main__':\n"
                            "    x = torch.ones(2, requires_grad=True)\n"
                            "    print(getattr(x, 'grad'))\n"
                            "    d = x.__dict__\n"
                            "    (x * 2).sum().backward()\n")
    assert harness.static_refusals(path) == ["importing 'ctypes'", "calling 'getattr'",
                                             "attribute '__dict__'"]
    clean = _write(tmp_path, "import torch\nx = torch.ones(2)\n", "en999_clean.py")
    assert harness.static_refusals(clean) == []


def _plain(stdout: str = "", error: dict[str, str] | None = None,
           tensors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"stdout": stdout, "error": error, "tensors": tensors or {}}


def _record(prints: list[str] | None = None, error: dict[str, Any] | None = None,
            tensors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"prints": [{"text": t} for t in prints or []], "error": error,
            "tensors": tensors or []}


TENSOR = {"value": [1.0, 2.0], "grad": [0.5, float("nan")], "shape": [2], "is_leaf": True,
          "requires_grad": True}


def test_classify_tells_the_outcomes_apart(tmp_path: Path) -> None:
    path = _write(tmp_path, "import torch\n")
    mine = [{"name": "w", **TENSOR, "grad": [0.5, "nan"]}]
    agree = harness.classify(path, _plain("tensor(1.)\n<AddBackward0 object at 0x7f00>\n",
                                          tensors={"w": TENSOR}),
                             _record(["tensor(1.)", "<AddBackward0 object>"], tensors=mine))
    assert (agree.kind, agree.lang) == ("agree", "zh")

    refused = harness.classify(path, _plain(), _record(error={
        "kind": "not_allowed", "line": 1, "message": "importing 'numpy' is not allowed: ..."}))
    assert (refused.kind, refused.cause, refused.line) == ("refused", "importing 'numpy'", 1)

    error = harness.classify(path, _plain(), _record(error={"kind": "torch_error",
                                                            "message": "boom"}))
    assert (error.kind, error.cause) == ("error", "torch_error")

    printed = harness.classify(path, _plain("1\n2\n"), _record(["1", "3"]))
    assert (printed.kind, printed.cause) == ("disagree", "prints")
    assert "print line 2" in printed.detail

    grads = harness.classify(path, _plain(tensors={"w": TENSOR}),
                             _record(tensors=[{"name": "w", **TENSOR, "grad": [0.25, "nan"]}]))
    assert (grads.kind, grads.cause) == ("disagree", "tensors")
    assert "w grad differs (max abs diff 0.25)" in grads.detail

    crash = harness.classify(path, _plain(), {"crashed": "exit 1: Traceback"})
    assert crash.kind == "crash"


def test_classify_compares_errors_and_flags_a_corpus_file_that_misbehaves(
        tmp_path: Path) -> None:
    lesson = _write(tmp_path, "# Ends on PyTorch's error: the point of the lesson\n")
    raised = {"type": "RuntimeError", "message": "Trying to backward twice\nmore"}
    same = harness.classify(lesson, _plain(error=raised), _record(error={
        "kind": "freed_graph", "message": "Trying to backward twice"}))
    assert same.kind == "agree"
    other = harness.classify(lesson, _plain(error=raised), _record(error={
        "kind": "torch_error", "message": "something else"}))
    assert (other.kind, other.cause) == ("disagree", "a different error")
    silent = harness.classify(lesson, _plain(error=raised), _record())
    assert silent.kind == "disagree"
    assert harness.classify(lesson, _plain(), _record()).kind == "plain"
    ordinary = _write(tmp_path, "import torch\n", "en999_ordinary.py")
    assert harness.classify(ordinary, _plain(error=raised), _record()).kind == "plain"


def test_causes_fall_under_the_issues_headings() -> None:
    assert harness.topic_of("attribute 'numpy'") == "numpy"
    assert harness.topic_of("importing 'matplotlib.pyplot'") == "matplotlib"
    assert harness.topic_of("attribute 'register_full_backward_hook'") == "module hooks"
    assert harness.topic_of("importing 'collections'") == "stdlib import"
    assert harness.topic_of("'torch.nn.InstanceNorm2d'") == "torch name not allowlisted"
    assert harness.topic_of("something new") == "other"
