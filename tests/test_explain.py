"""The explanation layer: catalogue coverage, every kind in both languages, shape rules."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

from gradexplain.errors import ERROR_KINDS, NOTE_KINDS
from gradexplain.explain import (
    ExplainedError,
    Report,
    catalogue,
    explain_error,
    explain_note,
    explain_run,
    explainer,
    format_value,
    label,
)
from gradexplain.explain.explainer import inplace_forms
from gradexplain.explain.values import add_keyword, format_number, operand
from gradexplain.record import CallRecord, ErrorInfo, NoteInfo, RunRecord

LANGS = ("en", "zh")
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"`[^`]*[(.=][^`]*`|^    \S", re.M)  # inline code that does something

# Full facts for each error kind, and what the texts must then contain (in both languages).
ERROR_CASES: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    # kind: (facts, in explanation, in fix)
    "non_scalar_backward": (
        {"output": "z", "shape": [2, 3], "numel": 6},
        ["`z`", "[2, 3]", "6"],
        ["z.backward(torch.ones_like(z))", "z.sum().backward()", "z.mean().backward()",
         "gradient=w", "6"],
    ),
    "freed_graph": (
        {"output": "out", "freed_by_call": 1, "freed_by_statement": "out.backward()",
         "in_loop": False},
        ["`out`", "1", "out.backward()", "retain_graph=True"],
        ["out.backward(retain_graph=True)"],
    ),
    "no_grad_fn": (
        {"output": "y", "reason": "no_requires_grad", "leaves": ["a"]},
        ["`y`", "`a`"],
        [".requires_grad_()", "requires_grad=True"],
    ),
    "grad_shape_mismatch": (
        {"output": "z", "output_shape": [1, 2], "grad_shape": [2]},
        ["`z`", "[1, 2]", "[2]"],
        ["z.backward(torch.ones_like(z))", "[1, 2]"],
    ),
    "inplace_modified": (
        {"tensor": "y", "op": "add_", "version": 2, "expected_version": 1, "shape": [3]},
        ["`y`", "[3]", "add_", "1", "2"],
        ["y = y.add(1)", "y.add_(1)", "y.clone()"],
    ),
    "leaf_inplace": (
        {"tensor": "x", "op": "+="},
        ["`x`", "+="],
        ["with torch.no_grad():", "x += 1", "x = x + 1"],
    ),
    "non_float_requires_grad": (
        {"tensor": "n", "dtype": "int64"},
        ["`n`", "int64"],
        ["torch.tensor([1., 2.], requires_grad=True)", "n.float()", "dtype: float32"],
    ),
    "shape_mismatch": (
        {"function": "mm", "shapes": [[2, 3], [2, 3]], "operands": ["a", "b"]},
        ["`a`", "`b`", "[2, 3]", "(m×n) @ (n×p) -> (m×p)", "3", "2"],
        ["torch.mm(a, b.t())", "[2, 2]"],
    ),
    "device_mismatch": (
        {"devices": ["cuda:0", "cpu"], "function": "mm"},
        ["cuda:0", "cpu", "`mm`"],
        ['.to(device="cuda:0")', "--device cpu"],
    ),
    "dtype_mismatch": (
        {"dtypes": ["float32", "int64"], "function": "mm"},
        ["float32", "int64", "`mm`"],
        [".to(torch.float32)", ".float()"],
    ),
    "unknown_name": (
        {"name": "xx", "suggestion": "x", "known": ["x", "y"]},
        ["`xx`", "`x`", "`y`"],
        ["`x`", "xx = ..."],
    ),
    "not_allowed": (
        {"what": "attribute '__class__'",
         "reason": "private and dunder attributes reach Python internals, the classic sandbox "
                   "escape"},
        ["'__class__'"],
        [],
    ),
    "limit_exceeded": (
        {"limit": "max_elements", "what": "elements in one tensor", "value": 100_000_000,
         "maximum": 16_777_216, "flag": "--max-elements"},
        ["100000000", "16777216"],
        ["--max-elements 100000000"],
    ),
    "invalid_scenario": ({}, ["MESSAGE"], []),
    "device_unavailable": (
        {"device": "cuda:3", "available": ["cpu", "cuda:0"]},
        ["cuda:3", "cuda:0"],
        ["--device cpu", "--device cuda:0"],
    ),
    "torch_error": ({}, ["MESSAGE"], []),
}

NOTE_CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "non_leaf_grad": (
        {"tensor": "a", "leaves": ["w", "x"], "grad_fn": "AddBackward0"},
        ["`a.grad`", "None", "`w`", "`x`", "AddBackward0", "a.retain_grad()"],
    ),
    "accumulated": (
        {"tensor": "x", "call": 2, "before": [[4.5, 4.5], [4.5, 4.5]],
         "added": [[18.0, 18.0], [18.0, 18.0]], "after": [[22.5, 22.5], [22.5, 22.5]]},
        ["`x.grad`", "2", "[[4.5, 4.5], [4.5, 4.5]] + [[18., 18.], [18., 18.]] = "
         "[[22.5, 22.5], [22.5, 22.5]]", "x.grad.zero_()"],
    ),
    "broadcast_sum": (
        {"tensor": "b", "leaf_shape": [3], "broadcast_shape": [2, 3], "positions": 2,
         "op": "a + b", "output": "out"},
        ["`b`", "[3]", "[2, 3]", "2", "a + b", "`out`", ".mean()", ".sum()"],
    ),
    "graph_rebuilt": (
        {"iterations": 3, "where": "loop"},
        ["3", "retain_graph=True", "zero_()"],
    ),
    "no_gradient": (
        {"tensor": "w", "call": 1, "output": "loss"},
        ["`w`", "`loss`", "1"],
    ),
    "non_finite_grad": (
        {"tensor": "x", "call": 1, "op": "sqrt", "value": "inf"},
        ["`x`", "1", "sqrt", "inf", "torch.sqrt(x + 1e-8)"],
    ),
    "hook_called": (
        {"tensor": "a", "kind": "register_hook", "before": [1.0], "after": [10.0], "count": 2},
        ["`a`", "register_hook", "[1.]", "[10.]", "2"],
    ),
    "optimizer_step": (
        {"optimizer": "SGD", "changed": [{"tensor": "w", "before": [1.0], "after": [0.5]}]},
        ["SGD", "`w`", "[1.]", "[0.5]", "None"],
    ),
    "custom_function": (
        {"function": "Exp", "saved": [[3]], "returned": [[3]]},
        ["Exp", "[3]", "ctx.save_for_backward"],
    ),
    "autograd_functional": (
        {"function": "jacobian", "inputs": [2], "result": [3, 2]},
        ["jacobian", "[3, 2]", "[2]"],
    ),
    "legacy_api": (
        {"api": "torch.autograd.Variable"},
        ["torch.autograd.Variable", "requires_grad"],
    ),
    "module_hook": (
        {"tensor": "net.fc", "kind": "register_forward_hook", "layer": "Linear",
         "received": [[[2, 3]], [2, 4]], "returned": [2, 4], "count": 3},
        ["`net.fc`", "register_forward_hook", "Linear", "[2, 3]", "[2, 4]", "3"],
    ),
    "data_loader_in_process": (
        {"num_workers": 4},
        ["num_workers=4"],
    ),
    "figure_not_saved": (
        {"file": "loss.png"},
        ["savefig('loss.png')"],
    ),
}


def _error(kind: str, facts: dict[str, Any], hint: str | None = None) -> ErrorInfo:
    return ErrorInfo(kind, "MESSAGE", step=3, line=4, statement="stmt", hint=hint, facts=facts)


# --- the catalogue -------------------------------------------------------------------------

def test_cases_cover_every_kind() -> None:
    assert set(ERROR_CASES) == set(ERROR_KINDS)
    assert set(NOTE_CASES) == set(NOTE_KINDS)


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_covers_exactly_the_kinds(lang: str) -> None:
    assert set(catalogue.ERRORS[lang]) == set(ERROR_KINDS)
    assert set(catalogue.NOTES[lang]) == set(NOTE_KINDS)
    for kind in ERROR_KINDS:
        for key in catalogue.ERROR_KEYS:
            assert catalogue.ERRORS[lang][kind][key].strip(), (kind, key)
    for kind in NOTE_KINDS:
        for key in catalogue.NOTE_KEYS:
            assert catalogue.NOTES[lang][kind][key].strip(), (kind, key)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# Fragments whose languages word the same fact differently (a negative vs a 1-based dim).
_FIELD_EXCEPTIONS = {("shape_mismatch", "broadcast_dim")}


@pytest.mark.parametrize("section", ["ERRORS", "NOTES"])
def test_languages_have_the_same_fragments_and_fields(section: str) -> None:
    en, zh = getattr(catalogue, section)["en"], getattr(catalogue, section)["zh"]
    for kind in en:
        assert set(en[kind]) == set(zh[kind]), kind
        for key, template in en[kind].items():
            if (kind, key) not in _FIELD_EXCEPTIONS:
                assert _fields(template) == _fields(zh[kind][key]), (kind, key)


def test_common_texts_and_labels_match_across_languages() -> None:
    assert set(catalogue.COMMON["en"]) == set(catalogue.COMMON["zh"])
    assert set(catalogue.LABELS["en"]) == set(catalogue.LABELS["zh"])
    assert set(catalogue.LIMITS["en"]) == set(catalogue.LIMITS["zh"])


def test_limit_descriptions_follow_limits_module() -> None:
    from gradexplain.limits import LIMIT_DESCRIPTIONS

    assert catalogue.LIMITS["en"] == LIMIT_DESCRIPTIONS


# Labels shown as PyTorch spells them, in either language.
CODE_LABELS = {"grad_fn", "grad_tensors", "retain_graph", "create_graph", "none", "torch"}


def test_every_label_with_words_is_chinese_in_chinese() -> None:
    for key, english in catalogue.LABELS["en"].items():
        words = re.sub(r"\{\w+\}|\.grad", "", english)  # fields and code are kept
        if key not in CODE_LABELS and re.search("[A-Za-z]", words):
            assert CJK.search(label(key, "zh")), (key, label(key, "zh"))


def test_label_errors() -> None:
    with pytest.raises(KeyError):
        label("no such label", "en")
    with pytest.raises(ValueError, match="unknown language"):
        label("Tensors", "fr")


# --- every error and note kind, both languages ---------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_error_with_full_facts(kind: str, lang: str) -> None:
    facts, in_explanation, in_fix = ERROR_CASES[kind]
    explained = explain_error(_error(kind, facts), lang)
    assert isinstance(explained, ExplainedError)
    assert explained.kind == kind
    assert explained.title and explained.explanation and explained.fix
    for text in in_explanation:
        assert text in explained.explanation, (text, explained.explanation)
    for text in in_fix:
        assert text in explained.fix, (text, explained.fix)
    if lang == "zh":
        for part in (explained.title, explained.explanation, explained.fix):
            assert CJK.search(part), part


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", [k for k in ERROR_KINDS if ERROR_CASES[k][2]])
def test_fix_shows_code(kind: str, lang: str) -> None:
    explained = explain_error(_error(kind, ERROR_CASES[kind][0]), lang)
    assert CODE.search(explained.fix) or "--" in explained.fix, explained.fix


def _degraded_cleanly(explained: ExplainedError) -> None:
    """Texts explained without some facts: no empty part, no unfilled field, no None where a
    fact was missing, no gap of two spaces where one was left out."""
    assert explained.title and explained.explanation and explained.fix
    for part in (explained.explanation, explained.fix):
        assert "{" not in part, part
        assert "None" not in part.replace("is None", "").replace("None of", ""), part
        prose = [line for line in part.split("\n") if not line.startswith("    ")]
        assert all("  " not in line for line in prose), part


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_error_without_facts_degrades(kind: str, lang: str) -> None:
    _degraded_cleanly(explain_error(ErrorInfo(kind, "MESSAGE"), lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ERROR_KINDS)
def test_error_with_each_fact_missing_degrades(kind: str, lang: str) -> None:
    facts = ERROR_CASES[kind][0]
    for key in facts:
        partial = {k: v for k, v in facts.items() if k != key}
        _degraded_cleanly(explain_error(_error(kind, partial), lang))


def test_facts_an_explainer_cannot_use_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts of an unexpected form: the error is explained without them, not left out."""
    plain = explainer._EXPLAINERS["freed_graph"]

    def refuses_facts(t: Any, error: ErrorInfo, facts: Any) -> Any:
        if facts:
            raise TypeError("a fact of an unexpected form")
        return plain(t, error, facts)

    monkeypatch.setitem(explainer._EXPLAINERS, "freed_graph", refuses_facts)
    facts = ERROR_CASES["freed_graph"][0]
    assert explain_error(_error("freed_graph", facts), "en") == \
        explain_error(_error("freed_graph", {}), "en")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", NOTE_KINDS)
