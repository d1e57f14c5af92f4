"""Did-you-mean for misspelled torch functions, nn layers, optimizers and tensor attributes
(issue 16 case 6): an `unknown_name` naming the closest real name, never a security refusal,
in English and Chinese. Swapped letters count as one typo (`rleu` is `relu`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradexplain.language.typos import suggest
from gradexplain.shell.cli import app

runner = CliRunner()
SETUP = "import torch\nimport torch.nn.functional as F\nx = torch.tensor([1., 2.], " \
    "requires_grad=True)\n"

CASES = [
    ("y = F.rleu(x)", "`F` (torch.nn.functional) has no attribute `rleu`", "`F.relu`"),
    ("layer = torch.nn.Linaer(2, 1)", "`torch.nn` has no attribute `Linaer`",
     "`torch.nn.Linear`"),
    ("opt = torch.optim.SDG([x], lr=0.1)", "`torch.optim` has no attribute `SDG`",
     "`torch.optim.SGD`"),
    ("y = torch.sigmod(x)", "`torch` has no attribute `sigmod`", "`torch.sigmoid`"),
    ("y = x.sqaure()", "a tensor has no attribute `sqaure`", "`square`"),
    ("print(x.requires_gard)", "a tensor has no attribute `requires_gard`",
     "`requires_grad`"),
    ("(x * x).sum().backwards()", "a tensor has no attribute `backwards`", "`backward`"),
    ("with torch.no_gard():\n    y = x * 2", "`torch` has no attribute `no_gard`",
     "`torch.no_grad`"),
]


@pytest.mark.parametrize(("line", "message", "suggestion"), CASES,
                         ids=[c[0].split("(")[0] for c in CASES])
def test_misspelling_gets_did_you_mean(tmp_path: Path, line: str, message: str,
                                       suggestion: str) -> None:
    path = tmp_path / "typo.py"
    path.write_text(SETUP + line + "\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "unknown_name"
    assert error["message"] == f"{message}; did you mean {suggestion}?"
    assert error["fix"] == f"Did you mean {suggestion}?"
    assert error["line"] == 4
    zh = json.loads(runner.invoke(app, ["run", str(path), "--format", "json", "--lang",
                                        "zh"]).stdout)["error"]
    assert zh["fix"] == f"你是不是想写 {suggestion}？"
    text = runner.invoke(app, ["run", str(path), "--width", "200"]).stdout
    assert "?." not in text and "allowlist" not in text


def test_one_edit_is_close_but_a_different_word_is_not() -> None:
    assert suggest("rleu", ["relu", "selu"]) == "relu"
    assert suggest("Linaer", ["Linear", "Bilinear"]) == "Linear"
    assert suggest("SDG", ["SGD", "Adam"]) == "SGD"
    assert suggest("foo", ["floor", "relu"]) is None
    assert suggest("ab", ["ba"]) is None  # too short to call a swap a typo


def test_a_did_you_mean_hint_is_not_followed_by_a_full_stop(tmp_path: Path) -> None:
    # a refusal that is not a typo still ends its did-you-mean with one question mark
    path = tmp_path / "refused.py"
    path.write_text("import torch\ny = torch.nn.functional.rleu_(torch.ones(2))\n",
                    encoding="utf-8")
    out = runner.invoke(app, ["run", str(path), "--width", "200"]).stdout
    assert "?." not in out


def test_a_name_in_the_wrong_case_gets_did_you_mean(tmp_path: Path) -> None:
    short = tmp_path / "case.yaml"
    short.write_text("name: k\ntensors:\n  x: [1., 2.]\nexpression: X.sum()\n",
                     encoding="utf-8")
    error = json.loads(runner.invoke(app, ["run", str(short), "--format", "json"]).stdout)[
        "error"]
    assert error["kind"] == "unknown_name" and error["fix"].startswith("Did you mean `x`?")
    assert (error["line"], error["col"]) == (4, 13)
    code = tmp_path / "case.py"
    code.write_text("import torch\nW = torch.ones(2, requires_grad=True)\n"
                    "(w * 2).sum().backward()\n", encoding="utf-8")
    zh = json.loads(runner.invoke(app, ["run", str(code), "--format", "json", "--lang",
                                        "zh"]).stdout)["error"]
    assert zh["fix"].startswith("你是不是想写 `W`？")


@pytest.mark.parametrize(("text", "typo", "meant"), [
    ("tensors:\n  x:\n    value: [1., 2.]\n    requires_grd: true\nexpression: x.sum()\n",
     "requires_grd", "requires_grad"),
    ("seeds: 3\ntensors:\n  x: [1., 2.]\nexpression: x.sum()\n", "seeds", "seed"),
    ("tensors:\n  x: [1., 2.]\nexpression: x.sum()\nexpect:\n  eror:\n    kind: x\n", "eror",
     "error"),
    ("tensors:\n  x: [1., 2.]\nexpression: x.sum()\nretain_grpah: true\n", "retain_grpah",
     "retain_graph"),
])
def test_yaml_key_typos_get_did_you_mean(tmp_path: Path, text: str, typo: str,
                                         meant: str) -> None:
    path = tmp_path / "k.yaml"
    path.write_text("name: k\n" + text, encoding="utf-8")
    for lang, wanted in (("en", f"did you mean '{meant}'?"), ("zh", f"'{meant}'")):
        result = runner.invoke(app, ["run", str(path), "--lang", lang, "--width", "300"])
        assert result.exit_code == 2
        assert f"'{typo}'" in result.output and wanted in result.output, result.output
