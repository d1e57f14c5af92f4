"""Chinese everywhere: the language choice, golden Chinese screens, and no English sentence
in what `--lang zh` shows for any bundled scenario (run and compare).

Regenerate the golden files with `GRADEXPLAIN_REGEN_GOLDEN=1 pytest tests/test_chinese.py`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.explain.languages import choose, from_environment, normalize
from gradexplain.scenario.bundled import bundled_names
from gradexplain.shell.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from english_check import english_runs

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("GRADEXPLAIN_REGEN_GOLDEN", "") != ""
WIDTH = 100
runner = CliRunner()
NAMES = bundled_names()


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
    width = [] if args[0] == "repl" or "--width" in args else ["--width", str(WIDTH)]
    result = runner.invoke(app, [*args, *width], input=stdin,
                           env={"NO_COLOR": "1", "COLUMNS": str(WIDTH), **(env or {})})
    assert result.exit_code in (0, 1), result.output
    return result.output


# --- choosing the language --------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["zh", "ZH", "zh-CN", "zh_CN", "zh-Hans", "cn", "CN",
                                      "zh_CN.UTF-8", "zh_TW.UTF-8", "zh-hans"])
def test_chinese_spellings(spelling: str) -> None:
    assert normalize(spelling) == "zh"
    assert choose(spelling) == "zh"


@pytest.mark.parametrize("spelling", ["en", "EN", "en_US.UTF-8", "C", "POSIX", "en-GB"])
def test_english_spellings(spelling: str) -> None:
    assert choose(spelling) == "en"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        choose("fr")
    result = runner.invoke(app, ["run", "accumulation", "--lang", "fr"])
    assert result.exit_code == 2
    assert "unknown language 'fr'" in result.output


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
    ({"LC_ALL": "zh_SG.UTF-8"}, "zh"),
    ({"GRADEXPLAIN_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"GRADEXPLAIN_LANG": "cn", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
])
def test_language_from_environment(env: dict[str, str], lang: str) -> None:
    assert from_environment(env) == lang


def test_lang_zh_cn_locale_switches_the_cli() -> None:
    out = invoke("run", "accumulation", env={"LANG": "zh_CN.UTF-8"})
    assert "反向传播调用" in out and "Backward calls" not in out
    assert invoke("run", "accumulation", "--lang", "en",
                  env={"LANG": "zh_CN.UTF-8"}).count("Backward calls") == 1


def test_description_in_the_chosen_language_only() -> None:
    zh = invoke("run", "accumulation", "--lang", "zh")
    en = invoke("run", "accumulation", "--lang", "en")
    assert "梯度会累加" in zh and "Gradients add up" not in zh
    assert "Gradients add up" in en and "梯度会累加" not in en


def test_json_keeps_chinese_readable() -> None:
    result = runner.invoke(app, ["run", "accumulation", "--lang", "zh", "--format", "json"])
    assert "\\u" not in result.stdout and "梯度" in result.stdout
    obj = json.loads(result.stdout)
    assert obj["scenario"]["description"].startswith("梯度会累加")


# --- no English sentence ----------------------------------------------------------------------

def _no_english(text: str) -> None:
    runs = english_runs(text)
    assert not runs, f"English in the Chinese output: {runs}\n{text}"


def test_the_checker_finds_english() -> None:
    assert english_runs("说明：this call stopped the run") == ["this call stopped the run"]
    assert english_runs("原始报错：mat1 and mat2 shapes cannot be multiplied") == []
    assert english_runs("用 `x.grad.zero_() between calls` 清零") == []
    assert english_runs('只能对标量（"grad can be implicitly created"）') == []
    assert english_runs("x      [2, 2]   float32    cpu    True       True       None") == []


@pytest.mark.parametrize("name", NAMES)
def test_run_shows_no_english_sentence(name: str) -> None:
    _no_english(invoke("run", name, "--lang", "zh", "--width", "1000"))


@pytest.mark.parametrize("name", NAMES)
def test_compare_shows_no_english_sentence(name: str) -> None:
    _no_english(invoke("compare", name, "--zero-grad", "--lang", "zh", "--width", "1000"))
    _no_english(invoke("compare", name, "--retain-graph", "--lang", "zh", "--width", "1000"))


def test_deeper_views_and_lists_show_no_english_sentence() -> None:
    _no_english(invoke("run", "accumulation", "retain_graph", "--graph", "--jacobian",
                       "--check-numeric", "--lang", "zh", "--width", "1000"))
    _no_english(invoke("compare", "broadcast_sum", "broadcast_mean", "--lang", "zh",
                       "--width", "1000"))
    _no_english(invoke("run", "--lang", "zh"))


def test_repl_shows_no_english_sentence() -> None:
    steps = ("x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward()\n"
             ":grads\n:help\n:graph nosuch\nx.foo\nimport ctypes\nnosuch + 1\n:nope\n:zero\n")
    _no_english(invoke("repl", "--lang", "zh", stdin=steps))


# --- golden screens ---------------------------------------------------------------------------

SCREENS = {
    "zh_run_accumulation": ("run", "accumulation", "--lang", "zh"),
    "zh_run_freed_graph": ("run", "retain_graph", "--lang", "zh"),
    "zh_run_shape_error": ("run", "mm_shape_error", "--lang", "zh"),
    "zh_compare_zero_grad": ("compare", "accumulation", "--zero-grad", "--lang", "zh"),
}


def _stable(text: str) -> str:
    """Paths and versions differ between machines: the golden files leave them out."""
    root = str(Path(__file__).resolve().parents[1])
    lines = [line for line in text.replace(root, "<root>").splitlines()
             if "· torch " not in line and not line.startswith("(<root>")]
    # A box line's padding depends on the path's length: keep one space before the border.
    return "\n".join(re.sub(r" +│$", " │", line.rstrip()) for line in lines) + "\n"


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_golden_chinese_screen(name: str) -> None:
    text = _stable(invoke(*SCREENS[name]))
    path = GOLDEN / f"{name}.txt"
    if REGEN or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_golden_repl_banner_and_help() -> None:
    from gradexplain.explain.catalogue_repl import PHRASES

    assert PHRASES["zh"]["banner"] == ("gradexplain repl：输入语句即可运行，:help 查看命令，"
                                       "Ctrl-D 退出。")
    text = _stable(invoke("repl", "--lang", "zh", stdin=":help\n"))
    path = GOLDEN / "zh_repl_help.txt"
    if REGEN or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