def test_note_with_full_facts(kind: str, lang: str) -> None:
    facts, expected = NOTE_CASES[kind]
    text = explain_note(NoteInfo(kind, facts.get("tensor"), 5, facts), lang)
    for part in expected:
        assert part in text, (part, text)
    if lang == "zh":
        assert CJK.search(text)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", NOTE_KINDS)
def test_note_without_facts_degrades(kind: str, lang: str) -> None:
    text = explain_note(NoteInfo(kind, None, None), lang)
    assert text and "{" not in text and "None None" not in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", NOTE_KINDS)
def test_note_with_each_fact_missing_degrades(kind: str, lang: str) -> None:
    facts = NOTE_CASES[kind][0]
    for key in facts:
        text = explain_note(NoteInfo(kind, None, None, {k: v for k, v in facts.items()
                                                         if k != key}), lang)
        assert text and "{" not in text and "None None" not in text, (key, text)


def test_note_takes_tensor_and_call_from_the_note() -> None:
    text = explain_note(NoteInfo("no_gradient", "w", 2, {"output": "loss"}, call=3), "en")
    assert "`w`" in text and "call 3" in text


# --- specific lessons ----------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_non_leaf_grad_of_a_view_names_the_unnamed_leaf(lang: str) -> None:
    leaf = "torch.tensor([2., 1.], requires_grad=True)"
    text = explain_note(NoteInfo("non_leaf_grad", "x", 3, {
        "tensor": "x", "leaves": [leaf, "y"], "grad_fn": "ViewBackward0"}), lang)
    assert f"`{leaf}`" in text and "x.retain_grad()" in text and "ViewBackward0" in text
    assert f"base = {leaf}" in text and "base.grad" in text


