"""Indentation mistakes in YAML scenarios (issue 16 case 10): each says what is wrong, where
(file:line:col), and where to indent it, in English and Chinese, with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.limits import Limits
from gradexplain.scenario.loader import load_scenario_text
from gradexplain.shell.cli import app

runner = CliRunner()

HEAD = "name: a\ntensors:\n"
STEPS = "name: a\ntensors:\n  x:\n    value: [1., 2.]\n"

# (id, file text, line, col, English message part, English hint part, Chinese part)
CASES = [
    ("tensor_keys_at_tensor_indent", HEAD + "  x:\n  value: [1., 2.]\nexpression: x.sum()\n",
     4, 3, "value: is at the indent of the tensors, so YAML reads it as a tensor named value, "
     "but it is a key of tensor x", "indent it under x: `    value: [1., 2.]`",
     "但它是张量 x 的键"),
    ("unknown_key_at_tensor_indent", HEAD + "  x:\n  data: [1., 2.]\nexpression: x.sum()\n",
     4, 3, "x: (line 3) has nothing indented under it, so its value is null: line 4 is not "
     "under it", "indent it under x: if it belongs there, `    data: [1., 2.]`",
     "所以它的值是 `null`"),
    ("tensor_key_at_margin", HEAD + "  x:\nvalue: [1., 2.]\nexpression: x.sum()\n",
     4, 1, "value: is at the left margin, so YAML reads it as a top-level key, but it is a "
     "key of tensor x", "indent it under x: `    value: [1., 2.]`", "写在了最左边"),
    ("tensor_at_margin", HEAD + "x:\n  value: [1., 2.]\nexpression: x.sum()\n",
     3, 1, "tensor x: is at the left margin, so YAML reads it as a top-level key, not as a "
     "tensor", "indent it under tensors: `  x:`", "而不是张量"),
    ("tensor_key_after_keys", HEAD + "  x:\n    value: [1., 2.]\n    requires_grad: true\n"
     "  dtype: float64\nexpression: x.sum()\n",
     6, 3, "dtype: is at the indent of the tensors, so YAML reads it as a tensor named dtype",
     "indent it under x: `    dtype: float64`", "名为 dtype 的张量"),
    ("tabs", HEAD + "\tx:\n\t\tvalue: [1., 2.]\nexpression: x.sum()\n",
     3, 1, "line 3 is indented with a tab",
     "YAML indents with spaces only: replace the tab with spaces, e.g. `  x:`", "用 Tab 缩进"),
    ("tab_in_steps", STEPS + "steps: |\n  y = x * 2\n\tz = y.sum()\n",
     7, 1, "line 7 is indented with a tab", "replace the tab with spaces", "把 Tab 换成空格"),
    ("mixed_two_three", HEAD + "  x:\n    value: [1., 2.]\n   w:\n     value: [3., 4.]\n"
     "expression: (x * w).sum()\n",
     5, 4, "tensor w: (line 5) is indented 3 spaces, but the tensors above it are indented 2",
     "indent it under tensors: like x:, `  w:`", "缩进了 3 个空格"),
    ("mixed_four_two", HEAD + "    x:\n      value: [1., 2.]\n  w:\n      value: [3., 4.]\n"
     "expression: (x * w).sum()\n",
     5, 3, "line 5 is indented 2 spaces, but the entries above it under tensors: are "
     "indented 4 (line 3)", "indent it under tensors: like line 3, `    w:`", "缩进了 2 个空格"),
    ("keys_uneven", HEAD + "  x:\n    value: [1., 2.]\n      requires_grad: true\n"
     "expression: x.sum()\n",
     5, 7, "line 5 is indented under `value: [1., 2.]`, which already has a value",
     "indent it like line 4: `    requires_grad: true`", "已经有值了"),
    ("steps_block_under_indented", STEPS + "steps: |\n  y = x * 2\n z = y.sum()\n"
     "  z.backward()\n",
     7, 2, "line 7 is indented less than the first line of the `steps: |` block (line 6, "
     "2 spaces)", "indent it under steps: like the block's first line, `  z = y.sum()`",
     "缩进得少"),
    ("steps_block_at_margin", STEPS + "steps: |\ny = x * 2\ny.sum().backward()\n",
     6, 1, "line 6 is at the left margin, so the `steps: |` block of line 5 is empty",
     "indent it under steps: `  y = x * 2`", "文本块是空的"),
    ("steps_block_line_at_margin", STEPS + "steps: |\n  y = x * 2\nz = y.sum()\n"
     "  z.backward()\n",
     7, 1, "line 7 is at the left margin, so it ends the `steps: |` block of line 5",
     "indent it under steps: like the block's other lines, `  z = y.sum()`", "文本块在它之前"),
    ("expect_key_at_margin", STEPS + "expression: x.sum()\nexpect:\ngrads:\n  x: [1., 1.]\n",
     7, 1, "grads: is at the left margin, so YAML reads it as a top-level key, but it is a "
     "key of expect", "indent it under expect: `  grads:`", "`expect:` 的键"),
    ("expect_items_not_indented", STEPS + "expression: x.sum()\nexpect:\n  grads:\n"
     "  x: [1., 1.]\n",
     8, 3, "x: is at the indent of grads:, so YAML reads it as a key of expect instead of a "
     "key under it", "indent it under grads: `    x: [1., 1.]`", "而不是它下面的键"),
    ("expect_grads_uneven", STEPS + "expression: x.sum()\nexpect:\n  grads:\n"
     "    x: [1., 1.]\n   w: [1.]\n",
     9, 4, "line 9 is indented 3 spaces, but the entries above it under grads: are indented "
     "4 (line 8)", "indent it under grads: like line 8, `    w: [1.]`", "grads: 下面前面的条目"),
    ("dash_pushed_right", STEPS + "steps:\n- y = x * 2\n  - y.sum().backward()\n",
     7, 3, "the `-` of line 7 is at column 3, but the items above it start at column 1 "
     "(line 6), so YAML reads it as more text of the item above",
     "put every `-` of steps: in the same column: `- y.sum().backward()`", "后续文字"),
    ("dash_pulled_left", STEPS + "steps:\n  - y = x * 2\n - y.sum().backward()\n",
     7, 2, "the `-` of line 7 is at column 2, but the items above it start at column 3 "
     "(line 6)", "put every `-` of steps: in the same column: `  - y.sum().backward()`",
     "都在同一列"),
    ("expression_under_tensors", HEAD + "  x:\n    value: [1., 2.]\n  expression: x.sum()\n",
     5, 3, "expression: is indented under tensors:, so YAML reads it as part of tensors, but "
     "it is a top-level key", "write it at the left margin: `expression: x.sum()`",
     "但它是顶层的键"),
    ("top_key_indented", "name: a\n  tensors:\n  x: [1., 2.]\nexpression: x.sum()\n",
     2, 3, "tensors: is indented under `name: a`, which already has a value, but it is a "
     "top-level key", "write it at the left margin: `tensors:`", "已经有值了"),
]


@pytest.mark.parametrize(("text", "line", "col", "message", "hint", "chinese"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_indentation_mistake_is_named_with_its_place(
        tmp_path: Path, text: str, line: int, col: int, message: str, hint: str,
        chinese: str) -> None:
    path = tmp_path / "lesson.yaml"
    path.write_text(text, encoding="utf-8")
    for lang in ("en", "zh"):
        result = runner.invoke(app, ["run", str(path), "--lang", lang, "--width", "400"])
        out = result.stdout + (result.stderr if result.stderr_bytes else "")
        assert result.exit_code == 2, out
        assert "Traceback" not in out
        assert f"lesson.yaml:{line}:{col}:" in out, out
        if lang == "en":
            assert message in out and hint in out, out
        else:
            assert chinese in out, out
            for english in ("is at", "indented", "reads it", "left margin", "belongs"):
                assert english not in out, out
            spec = hint.rsplit("`", 2)[-2] if hint.endswith("`") else None
            if spec is not None:  # the example keeps its indent in Chinese too
                assert f"`{spec}`" in out, out


def test_every_case_is_also_refused_by_the_library() -> None:
    from gradexplain.errors import GradexplainError

    for name, text, line, col, message, _, _ in CASES:
        with pytest.raises(GradexplainError) as caught:
            load_scenario_text(text, "lesson.yaml", "yaml", Limits())
        error = caught.value
        assert error.kind == "invalid_scenario", name
        assert error.location is not None
        assert (error.location.line, error.location.col) == (line, col), name
        assert message in error.message, name


def test_a_valid_file_with_a_list_is_not_touched() -> None:
    scenario = load_scenario_text(STEPS + "steps:\n- y = x * 2\n- y.sum().backward()\n",
                                  "ok.yaml", "yaml", Limits())
    assert len(scenario.steps or ()) == 2
    scenario = load_scenario_text(STEPS + "steps: |\n  y = x * 2\n\n  y.sum().backward()\n",
                                  "ok.yaml", "yaml", Limits())
    assert scenario.steps


def test_a_misspelled_top_level_key_still_gets_did_you_mean() -> None:
    from gradexplain.errors import GradexplainError

    with pytest.raises(GradexplainError) as caught:
        load_scenario_text(STEPS + "expresion: x.sum()\n", "t.yaml", "yaml", Limits())
    assert "did you mean 'expression'" in caught.value.message
