"""Record -> texts for notes: the things that are not errors but trip learners up."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from gradexplain.explain import catalogue
from gradexplain.explain.notes_language import LANGUAGE_NOTES
from gradexplain.explain.text import Text, check_lang, fact_int, fact_str, fact_strs, tidy
from gradexplain.explain.values import (
    format_number,
    format_shape,
    int_list,
    is_code_label,
    is_identifier,
    numel,
    operand,
)
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
    own = fact_strs(f, "own_leaves") if "own_leaves" in f else leaves
    # An unnamed leaf behind the tensor is named by its code once, in its own sentence.
    code_leaf = next((leaf for leaf in own if is_code_label(leaf)), None)
    shown = [t("unnamed_leaf", tensor=tensor) if leaf == code_leaf else f"`{leaf}`"
             for leaf in leaves]
    call = fact_int(f, "call")
    listed = "" if not leaves else t("leaves_call", call=call, leaves=t.join(shown)) \
        if call is not None else t("leaves", leaves=t.join(shown))
    text = t("text", tensor=tensor, tensor_code=code, made_by=made_by, leaves=listed,
             retain_code=f"{code}.retain_grad()")
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
    again = [c for c in f.get("again", []) if isinstance(c, int)] \
        if isinstance(f.get("again"), list) else []
    again_text = t("again", calls=t.join(str(c) for c in again)) if again else ""
    if label is not None and is_code_label(label):
        return t.sentences(t("text_unnamed", by_call=by_call, code=label, equation=equation),
                           again_text)
    code = _tensor_code(label)
    key = "text_also" if f.get("also") is True else "text"
    return t.sentences(t(key, by_call=by_call, tensor_code=code, equation=equation,
                         zero_code=f"{code}.grad.zero_()"), again_text)


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
    label = fact_str(f, "tensor")
    output_text = f"`{output}`" if output else t("output_unknown")
    return t(
        "text",
        tensor=t.name(label),
        leaf_shape=shape_text,
        to_shape=t("to_shape", shape=format_shape(to_shape)) if to_shape is not None else "",
        in_op=t("in_op", op_code=op) if op else "",
        positions=t("positions", positions=positions) if positions is not None
        else t("positions_unknown"),
        dims=_broadcast_dims(t, f, positions, to_shape),
        flow=_broadcast_flow(t, f, f"`{via or label}`" if via or label
                             else t("output_unknown")),
        reduce=_reduction(t, f, label, output_text),
    )


def _broadcast_flow(t: Text, f: Mapping[str, Any], operand: str) -> str:
    """What arrived at the broadcast result, what the chain rule made of it at the operand's
    positions (times the other operand, for a product) and the sum that reached it."""
    arrived, summed = f.get("grad_arrived"), f.get("grad_summed")
    if arrived is None or summed is None:
        return ""
    contribution, through = f.get("grad_contribution"), fact_str(f, "through")
    if contribution is None or through not in ("add", "sub", "mul", "div"):
        return t("flow_sum_only", summed=_shown(t, summed), operand=operand)
    if contribution == arrived:  # the gradient itself is summed (a sum, a difference)
        return t("flow", arrived=_shown(t, arrived), summed=_shown(t, summed), operand=operand)
    return t(f"flow_{'mul' if through == 'mul' else 'other'}", arrived=_shown(t, arrived),
             contribution=_shown(t, contribution), summed=_shown(t, summed), operand=operand,
             op_code=fact_str(f, "op") or "")


def _broadcast_dims(t: Text, f: Mapping[str, Any], positions: int | None,
                    to_shape: list[int] | None) -> str:
    """`Broadcasting added dims 0 and 1: each element is summed over all 4 positions...`"""
    added = int_list(f.get("dims_added")) or []
    changes = [t("added_one" if len(added) == 1 else "added_many",
                 dims=t.join(str(d) for d in added))] if added else []
    stretched = f.get("dims_stretched")
    for entry in stretched if isinstance(stretched, list) else []:
        dim, size = (entry.get("dim"), entry.get("to")) if isinstance(entry, Mapping) \
            else (None, None)
        if isinstance(dim, int) and isinstance(size, int):
            changes.append(t("stretched", dim=dim, size=size))
    if not changes or positions is None:
        return ""
    over = t("over_all", positions=positions, shape=format_shape(to_shape)) \
        if to_shape is not None and positions == numel(to_shape) \
        else t("over", positions=positions)
    return t("dims", changes=t.clauses(changes), over=over)


def _reduction(t: Text, f: Mapping[str, Any], label: str | None, output: str) -> str:
    """Mean vs sum: what this call gave the leaf, and what the other reduction would give."""
    kind, count = fact_str(f, "reduction"), fact_int(f, "reduction_numel")
    other_key = "grad_with_sum" if kind == "mean" else "grad_with_mean"
    if kind not in ("mean", "sum", "ones") or count is None or label is None or \
            f.get("grad_added") is None or f.get(other_key) is None:
        return t("reduce_unknown", output=output)
    grad = t("grad_is" if f.get("grad_was_none") else "grad_adds", code=_tensor_code(label),
             added=_shown(t, f["grad_added"]), other=_shown(t, f[other_key]),
             other_code="`.sum()`" if kind == "mean" else "`.mean()`")
    return t(f"reduce_{kind}", output=output, numel=count, grad=grad)


def _shown(t: Text, value: Any) -> str:
    """A VALUE in a sentence: code-like in backticks, a summary of a large tensor as words."""
    text = t.value(value)
    return text if isinstance(value, Mapping) else f"`{text}`"


def _graph_rebuilt(t: Text, f: Mapping[str, Any]) -> str:
    iterations = fact_int(f, "iterations")
    where = fact_str(f, "where")
    each = t("each", iterations=iterations) if iterations is not None else t("each_unknown")
    where_text = t(f"where_{where}") if where in ("repeat", "loop") else ""
    leaves = fact_strs(f, "leaves")
    code = f.get("python") is True  # a .py file: no YAML `zero_grad:` to offer
    optimizer = fact_str(f, "optimizer")
    recreated = fact_strs(f, "recreated")
    anew = "" if not recreated else t("recreated", leaves=t.names(recreated),
                                      code=_tensor_code(recreated[0])) \
        if len(recreated) == 1 else t("recreated_many", leaves=t.names(recreated))
    if not leaves and recreated:
        grads = anew
    elif not leaves:
        grads = t("accumulate_unknown_code" if code else "accumulate_unknown")
    elif f.get("zeroed") is True:
        grads = t("zeroed", leaves=t.names(leaves))
    else:
        zero_code = t("zero_optimizer", optimizer=optimizer) if optimizer else \
            t("zero_code_sep").join(f"`{_tensor_code(leaf)}.grad.zero_()`" for leaf in leaves)
        grads = t("accumulate_code" if code else "accumulate", leaves=t.names(leaves),
                  zero_code=zero_code)
    if leaves and recreated:
        grads = t.sentences(grads, anew)
    return t("text", each=each, where=where_text, grads=grads)


def _no_gradient(t: Text, f: Mapping[str, Any]) -> str:
    call = fact_int(f, "call")
    tensors = fact_strs(f, "tensors")
    if len(tensors) > 1:
        return t("text_many", tensors=t.names(tensors),
                 output=t.name(fact_str(f, "output"), "the_output"),
                 by_call=t("by_call", call=call) if call is not None else t("by_unknown"))
    return t("text", tensor=t.name(fact_str(f, "tensor")),
             output=t.name(fact_str(f, "output"), "the_output"),
             by_call=t("by_call", call=call) if call is not None else t("by_unknown"))


# Operation (lower-cased, as found in the op or grad_fn name) -> (cause fragment, fix code);
# `{x}` in the fix is the input that explains the inf or nan, when it has a plain name.
_NON_FINITE_CAUSES = (
    ("softmax", None, "{x}.clamp(min=-1e4, max=1e4)", "x"),
    ("sqrt", "cause_sqrt", "torch.sqrt({x} + 1e-8)", "x"),
    ("log", "cause_log", "torch.log({x}.clamp(min=1e-8))", "x"),
    ("div", "cause_div", "a / ({x} + 1e-8)", "b"),
    ("/", "cause_div", "a / ({x} + 1e-8)", "b"),
    ("pow", "cause_pow", "({x} + 1e-8) ** 0.5", "x"),
    ("**", "cause_pow", "({x} + 1e-8) ** 0.5", "x"),
)


def _non_finite_grad(t: Text, f: Mapping[str, Any]) -> str:
    tensor = t.name(fact_str(f, "tensor"))
    call, op = fact_int(f, "call"), fact_str(f, "op")
    subject = (t("subject_call", call=call, tensor=tensor) if call is not None
               else t("subject", tensor=tensor))
    value = fact_str(f, "value")
    if value and t.lang == "zh":
        value = value.replace(" and ", " 和 ")
    origin = fact_str(f, "origin")
    name = fact_str(f, "op_name") or (op.lower() if op else None)
    culprit = fact_str(f, "input")
    x = culprit if culprit and is_identifier(culprit) else None
    cause, fix_code = "", (x or "x") + ".clamp(min=1e-8)"
    for needle, cause_key, code, default in _NON_FINITE_CAUSES:
        if name and needle in name:
            cause, fix_code = (t(cause_key) if cause_key else ""), code.format(x=x or default)
            break
    else:
        if name == "mul":
            cause, fix_code = t("cause_mul"), f"{x or 'w'}.clamp(min=-1e4, max=1e4)"
    advice = t("advice", fix_code=fix_code)
    if f.get("input_value") == "nan" or (isinstance(f.get("input_value"), float)
                                         and math.isnan(f["input_value"])):
        cause, advice = t("cause_nan"), t("advice_nan", fix_code=f"torch.nan_to_num({x or 'x'})")
    elif origin == "grad_tensors":
        cause, advice = "", t("advice_grad_tensors")
    return t("text", subject=subject, value=value or t("value_unknown"),
             at=_non_finite_at(t, f),
             by_op=t("by_op", op_code=op) if op and origin != "operation" else "",
             origin=_non_finite_origin(t, f, origin), cause=cause, advice=advice)


def _non_finite_at(t: Text, f: Mapping[str, Any]) -> str:
    """Where the grad holds inf or nan: `x.grad[700]` (facts positions, count, numel)."""
    positions, count, numel = f.get("positions"), fact_int(f, "count"), fact_int(f, "numel")
    if not isinstance(positions, list) or not positions or count is None or numel is None \
            or numel <= 1:
        return ""
    if count == numel:
        return t("at_all", numel=numel)
    label = fact_str(f, "tensor") or "x"
    codes = [f"`{label}.grad[{', '.join(str(i) for i in index)}]`" for index in positions]
    named = t.join(codes)
    key = "at_one" if count == 1 else ("at_some" if count <= len(codes) else "at_first")
    return t(key, positions=named, count=count, numel=numel)


def _non_finite_origin(t: Text, f: Mapping[str, Any], origin: str | None) -> str:
    """Where the inf or nan first appeared during the call (facts from the tracer)."""
    produced = fact_str(f, "produced") or t("value_unknown")
    if t.lang == "zh":
        produced = produced.replace(" and ", " 和 ")
    if origin == "grad_tensors":
        return t("origin_grad_tensors", produced=produced)
    if origin == "not_found":
        return t("origin_not_found")
    if origin == "not_traced_loop":
        return t("origin_not_traced_loop")
    if origin == "not_traced":
        nodes, limit = fact_int(f, "nodes"), fact_int(f, "trace_limit")
        return t("origin_not_traced", nodes=nodes, limit=limit) \
            if nodes is not None and limit is not None else ""
    node, name = fact_str(f, "op"), fact_str(f, "op_name")
    if origin != "operation" or node is None or name is None:
        return ""
    made, grad_for = fact_str(f, "made"), fact_str(f, "grad_for")
    return t("origin_operation", node=node, produced=produced,
             op=t("op_made", op_name=name, made=made) if made else t("op", op_name=name),
             grad_for=t("grad_for", tensor=grad_for) if grad_for else "",
             input=_non_finite_input(t, f))


def _non_finite_input(t: Text, f: Mapping[str, Any]) -> str:
    """`; its input `x` has 0 at position [0]`."""
    value = f.get("input_value")
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return ""
    shown = _plain_number(value)
    label, position = fact_str(f, "input"), int_list(f.get("input_position"))
    if position:
        key = "input" if label else "input_unnamed"
        return t(key, input=label, value=shown, position=format_shape(position))
    return t("input_scalar" if label else "input_unnamed_scalar", input=label, value=shown)


def _plain_number(value: Any) -> str:
    """0 rather than torch's `0.`: a single number read inside a sentence."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value) \
            and abs(value) < 1e8:
        return str(int(value))
    return format_number(value)


_NOTES: dict[str, Callable[[Text, Mapping[str, Any]], str]] = {
    "non_leaf_grad": _non_leaf_grad,
    "accumulated": _accumulated,
    "broadcast_sum": _broadcast_sum,
    "graph_rebuilt": _graph_rebuilt,
    "no_gradient": _no_gradient,
    "non_finite_grad": _non_finite_grad,
    **LANGUAGE_NOTES,
}
