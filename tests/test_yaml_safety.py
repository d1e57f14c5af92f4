"""Hostile YAML is refused quickly, with the right kind and position, and never runs anything."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.scenario import yamlsafe
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.scenario.yamlsafe import load_yaml

LIMITS = Limits()

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
steps: [*i]
"""


@pytest.fixture(params=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run each refusal with libyaml's fast parser (when present) and the pure-Python one."""
    if request.param == "pure":
        monkeypatch.setattr(yamlsafe, "_FAST_LOADER", None)
    elif yamlsafe._FAST_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    yield request.param


def refused(path: Path, text: str | bytes) -> GradexplainError:
    """Write the file, load it, and return the error (failing if it loads)."""
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    with pytest.raises(GradexplainError) as info:
        load_scenario(path, LIMITS)
    assert time.process_time() - started < 2.0, "refusals must come before the work"
    return info.value


@pytest.mark.usefixtures("parser")
def test_python_object_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'steps: !!python/object/apply:os.system ["touch {marker}"]\n'
    err = refused(tmp_path / "s.yaml", text)
    assert err.kind == "invalid_scenario"
    assert str(err) == "YAML tags such as '!!python/object/apply:os.system' are not allowed"
    assert err.location is not None
    assert (err.location.line, err.location.col, err.location.end_col) == (1, 8, 39)
    assert err.hint == ("remove the tag; scenario values are plain numbers, strings, lists "
                        "and mappings")
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(("text", "shown", "where"), [
    ("name: !!str demo\nsteps: ['y = 1']\n", "!!str", (1, 7)),
    ("steps: !foo ['y = 1']\n", "!foo", (1, 8)),
    ("tensors:\n  x: !!binary aGVsbG8=\nsteps: ['y = 1']\n", "!!binary", (2, 6)),
    ("steps: ! ['y = 1']\n", "!", (1, 8)),
    ("tensors: !!python/name:os.system {}\n", "!!python/name:os.system", (1, 10)),
])
def test_every_explicit_tag_is_refused(tmp_path: Path, text: str, shown: str,
                                       where: tuple[int, int]) -> None:
    err = refused(tmp_path / "s.yaml", text)
    assert err.kind == "invalid_scenario"
    assert str(err) == f"YAML tags such as '{shown}' are not allowed"
    assert err.location is not None
    assert (err.location.line, err.location.col) == where


@pytest.mark.usefixtures("parser")
def test_billion_laughs_is_refused_at_the_first_anchor(tmp_path: Path) -> None:
    err = refused(tmp_path / "bomb.yaml", BILLION_LAUGHS)
    assert err.kind == "invalid_scenario"
    assert str(err) == "YAML anchors (&a) are not allowed"
    assert err.location is not None
    assert err.location.describe() == f"{tmp_path / 'bomb.yaml'}:1:4"
    assert err.location.caret() == f"{BILLION_LAUGHS.splitlines()[0]}\n   ^^"


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(("text", "message", "where"), [
    ("tensors:\n  x: &v [1, 2]\n  y: [3]\nsteps: ['z = x']\n",
     "YAML anchors (&v) are not allowed", (2, 6)),
    ("steps: *nowhere\n", "YAML aliases (*nowhere) are not allowed", (1, 8)),
    ("tensors:\n  <<: {x: [1]}\nsteps: ['y = 1']\n",
     "YAML merge keys (<<) are not allowed", (2, 3)),
    ("name: a\nsteps: ['y = 1']\nname: b\n",
     "duplicate key 'name' at lines 1 and 3", (3, 1)),
    ("tensors:\n  x: [1]\n  x: [2]\nsteps: ['y = 1']\n",
     "duplicate key 'x' at lines 2 and 3", (3, 3)),
    ("steps: ['y = 1']\n---\nsteps: ['y = 2']\n",
     "the file holds more than one YAML document (a second '---')", (2, 1)),
    ("? [a, b]\n: 1\nsteps: ['y = 1']\n",
     "a key must be a plain name or number, not a list", (1, 3)),
])
def test_anchors_aliases_merges_duplicates(tmp_path: Path, text: str, message: str,
                                           where: tuple[int, int]) -> None:
    err = refused(tmp_path / "s.yaml", text)
    assert err.kind == "invalid_scenario"
    assert str(err) == message
    assert err.location is not None
    assert (err.location.line, err.location.col) == where


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_a_limit(tmp_path: Path, depth: int) -> None:
    text = "tensors:\n  x: " + "[" * depth + "1" + "]" * depth + "\n"
    err = refused(tmp_path / "deep.yaml", text)
    assert err.kind == "limit_exceeded"
    assert str(err) == "limit exceeded: nesting depth would be 33, the limit is 32"
    assert err.facts["flag"] == "--max-depth"
    assert err.location is not None
    assert (err.location.line, err.location.col) == (2, 36)


def test_depth_at_the_limit_loads() -> None:
    depth = 30  # the document mapping and `tensors:` are two more levels
    nested = "[" * depth + "1" + "]" * depth
    scenario = load_scenario_text(f"tensors:\n  x: {nested}\nsteps: ['y = x']\n", None,
                                  "yaml", LIMITS)
    assert scenario.tensors[0].source == "value"


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    # Not YAML at all: a limit error (not a syntax error) proves nothing was parsed.
    err = refused(path, b"\x00{[" * (LIMITS.max_file_bytes // 3 + 1))
    assert err.kind == "limit_exceeded"
    assert str(err) == ("limit exceeded: bytes in a scenario file would be 1048578, "
                        "the limit is 1048576")
    assert err.hint == ("if this is intended, raise it with --max-file-bytes "
                        "(for example --max-file-bytes 1048578)")


def test_oversized_text_is_refused() -> None:
    with pytest.raises(GradexplainError) as info:
        load_scenario_text("#" * 2000, None, "yaml", Limits(max_file_bytes=1000))
    assert info.value.kind == "limit_exceeded"
    assert info.value.facts["value"] == 2000


def test_non_utf8_file_points_at_the_byte(tmp_path: Path) -> None:
    err = refused(tmp_path / "bin.yaml", b"steps:\n  - y = \xff\xfe\n")
    assert err.kind == "invalid_scenario"
    assert str(err) == "the file is not UTF-8 text (byte 0xff at offset 15)"
    assert err.location is not None
    assert err.location.describe() == f"{tmp_path / 'bin.yaml'}:2:9"
    assert err.hint == "save the scenario as UTF-8 text; binary files cannot be scenarios"


def test_binary_python_snippet_is_refused(tmp_path: Path) -> None:
    err = refused(tmp_path / "blob.py", bytes(range(256)))
    assert err.kind == "invalid_scenario"
    assert str(err).startswith("the file is not UTF-8 text")


@pytest.mark.usefixtures("parser")
def test_control_characters_are_refused(tmp_path: Path) -> None:
    err = refused(tmp_path / "nul.yaml", b"steps: ['y = 1']\nname: a\x00b\n")
    assert err.kind == "invalid_scenario"
    assert str(err) == "the file contains a character YAML does not allow (U+0000)"
    assert err.location is not None
    assert (err.location.line, err.location.col) == (2, 8)


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(("text", "message", "where"), [
    ("steps:\n\t- y = 1\n", "line 2 is indented with a tab", (2, 1)),
    ("steps: ['y = 1'\n", "YAML syntax error: expected ',' or ']', but got '<stream end>' "
     "(while parsing a flow sequence at line 1)", (2, 1)),
    ("steps: \"y = 1\n", "YAML syntax error: found unexpected end of stream (while scanning "
     "a quoted scalar at line 1)", (2, 1)),
])
def test_syntax_errors_have_positions(tmp_path: Path, text: str, message: str,
                                      where: tuple[int, int]) -> None:
    err = refused(tmp_path / "s.yaml", text)
    assert err.kind == "invalid_scenario"
    assert str(err) == message
    assert err.location is not None
    assert (err.location.line, err.location.col) == where


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(GradexplainError) as info:
        load_scenario_text("steps: ['y = 1']\nname: \ud800\n", None, "yaml", LIMITS)
    assert str(info.value) == "the file contains a character YAML does not allow (U+D800)"
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.col) == (2, 7)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=40))  # surrogates too
def test_any_code_point_raises_only_gradexplain_errors(text: str) -> None:
    with contextlib.suppress(GradexplainError):
        load_scenario_text(text, None, "yaml", LIMITS)