def test_freed_graph_keeps_the_arguments_of_the_earlier_call() -> None:
    explained = explain_error(_error("freed_graph", {
        "output": "z", "freed_by_call": 1,
        "freed_by_statement": "z.backward(torch.ones_like(z))", "in_loop": True}), "en")
    assert "z.backward(torch.ones_like(z), retain_graph=True)" in explained.fix
    assert "new graph" in explained.fix  # the loop advice


def test_freed_graph_without_statement_suggests_the_short_form_key() -> None:
    explained = explain_error(_error("freed_graph", {"output": "out"}), "en")
    assert "out.backward(retain_graph=True)" in explained.fix
    assert "retain_graph: true" in explained.fix


@pytest.mark.parametrize(("reason", "expected"), [
    ("no_grad", "torch.no_grad()"), ("detached", ".detach()"),
    ("no_requires_grad", "requires_grad=True"), (None, "requires_grad=True")])
def test_no_grad_fn_fix_follows_the_reason(reason: str | None, expected: str) -> None:
    facts: dict[str, Any] = {"output": "y", "reason": reason, "leaves": []}
    for lang in LANGS:
        assert expected in explain_error(_error("no_grad_fn", facts), lang).fix


@pytest.mark.parametrize("lang", LANGS)
def test_no_grad_fn_names_the_tensors_that_do_require_grad(lang: str) -> None:
    explained = explain_error(_error("no_grad_fn", {
        "output": "y", "reason": "no_grad", "leaves": ["w", "b"]}), lang)
    assert "`w`" in explained.explanation and "`b`" in explained.explanation


