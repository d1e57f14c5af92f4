"""Every input-error sentence in the source has its Chinese in explain/catalogue_input.

The sentences are found the way a translator's tool would: the string and f-string
arguments of the calls that raise input errors, with each `{...}` filled by a sample.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from gradexplain.explain.input_errors import translate_hint, translate_message

sys.path.insert(0, str(Path(__file__).parent))
from zh_check import english_words

SOURCE = Path(__file__).resolve().parents[1] / "src" / "gradexplain"
# The calls that raise an input error, and the option errors of the command line (Click's
# BadParameter) and of the notebook magic (IPython's UsageError).
RAISERS = {"invalid", "not_allowed", "fail", "GradexplainError", "BadParameter", "UsageError"}
SAMPLE = "q7"  # a placeholder's stand-in: code, a key or a number


def _sample(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # {x!r} is the value in quotes
        return "".join(v.value if isinstance(v, ast.Constant)
                       else f"'{SAMPLE}'" if isinstance(v, ast.FormattedValue)
                       and v.conversion == ord("r") else SAMPLE for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None or right is None else left + right
    return None


def _sentences() -> list[tuple[str, str, str]]:
    """(where, "message" or "hint", sample text) for every literal the raisers get."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in RAISERS:
                continue
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            texts = [("message", a) for a in node.args] + [
                ("hint", k.value) for k in node.keywords if k.arg == "hint"]
            for role, arg in texts:
                text = _sample(arg)
                if text and " " in text.strip() and not text.startswith(SAMPLE + ": " + SAMPLE):
                    found.append((where, role, text))
    return found


SENTENCES = _sentences()


def test_the_scan_finds_the_sentences() -> None:
    assert len(SENTENCES) > 100


@pytest.mark.parametrize(("where", "role", "text"), SENTENCES,
                         ids=[f"{w}-{r}" for w, r, _ in SENTENCES])
def test_sentence_has_chinese(where: str, role: str, text: str) -> None:
    text = text.replace("; " + SAMPLE, "")  # a whole second sentence passed in: its own test
    chinese = translate_message(text, "zh") or translate_hint(text, "zh")
    assert chinese is not None, f"{where}: add {text!r} to explain/catalogue_input.py"
    assert chinese.count(SAMPLE) == text.count(SAMPLE), (text, chinese)
    assert english_words(chinese, {SAMPLE}) == [], chinese


@pytest.mark.parametrize("key", ["expression", "statement", "tensor", "steps"])
def test_suggested_keys_stay_as_written(key: str) -> None:
    """A did-you-mean names the key the file must contain, never its translation."""
    chinese = translate_message(f"unknown key 'q7' at line 3; did you mean '{key}'?", "zh")
    assert chinese is not None
    assert f"'{key}'" in chinese


@pytest.mark.parametrize(("limit", "value", "maximum", "chinese_what"), [
    ("max_seconds", 1.5, 1, "运行时间"),
    ("max_memory", 700_000_000, 600_000_000, "内存"),
])
def test_a_stopped_run_is_said_in_the_past_tense_in_both_languages(
        limit: str, value: float, maximum: int, chinese_what: str) -> None:
    """A budget the parent enforced by killing the run: the value was reached (not "would
    be"), and the Chinese has no English left."""
    from gradexplain.limits import stopped

    error = stopped(limit, value, maximum, None, "b = a @ a")
    assert error.message.endswith(f"reached {value}, over the limit of {maximum}")
    assert "would be" not in error.message and "(the run was stopped)" not in error.message
    assert error.facts["stopped"] is True and error.facts["statement"] == "b = a @ a"
    chinese = translate_message(error.message, "zh")
    assert chinese is not None and chinese_what in chinese
    assert f"达到了 {value}，超过了上限 {maximum}" in chinese
    assert "reached" not in chinese and "limit" not in chinese
