"""Shared test helpers: the golden-file check; the language comes from flags, never from
the tester's locale; under CI a skipped test fails."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from gradexplain.explain.languages import LOCALE_VARIABLES

GOLDEN = Path(__file__).parent / "golden"
# Regenerate every golden file: GRADEXPLAIN_REGEN_GOLDEN=1 pytest (then read the diff).
REGEN = os.environ.get("GRADEXPLAIN_REGEN_GOLDEN", "") != ""
# CI installs every tool a test needs (.ci/run), so there a skip means a missing install step.
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
# Tests that need a GPU, or that need its absence, skip on the other kind of machine.
GPU_REASON = re.compile(r"\b(CUDA|GPU)\b")


def check_golden(name: str, text: str) -> None:
    """`text` must equal tests/golden/NAME; only GRADEXPLAIN_REGEN_GOLDEN writes the file."""
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # A missing file fails: writing it here would make the check pass on what it checks.
    assert path.exists(), (f"no golden file tests/golden/{name}: write it with "
                           "GRADEXPLAIN_REGEN_GOLDEN=1 and read it before committing")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """The golden-file check, as a fixture: golden("name.txt", text)."""
    return check_golden


@pytest.fixture(autouse=True)
def _english_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chinese LANG on the tester's machine must not change what the tests see."""
    monkeypatch.delenv("GRADEXPLAIN_LANG", raising=False)
    for variable in LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Under CI a skip is a failure, GPU tests aside: a picture test that skips because
    Graphviz or a font is missing would otherwise leave CI green and the pictures untested."""
    outcome = yield
    report = outcome.get_result()
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if item.get_closest_marker("cuda") is not None or GPU_REASON.search(reason):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped under CI ({reason}): .ci/run must install what this test needs"
