"""Record -> texts: each error kind's explanation and fix, from the catalogue and the facts.

Texts are data (catalogue_en / catalogue_zh); this module only picks fragments and fills
them with the facts the runner recorded. A missing fact drops the fragment that needs it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gradexplain.explain import catalogue
from gradexplain.explain.deeper_text import ExplainedViews, explain_views
from gradexplain.explain.expectations import expectation_text
from gradexplain.explain.input_errors import translate_hint, translate_message, translate_what
from gradexplain.explain.notes import explain_note
from gradexplain.explain.shapes import shape_story
from gradexplain.explain.text import (
    Text,
    check_lang,
    fact_int,
    fact_str,
    fact_strs,
    label,
    tidy,
)
from gradexplain.explain.values import (
    add_keyword,
    format_shape,
    int_list,
    is_identifier,
    numel,
    operand,
)
from gradexplain.record import ErrorInfo, NoteInfo, RunRecord


@dataclass(frozen=True)
class ExplainedError:
    """What a renderer shows for an error: a title, what happened, and the edit to make."""

    kind: str
    title: str
    explanation: str
    fix: str


@dataclass
class Report:
    """A run record with every error and note put into words in one language."""

    record: RunRecord
    error: ExplainedError | None
    call_errors: dict[int, ExplainedError] = field(default_factory=dict)
    notes: list[tuple[NoteInfo, str]] = field(default_factory=list)
    lang: str = "en"
    expectations: list[str] = field(default_factory=list)  # each `expect:` result, worded
    views: dict[int, ExplainedViews] = field(default_factory=dict)  # call index -> its views

    def label(self, key: str) -> str:
        return label(key, self.lang)


def explain_run(record: RunRecord, lang: str) -> Report:
    """Explain the run's error, each call's error and each note."""
    check_lang(lang)
    return Report(
        record=record,
        error=explain_error(record.error, lang) if record.error is not None else None,
        call_errors={call.index: explain_error(call.error, lang)
                     for call in record.calls if call.error is not None},
        notes=[(note, explain_note(note, lang)) for note in record.notes],
        lang=lang,
        expectations=[expectation_text(item, lang) for item in record.expectations],
        views={call.index: explain_views(call.views, lang, call.function)
               for call in record.calls
               if call.views},
    )


def explain_error(error: ErrorInfo, lang: str) -> ExplainedError:
    """The title, explanation and fix of one error. An unknown kind reads as torch_error."""
    check_lang(lang)
    kind = error.kind if error.kind in catalogue.ERRORS[lang] else "torch_error"
    t = Text(catalogue.ERRORS, kind, lang)
    facts: Mapping[str, Any] = error.facts if isinstance(error.facts, Mapping) else {}
    try:
        title, explanation, fix = _EXPLAINERS[kind](t, error, facts)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        # Facts of an unexpected form: explain without them rather than not at all.
        title, explanation, fix = _EXPLAINERS[kind](t, error, {})
    return ExplainedError(error.kind, tidy(title, lang), tidy(explanation, lang),
                          tidy(fix, lang))


Explained = tuple[str, str, str]  # title, explanation, fix


def _hint_or(t: Text, error: ErrorInfo, key: str = "fix") -> str:
    """The error's own hint when it has one (in the reader's language when the input-error
    catalogue has it; else after the generic fix), else the catalogue's fix."""
    hint = (error.hint or "").strip().rstrip(".")
    if not hint:
        return t(key)
    if t.lang == "en":
        if hint[-1] in "?!":  # "did you mean 'x'?" ends a sentence already
            return hint[0].upper() + hint[1:]
        return t.phrase("hint", hint=hint[0].upper() + hint[1:])
    translated = translate_hint(hint, t.lang)
    if translated is not None:
        return translated.rstrip("。") + "。"
    return t(key) + "\n" + t.phrase("hint", hint=hint)


def _out_code(label: str | None) -> str:
    return operand(label) if label else "out"


