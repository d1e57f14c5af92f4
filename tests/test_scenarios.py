"""Every bundled scenario runs, and checks itself with its own `expect:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradexplain.engine.runner import run_scenario
from gradexplain.explain.expectations import expectation_text
from gradexplain.limits import Limits
from gradexplain.scenario.bundled import bundled_dir, bundled_names
from gradexplain.scenario.loader import load_scenario

NAMES = bundled_names()


def test_there_is_a_lesson_per_topic() -> None:
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_bundled_scenario_holds_its_expectations(name: str) -> None:
    path = next(p for p in Path(bundled_dir()).iterdir() if p.stem == name)
    scenario = load_scenario(path, Limits())
    assert scenario.expect is not None, "every lesson checks itself"
    record = run_scenario(scenario)
    assert record.ok, [expectation_text(e, "en") for e in record.expectations
                       if not e.ok] or record.error
