"""Record -> texts for notes: the things that are not errors but trip learners up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gradexplain.explain import catalogue
from gradexplain.explain.text import Text, check_lang, fact_int, fact_str, fact_strs, tidy
from gradexplain.explain.values import format_shape, int_list, is_code_label, operand
from gradexplain.record import NoteInfo


def explain_note(note: NoteInfo, lang: str) -> str:
    """The text of one note, naming its tensors. An unknown kind gives its kind."""
    check_lang(lang)
    if note.kind not in catalogue.NOTES[lang]:
        return note.kind
    facts: dict[str, Any] = dict(note.facts) if isinstance(note.facts, Mapping) else {}
    if note.tensor and not fact_str(facts, "tensor"):
        facts["tensor"] = note.tensor
    if note.call is not None and fact_int(facts, "call") is None:
        facts["call"] = note.call
    t = Text(catalogue.NOTES, note.kind, lang)
    return tidy(_NOTES[note.kind](t, facts), lang)


def _tensor_code(label: str | None) -> str:
    return operand(label) if label else "t"


def _non_leaf_grad(t: Text, f: Mapping[str, Any]) -> str:
    label = fact_str(f, "tensor")
    tensor, code = t.name(label), _tensor_code(label)
    grad_fn = fact_str(f, "grad_fn")
    made_by = t("made_by", grad_fn=f"`{grad_fn}`") if grad_fn else t("made_by_unknown")
    leaves = fact_strs(f, "leaves")
    text = t("text", tensor=tensor, tensor_code=code, made_by=made_by,
             leaves=t("leaves", leaves=t.names(leaves)) if leaves else "",
             retain_code=f"{code}.retain_grad()")
    code_leaf = next((leaf for leaf in leaves if is_code_label(leaf)), None)
    if code_leaf is None:
        return text
    return t.sentences(text, t("code_leaf", code=code_leaf, tensor=tensor))


def _accumulated(t: Text, f: Mapping[str, Any]) -> str:
    label = fact_str(f, "tensor")
    call = fact_int(f, "call")
    by_call = t("by_call", call=call) if call is not None else t("by_unknown")
    equation = ""
    if all(f.get(k) is not None for k in ("before", "added", "after")):
        equation = t("equation", before=t.value(f["before"]), added=t.value(f["added"]),
                     after=t.value(f["after"]))
    code = _tensor_code(label)
    return t("text", by_call=by_call, tensor_code=code, equation=equation,
             zero_code=f"{code}.grad.zero_()")


def _broadcast_sum(t: Text, f: Mapping[str, Any]) -> str:
    leaf_shape, to_shape = int_list(f.get("leaf_shape")), int_list(f.get("broadcast_shape"))
    op, positions, output = fact_str(f, "op"), fact_int(f, "positions"), fact_str(f, "output")
    # `via`: the non-leaf that was broadcast, when the leaf reached the operation through it.
    via = fact_str(f, "via")
    if via and leaf_shape is not None:
        shape_text = t("via_shape", via=f"`{via}`", shape=format_shape(leaf_shape))
    elif via:
        shape_text = t("via", via=f"`{via}`")
    elif leaf_shape is not None:
        shape_text = t("leaf_shape", shape=format_shape(leaf_shape))
    else:
        shape_text = ""
    return t(
        "text",
        tensor=t.name(fact_str(f, "tensor")),
        leaf_shape=shape_text,
        to_shape=t("to_shape", shape=format_shape(to_shape)) if to_shape is not None else "",
        in_op=t("in_op", op_code=op) if op else "",
        positions=t("positions", positions=positions) if positions is not None
        else t("positions_unknown"),
        output=f"`{output}`" if output else t("output_unknown"),
    )


def _graph_rebuilt(t: Text, f: Mapping[str, Any]) -> str:
    iterations = fact_int(f, "iterations")
    where = fact_str(f, "where")
    each = t("each", iterations=iterations) if iterations is not None else t("each_unknown")
    where_text = t(f"where_{where}") if where in ("repeat", "loop") else ""
    return t("text", each=each, where=where_text)


def _no_gradient(t: Text, f: Mapping[str, Any]) -> str:
    call = fact_int(f, "call")
    return t("text", tensor=t.name(fact_str(f, "tensor")),
             output=t.name(fact_str(f, "output"), "the_output"),
             by_call=t("by_call", call=call) if call is not None else t("by_unknown"))


# Operation (lower-cased, as found in the op or grad_fn name) -> (cause fragment, fix code).
_NON_FINITE_CAUSES = (
    ("softmax", None, "x.clamp(min=-1e4, max=1e4)"),
    ("sqrt", "cause_sqrt", "torch.sqrt(x + 1e-8)"),
    ("log", "cause_log", "torch.log(x.clamp(min=1e-8))"),
    ("div", "cause_div", "a / (b + 1e-8)"),
    ("/", "cause_div", "a / (b + 1e-8)"),
    ("pow", "cause_pow", "(x + 1e-8) ** 0.5"),
    ("**", "cause_pow", "(x + 1e-8) ** 0.5"),
)


def _non_finite_grad(t: Text, f: Mapping[str, Any]) -> str:
    tensor = t.name(fact_str(f, "tensor"))
    call, op = fact_int(f, "call"), fact_str(f, "op")
    subject = (t("subject_call", call=call, tensor=tensor) if call is not None
               else t("subject", tensor=tensor))
    value = fact_str(f, "value")
    if value and t.lang == "zh":
        value = value.replace(" and ", " 和 ")
    cause, fix_code = "", "x.clamp(min=1e-8)"
    for needle, cause_key, code in _NON_FINITE_CAUSES:
        if op and needle in op.lower():
            cause, fix_code = (t(cause_key) if cause_key else ""), code
            break
    return t("text", subject=subject, value=value or t("value_unknown"),
             by_op=t("by_op", op_code=op) if op else "", cause=cause, fix_code=fix_code)


_NOTES: dict[str, Callable[[Text, Mapping[str, Any]], str]] = {
    "non_leaf_grad": _non_leaf_grad,
    "accumulated": _accumulated,
    "broadcast_sum": _broadcast_sum,
    "graph_rebuilt": _graph_rebuilt,
    "no_gradient": _no_gradient,
    "non_finite_grad": _non_finite_grad,
}