def test_inplace_modified_names_the_producer_not_as_the_change() -> None:
    explained = explain_error(_error("inplace_modified", {
        "op": "AddBackward0", "version": 1, "expected_version": 0, "shape": [2]}), "en")
    assert "output of `AddBackward0`" in explained.explanation
    assert "changed by" not in explained.explanation
    assert "y = y + 1" in explained.fix


def test_leaf_inplace_falls_back_on_the_operation_context() -> None:
    explained = explain_error(_error("leaf_inplace", {
        "function": "add_", "operands": ["w", "1"], "shapes": [[2]]}), "en")
    assert "`w`" in explained.explanation and "w = w.add(1)" in explained.fix


@pytest.mark.parametrize("lang", LANGS)
def test_broadcast_sum_through_a_non_leaf(lang: str) -> None:
    text = explain_note(NoteInfo("broadcast_sum", "w", 2, {
        "tensor": "w", "via": "h", "leaf_shape": [3], "broadcast_shape": [2, 3],
        "positions": 2, "op": "add", "output": "out"}), lang)
    assert "`w`" in text and "`h`" in text and "[3]" in text and "[2, 3]" in text


def test_non_float_code_label_gets_a_float_dtype() -> None:
    explained = explain_error(_error("non_float_requires_grad", {
        "tensor": "torch.tensor([1, 2], requires_grad=True)", "dtype": "int64"}), "en")
    assert "dtype=torch.float32" in explained.fix


