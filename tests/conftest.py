"""Shared test helpers: the golden-file check; the language comes from flags, never from
the tester's locale."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from gradexplain.explain.languages import LOCALE_VARIABLES

GOLDEN = Path(__file__).parent / "golden"
# Regenerate every golden file: GRADEXPLAIN_REGEN_GOLDEN=1 pytest (then read the diff).
REGEN = os.environ.get("GRADEXPLAIN_REGEN_GOLDEN", "") != ""


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