def test_long_integers_are_refused_not_crashed() -> None:
    with pytest.raises(GradexplainError) as info:
        load_scenario_text("seed: " + "9" * 5000 + "\nsteps: ['y = 1']\n", None, "yaml", LIMITS)
    assert str(info.value) == "the number 99999999999999999999... is too long"


def test_timestamps_stay_text() -> None:
    doc = load_yaml("when: 2024-01-01\nat: 2001-12-14t21:59:43.10-05:00\n", None, LIMITS)
    assert doc.data == {"when": "2024-01-01", "at": "2001-12-14t21:59:43.10-05:00"}


SAMPLES = [
    "name: a\nsteps: |\n  y = 1\n  z = 2\ntensors: {x: [1, 2.5, .inf, 1e-6, 0x1f, yes, ~]}\n",
    "k: |2\n    indented\n   x\nq: 'it''s'\nd: \"tab\\there\"\nf: >\n  folded\n  text\n",
    "a:\n- 1\n- [2, {b: c}]\n- ? d\n  : e\n",
    "é: ünïcode ✓\nx: [é, {a: 1}]\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_libyaml_and_pure_python_agree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_yaml(text, "s.yaml", LIMITS)
    monkeypatch.setattr(yamlsafe, "_FAST_LOADER", None)
    pure = load_yaml(text, "s.yaml", LIMITS)
    assert repr(fast) == repr(pure)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_raises_only_gradexplain_errors(text: str) -> None:
    with contextlib.suppress(GradexplainError):
        load_scenario_text(text, "fuzz.yaml", "yaml", LIMITS)


YAMLISH = st.text(alphabet=list("ab:-[]{},&*!|>?#'\"\n\t 01.e~<%@`\\x"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_yaml_like_text_raises_only_gradexplain_errors(text: str) -> None:
    with contextlib.suppress(GradexplainError):
        load_scenario_text(text, None, "yaml", LIMITS)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                    st.text(max_size=10), st.sampled_from(["ones_like", "float32", "cpu"]))
KEYS = st.sampled_from(["name", "tensors", "steps", "expression", "x", "ones", "full", "fill",
                        "arange", "eye", "expect", "grads", "calls", "error", "kind", "repeat",
                        "value", "dtype", "linspace", "notes", "prints", "device", "seed"])
DOCS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(KEYS, st.integers(0, 3)), inner,
                                                 max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, DOCS, max_size=6))
def test_structured_documents_raise_only_gradexplain_errors(doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc)
    with contextlib.suppress(GradexplainError):
        load_scenario_text(text, None, "yaml", LIMITS)
