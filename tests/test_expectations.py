"""`expect:` results read the same as before in English, and in Chinese with --lang zh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.explain.expectations import expectation_text
from gradexplain.record import ExpectationResult
from gradexplain.shell.cli import app

CHECKS = """\
name: checks
tensors:
  x: [1.0, 2.0]
steps: |
  y = (x * x).sum()
  y.backward(retain_graph=True)
  y.backward()
  print("hi")
expect:
  grads: {x: [4, 8], nope: 1}
  calls: {1: {x: [2, 4]}, 2: {x: [9, 9]}, 3: {x: 1}}
  values: {y: 5, zzz: 1}
  notes: [accumulated, broadcast_sum]
  prints: ["hi", "bye"]
  error: {kind: freed_graph, call: 2}
"""
STOPS = """\
name: stops
tensors:
  x: [1.0, 2.0]
steps: |
  y = (x * x).sum()
  y.backward()
  y.backward()
expect:
  grads: {x: [[1, 2]]}
  values: {y: null}
  error: {kind: non_scalar_backward}
"""

ENGLISH = [
    (True, "x.grad at the end = [4, 8]"),
    (False, "nope.grad: there is no tensor named 'nope'"),
    (True, "x.grad after call 1 = [2, 4]"),
    (False, "x.grad after call 2: expected [9, 9], got [4.0, 8.0]"),
    (False, "x.grad after call 3: there was no call 3"),
    (True, "y = 5"),
    (False, "zzz: there is no such name"),
    (False, "error freed_graph in call 2: expected, but the run finished without an error"),
    (True, "note accumulated appears"),
    (False, "note broadcast_sum was expected but did not appear"),
    (False, "print output 'bye' was expected but not printed (in order)"),
]


def _run(tmp_path: Path, text: str, lang: str) -> list[tuple[bool, str]]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--format", "json", "--lang", lang])
    return [(e["ok"], e["text"]) for e in json.loads(result.stdout)["expectations"]]


def test_english(tmp_path: Path) -> None:
    assert _run(tmp_path, CHECKS, "en") == ENGLISH
    assert _run(tmp_path, STOPS, "en") == [
        (False, "x.grad at the end: expected shape [1, 2], got [2]"),
        (False, "y: expected None, got 5"),
        (False, "error non_scalar_backward: expected, got freed_graph at step 3 in call 2"),
    ]


def test_chinese(tmp_path: Path) -> None:
    chinese = _run(tmp_path, CHECKS, "zh")
    assert [ok for ok, _ in chinese] == [ok for ok, _ in ENGLISH]
    assert chinese[2] == (True, "第 1 次调用后的 x.grad = [2, 4]")
    assert chinese[3] == (False, "第 2 次调用后的 x.grad：预期 [9, 9]，实际为 [4.0, 8.0]")
    assert chinese[7][1] == "预期在第 2 次调用时出现错误 [freed_graph]，但运行没有出错就结束了"
    assert all(not text.isascii() for ok, text in chinese if text not in ("y = 5",))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fixed_text_and_odd_facts(lang: str) -> None:
    assert expectation_text(ExpectationResult(True, "as written"), lang) == "as written"
    odd = ExpectationResult(False, "fallback", key="expected_got", facts={"what": "x"})
    assert expectation_text(odd, lang) == "fallback"
