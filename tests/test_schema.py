"""The scenario JSON Schema: valid, shipped, equal to the README's table, and in agreement
with the loader on good and bad files (the loader is the oracle)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.scenario.bundled import bundled_dir
from gradexplain.scenario.expect import EXPECT_KEYS
from gradexplain.scenario.keys import KEYS, readme_table
from gradexplain.scenario.loader import TOP_KEYS, load_scenario_text
from gradexplain.scenario.model import TENSOR_SOURCES
from gradexplain.scenario.plot import PLOT_KEYS
from gradexplain.scenario.schema import SCHEMA_FILE, scenario_schema, schema_text
from gradexplain.scenario.tensors import SPEC_OPTIONS
from gradexplain.shell.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = scenario_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
MODELINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"


def as_json(text: str) -> Any:
    """A YAML document as the YAML language server hands it to the schema (keys as text)."""
    return json.loads(json.dumps(yaml.safe_load(text)))


def schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(as_json(text))]


def loader_accepts(text: str) -> bool:
    try:
        load_scenario_text(text, "t.yaml", "yaml", Limits())
    except GradexplainError as err:
        assert err.kind == "invalid_scenario", err
        return False
    return True


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["additionalProperties"] is False


def test_the_command_prints_the_schema_and_the_shipped_copy_is_the_same() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA
    shipped = bundled_dir() / SCHEMA_FILE
    assert shipped.read_text(encoding="utf-8") == schema_text(), (
        "regenerate it: gradexplain schema > scenarios/scenario.schema.json")


def test_every_key_the_loader_reads_is_in_the_schema_with_a_description() -> None:
    assert tuple(SCHEMA["properties"]) == TOP_KEYS
    assert tuple(key.name for key in KEYS) == TOP_KEYS
    defs = SCHEMA["$defs"]
    spec = defs["tensor"]["anyOf"][1]
    assert tuple(spec["properties"]) == (*TENSOR_SOURCES, *SPEC_OPTIONS)
    assert tuple(defs["expect"]["properties"]) == EXPECT_KEYS
    assert tuple(defs["plot"]["properties"]) == PLOT_KEYS
    for properties in (SCHEMA["properties"], spec["properties"], defs["expect"]["properties"],
                       defs["plot"]["properties"]):
        for name, fragment in properties.items():
            assert fragment.get("description"), name
    for fragment in (spec, defs["expect"], defs["plot"]):
        assert fragment["additionalProperties"] is False


def test_readme_table_is_the_schema_source() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    table = readme_table()
    start = readme.index(table[0])
    assert readme[start:start + len(table)] == table
    assert not readme[start + len(table)].startswith("|"), "README has rows the table lacks"


BUNDLED = sorted(p for p in bundled_dir().iterdir() if p.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_scenario_validates_and_names_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert schema_errors(text) == []
    assert loader_accepts(text)


GOOD = {
    "short form": "tensors: {x: {ones: [2, 2]}}\nexpression: (x * 2).sum()\n",
    "steps list": "tensors: {x: 1.5}\nsteps: ['y = x * 2', 'y.backward()']\n",
    "every top key": (
        "name: n\ndescription: d\ndevice: cuda:1\ndtype: torch.float64\nseed: 3\n"
        "tensors:\n  x: {linspace: [0, 1, 5], requires_grad: true, dtype: double}\n"
        "  w: {full: [2], fill: 0.5}\n  a: {arange: [0, 6, 2]}\n  e: {eye: 2}\n"
        "  v: [[1, 2], [3, 'inf']]\n  t: {expr: 'torch.ones(2)'}\n"
        "expression: (x * 2).sum()\ngrad_tensors: ones_like\nretain_graph: true\n"
        "create_graph: false\nrepeat: 2\nzero_grad: true\ntolerance: 1.0e-5\n"
        "expect:\n  grads: {x: 2.0, w: null}\n  calls: {1: {x: 2.0}}\n  values: {b: [true]}\n"
        "  error: {kind: freed_graph, call: 2}\n  notes: [accumulated]\n  prints: 'None'\n"
        "plot: {x: x, y: [x.grad], title: t}\n"),
    "empty keys mean defaults": "name:\ndevice:\nsteps: 'y = 1'\nexpression:\n",
    "one note and one series without brackets": (
        "tensors: {x: {arange: [4]}}\nsteps: 'y = x * 2'\nexpect: {notes: accumulated}\n"
        "plot: {x: x, y: y}\n"),
}

BAD = {
    "unknown top key": "tensors: {x: 1.0}\nexpression: x * 2\ngrad_tensor: 1.0\n",
    "unknown tensor key": "tensors: {x: {ones: [2], requires_grad: true, shap: 2}}\n"
                          "steps: 'y = x'\n",
    "unknown expect key": "steps: 'y = 1'\nexpect: {grad: {x: 1}}\n",
    "unknown plot key": "tensors: {x: {ones: [2]}}\nsteps: 'y = x'\nplot: {x: x, y: y, z: x}\n",
    "retain_graph not a boolean": "tensors: {x: 1.0}\nexpression: x * 2\nretain_graph: 3\n",
    "repeat not an integer": "tensors: {x: 1.0}\nexpression: x * 2\nrepeat: two\n",
    "repeat below one": "tensors: {x: 1.0}\nexpression: x * 2\nrepeat: 0\n",
    "steps a mapping": "steps: {a: 1}\n",
    "tensor value a string": "tensors: {x: [1, 'a']}\nsteps: 'y = x'\n",
    "seed negative": "seed: -1\nsteps: 'y = 1'\n",
    "bad device": "device: gpu\nsteps: 'y = 1'\n",
    "bad dtype": "dtype: float8\nsteps: 'y = 1'\n",
    "bad tensor dtype": "tensors: {x: {ones: [2], dtype: int128}}\nsteps: 'y = x'\n",
    "bad error kind": "steps: 'y = 1'\nexpect: {error: freed}\n",
    "bad-input error kind": "steps: 'y = 1'\nexpect: {error: not_allowed}\n",
    "bad note kind": "steps: 'y = 1'\nexpect: {notes: [accumulate]}\n",
    "two tensor sources": "tensors: {x: {ones: [2], zeros: [2]}}\nsteps: 'y = x'\n",
    "no tensor source": "tensors: {x: {requires_grad: true}}\nsteps: 'y = x'\n",
    "fill without full": "tensors: {x: {ones: [2], fill: 1}}\nsteps: 'y = x'\n",
    "full without fill": "tensors: {x: {full: [2]}}\nsteps: 'y = x'\n",
    "tensor named torch": "tensors: {torch: 1.0}\nsteps: 'y = 1'\n",
    "tensor named by a keyword": "tensors: {lambda: 1.0}\nsteps: 'y = 1'\n",
    "both forms": "tensors: {x: 1.0}\nexpression: x * 2\nsteps: 'y = x'\n",
    "neither form": "tensors: {x: 1.0}\n",
    "short-form key with steps": "tensors: {x: 1.0}\nsteps: 'y = x'\nretain_graph: true\n",
    "blank expression": "expression: '  '\n",
    "empty steps list": "steps: []\n",
    "plot series is code": "tensors: {x: {ones: [2]}}\nsteps: 'y = x'\nplot: {x: x, y: x * 2}\n",
    "plot without y": "tensors: {x: {ones: [2]}}\nsteps: 'y = x'\nplot: {x: x}\n",
    "negative tolerance": "steps: 'y = 1'\ntolerance: -1\n",
    "calls key zero": "steps: 'y = 1'\nexpect: {calls: {0: {x: 1}}}\n",
    "not a mapping": "- steps\n",
}


@pytest.mark.parametrize("text", GOOD.values(), ids=list(GOOD))
def test_loader_and_schema_accept_the_same_good_files(text: str) -> None:
    assert loader_accepts(text)
    assert schema_errors(text) == []


@pytest.mark.parametrize("text", BAD.values(), ids=list(BAD))
def test_loader_and_schema_reject_the_same_bad_files(text: str) -> None:
    assert not loader_accepts(text)
    assert schema_errors(text), "the schema accepted a file the loader refuses"


def test_an_unknown_key_is_named_by_the_schema() -> None:
    errors = schema_errors(BAD["unknown top key"])
    assert any(re.search(r"'grad_tensor' was unexpected", e) for e in errors), errors
