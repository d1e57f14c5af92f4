"""Checking a scenario's `expect:` against what the run did.

Each result carries a phrase key and its facts (explain/catalogue_expect words them in the
reader's language); values are shown as short, language-neutral text.
"""

from __future__ import annotations

from typing import Any

import torch

from gradexplain.record import CallRecord, ExpectationResult, RunRecord
from gradexplain.scenario.model import Expect

What = dict[str, Any]  # what is checked: {"kind": "grad_end"|"grad_call"|"value", ...}


def _result(ok: bool, key: str, **facts: Any) -> ExpectationResult:
    return ExpectationResult(ok, key=key, facts=facts)


def check_expectations(expect: Expect, record: RunRecord, env: dict[str, Any],
                       tolerance: float) -> list[ExpectationResult]:
    results: list[ExpectationResult] = []
    for name, expected in expect.grads.items():
        tensor = env.get(name)
        actual = tensor.grad if isinstance(tensor, torch.Tensor) and (
            tensor.is_leaf or tensor.retains_grad) else None
        if not isinstance(tensor, torch.Tensor):
            results.append(_result(False, "no_tensor", name=name))
            continue
        result = _compare({"kind": "grad_end", "name": name}, expected, actual, tolerance)
        if not result.ok and actual is None and not tensor.is_leaf and expected is not None:
            result = _result(False, "non_leaf", what=result.facts["what"],
                             expected=result.facts["expected"], name=name)
        results.append(result)
    for number, grads in expect.calls.items():
        call = next((c for c in record.calls if c.index == number), None)
        for name, expected in grads.items():
            results.append(_call_expectation(number, call, name, expected, tolerance))
    for name, expected in expect.values.items():
        value = env.get(name)
        if value is None and name not in env:
            results.append(_result(False, "no_name", name=name))
            continue
        results.append(_compare({"kind": "value", "name": name}, expected, value, tolerance))
    if expect.error is not None:
        results.append(_error_expectation(expect, record))
    seen_notes = {n.kind for n in record.notes}
    for kind in expect.notes:
        ok = kind in seen_notes
        results.append(_result(ok, "note_ok" if ok else "note_missing", kind=kind))
    if expect.prints:
        results.append(_prints_expectation(expect.prints, [p.text for p in record.prints]))
    return results


def _call_expectation(number: int, call: CallRecord | None, name: str, expected: Any,
                      tolerance: float) -> ExpectationResult:
    what: What = {"kind": "grad_call", "name": name, "call": number}
    if call is None:
        return _result(False, "no_call", what=what, call=number)
    if call.error is not None:
        return _result(False, "call_failed", what=what, call=number, kind=call.error.kind)
    if name not in call.after:
        return _result(False, "not_in_ledger", what=what, call=number, name=name)
    actual = call.after[name]
    if isinstance(actual, dict):
        return _result(False, "too_large", what=what)
    tensor = None if actual is None else torch.tensor(_numeric(actual), dtype=torch.float64)
    return _compare(what, expected, tensor, tolerance)


def _numeric(value: Any) -> Any:
    if isinstance(value, list):
        return [_numeric(v) for v in value]
    if isinstance(value, str):
        return float(value)
    return value


def _compare(what: What, expected: Any, actual: Any, tolerance: float) -> ExpectationResult:
    shown = _short(expected)
    if expected is None:
        if actual is None:
            return _result(True, "is_none", what=what)
        return _result(False, "expected_got", what=what, expected="None",
                       got=_short_tensor(actual))
    if actual is None:
        return _result(False, "expected_got", what=what, expected=shown, got="None")
    if isinstance(actual, torch.Tensor) and actual.device.type == "meta":
        return _result(False, "expected_got", what=what, expected=shown, got="meta (no values)")
    if not isinstance(actual, torch.Tensor):
        try:
            actual = torch.tensor(actual)
        except (TypeError, ValueError, RuntimeError):
            return _result(False, "expected_got", what=what, expected=shown, got=repr(actual))
    want = torch.tensor(_numeric(expected), dtype=torch.float64)
    have = actual.detach().cpu().to(torch.float64)
    if isinstance(expected, list) and list(want.shape) != list(have.shape):
        return _result(False, "shape", what=what, expected=str(list(want.shape)),
                       got=str(list(have.shape)))
    try:
        ok = bool(torch.allclose(have, want.expand_as(have), rtol=tolerance, atol=tolerance,
                                 equal_nan=True))
    except RuntimeError:
        ok = False
    if ok:
        return _result(True, "equal", what=what, expected=shown)
    return _result(False, "expected_got", what=what, expected=shown, got=_short_tensor(have))


def _error_expectation(expect: Expect, record: RunRecord) -> ExpectationResult:
    wanted = expect.error
    assert wanted is not None
    facts: dict[str, Any] = {"kind": wanted.kind, "step": wanted.step, "call": wanted.call}
    error = record.error
    if error is None:
        return _result(False, "error_none", **facts)
    failed_call = next((c.index for c in record.calls if c.error is not None), None)
    ok = error.kind == wanted.kind and (wanted.step is None or wanted.step == error.step) and \
        (wanted.call is None or wanted.call == failed_call)
    if ok:
        return _result(True, "error_ok", **facts)
    return _result(False, "error_other", **facts,
                   got={"kind": error.kind, "step": error.step, "call": failed_call})


def _prints_expectation(wanted: tuple[str, ...], printed: list[str]) -> ExpectationResult:
    position = 0
    for text in wanted:
        while position < len(printed) and printed[position] != text:
            position += 1
        if position == len(printed):
            return _result(False, "prints_missing", text=repr(text))
        position += 1
    return _result(True, "prints_ok", count=len(wanted))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short_tensor(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return f"{value.item():g}"
        return _short(value.tolist())
    return _short(value)