def test_hint_is_preferred_for_not_allowed() -> None:
    hint = "write `name = name + value` or `name += value`"
    en = explain_error(_error("not_allowed", {"what": "x"}, hint=hint), "en")
    assert hint[1:] in en.fix
    zh = explain_error(_error("not_allowed", {"what": "x"}, hint=hint), "zh")
    # The hint in Chinese, its code quoted exactly as written.
    assert zh.fix == "写成 `name = name + value` 或 `name += value`。"


def test_refusal_reason_in_chinese() -> None:
    facts = ERROR_CASES["not_allowed"][0]
    zh = explain_error(_error("not_allowed", facts), "zh")
    assert "这里被拒绝的是：属性 '__class__'（私有属性和双下划线属性会触及 Python 内部机制" \
        in zh.explanation
    en = explain_error(_error("not_allowed", facts), "en")
    assert "attribute '__class__'" in en.explanation and "dunder attributes" in en.explanation


def test_limit_exceeded_in_chinese_describes_the_limit() -> None:
    facts = ERROR_CASES["limit_exceeded"][0]
    assert "单个张量的元素个数" in explain_error(_error("limit_exceeded", facts), "zh").explanation


def test_unknown_error_kind_reads_as_torch_error() -> None:
    explained = explain_error(ErrorInfo("brand_new_kind", "MESSAGE"), "en")
    assert explained.kind == "brand_new_kind" and "MESSAGE" in explained.explanation


@pytest.mark.parametrize(("op", "in_place", "out_of_place"), [
    ("+=", "x += 1", "x = x + 1"), ("add_", "x.add_(1)", "x = x.add(1)"),
    ("mul_", "x.mul_(2)", "x = x.mul(2)"), ("relu_", "x.relu_()", "x = x.relu()"),
    ("fill_", "x.fill_(0)", "x = torch.full_like(x, 0)"), (None, "x += 1", "x = x + 1"),
    ("Tensor.clamp_", "x.clamp_(min=0)", "x = x.clamp(min=0)")])
def test_inplace_forms(op: str | None, in_place: str, out_of_place: str) -> None:
    assert inplace_forms("x", op) == (in_place, out_of_place)


# --- shape rules: the rule of that function, with the shapes -------------------------------

SHAPE_CASES: list[tuple[str, list[list[int]], list[str], str, str, str]] = [
    # function, shapes, operands, rule text (en), problem text (en), fix code
    ("mm", [[2, 3], [2, 3]], ["a", "b"], "(m×n) @ (n×p) -> (m×p)", "3 vs 2",
     "torch.mm(a, b.t())"),
    ("mm", [[2, 3, 4], [2, 4, 5]], ["a", "b"], "2-D matrices only", "`a` is 3-D",
     "torch.bmm(a, b)"),
    ("mm", [[2, 3], [3]], ["m", "v"], "2-D matrices only", "`v` is 1-D", "torch.mv(m, v)"),
    ("bmm", [[4, 2, 3], [4, 2, 3]], ["a", "b"], "(b×m×n) @ (b×n×p) -> (b×m×p)", "3 vs 2",
     "torch.bmm(a, b.transpose(1, 2))"),
    ("bmm", [[4, 2, 3], [5, 3, 2]], ["a", "b"], "same batch size", "4 vs 5", "batch size"),
    ("mv", [[2, 3], [2]], ["m", "v"], "1-D vector of length n", "3 vs 2", "torch.mv(m.t(), v)"),
    ("mv", [[2, 3], [3, 1]], ["m", "v"], "1-D vector", "`v` is 2-D", "v.squeeze(1)"),
    ("dot", [[2, 2], [2, 2]], ["a", "b"], "two 1-D vectors of the same length", "`a` is 2-D",
     "(a * b).sum()"),
    ("dot", [[3], [4]], ["a", "b"], "same length", "3 vs 4", "same length"),
    ("matmul", [[2, 3], [2, 3]], ["a", "b"], "batch dims in front are broadcast", "3 vs 2",
     "torch.matmul(a, b.t())"),
    ("broadcast", [[3], [3, 4]], ["a", "b"], "from the right", "sizes 3 and 4",
     "a.reshape(3, 1)"),
    ("view", [[2, 3], [4, 2]], ["x"], "number of elements must stay the same",
     "needs 8", "x.view(3, 2)"),
    ("view", [[2, 3], [-1, 4]], ["x"], "number of elements", "groups of 4", "x.view(-1)"),
    ("view", [[3, 2], [6]], ["xt"], "strides", "not contiguous", "xt.reshape(6)"),
    ("cat", [[2, 3], [2, 4]], ["a", "b"], "same size in every other dim", "only in dim 1",
     "torch.cat([a, b], dim=1)"),
]


