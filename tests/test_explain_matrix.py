"""The explanation matrix (issue 16): for every note kind and error kind, a scenario under
tests/matrix/ where the obvious wording would be wrong (several leaves, unnamed leaves, data
tensors in loops, views, two outputs of one graph), run in English and Chinese. Each
explanation must name the right tensors (and not the wrong ones); the Chinese one must keep
the names and leave no English sentence untranslated."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gradexplain.errors import ERROR_KINDS, NOTE_KINDS
from gradexplain.shell.cli import app

MATRIX = Path(__file__).parent / "matrix"
# The note kinds of the spec (shared/spec/output.md); the widened language adds more.
SPEC_NOTES = ("non_leaf_grad", "accumulated", "broadcast_sum", "graph_rebuilt", "no_gradient",
              "non_finite_grad")
runner = CliRunner()

# file -> (where: "note" or "error", kind, must name, must not name). Names are checked in
# backticks (`w`) unless they start with "=" (a literal fragment, e.g. a shape).
CASES: dict[str, tuple[str, str, list[str], list[str]]] = {
    # a view of an unnamed leaf, and a second, named leaf of the same call
    "note_non_leaf_view.py": ("note", "non_leaf_grad", ["`x`", "`y`", "`x.retain_grad()`",
                              "`base = torch.tensor([2., 1.], requires_grad=True)`"], []),
    # a non-leaf made of two leaves: both get its gradient
    "note_non_leaf_two_leaves.py": ("note", "non_leaf_grad", ["`a`", "`w`", "`b`"], []),
    # two leaves; only w accumulates (b is not in the second call)
    "note_accumulated_one_of_two.py": ("note", "accumulated", ["`w.grad`", "`w.grad.zero_()`"],
                                       ["`b"]),
    # an unnamed leaf accumulates: its code cannot take .grad.zero_()
    "note_accumulated_unnamed.py": ("note", "accumulated", [
        "`base = torch.tensor([2., 1.], requires_grad=True)`", "`base.grad.zero_()`"],
        ["requires_grad=True).grad"]),
    # a data tensor (no grad) broadcast with a parameter: the note is about the parameter
    "note_broadcast_data.py": ("note", "broadcast_sum", ["`bias`", "=[3]", "=[2, 3]"],
                               ["`data`"]),
    # the leaf reached the broadcast through a non-leaf (2 * w * w)
    "note_broadcast_via.yaml": ("note", "broadcast_sum", ["`w`", "`2 * w * w`"], ["`p`"]),
    # a loop with a data tensor x and a parameter w, not zeroed
    "note_graph_rebuilt_data.py": ("note", "graph_rebuilt", ["`w`", "`w.grad.zero_()`"],
                                   ["`x`", "x.grad"]),
    # two leaves, the output made from one
    "note_no_gradient_two_leaves.py": ("note", "no_gradient", ["`b`", "`out`"], ["`a`"]),
    # sqrt at 0 in a tensor of several elements
    "note_non_finite_sqrt.py": ("note", "non_finite_grad", ["`x`", "SqrtBackward0", "=[0]"],
                                []),
    # a view: the shape is the view's, not the leaf's
    "error_non_scalar_view.py": ("error", "non_scalar_backward", ["`y`", "=[2, 2]",
                                 "y.backward(torch.ones_like(y))"], ["`x`"]),
    # two outputs of one graph: the second call fails because of the first
    "error_freed_graph_two_outputs.py": ("error", "freed_graph", ["`out1.backward()`",
                                         "`out2`", "out1.backward(retain_graph=True)"], []),
    # a data tensor in a loop: the parameter w is not in the computation
    "error_no_grad_fn_data_loop.py": ("error", "no_grad_fn", ["`pred.sum()`", "`w`"],
                                      ["tensors:"]),
    "error_grad_shape.py": ("error", "grad_shape_mismatch", ["`z`", "=[2]", "=[3]"],
                            ["YAML"]),
    "error_inplace_modified.py": ("error", "inplace_modified", ["`h`"], ["`x`"]),
    # the leaf is w; x is data
    "error_leaf_inplace.py": ("error", "leaf_inplace", ["`w`"], ["`x`"]),
    "error_non_float.py": ("error", "non_float_requires_grad", ["`counts`"],
                           ["tensors:", "YAML"]),
    "error_shape_mm.py": ("error", "shape_mismatch", ["`a`", "`b`", "=[2, 3]"], []),
    "error_device.py": ("error", "device_mismatch", ["=meta"], []),
    "error_dtype.py": ("error", "dtype_mismatch", ["=float64", "=float32"], []),
    # a misspelled name and a misspelled attribute: did-you-mean, in .py wording
    "error_unknown_typo.py": ("error", "unknown_name", ["`weigths`", "`weights`"],
                              ["tensors:"]),
    "error_unknown_attribute.py": ("error", "unknown_name", ["`grd`", "`grad`"],
                                   ["allowlist", "outside"]),
    "error_not_allowed.py": ("error", "not_allowed", ["=storage"], []),
    "error_limit.py": ("error", "limit_exceeded", ["=--max-elements"], []),
    "error_invalid.yaml": ("error", "invalid_scenario", [], []),
    "error_torch.py": ("error", "torch_error", [], []),
    "error_device_unavailable.yaml": ("error", "device_unavailable", ["=cuda:7"], []),
    # an indentation mistake: the tensor's key at the tensor's indent, not "value is null"
    "error_invalid_indent.yaml": ("error", "invalid_scenario", [
        "=value:", "=x:", "`    value: [1., 2.]`", "Indent it under x:"], ["null"]),
    # the short form: the fix is the YAML value, and the output is named `out`
    "error_grad_shape_short_form.yaml": ("error", "grad_shape_mismatch", [
        "`out`", "=[3]", "=[2]", "`grad_tensors: ones_like`"], ["ones_like(out)`", "`x`"]),
    # the widened language's notes
    # two leaves, a hook on w only: b is not named
    "note_hook_called_two_leaves.py": ("note", "hook_called", ["`w`", "=[42., 78.]"],
                                       ["`b`"]),
    # x is data: the optimizer's example is the parameter w, at its first step
    "note_optimizer_step_data.py": ("note", "optimizer_step", [
        "`w`", "=[0.5, -0.5]", "=[0.7, -0.2]", "first run"], ["`x`"]),
    # a Function of two inputs: both saved tensors and both gradients
    "note_custom_function_two_inputs.py": ("note", "custom_function", [
        "`Scale`", "tensors of shape [2], [2]"], []),
    # a Jacobian per input of a two-input function
    "note_autograd_functional_two_inputs.py": ("note", "autograd_functional", [
        "`torch.autograd.functional.jacobian`", "=[2, 2], [2, 2]"], []),
    "note_legacy_api_variable.py": ("note", "legacy_api", ["`torch.autograd.Variable`",
                                                          "`t.requires_grad_()`"], []),
    # two layers; only the second has a hook: the note names it, not the first
    "note_module_hook_second_layer.py": ("note", "module_hook", [
        "`net[1]`", "Linear", "register_forward_hook", "[4, 3]", "[4, 1]"], ["`net[0]`"]),
    "note_data_loader_workers.py": ("note", "data_loader_in_process", ["num_workers=2"], []),
    "note_figure_not_saved.py": ("note", "figure_not_saved", ["savefig('loss.png')"], []),
}

# Words of English that may stay in Chinese text: code, kinds, names of things.
_CODE = re.compile(r"`[^`]*`|\S*[._=()\[\]/:<>-]\S*")
_ENGLISH_RUN = re.compile(r"\b[A-Za-z]+(?: [A-Za-z]+){3,}\b")  # four words: a sentence


def _run(path: Path, lang: str) -> dict[str, Any]:
    result = runner.invoke(app, ["run", str(path), "--format", "json", "--lang", lang])
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _texts(data: dict[str, Any], where: str, kind: str) -> tuple[list[str], str]:
    """The texts of that kind (notes: every note of it; error: explanation + fix), and the
    error's original message (English in both languages: it is PyTorch's or the input's)."""
    if where == "note":
        return [n["text"] for n in data["notes"] if n["kind"] == kind], ""
    error = data["error"]
    assert error is not None and error["kind"] == kind, error
    return [error["explanation"] + "\n" + error["fix"]], error["message"]


