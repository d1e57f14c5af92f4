"""Issue 16: the explanations a new learner meets, each pinned to its corrected wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from gradexplain.shell.cli import app

runner = CliRunner()
HERE = Path(__file__).parent / "learner"


def run(*args: str) -> Any:
    return runner.invoke(app, [*args], catch_exceptions=False)


def run_json(*args: str) -> dict[str, Any]:
    result = run("run", *args, "--format", "json")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def plain(*args: str) -> str:
    result = run(*args, "--width", "100")
    text: str = result.stdout
    return " ".join(text.split())  # wrapping is not what these tests are about


# 1. compare of two files: accumulation, not "sum vs mean" -----------------------------------

def test_compare_two_files_explains_accumulation() -> None:
    out = plain("compare", str(HERE / "accum.py"), str(HERE / "zeroed.py"))
    assert "In A, x.grad already held 4.5 from earlier calls and this call added 18 on top" \
        in out
    assert "in B x.grad was empty or zeroed before this call" in out
    assert "accumulation, not a different formula" in out
    assert "mean" not in out and "× 0.8" not in out


def test_compare_two_files_accumulation_either_side_in_chinese() -> None:
    out = plain("compare", str(HERE / "zeroed.py"), str(HERE / "accum.py"), "--lang", "zh")
    assert "B 中，x.grad 里已经有之前调用留下的 4.5" in out and "；A 中，这次调用之前" in out
    assert "梯度累加" in out


# 2. graph_rebuilt names the parameter and knows the loop zeroes it ------------------------

def test_graph_rebuilt_names_w_and_sees_the_zeroing() -> None:
    notes = [n for n in run_json("training_loop")["notes"] if n["kind"] == "graph_rebuilt"]
    assert len(notes) == 1
    text = notes[0]["text"]
    assert "`w`" in text and "zeroed before each later call" in text
    assert "x.grad" not in text and "`x`" not in text
    assert notes[0]["facts"]["leaves"] == ["w"] and notes[0]["facts"]["zeroed"] is True


def test_graph_rebuilt_without_zeroing_tells_to_zero_the_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, "loop.py", "w = torch.tensor(1.0, requires_grad=True)\n"
                 "x = torch.tensor([1., 2.])\nfor i in range(2):\n"
                 "    loss = (w * x).sum()\n    loss.backward()\n")
    for lang, wanted in (("en", "The gradients of `w` still accumulate"),
                         ("zh", "`w` 的梯度仍会在迭代之间累加")):
        note = next(n for n in run_json(path, "--lang", lang)["notes"]
                    if n["kind"] == "graph_rebuilt")
        assert wanted in note["text"] and "`w.grad.zero_()`" in note["text"]
        assert "x.grad" not in note["text"]


# 4. one "not reached" representation ------------------------------------------------------

NOT_REACHED = ("a = torch.ones(1, 2, requires_grad=True)\nb = torch.ones(2, requires_grad=True)\n"
               "b.sum().backward()\n(a * b).sum().backward()\nb.sum().backward()\n")


def test_not_reached_is_null_and_listed_in_json(tmp_path: Path) -> None:
    calls = run_json(write(tmp_path, "nr.py", NOT_REACHED))["calls"]
    assert calls[0]["added"]["a"] is None and calls[0]["not_reached"] == ["a"]
    assert calls[1]["not_reached"] == [] and calls[1]["added"]["a"] == [[1.0, 1.0]]
    # a already holds a grad: the third call still did not reach it
    assert calls[2]["added"]["a"] is None and calls[2]["not_reached"] == ["a"]
    assert calls[2]["after"]["a"] == [[1.0, 1.0]]


def test_not_reached_in_the_table(tmp_path: Path) -> None:
    out = run("run", write(tmp_path, "nr.py", NOT_REACHED), "--width", "100").stdout
    ledger_rows = [line for line in out.splitlines() if line.startswith("  a ")]
    assert len(ledger_rows) == 3
    assert "not reached" in ledger_rows[0] and "not reached" in ledger_rows[2]
    assert "not reached" not in ledger_rows[1]
    zh = run("run", write(tmp_path, "nr.py", NOT_REACHED), "--lang", "zh").stdout
    assert zh.count("未参与") == 2


# 3. tensors print as PyTorch prints them ---------------------------------------------------

def test_small_tensors_are_shown_whole_as_torch_does(tmp_path: Path) -> None:
    path = write(tmp_path, "t.py", "x = torch.arange(7.)\n")
    for width in ("80", "120", "160"):
        out = run("run", path, "--width", width).stdout
        assert "[0., 1., 2., 3., 4., 5., 6.]" in out and "..." not in out, width


def test_relu_check_numeric_shows_the_element_the_note_is_about() -> None:
    out = run("run", "relu_grad", "--check-numeric", "--width", "160").stdout
    assert "..." not in out
    numeric_row = next(line for line in out.splitlines() if "disagrees" in line)
    # x = 0 is the fifth element: numeric 0.5 there, autograd 0
    assert "[0.0000, 0.0000, 0.0000, 0.0000, 0.5000, 1.0000, 1.0000, 1.0000]" in numeric_row
    assert "[0., 0., 0., 0., 0., 1., 1., 1.]" in numeric_row
    assert "0.0000" in out.split("Tensors")[1].split("Backward calls")[0]


def test_only_a_narrow_terminal_or_a_big_tensor_shows_edges(tmp_path: Path) -> None:
    path = write(tmp_path, "t.py", "x = torch.arange(100.)\ny = torch.arange(1001.)\n")
    wide = run("run", path, "--width", "200").stdout
    assert "99." in wide and " 50.," in wide  # all 100 elements (wrapped, as torch does)
    assert "...," in wide.split("\ny ")[1]  # over torch's threshold: edges only
    narrow = run("run", path, "--width", "60").stdout
    assert " 50.," not in narrow and "...," in narrow


# 5. non_leaf_grad: from an expect too, naming every leaf once -----------------------------

def test_expect_on_a_views_grad_explains_non_leaf() -> None:
    data = run_json(str(HERE / "view_expect.yaml"))
    kinds = [n["kind"] for n in data["notes"]]
    assert kinds.count("non_leaf_grad") == 1
    assert data["expectations"][0]["text"] == (
        "x.grad at the end: expected [[1.0, 3.0]], got None: x is not a leaf, so backward() "
        "does not keep its gradient (see the non_leaf_grad note)")
    zh = run_json(str(HERE / "view_expect.yaml"), "--lang", "zh")
    assert "x 不是叶子节点" in zh["expectations"][0]["text"]


def test_mm_example_non_leaf_note_names_every_leaf_once() -> None:
    path = str(Path(__file__).parent / "seed_blocks" / "09_mm_grad_tensors.py")
    note = next(n for n in run_json(path)["notes"] if n["kind"] == "non_leaf_grad")
    text = note["text"]
    assert "in call 1 they are the unnamed leaf behind `x` and `y`" in text
    assert text.count("torch.tensor([2., 1.], requires_grad=True)") == 2  # made by, base =
    assert text.count("here they are") == 0
    zh = next(n for n in run_json(path, "--lang", "zh")["notes"] if n["kind"] == "non_leaf_grad")
    assert "第 1 次调用中的叶子节点是 `x` 背后那个没有名字的叶子节点和 `y`" in zh["text"]


# 12. noise --------------------------------------------------------------------------------

def test_inline_code_is_never_broken_across_lines() -> None:
    path = str(Path(__file__).parent / "seed_blocks" / "09_mm_grad_tensors.py")
    for lang in ("en", "zh"):
        for width in ("80", "100", "120"):
            out = run("run", path, "--width", width, "--lang", lang).stdout
            notes = out.split("non_leaf_grad")[1]
            assert "`torch.tensor([2., 1.], requires_grad=True)`" in notes, (lang, width)
            assert "`base = torch.tensor([2., 1.], requires_grad=True)`" in notes


def test_plain_output_has_no_trailing_spaces(tmp_path: Path) -> None:
    for args in (("run", "relu_grad", "--check-numeric"), ("run", "accumulation", "--lang", "zh"),
                 ("compare", "accumulation", "--zero-grad")):
        out = run(*args, "--width", "100").stdout
        assert out and not [line for line in out.splitlines() if line.endswith(" ")], args
    target = tmp_path / "run.txt"
    run("run", "accumulation", "--export", str(target))
    assert " \n" not in target.read_text(encoding="utf-8")


# 6. typos get did-you-mean, not a security refusal ----------------------------------------

TYPOS = [
    ("y = x.grd\n", "a tensor has no attribute `grd`; did you mean `grad`?", "`grad`"),
    ("y = torch.sinn(x)\n", "`torch` has no attribute `sinn`; did you mean `torch.sin`?",
     "`torch.sin`"),
    ("y = F.rellu(x)\n", "`F` (torch.nn.functional) has no attribute `rellu`; did you mean "
     "`F.relu`?", "`F.relu`"),
    ("prnt(x)\n", "name 'prnt' is not defined", "`print`"),
]


def test_typos_get_did_you_mean(tmp_path: Path) -> None:
    for line, message, fix in TYPOS:
        path = write(tmp_path, "typo.py", "x = torch.ones(2, requires_grad=True)\n" + line)
        for lang in ("en", "zh"):
            error = run_json(path, "--lang", lang)["error"]
            assert error["kind"] == "unknown_name" and error["message"] == message, line
            assert fix in error["fix"] and "allowlist" not in error["explanation"]
            assert "outside" not in error["explanation"]
        out = " ".join(run("run", path, "--width", "200").output.split())
        assert "not on the allowlist" not in out and message in out


def test_real_refusals_stay_refusals(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.py", "x = torch.ones(2)\ny = x.storage()\n")
    assert run_json(path)["error"]["kind"] == "not_allowed"


# 9. .py files never mention YAML entries --------------------------------------------------

def test_python_files_get_python_fixes(tmp_path: Path) -> None:
    cases = {
        "unknown.py": "x = torch.ones(2)\ny = xx + 1\n",
        "intgrad.py": "x = torch.tensor([1, 2], requires_grad=True)\n",
        "nograd.py": "x = torch.ones(2)\nout = (x * 2).sum()\nout.backward()\n",
    }
    for name, code in cases.items():
        for lang in ("en", "zh"):
            error = run_json(write(tmp_path, name, code), "--lang", lang)["error"]
            assert "tensors:" not in error["fix"] and "YAML" not in error["fix"], (name, lang)
    yaml = write(tmp_path, "intgrad.yaml", "steps:\n  - x = torch.tensor([1, 2], "
                 "requires_grad=True)\n")
    assert "YAML `tensors:` entry" in run_json(yaml)["error"]["fix"]


# 13. --export and --dot say where they wrote; HTML in the terminal's dark theme -------------

def test_export_and_dot_say_where_they_wrote(tmp_path: Path) -> None:
    html, dot = tmp_path / "run.html", tmp_path / "graph.dot"
    result = run("run", "accumulation", "--export", str(html), "--dot", str(dot))
    assert result.exit_code == 0
    assert f"gradexplain: wrote {html}\n" in result.stderr
    assert f"gradexplain: wrote the backward graph of 2 call(s) to {dot}\n" in result.stderr
    assert "wrote" not in result.stdout
    page = html.read_text(encoding="utf-8")
    assert "background-color: #292929" in page and "#ffffff" not in page
    assert "#00ff00" not in page
    compare = tmp_path / "cmp.svg"
    result = run("compare", "accumulation", "--zero-grad", "--export", str(compare))
    assert f"gradexplain: wrote {compare}\n" in result.stderr and compare.exists()


# 8. short form: the result is called `out` -------------------------------------------------

def test_short_form_grad_tensors_names_out() -> None:
    for lang, said, fix in (
            ("en", "In the short form the result of `expression:` is named `out`",
             "Write `grad_tensors: torch.ones_like(out)`."),
            ("zh", "在简写形式中，`expression:` 的结果名叫 `out`",
             "写成 `grad_tensors: torch.ones_like(out)`。")):
        error = run_json(str(HERE / "short_form_z.yaml"), "--lang", lang)["error"]
        assert error["kind"] == "unknown_name" and said in error["explanation"]
        assert error["fix"] == fix


# 9. grad_tensors shape errors point at grad_tensors:, int requires_grad at its real line ---

def test_short_form_shape_error_points_at_grad_tensors() -> None:
    error = run_json(str(HERE / "short_form_shape.yaml"))["error"]
    assert error["kind"] == "grad_shape_mismatch"
    assert error["line"] == 4 and error["statement"] == "grad_tensors: torch.ones(3)"
    assert error["fix"] == ("Give `grad_tensors:` the shape [2, 2] of `out`: "
                            "`grad_tensors: ones_like`, or one weight per element, e.g. "
                            "`grad_tensors: [[1, 1], [1, 1]]`.")
    assert "backward(" not in error["fix"]


def test_int_requires_grad_shows_the_real_line_and_torchs_words() -> None:
    error = run_json(str(HERE / "int_requires_grad.yaml"))["error"]
    assert error["kind"] == "non_float_requires_grad"
    assert error["line"] == 2 and error["statement"] == "x:"
    lines = (HERE / "int_requires_grad.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[error["line"] - 1].strip() == error["statement"]
    assert error["message"] == "only Tensors of floating point dtype can require gradients"


# 10. YAML indentation mistakes, in words --------------------------------------------------

def test_tensor_not_indented_says_indent_it_under_tensors() -> None:
    out = " ".join(run("run", str(HERE / "tensor_not_indented.yaml")).output.split())
    assert "tensor_not_indented.yaml:2:1: error[invalid_scenario]: tensor x: is at the left " \
        "margin, so YAML reads it as a top-level key, not as a tensor" in out
    assert "hint: indent it under tensors: ` x: [1., 2.]`" in out


def test_indentation_error_has_no_pyyaml_words() -> None:
    result = run("run", str(HERE / "tensor_over_indented.yaml"))
    out = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "tensor_over_indented.yaml:3:4: error[invalid_scenario]: line 3 is indented " \
        "under `x: [1., 2.]`, which already has a value" in out
    assert "hint: indent it like line 2: ` y: [1.]`" in out
    assert "<block" not in out and "expected <" not in out