@pytest.mark.parametrize(("function", "shapes", "operands", "rule", "problem", "fix"),
                         SHAPE_CASES)
def test_shape_rules(function: str, shapes: list[list[int]], operands: list[str], rule: str,
                     problem: str, fix: str) -> None:
    facts = {"function": function, "shapes": shapes, "operands": operands}
    en = explain_error(_error("shape_mismatch", facts), "en")
    assert rule in en.explanation and problem in en.explanation, en.explanation
    assert fix in en.fix, en.fix
    for shape in shapes:
        assert str(shape) in en.explanation
    zh = explain_error(_error("shape_mismatch", facts), "zh")
    for shape in shapes:
        assert str(shape) in zh.explanation
    assert CJK.search(zh.explanation)
    if "(" in fix:
        assert fix in zh.fix


@pytest.mark.parametrize("lang", LANGS)
def test_shape_mismatch_without_operands_names_positions(lang: str) -> None:
    explained = explain_error(_error("shape_mismatch", {
        "function": "broadcast", "shapes": [[2, 3], [4]]}), lang)
    assert "[2, 3]" in explained.explanation and "[4]" in explained.explanation
    assert ("operand 2" if lang == "en" else "第 2 个操作数") in explained.explanation


_ORACLE_OPS = {
    "mm": lambda t, a, b: t.mm(a, b), "bmm": lambda t, a, b: t.bmm(a, b),
    "mv": lambda t, a, b: t.mv(a, b), "dot": lambda t, a, b: t.dot(a, b),
    "matmul": lambda t, a, b: t.matmul(a, b), "broadcast": lambda t, a, b: a + b,
    "cat": lambda t, a, b: t.cat([a, b]), "view": lambda t, a, b: a.view(b),
}
_TORCH_CALLS = {"mm", "bmm", "mv", "dot", "matmul", "cat"}
_METHODS = {"t", "transpose", "reshape", "view", "squeeze", "flatten", "contiguous", "sum"}