def _non_scalar_backward(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    label_ = fact_str(f, "output")
    out, code = t.name(label_, "the_output"), _out_code(label_)
    shape = int_list(f.get("shape"))
    n = fact_int(f, "numel")
    if n is None and shape is not None:
        n = numel(shape)
    detail = (t("detail_shape", output=out, shape=format_shape(shape), numel=n)
              if shape is not None and n is not None else t("detail_noshape", output=out))
    fix = t("fix", output=out, ones_like_code=f"{code}.backward(torch.ones_like({label_ or code}))",
            weighted_code=f"{code}.backward(gradient=w)", shape_phrase=t.shape_phrase(shape),
            sum_code=f"{code}.sum().backward()", mean_code=f"{code}.mean().backward()",
            numel=n if n is not None else t.phrase("numel_unknown"))
    return t("title"), t("explanation", detail=detail), fix


def _freed_graph(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    label_ = fact_str(f, "output")
    out = t.name(label_, "the_output")
    call, statement = fact_int(f, "freed_by_call"), fact_str(f, "freed_by_statement")
    if call is not None and statement:
        freed_by = t("by_call_statement", call=call, statement_code=statement)
    elif call is not None:
        freed_by = t("by_call", call=call)
    else:
        freed_by = t("by_unknown")
    retained = add_keyword(statement, "retain_graph", "True") if statement else None
    retained = retained or f"{_out_code(label_)}.backward(retain_graph=True)"
    fixes = [t("fix", retained_code=retained, output=out)]
    in_loop = f.get("in_loop") is True
    if in_loop:
        fixes.append(t("fix_loop"))
    if (in_loop or not statement) and not in_python(e):  # `repeat:` in the short form
        fixes.append(t("fix_yaml"))
    return t("title"), t("explanation", freed_by=freed_by, output=out), "\n".join(fixes)


def _no_grad_fn(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    out = t.name(fact_str(f, "output"), "the_output")
    reason = fact_str(f, "reason")
    # `leaves`: the tensors of the run that do require grad (may be empty).
    leaves = t.names(fact_strs(f, "leaves")[:6])
    despite = t("despite", leaves=leaves) if leaves else ""
    leaf_code = "torch.tensor([1., 2.], requires_grad=True)"
    if reason == "no_grad":
        why, fix = t("reason_no_grad", despite=despite), t("fix_no_grad", output=out)
    elif reason == "detached":
        why, fix = t("reason_detached", despite=despite), t("fix_detached")
    elif reason == "no_requires_grad":
        why = t("reason_no_requires_grad", others=t("others", leaves=leaves) if leaves else "")
        fix = t("fix_no_requires_grad", output=out, leaf_code=leaf_code)
        fix = fix if in_python(e) else t.sentences(fix, t("yaml_default"))
    else:
        why, fix = t("reason_unknown"), t("fix_unknown", leaf_code=leaf_code)
    return t("title"), t("explanation", output=out, reason=why), t("fix", fix_reason=fix)


def _grad_shape_mismatch(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    label_ = fact_str(f, "output")
    out, code = t.name(label_, "the_output"), _out_code(label_)
    out_shape, grad_shape = int_list(f.get("output_shape")), int_list(f.get("grad_shape"))
    if out_shape is not None and grad_shape is not None:
        detail = t("detail", output=out, output_shape=format_shape(out_shape),
                   grad_shape=format_shape(grad_shape))
    elif out_shape is not None:
        detail = t("detail_output", output=out, output_shape=format_shape(out_shape))
    elif grad_shape is not None:
        detail = t("detail_grad", grad_shape=format_shape(grad_shape))
    else:
        detail = ""
    if f.get("short_form") is True:  # the fix is the YAML value, not code
        fix = t("fix_yaml", output=out, shape_phrase=t.shape_phrase(out_shape),
                example_code="grad_tensors: " + _ones_literal(out_shape))
        return t("title"), t("explanation", output=out, detail=detail), fix
    fix = t("fix", output=out, ones_like_code=f"{code}.backward(torch.ones_like({label_ or code}))",
            shape_phrase=t.shape_phrase(out_shape))
    return t("title"), t("explanation", output=out, detail=detail), fix


def _ones_literal(shape: list[int] | None) -> str:
    """`[[1, 1], [1, 1]]` for [2, 2]: a YAML value of that shape (small shapes only)."""
    if not shape or math.prod(shape) > 16:
        return "ones_like"
    value: Any = 1
    for size in reversed(shape):
        value = [value] * size
    return str(value)


# In-place op -> (arguments to show, out-of-place form); "{v}" is the tensor, "{a}" the args.
_AUGMENTED = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "**=": "**", "//=": "//"}
_INPLACE_ARGS = {"add_": "1", "sub_": "1", "mul_": "2", "div_": "2", "pow_": "2",
                 "clamp_": "min=0", "fill_": "0", "masked_fill_": "mask, 0"}
_OUT_OF_PLACE = {"fill_": "{v} = torch.full_like({v}, {a})", "zero_": "{v} = torch.zeros_like({v})",
                 "copy_": "{v} = {a}.clone()"}


def inplace_forms(var: str, op: str | None) -> tuple[str, str]:
    """(in-place code, out-of-place code) for `op` applied to `var`, e.g. `x += 1`."""
    name = (op or "").strip().split("::")[-1].split(".")[-1].split("(")[0]
    if name in _AUGMENTED:
        return f"{var} {name} 1", f"{var} = {var} {_AUGMENTED[name]} 1"
    if name.endswith("_") and is_identifier(name) and not name.startswith("_"):
        args = _INPLACE_ARGS.get(name, "src" if name == "copy_" else "")
        template = _OUT_OF_PLACE.get(name, "{v} = {v}." + name[:-1] + "({a})")
        return f"{var}.{name}({args})", template.format(v=var, a=args)
    return f"{var} += 1", f"{var} = {var} + 1"


def _inplace_modified(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    label_, op = fact_str(f, "tensor"), fact_str(f, "op")
    shape = int_list(f.get("shape"))
    tensor = t.name(label_, "a_tensor")
    if shape is not None:
        tensor = t("tensor_shape", tensor=tensor, shape=format_shape(shape))
    # PyTorch names the node that produced the saved tensor (`AddBackward0`), not the
    # in-place operation that changed it.
    if op and (f.get("op_made_it") is True or re.search(r"Backward\d*$", op)):
        by_op, op = t("output_of", op_code=op), None
    else:
        by_op = t("by_op", op_code=op) if op else ""
    version, expected = fact_int(f, "version"), fact_int(f, "expected_version")
    versions = (t("versions", version=version, expected_version=expected, by_op=by_op)
                if version is not None and expected is not None
                else t("versions_unknown", by_op=by_op))
    var = label_ if label_ and is_identifier(label_) else "y"
    in_place, out_of_place = inplace_forms(var, op)
    fix = t("fix", out_of_place_code=out_of_place, in_place_code=in_place,
            clone_code=f"{var} = {var}.clone()")
    return t("title"), t("explanation", tensor=tensor, versions=versions), fix


def _leaf_inplace(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    # The interpreter's operation context (function, operands) stands in for missing facts.
    operands = fact_strs(f, "operands")
    label_ = fact_str(f, "tensor") or (operands[0] if operands else None)
    op = fact_str(f, "op") or fact_str(f, "function")
    var = label_ if label_ and is_identifier(label_) else "x"
    in_place, out_of_place = inplace_forms(var, op)
    by_op = t("by_op", op_code=op) if op else ""
    explanation = t("explanation", tensor=t.name(label_, "the_tensor"), by_op=by_op)
    return t("title"), explanation, t("fix", in_place_code=in_place,
                                      out_of_place_code=out_of_place)


def _non_float_requires_grad(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    label_, dtype = fact_str(f, "tensor"), fact_str(f, "dtype")
    tensor = t.name(label_, "the_tensor")
    if label_ is None or is_identifier(label_):
        var = label_ or "x"
        convert = f"{var} = {var}.float().requires_grad_()"
    else:
        converted = add_keyword(label_, "dtype", "torch.float32") \
            if label_.startswith("torch.") else None
        convert = converted or f"{operand(label_)}.float().requires_grad_()"
    detail = (t("detail", tensor=tensor, dtype=dtype) if dtype
              else t("detail_nodtype", tensor=tensor))
    fix = t("fix", convert_code=convert)
    return t("title"), t("explanation", detail=detail), \
        fix if in_python(e) else t.sentences(fix, t("fix_yaml"))


_FUNCTION_NAMES = {"mm": "torch.mm", "bmm": "torch.bmm", "mv": "torch.mv", "dot": "torch.dot",
                   "matmul": "torch.matmul", "view": "view", "cat": "torch.cat"}


def _shape_mismatch(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    function = fact_str(f, "function") or "other"
    raw = f.get("shapes")
    shapes = [s for s in (int_list(x) for x in raw) if s is not None] \
        if isinstance(raw, (list, tuple)) else []
    labels = fact_strs(f, "operands")
    count = max(len(shapes), 2)
    names = [t.name(labels[i]) if i < len(labels) else t("operand", n=i + 1)
             for i in range(count)]
    codes = [operand(labels[i]) if i < len(labels) else "abcdefgh"[i % 8]
             for i in range(count)]
    story = shape_story(function, shapes, names, codes)
    if function == "view" and len(shapes) >= 2:
        here = t("here_view", name=names[0], shape=format_shape(shapes[0]),
                 new=format_shape(shapes[1]))
    elif len(shapes) == 2 and len(labels) >= 2 and labels[0] == labels[1]:
        # torch.mm(a, a): one tensor twice, said once
        here = t("here_same", name=names[0], shape=format_shape(shapes[0]))
    elif shapes:
        here = t("here", items=t.clauses(t("item_named", name=names[i], shape=format_shape(s))
                                         for i, s in enumerate(shapes)))
    else:
        here = ""
    problem = ""
    if story.problem is not None:
        key, fields = story.problem
        problem = t(key, **_resolve(t, fields))
    fixes = "\n".join(t(key, **_resolve(t, fields)) for key, fields in story.fixes)
    if function == "broadcast":
        title = t("title_broadcast")
    elif function in _FUNCTION_NAMES:
        title = t("title", function=f"`{_FUNCTION_NAMES[function]}`")
    else:
        title = t("title_other")
    explanation = t("explanation", rule=t(story.rule), here=here, problem=problem)
    return title, explanation, t("fix", fix_specific=fixes)


def _resolve(t: Text, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields from shapes.py: `need` names a catalogue fragment, lists are joined."""
    resolved = dict(fields)
    if "need" in resolved:
        resolved["need"] = t(str(resolved["need"]))
    for key, value in fields.items():
        if isinstance(value, list):
            resolved[key] = t.join(str(v) for v in value)
    return resolved


def _device_mismatch(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    devices = fact_strs(f, "devices")
    function = fact_str(f, "function")
    target = next((d for d in devices if d != "cpu"), devices[0] if devices else "cuda")
    listed = t("devices", devices=t.join(devices)) if devices else ""
    explanation = t("explanation", function=f"`{function}`" if function else t("one_operation"),
                    devices=listed)
    return t("title"), explanation, t("fix", move_code=f'.to(device="{target}")', target=target)


def _dtype_mismatch(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    dtypes = [d.removeprefix("torch.") for d in fact_strs(f, "dtypes")]
    function = fact_str(f, "function")
    floats = [d for d in dtypes if "float" in d or d in ("half", "double")]
    target = "float32" if "float32" in dtypes or not floats else floats[0]
    listed = t("dtypes", dtypes=t.join(dtypes)) if dtypes else ""
    explanation = t("explanation", function=f"`{function}`" if function else t("one_operation"),
                    dtypes=listed)
    return t("title"), explanation, t("fix", target=target,
                                      convert_code=f".to(torch.{target})")


def _unknown_name(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    name, suggestion = fact_str(f, "name"), fact_str(f, "suggestion")
    owner = fact_str(f, "owner")
    if f.get("attribute") is True and suggestion and owner in ("tensor", "torch", "F",
                                                                "autograd", "nn", "optim"):
        return (t("title_attribute"), t("explanation_attribute", owner=t(f"owner_{owner}"),
                                        name=t.name(name, "the_name")),
                t("fix_suggestion", suggestion_code=suggestion))
    out_name, out_fix = fact_str(f, "short_form_out"), fact_str(f, "short_form_fix")
    if out_name and out_fix:
        return (t("title"), t.sentences(
            t("explanation", name=t.name(name, "the_name"), known=""),
            t("short_form", out=f"`{out_name}`")),
                t("fix_short_form", code=f"grad_tensors: {out_fix}"))
    known = fact_strs(f, "known")
    known_text = t("known", names=t.names(known[:12])) if known else ""
    explanation = t("explanation", name=t.name(name, "the_name"), known=known_text)
    fixes = [t("fix_suggestion", suggestion_code=suggestion)] if suggestion else []
    fixes.append(t("fix_py" if in_python(e) else "fix", name_code=name or "name"))
    return t("title"), explanation, "\n".join(fixes)


def in_python(error: ErrorInfo) -> bool:
    """The scenario is a `.py` file (or REPL code): fixes never mention YAML entries."""
    return (error.path or "").endswith(".py") or error.path == "<repl>"


def _not_allowed(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    what = fact_str(f, "what") or e.message.strip().rstrip(".")
    what = translate_what(what, t.lang)
    reason = fact_str(f, "reason")
    reason = translate_what(reason, t.lang) if reason else reason
    if reason:
        what = t("reason", what=what, reason=reason)
    return t("title"), t("explanation", what=what), _hint_or(t, e)


def _limit_exceeded(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    limit = fact_str(f, "limit")
    what = catalogue.LIMITS[t.lang].get(limit or "") or fact_str(f, "what") \
        or t("what_unknown")
    value, maximum, flag = f.get("value"), f.get("maximum"), fact_str(f, "flag")
    if value is not None and maximum is not None:
        explanation = t("explanation", what=what, value=value, maximum=maximum)
    else:
        explanation = t("explanation_message", message=e.message)
    if flag:
        amount = value if isinstance(value, int) and not isinstance(value, bool) else "N"
        fix = t("fix", flag_code=f"{flag} {amount}")
    else:
        fix = t("fix_noflag")
    return t("title"), explanation, fix


def _invalid_scenario(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    message = translate_message(e.message, t.lang) or e.message
    return t("title"), t("explanation", message=message), _hint_or(t, e)


def _device_unavailable(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    device = fact_str(f, "device")
    available = fact_strs(f, "available")
    listed = t("available", devices=t.join(available)) if available else ""
    explanation = (t("explanation", device_code=device, available=listed) if device
                   else t("explanation_nodevice", available=listed))
    others = [f"`--device {d}`" for d in available if d != "cpu"]
    fixes = [t("fix")] + ([t("fix_other", options=t.join(others))] if others else [])
    return t("title"), explanation, "\n".join(fixes)


def _torch_error(t: Text, e: ErrorInfo, f: Mapping[str, Any]) -> Explained:
    if f.get("origin") == "code":  # found by the interpreter or plain Python, not PyTorch
        return t("title_code"), t("explanation_code", message=e.message), \
            e.hint or t("fix_code")
    return t("title"), t("explanation", message=e.message), _hint_or(t, e)


_EXPLAINERS: dict[str, Callable[[Text, ErrorInfo, Mapping[str, Any]], Explained]] = {
    "non_scalar_backward": _non_scalar_backward,
    "freed_graph": _freed_graph,
    "no_grad_fn": _no_grad_fn,
    "grad_shape_mismatch": _grad_shape_mismatch,
    "inplace_modified": _inplace_modified,
    "leaf_inplace": _leaf_inplace,
    "non_float_requires_grad": _non_float_requires_grad,
    "shape_mismatch": _shape_mismatch,
    "device_mismatch": _device_mismatch,
    "dtype_mismatch": _dtype_mismatch,
    "unknown_name": _unknown_name,
    "not_allowed": _not_allowed,
    "limit_exceeded": _limit_exceeded,
    "invalid_scenario": _invalid_scenario,
    "device_unavailable": _device_unavailable,
    "torch_error": _torch_error,
}