def _check_names(text: str, must: list[str], must_not: list[str]) -> None:
    for name in must:
        assert (name[1:] if name.startswith("=") else name) in text, (name, text)
    for name in must_not:  # the name itself, not a longer word (`b` is not `backward()`)
        assert re.search(re.escape(name) + r"(?!\w)", text) is None, (name, text)


def test_every_kind_has_a_case() -> None:
    kinds = {(where, kind) for where, kind, _, _ in CASES.values()}
    assert {k for w, k in kinds if w == "note"} == set(NOTE_KINDS) >= set(SPEC_NOTES)
    assert {k for w, k in kinds if w == "error"} == set(ERROR_KINDS)
    assert sorted(CASES) == sorted(p.name for p in MATRIX.iterdir())


@pytest.mark.parametrize("name", sorted(CASES))
def test_explanation_names_the_right_tensors(name: str) -> None:
    where, kind, must, must_not = CASES[name]
    texts, _ = _texts(_run(MATRIX / name, "en"), where, kind)
    assert texts, f"no {kind} {where}"
    _check_names("\n".join(texts), must, must_not)


@pytest.mark.parametrize("name", sorted(CASES))
def test_chinese_keeps_the_names_and_translates_every_sentence(name: str) -> None:
    where, kind, must, must_not = CASES[name]
    texts, message = _texts(_run(MATRIX / name, "zh"), where, kind)
    assert texts, f"no {kind} {where}"
    text = "\n".join(texts)
    # Names and code are the same in both languages; English-only phrases are not checked.
    _check_names(text, [m for m in must if m.startswith("`") or m.startswith("=")],
                 [m for m in must_not if m.startswith("`")])
    assert re.search(r"[\u4e00-\u9fff]", text), text
    prose = _CODE.sub(" ", text.replace(message, " ") if message else text)
    assert not _ENGLISH_RUN.search(prose), (_ENGLISH_RUN.search(prose), text)
