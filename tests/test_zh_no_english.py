"""No English left under `--lang zh` (issue 27): every template of every catalogue, and what
the tool shows in the terminal, the REPL, `--help`, option errors, the notebook and its
pictures, checked word by word (tests/zh_check.py says which English may stay: code,
values, PyTorch's quoted words, the identifiers a learner types).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.explain import (
    catalogue,
    catalogue_cli,
    catalogue_compare,
    catalogue_expect,
    catalogue_input,
    catalogue_repl,
    catalogue_ui,
)
from gradexplain.explain.input_errors import translate_message
from gradexplain.shell.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from zh_check import ascii_punctuation, english_words, identifiers

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _texts(where: str, table: object) -> Iterator[tuple[str, str]]:
    if isinstance(table, dict):
        for key, value in table.items():
            yield from _texts(f"{where}.{key}", value)
    else:
        yield where, str(table)


CHINESE_TABLES = {
    "ERRORS": catalogue.ERRORS["zh"], "NOTES": catalogue.NOTES["zh"],
    "LABELS": catalogue.LABELS["zh"], "COMMON": catalogue.COMMON["zh"],
    "LIMITS": catalogue.LIMITS["zh"], "UI": catalogue_ui.PHRASES["zh"],
    "REPL": catalogue_repl.PHRASES["zh"], "COMPARE": catalogue_compare.PHRASES["zh"],
    "EXPECT": catalogue_expect.PHRASES["zh"],
    **{name: getattr(catalogue_input, name) for name in (
        "MESSAGES", "HINTS", "WORDS", "KIND_FRAGMENTS", "REFUSED", "PYTHON", "YAML", "SYSTEM",
        "TARGETS", "YAML_TOKENS")},
    "CLI_HELP": catalogue_cli.HELP, "CLI_WORDS": catalogue_cli.WORDS,
}
TEMPLATES = [item for name, table in CHINESE_TABLES.items() for item in _texts(name, table)]


def test_every_table_is_scanned() -> None:
    assert len(TEMPLATES) > 900


@pytest.mark.parametrize(("where", "text"), TEMPLATES, ids=[w for w, _ in TEMPLATES])
def test_no_english_word_in_a_chinese_template(where: str, text: str) -> None:
    assert english_words(text) == [], where
    assert ascii_punctuation(text) == [], where


def test_the_check_finds_english_and_lets_the_allowed_kinds_through() -> None:
    assert english_words("• accumulated 第 2 次调用把梯度累加到了 `x.grad` 上") == [
        "accumulated (a note kind outside brackets)"]
    assert english_words("• 梯度累加（accumulated） 第 2 次调用") == []
    assert english_words("big  值  shape [200, 100]\n  min 2.  max 2.", {"big"}) == [
        "shape", "min", "max"]
    assert english_words("新的提示：accumulated（big）", {"big"}) == [
        "accumulated (a note kind outside brackets)"]
    assert english_words("这段代码不是合法的 Python 写法：invalid syntax") == ["invalid", "syntax"]
    assert english_words("原始报错：mat1 and mat2 shapes cannot be multiplied") == []
    assert english_words("缺少冒号（原文：“expected ':'”）") == []
    assert english_words("x      [2, 2]   float32    cpu    True       True       None") == []
    assert english_words("`loss.backward()`: 1000 backward calls (step 13)") == ["calls"]
    assert english_words("cell ────", ["x"]) == ["cell"]
    assert ascii_punctuation("已把 x, w, big 的梯度清零") == ["x, w"]
    assert ascii_punctuation("与之前的调用不同： 出现了 w #2; 新的提示") == ["2; 新"]
    assert ascii_punctuation("已把 x、w、big 的梯度清零；`f(a, b)` 与 [1, 2]") == []


# --- what the tool shows --------------------------------------------------------------------

def _allowed(*folders: str) -> set[str]:
    names: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).iterdir():
            if path.suffix in (".py", ".yaml", ".yml"):
                names |= identifiers(path.read_text(encoding="utf-8", errors="replace"))
                names.add(path.stem)
    return names


ALLOWED = _allowed("scenarios", "tests/corpus", "tests/learner")


def _shown(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    width = [] if args[0] in ("repl", "--help") or "--help" in args else ["--width", "100"]
    result = runner.invoke(app, [*args, *width], input=stdin,
                           env={"NO_COLOR": "1", "LANG": "zh_CN.UTF-8", **(env or {})})
    return result.output


def _clean(text: str, allowed: set[str] = ALLOWED) -> None:
    assert english_words(text, allowed) == [], text
    assert ascii_punctuation(text, lists=False) == [], text


@pytest.mark.parametrize("args", [
    ("run", "scenarios", "--graph", "--jacobian"),
    ("run", "tests/corpus", "--check-numeric"),
    ("run", "tests/learner"),
    ("run",),
    ("compare", "accumulation", "--zero-grad"),
    ("compare", "retain_graph", "--retain-graph", "--graph"),
    ("compare", "broadcast_sum", "broadcast_mean"),
    ("plot", "relu_plot"),
    ("plot", "torch.tanh(x) * x"),
], ids=" ".join)
def test_reports_in_chinese(args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _clean(_shown(*args))


LOOP = """import torch
w = torch.zeros(3, 1, requires_grad=True)
X = torch.ones(10, 3)
for i in range(300):
    loss = ((X @ w - 1) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
"""


def test_a_folded_loop_and_its_trends_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "loop.py"
    path.write_text(LOOP, encoding="utf-8")
    allowed = identifiers(LOOP) | {"loop"}
    _clean(_shown("run", str(path)), allowed)
    chart = _shown("plot", str(path), "--calls")
    _clean(chart, allowed)
    assert "次反向传播调用（第 6 步）" in chart and "调用序号" in chart


REPL_SESSION = """:help
x = torch.ones(2, 2, requires_grad=True)
out = (x * x).sum()
out.backward(retain_graph=True)
out.backward()
big = torch.randn(200, 100, requires_grad=True)
(big * 2).sum().backward()
(big * 2).sum().backward()
:grads
:tensors
:graph out
:graph nothere
:zero
w = torch.ones(3, requires_grad=True)
(w * torch.ones(2, 3)).sum().backward()
prnt(x)
import os
if x:
x = (1,
:sav
:save
:load
exit
help
clear
"""


def test_the_repl_in_chinese() -> None:
    shown = _shown("repl", "--lang", "zh", "--graph", stdin=REPL_SESSION)
    _clean(shown, identifiers(REPL_SESSION))
    assert "形状 [200, 100]" in shown and "最小值" in shown and "标准差" in shown
    assert "shape [" not in shown and "mean " not in shown
    assert "• 梯度累加（accumulated）" in shown
    assert "已把 x、big 的梯度清零" in shown


@pytest.mark.parametrize("command", ["", "run", "repl", "compare", "plot", "schema"])
def test_help_in_chinese(command: str) -> None:
    shown = _shown(*([command] if command else []), "--help")
    _clean(shown)
    assert shown.startswith("用法：") and "选项：" in shown


@pytest.mark.parametrize(("args", "said"), [
    (("run", "--lnag", "zh"), "错误：没有选项 --lnag（相近的选项：--lang）"),
    (("run", "--lang", "jp"), "错误：'--lang' 的值无效：无法识别的语言 'jp'；可用的有：en、zh"),
    (("runn",), "错误：没有命令 'runn'；是不是想输入 'run'？"),
    (("run", "--width", "x"), "错误：'--width' 的值无效：'x' 不是有效的整数。"),
    (("compare",), "错误：缺少参数 'path'。"),
    (("compare", "accumulation"), "请只选一种对比方式"),
    (("plot", "x", "--range", "1"), "错误：选项 '--range' 后面需要 2 个值。"),
    (("run", "--jobs", "0"), "0 不在允许的范围 x>=1 之内"),
    (("run", "--max-memory", "12Q"), "'12Q' 不是有效的大小"),
    (("plot", "x", "--output", "a.txt"), "文件名必须以 .png、.svg 或 .pdf 结尾"),
])
def test_option_errors_in_a_chinese_locale(args: tuple[str, ...], said: str) -> None:
    result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 2
    assert said in result.output
    assert result.output.startswith(("用法：", "错误："))
    _clean(result.output)


def test_the_bare_command_shows_the_chinese_help() -> None:
    result = runner.invoke(app, [], env={"NO_COLOR": "1", "LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 2
    assert result.output.startswith("用法：") and "命令：" in result.output
    _clean(result.output)


def test_option_errors_stay_as_click_says_them_in_english() -> None:
    result = runner.invoke(app, ["run", "--lnag", "zh"], env={"NO_COLOR": "1"})
    assert result.exit_code == 2
    assert "Error: No such option: --lnag (Possible options: --lang)" in result.output
    assert "Usage: " in result.output


@pytest.mark.parametrize(("source", "said"), [
    ("x = (1,\n", "'(' 没有配对的右括号（原文：“'(' was never closed”）"),
    ("if True:\n\tx = 1\n        y = 2\n", "缩进中混用了 Tab 和空格（原文："),
    ("x = 1，2\n", "无效字符 '，'（U+FF0C），可能是中文输入法打出的全角符号"),
    ("f() = 1\n", "不能给函数调用赋值"),
    ("if x\n", "这里缺少 ':'（原文：“expected ':'”）"),
    ("x = 1 2\n", "语法错误"),
])
def test_python_parser_messages_in_chinese(tmp_path: Path, source: str, said: str) -> None:
    path = tmp_path / "bad.py"
    path.write_text(source, encoding="utf-8")
    shown = _shown("run", str(path))
    assert _unwrapped(said) in _unwrapped(shown)
    _clean(shown, identifiers(source))


@pytest.mark.parametrize(("source", "said"), [
    ("steps:\n  - a: b: c\n", "这里不能再出现 ': '"),
    ("tensors:\n  x: [1, 2\n", "解析方括号列表 [...] 时（从第 2 行开始），这里应当是 ',' 或 ']'，"
                               "却遇到了文件结尾"),
    ("steps: `x`\n", "字符 '`' 不能出现在值的开头"),
])
def test_yaml_messages_in_chinese(tmp_path: Path, source: str, said: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(source, encoding="utf-8")
    shown = _shown("run", str(path))
    assert _unwrapped(said) in _unwrapped(shown)
    _clean(shown, identifiers(source))


def _unwrapped(text: str) -> str:
    """`text` without its line breaks and spaces: an input error wraps at the terminal's
    width, which the test does not fix."""
    return "".join(text.split())


def test_an_unknown_parser_message_is_quoted_after_chinese_words() -> None:
    said = translate_message("this code is not valid Python: a brand new complaint", "zh")
    assert said == "这段代码不是合法的 Python 写法：“a brand new complaint”"


# --- pictures -------------------------------------------------------------------------------

def test_every_picture_text_in_chinese() -> None:
    from gradexplain.app.plot_calls import trends_plot
    from gradexplain.record import ExpressionPlot, PlotLine, PlotRecord
    from gradexplain.record_groups import CallGroup, Trend
    from gradexplain.render.figures import calls_texts, expression_texts, scenario_texts

    expression = expression_texts(ExpressionPlot("torch.relu(x)", [0.0], [0.0], [0.0]), "zh")
    default_plot = PlotRecord("relu", "x", "value", PlotLine("x", [0.0]),
                              [PlotLine("x.grad", [1.0])])
    trend = Trend("loss", calls=3, first=1.0, last=0.1, low=0.1, high=1.0, points=[1, 0.5, 0.1])
    group = CallGroup(step=13, line=13, statement="loss.backward()", calls=3, first=1, last=3,
                      output=trend, tensors=[Trend("w", calls=3, first=1.0, last=0.1, low=0.1,
                                                   high=1.0, points=[1, 0.5, 0.1])])
    calls, values = trends_plot(group)
    texts = [*expression.all(), *scenario_texts(default_plot, "zh").all(),
             *calls_texts(calls, values, "zh").all()]
    for text in texts:
        assert english_words(text, {"loss", "w", "x"}) == [], texts
    assert calls_texts(calls, values, "zh").title == "loss.backward()：3 次反向传播调用（第 13 步）"
    assert "`" not in "".join(texts)  # code in a picture: no backticks


def test_dot_labels_in_chinese(tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    result = runner.invoke(app, ["run", "retain_graph", "--lang", "zh", "--dot", str(target)])
    assert result.exit_code == 0, result.output
    labels = re.findall(r'label="((?:[^"\\]|\\.)*)"', target.read_text(encoding="utf-8"))
    assert len(labels) > 5
    for label in labels:
        assert english_words(label.replace("\\n", "\n"), ALLOWED) == [], label


# --- the notebook and the API ---------------------------------------------------------------

def test_notebook_help_and_titles_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("IPython")
    from gradexplain.notebook import magic

    _clean(magic.help_text("zh"))
    shown: list[object] = []
    monkeypatch.setattr(magic, "_display", shown.append)
    monkeypatch.setenv("GRADEXPLAIN_LANG", "zh")
    magic.Magics({}).cell("", "x = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n"
                              "(x * 2).sum().backward()\nimport ctypes\n")
    (error,) = shown
    assert isinstance(error, magic.Shown)
    assert error.text.startswith("<单元格>:4:1: 错误[not_allowed]")
    _clean(error.text)


def test_the_api_takes_the_language_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gradexplain

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    record = gradexplain.run_code("x = torch.ones(2, requires_grad=True)\n"
                                  "(x * 2).sum().backward()\n")
    assert record.lang == "zh" and record.name == "代码"
    shown = gradexplain.render(record)
    assert shown.startswith("代码 ─") and "反向传播调用" in shown
    assert json.loads(gradexplain.render(record, "json"))["lang"] == "zh"
    monkeypatch.setenv("GRADEXPLAIN_LANG", "en")
    assert gradexplain.run_code("x = 1\n").lang == "en"