def _run_code(code: str, env: dict[str, Any], torch: Any) -> Any:
    """Evaluate a suggested snippet with a tiny interpreter (names, torch calls, a few
    methods, `*`), so the test can run fixes without eval."""
    import ast

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.List):
            return [ev(e) for e in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return ev(node.left) * ev(node.right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = [ev(a) for a in node.args]
            kwargs = {k.arg: ev(k.value) for k in node.keywords if k.arg}
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "torch":
                assert node.func.attr in _TORCH_CALLS, code
                return getattr(torch, node.func.attr)(*args, **kwargs)
            assert node.func.attr in _METHODS, code
            return getattr(ev(owner), node.func.attr)(*args, **kwargs)
        raise AssertionError(f"unexpected code in a fix: {code}")

    return ev(ast.parse(code, mode="eval").body)


def test_shape_fixes_check_out_against_torch() -> None:
    """PyTorch is the oracle: for shapes that really fail, every suggested edit runs and
    gives the shape the fix states."""
    import random

    torch = pytest.importorskip("torch")
    rng = random.Random(7)
    checked = 0
    for _ in range(1500):
        function = rng.choice(sorted(_ORACLE_OPS))
        sa = [rng.randint(1, 4) for _ in range(rng.randint(0, 3))]
        sb = [rng.randint(1, 4) for _ in range(rng.randint(0, 3))]
        a = torch.zeros(sa)
        other = sb if function == "view" else torch.zeros(sb)
        try:
            _ORACLE_OPS[function](torch, a, other)
            continue
        except (RuntimeError, IndexError):
            pass
        operands = ["x"] if function == "view" else ["a", "b"]
        fix = explain_error(_error("shape_mismatch", {
            "function": function, "shapes": [sa, sb], "operands": operands}), "en").fix
        env = {"a": a, "b": torch.zeros(sb), "x": a}
        for code, after in re.findall(r"`([^`]+)`([^`\n]*)", fix):
            if not re.match(r"[(\w]", code) or "(" not in code or "..." in code \
                    or code.endswith("(dim)"):
                continue
            result = _run_code(code, env, torch)
            stated = re.match(r" gives shape (\[[\d, ]*\])|.*?has shape (\[[\d, ]*\])|"
                              r" \(shape (\[[\d, ]*\])\)", after)
            if stated:
                shape = next(g for g in stated.groups() if g)
                assert str(list(result.shape)) == shape, (function, sa, sb, code)
            checked += 1
    assert checked > 100


# --- values and code helpers ---------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    ([[4.5, 4.5], [4.5, 4.5]], "[[4.5, 4.5], [4.5, 4.5]]"),
    (18.0, "18."), (2, "2"), (1 / 3, "0.3333"), (-0.5, "-0.5"), ("inf", "inf"),
    (["nan", "-inf"], "[nan, -inf]"), (1e-9, "1.0000e-09"), (True, "True"),
    (list(range(10)), "[0, 1, 2, ..., 7, 8, 9]"),
    ({"summary": {"shape": [2048, 2048], "min": -1.5, "max": 3.0, "mean": 0.1}},
     "tensor of shape [2048, 2048] (min -1.5, max 3.)"),
])
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_summary_in_chinese() -> None:
    text = explain_note(NoteInfo("accumulated", "w", 1, {
        "before": {"summary": {"shape": [2048, 2048], "min": 0.0, "max": 1.0}},
        "added": 1.0, "after": 2.0}), "zh")
    assert "形状为 [2048, 2048] 的张量" in text


def test_format_number_matches_torch_style() -> None:
    assert [format_number(v) for v in (0.0, 22.5, 4.5, 1e9)] == ["0.", "22.5", "4.5",
                                                                 "1.0000e+09"]


@pytest.mark.parametrize(("code", "expected"), [
    ("out.backward()", "out.backward(retain_graph=True)"),
    ("y.backward(retain_graph=False)", "y.backward(retain_graph=True)"),
    ("torch.autograd.backward(y, torch.ones_like(y))",
     "torch.autograd.backward(y, torch.ones_like(y), retain_graph=True)"),
    ("x.sum().backward()", "x.sum().backward(retain_graph=True)"),
    ("x + 1", None),
])
def test_add_keyword(code: str, expected: str | None) -> None:
    assert add_keyword(code, "retain_graph", "True") == expected


@pytest.mark.parametrize(("label_", "expected"), [
    ("x", "x"), ("x + 2", "(x + 2)"), ("a[0]", "a[0]"),
    ("torch.tensor([2., 1.], requires_grad=True).view(1, 2)",
     "torch.tensor([2., 1.], requires_grad=True).view(1, 2)")])
def test_operand(label_: str, expected: str) -> None:
    assert operand(label_) == expected


def test_non_scalar_output_expression_is_parenthesized() -> None:
    explained = explain_error(_error("non_scalar_backward", {"output": "x + 2", "shape": [2]}),
                              "en")
    assert "(x + 2).sum().backward()" in explained.fix
    assert "divided by 2" in explained.fix  # numel derived from the shape


# --- the run -------------------------------------------------------------------------------

def _record() -> RunRecord:
    call_error = _error("freed_graph", {"output": "y", "freed_by_call": 1})
    return RunRecord(
        name="demo", path=None, description=None, torch_version="2.3", device="cpu",
        dtype="float32",
        calls=[CallRecord(1, 4, 4, "y.backward()", "backward", ["y"], None, False, False),
               CallRecord(2, 5, 5, "y.backward()", "backward", ["y"], None, False, False,
                          error=call_error)],
        notes=[NoteInfo("graph_rebuilt", None, None, {"iterations": 2, "where": "repeat"}),
               NoteInfo("no_gradient", "w", 4, {"output": "y"}, call=1)],
        error=call_error,
    )


