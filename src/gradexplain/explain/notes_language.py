"""Texts of the notes the widened statement language adds (see catalogue_language)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gradexplain.explain.text import Text, fact_int, fact_str


def _times(t: Text, f: Mapping[str, Any]) -> str:
    count = fact_int(f, "count") or 1
    return t("times", count=count) if count > 1 else ""


def _shape_text(value: Any) -> str:
    if value is None:  # a None saved or returned in a custom Function (an absent bias)
        return "None"
    if isinstance(value, list) and value and all(isinstance(v, list) or v is None
                                                 for v in value):
        return ", ".join(_shape_text(v) for v in value)
    return str(value) if isinstance(value, list) else "?"


def _hook_called(t: Text, f: Mapping[str, Any]) -> str:
    after = f.get("after")
    returned = t("returned_none") if after is None else \
        t("returned_value", after=t.value(after))
    return t("text", kind=fact_str(f, "kind") or "register_hook",
             tensor=t.name(fact_str(f, "tensor")), times=_times(t, f),
             before=t.value(f.get("before")), returned=returned)


def _optimizer_step(t: Text, f: Mapping[str, Any]) -> str:
    found = f.get("changed")
    changed: list[Any] = found if isinstance(found, list) else []
    example = ""
    if changed and isinstance(changed[0], Mapping):
        first = changed[0]
        example = t("example", tensor=t.name(fact_str(first, "tensor")),
                    before=t.value(first.get("before")), after=t.value(first.get("after")))
    return t("text", optimizer=fact_str(f, "optimizer") or "optimizer", count=len(changed),
             example=example, times=_times(t, f))


def _custom_function(t: Text, f: Mapping[str, Any]) -> str:
    saved = f.get("saved") if isinstance(f.get("saved"), list) else []
    saved_text = t("nothing_saved") if not saved else t("saved_shapes",
                                                         shapes=_shape_text(saved))
    return t("text", function=fact_str(f, "function") or "Function", times=_times(t, f),
             saved=saved_text, returned=_shape_text(f.get("returned")))


def _autograd_functional(t: Text, f: Mapping[str, Any]) -> str:
    function = fact_str(f, "function") or "jacobian"
    rule = t("rule_jacobian") if function == "jacobian" else \
        t("rule_hessian") if function == "hessian" else t("rule_product")
    return t("text", function=function, result=_shape_text(f.get("result")),
             inputs=_shape_text(f.get("inputs")), rule=rule)


def _legacy_api(t: Text, f: Mapping[str, Any]) -> str:
    api = fact_str(f, "api") or "Variable"
    advice = t("advice_variable") if api.endswith("Variable") else t("advice_tensor_type")
    return t("text", api=api, advice=advice)


# What each kind of module hook receives (and may replace), by the method that registered it.
_HOOK_WHAT = {"register_forward_pre_hook": "what_forward_pre",
              "register_forward_hook": "what_forward",
              "register_full_backward_pre_hook": "what_backward_pre"}


def _module_hook(t: Text, f: Mapping[str, Any]) -> str:
    kind = fact_str(f, "kind") or "register_forward_hook"
    what = t(_HOOK_WHAT.get(kind, "what_backward"))
    returned = f.get("returned")
    returned_text = t("returned_none", what=what) if returned is None else \
        t("returned_value", what=what, value=t("shapes", shapes=_shape_text(returned)))
    return t("text", kind=kind, module=t.name(fact_str(f, "tensor")),
             layer=fact_str(f, "layer") or "Module", times=_times(t, f),
             received=t("shapes", shapes=_shape_text(f.get("received"))),
             returned=returned_text)


def _data_loader_in_process(t: Text, f: Mapping[str, Any]) -> str:
    return t("text", workers=fact_int(f, "num_workers") or 1)


def _figure_not_saved(t: Text, f: Mapping[str, Any]) -> str:
    return t("text", file=repr(fact_str(f, "file") or ""))


LANGUAGE_NOTES: dict[str, Callable[[Text, Mapping[str, Any]], str]] = {
    "figure_not_saved": _figure_not_saved,
    "module_hook": _module_hook,
    "data_loader_in_process": _data_loader_in_process,
    "hook_called": _hook_called,
    "optimizer_step": _optimizer_step,
    "custom_function": _custom_function,
    "autograd_functional": _autograd_functional,
    "legacy_api": _legacy_api,
}
