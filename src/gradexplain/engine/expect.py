"""Checking a scenario's `expect:` against what the run did."""

from __future__ import annotations

from typing import Any

import torch

from gradexplain.record import CallRecord, ExpectationResult, RunRecord
from gradexplain.scenario import Expect


def check_expectations(expect: Expect, record: RunRecord, env: dict[str, Any],
                       tolerance: float) -> list[ExpectationResult]:
    results: list[ExpectationResult] = []
    for name, expected in expect.grads.items():
        tensor = env.get(name)
        actual = tensor.grad if isinstance(tensor, torch.Tensor) and (
            tensor.is_leaf or tensor.retains_grad) else None
        if not isinstance(tensor, torch.Tensor):
            results.append(ExpectationResult(False, f"{name}.grad: there is no tensor named "
                                                    f"'{name}'"))
            continue
        results.append(_compare(f"{name}.grad at the end", expected, actual, tolerance))
    for number, grads in expect.calls.items():
        call = next((c for c in record.calls if c.index == number), None)
        for name, expected in grads.items():
            results.append(_call_expectation(number, call, name, expected, tolerance))
    for name, expected in expect.values.items():
        value = env.get(name)
        if value is None and name not in env:
            results.append(ExpectationResult(False, f"{name}: there is no such name"))
            continue
        results.append(_compare(f"{name}", expected, value, tolerance))
    if expect.error is not None:
        results.append(_error_expectation(expect, record))
    seen_notes = {n.kind for n in record.notes}
    for kind in expect.notes:
        ok = kind in seen_notes
        results.append(ExpectationResult(ok, f"note {kind} appears" if ok else
                                         f"note {kind} was expected but did not appear"))
    if expect.prints:
        results.append(_prints_expectation(expect.prints, [p.text for p in record.prints]))
    return results


def _call_expectation(number: int, call: CallRecord | None, name: str, expected: Any,
                      tolerance: float) -> ExpectationResult:
    what = f"{name}.grad after call {number}"
    if call is None:
        return ExpectationResult(False, f"{what}: there was no call {number}")
    if call.error is not None:
        return ExpectationResult(False, f"{what}: call {number} failed ({call.error.kind})")
    if name not in call.after:
        return ExpectationResult(False, f"{what}: '{name}' is not in call {number}'s ledger")
    actual = call.after[name]
    if isinstance(actual, dict):
        return ExpectationResult(False, f"{what}: too large to compare from the ledger; run "
                                        "with --full")
    tensor = None if actual is None else torch.tensor(_numeric(actual), dtype=torch.float64)
    return _compare(what, expected, tensor, tolerance)


def _numeric(value: Any) -> Any:
    if isinstance(value, list):
        return [_numeric(v) for v in value]
    if isinstance(value, str):
        return float(value)
    return value


def _compare(what: str, expected: Any, actual: Any, tolerance: float) -> ExpectationResult:
    shown = _short(expected)
    if expected is None:
        ok = actual is None
        return ExpectationResult(ok, f"{what} is None" if ok else
                                 f"{what}: expected None, got {_short_tensor(actual)}")
    if actual is None:
        return ExpectationResult(False, f"{what}: expected {shown}, got None")
    if not isinstance(actual, torch.Tensor):
        try:
            actual = torch.tensor(actual)
        except (TypeError, ValueError, RuntimeError):
            return ExpectationResult(False, f"{what}: expected {shown}, got {actual!r}")
    want = torch.tensor(_numeric(expected), dtype=torch.float64)
    have = actual.detach().cpu().to(torch.float64)
    if isinstance(expected, list) and list(want.shape) != list(have.shape):
        return ExpectationResult(False, f"{what}: expected shape {list(want.shape)}, got "
                                        f"{list(have.shape)}")
    try:
        ok = bool(torch.allclose(have, want.expand_as(have), rtol=tolerance, atol=tolerance,
                                 equal_nan=True))
    except RuntimeError:
        ok = False
    if ok:
        return ExpectationResult(True, f"{what} = {shown}")
    return ExpectationResult(False, f"{what}: expected {shown}, got {_short_tensor(have)}")


def _error_expectation(expect: Expect, record: RunRecord) -> ExpectationResult:
    wanted = expect.error
    assert wanted is not None
    where = ""
    if wanted.step is not None:
        where += f" at step {wanted.step}"
    if wanted.call is not None:
        where += f" in call {wanted.call}"
    error = record.error
    if error is None:
        return ExpectationResult(False, f"error {wanted.kind}{where}: expected, but the run "
                                        "finished without an error")
    failed_call = next((c.index for c in record.calls if c.error is not None), None)
    ok = error.kind == wanted.kind and (wanted.step is None or wanted.step == error.step) and \
        (wanted.call is None or wanted.call == failed_call)
    if ok:
        return ExpectationResult(True, f"stops with {wanted.kind}{where}")
    got = f"{error.kind} at step {error.step}"
    if failed_call is not None:
        got += f" in call {failed_call}"
    return ExpectationResult(False, f"error {wanted.kind}{where}: expected, got {got}")


def _prints_expectation(wanted: tuple[str, ...], printed: list[str]) -> ExpectationResult:
    position = 0
    for text in wanted:
        while position < len(printed) and printed[position] != text:
            position += 1
        if position == len(printed):
            return ExpectationResult(False, f"print output {text!r} was expected but not "
                                            "printed (in order)")
        position += 1
    return ExpectationResult(True, f"printed {len(wanted)} expected line(s)")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short_tensor(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return f"{value.item():g}"
        return _short(value.tolist())
    return _short(value)