@pytest.mark.parametrize("lang", LANGS)
def test_explain_run(lang: str) -> None:
    record = _record()
    report = explain_run(record, lang)
    assert isinstance(report, Report)
    assert report.record is record and report.lang == lang
    assert report.error is not None and report.error.kind == "freed_graph"
    assert set(report.call_errors) == {2}
    assert [note.kind for note, _ in report.notes] == ["graph_rebuilt", "no_gradient"]
    assert all(text for _, text in report.notes)
    assert report.label("Fix") == label("Fix", lang)


def test_explain_run_without_error() -> None:
    record = RunRecord("ok", None, None, "2.3", "cpu", "float32")
    report = explain_run(record, "en")
    assert report.error is None and report.call_errors == {} and report.notes == []


@pytest.mark.parametrize("call", [
    lambda: explain_error(ErrorInfo("torch_error", "m"), "fr"),
    lambda: explain_note(NoteInfo("accumulated", "x", 1), "EN"),
    lambda: explain_run(RunRecord("r", None, None, "2.3", "cpu", "float32"), ""),
])
def test_unknown_language(call: Any) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        call()


# Facts as the recorder gives them for the tutorial's broadcasting (issue 6, in depth).
DEPTH_FACTS: dict[str, dict[str, Any]] = {
    "broadcast_sum": {
        "tensor": "x", "via": "2 * x * x", "leaf_shape": [], "broadcast_shape": [2, 2],
        "positions": 4, "op": "2 * x * x + 2 * p * p", "output": "out", "dims_added": [0, 1],
        "dims_stretched": [], "grad_arrived": [[0.25, 0.25], [0.25, 0.25]],
        "grad_contribution": [[0.25, 0.25], [0.25, 0.25]], "through": "add",
        "grad_summed": 1.0, "reduction": "mean", "reduction_numel": 4, "grad_added": 12.0,
        "grad_with_sum": 48.0, "grad_was_none": True},
    "non_finite_grad": {
        "tensor": "x", "call": 1, "value": "inf", "op": "SqrtBackward0",
        "origin": "operation", "op_name": "sqrt", "produced": "inf", "position": [0],
        "made": "y", "grad_for": "x", "input": "x", "input_value": 0.0,
        "input_position": [0]},
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(DEPTH_FACTS))
def test_note_depth_facts(kind: str, lang: str) -> None:
    facts = DEPTH_FACTS[kind]
    text = explain_note(NoteInfo(kind, "x", 1, facts), lang)
    expected = {
        ("broadcast_sum", "en"): ["Broadcasting added dims 0 and 1", "all 4 positions of [2, 2]",
                                  "`[[0.25, 0.25], [0.25, 0.25]]`", "`1.` reached `2 * x * x`",
                                  "`x.grad` is `12.` here; with `.sum()` it would be `48.`"],
        ("broadcast_sum", "zh"): ["新增了第 0 和 1 维", "[2, 2] 的全部 4 个位置",
                                  "传给 `2 * x * x` 的是 `1.`", "若改用 `.sum()`，它会是 `48.`"],
        ("non_finite_grad", "en"): ["`SqrtBackward0`", "the `sqrt` that made `y`",
                                    "its input `x` has 0 at position [0]",
                                    "torch.sqrt(x + 1e-8)"],
        ("non_finite_grad", "zh"): ["`SqrtBackward0`", "生成 `y` 的 `sqrt`",
                                    "它的输入 `x` 在位置 [0] 上的值是 0", "torch.sqrt(x + 1e-8)"],
    }[kind, lang]
    for part in expected:
        assert part in text, (part, text)
    assert "{" not in text and "None" not in text
    for key in facts:  # each fact missing, or malformed, still gives a text
        assert explain_note(NoteInfo(kind, None, None, {k: v for k, v in facts.items()
                                                         if k != key}), lang)
        assert explain_note(NoteInfo(kind, None, None, {**facts, key: {"odd": [1]}}), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_non_finite_origins_other_than_an_operation(lang: str) -> None:
    for facts, part in (({"origin": "grad_tensors", "produced": "nan"}, "grad_tensors"),
                        ({"origin": "not_traced", "nodes": 30000, "trace_limit": 20000},
                         "20000"),
                        ({"origin": "not_found"}, "overflow" if lang == "en" else "溢出")):
        text = explain_note(NoteInfo("non_finite_grad", "x", 1, {"value": "inf", **facts}),
                            lang)
        assert part in text, (part, text)


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[1])
