"""Two run records side by side, tensor by tensor: what differs, and a reason kind.

Pure analysis of plain data: no torch, no rich, no text. Numeric differences are computed
from the records' VALUEs with pure Python; each difference carries a `why` key and its
facts, which gradexplain.explain.compare turns into a sentence (en and zh).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gradexplain.record import CallRecord, ErrorInfo, RunRecord, Value, non_finite_name

MODES = ("zero_grad", "retain_graph", "device", "paths")

@dataclass
class TensorDiff:
    """One tensor at one call: its grad under each variant, and how they differ."""

    call: int
    tensor: str
    a: Value | None
    b: Value | None
    a_state: str = "ok"  # "ok", "stopped" (the call failed) or "absent" (no such call/tensor)
    b_state: str = "ok"
    max_abs: float | None = None
    max_rel: float | None = None
    differs: bool = False
    why: str | None = None  # a catalogue key
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class CallComparison:
    index: int
    statement_a: str | None
    statement_b: str | None
    error_a: ErrorInfo | None
    error_b: ErrorInfo | None
    rows: list[TensorDiff] = field(default_factory=list)


@dataclass
class Comparison:
    mode: str
    name_a: str
    name_b: str
    calls: list[CallComparison] = field(default_factory=list)

    @property
    def differences(self) -> list[TensorDiff]:
        return [row for call in self.calls for row in call.rows if row.differs]

    @property
    def same(self) -> bool:
        return not self.differences


# --- numbers ----------------------------------------------------------------------------------

def _number(item: Any) -> float:
    if isinstance(item, bool):
        return float(item)
    if isinstance(item, (int, float)):
        return float(item)
    if isinstance(item, str):
        return float(item)  # "inf", "-inf", "nan"
    raise TypeError(f"not a number: {item!r}")


def _flatten(value: Value) -> Iterator[float]:
    if isinstance(value, dict):
        summary = value.get("summary", {})  # over the display limit: compare the statistics
        for key in ("min", "max", "mean", "std"):
            if key in summary:
                yield _number(summary[key])
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
        return
    yield _number(value)


def _shape(value: Value) -> list[int]:
    if isinstance(value, dict):
        return list(value.get("summary", {}).get("shape", []))
    if isinstance(value, list):
        return [len(value), *(_shape(value[0]) if value else [])]
    return []


def _pair_diff(x: float, y: float) -> tuple[float, float]:
    if x == y or (math.isnan(x) and math.isnan(y)):
        return 0.0, 0.0
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
        return math.inf, math.inf
    diff = abs(x - y)
    scale = max(abs(x), abs(y))
    return diff, (diff / scale if scale else 0.0)


def value_diff(a: Value, b: Value) -> tuple[float, float] | None:
    """Largest absolute and relative difference; None when the shapes differ."""
    if _shape(a) != _shape(b) or isinstance(a, dict) != isinstance(b, dict):
        return None
    xs, ys = list(_flatten(a)), list(_flatten(b))
    if len(xs) != len(ys):
        return None
    worst_abs = worst_rel = 0.0
    for x, y in zip(xs, ys, strict=True):
        d_abs, d_rel = _pair_diff(x, y)
        worst_abs, worst_rel = max(worst_abs, d_abs), max(worst_rel, d_rel)
    return worst_abs, worst_rel


def constant_ratio(a: Value, b: Value) -> float | None:
    """k when every element of b is k times a (k != 0, 1), else None."""
    xs, ys = list(_flatten(a)), list(_flatten(b))
    if len(xs) != len(ys) or not xs or isinstance(a, dict):
        return None
    ratio: float | None = None
    for x, y in zip(xs, ys, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        if x == 0:
            if y != 0:
                return None
            continue
        k = y / x
        if ratio is None:
            ratio = k
        elif not math.isclose(k, ratio, rel_tol=1e-5):
            return None
    if ratio is None or ratio == 0 or math.isclose(ratio, 1.0, rel_tol=1e-9):
        return None
    return ratio


def _is_zero(value: Value | None) -> bool:
    if value is None:
        return True
    try:
        return all(x == 0 for x in _flatten(value))
    except (TypeError, ValueError):
        return False


def short_number(x: float) -> str:
    """A number as a person writes it: 4.0 -> 4, 0.25 -> 0.25, 1.2e-07 kept short."""
    name = non_finite_name(x)
    if name is not None:
        return name
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


SENTENCE_ELEMENTS = 6  # a value of up to this many elements is written out in a sentence


def _nested(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return short_number(float(value)) if isinstance(value, (int, float)) else str(value)


def short_value(value: Value | None) -> str:
    """A VALUE for a sentence: a number when every element is the same, else its elements
    when they are few ([2, 4]), else its shape."""
    if value is None:
        return "None"
    try:
        numbers = set(_flatten(value))
    except (TypeError, ValueError):
        return "?"
    if len(numbers) == 1:
        return short_number(numbers.pop())
    if isinstance(value, list) and len(list(_flatten(value))) <= SENTENCE_ELEMENTS:
        return _nested(value)  # a few different numbers: the sentence shows them
    shape = _shape(value)
    return f"[{', '.join(short_number(n) for n in sorted(numbers)[:3])}, ...]" if not shape \
        else f"({'x'.join(str(s) for s in shape)} values)"


# --- comparing --------------------------------------------------------------------------------

def _grads(call: CallRecord | None) -> dict[str, Value | None]:
    """What the call left in each tensor's .grad (or what autograd.grad returned)."""
    if call is None:
        return {}
    grads: dict[str, Value | None] = dict(call.after)
    for name, value in call.results.items():
        grads[f"grad({name})"] = value
    return grads


def _labels(a: CallRecord | None, b: CallRecord | None) -> list[str]:
    """Tensor labels of both calls, in the order they first appear (A's, then B's new ones)."""
    names: list[str] = []
    for call in (a, b):
        if call is None:
            continue
        for name in [*call.before, *call.after, *(f"grad({r})" for r in call.results)]:
            if name not in names:
                names.append(name)
    return names


def compare_records(a: RunRecord, b: RunRecord, mode: str, *, name_a: str = "A",
                    name_b: str = "B") -> Comparison:
    """Match the two runs' calls by index and tensors by label, and say how each differs."""
    if mode not in MODES:
        raise ValueError(f"unknown compare mode {mode!r}")
    result = Comparison(mode, name_a, name_b)
    calls_a = {c.index: c for c in a.calls}
    calls_b = {c.index: c for c in b.calls}
    for index in sorted(set(calls_a) | set(calls_b)):
        ca, cb = calls_a.get(index), calls_b.get(index)
        entry = CallComparison(index, ca.statement if ca else None, cb.statement if cb else None,
                               ca.error if ca else None, cb.error if cb else None)
        grads_a, grads_b = _grads(ca), _grads(cb)
        for name in _labels(ca, cb):
            row = _compare_tensor(mode, index, name, ca, cb, grads_a, grads_b)
            if row.why == "missing_call":  # stopped on an error, or simply ran to its end
                short = a if row.facts.get("side") == "A" else b
                if short.error is None:
                    row.why = "missing_call_ended"
                    row.facts["calls"] = short.calls_total or len(short.calls)
            entry.rows.append(row)
        result.calls.append(entry)
    return result


def _state(call: CallRecord | None, grads: dict[str, Value | None], name: str) -> str:
    if call is None:
        return "absent"
    if call.error is not None:
        return "stopped"
    return "ok" if name in grads else "absent"


def _compare_tensor(mode: str, index: int, name: str, ca: CallRecord | None,
                    cb: CallRecord | None, grads_a: dict[str, Value | None],
                    grads_b: dict[str, Value | None]) -> TensorDiff:
    row = TensorDiff(index, name, grads_a.get(name), grads_b.get(name),
                     _state(ca, grads_a, name), _state(cb, grads_b, name))
    if row.a_state != "ok" or row.b_state != "ok":
        if row.a_state == row.b_state and (row.a_state == "absent" or _same_error(ca, cb)):
            return row  # both stopped the same way, or neither has it: nothing differs
        row.differs = True
        _why_not_both(row, ca, cb)
        return row
    va, vb = row.a, row.b
    if va is None or vb is None:
        row.differs = va is not vb
        if row.differs:
            row.why = "differ"
            row.facts = {"max_abs": "-", "max_rel": "-"}
        return row
    diff = value_diff(va, vb)
    if diff is None:
        row.differs = True
        row.why = "shape"
        row.facts = {"a_shape": _shape(va), "b_shape": _shape(vb)}
        return row
    row.max_abs, row.max_rel = diff
    row.differs = row.max_abs > 0
    if not row.differs:
        return row
    numbers = {"max_abs": f"{row.max_abs:.3g}", "max_rel": f"{row.max_rel:.3g}"}
    before = ca.before.get(name) if ca is not None else None
    ratio = constant_ratio(va, vb)
    before_b = cb.before.get(name) if cb is not None else None
    if mode == "zero_grad" and not _is_zero(before):
        row.why = "accumulation"
        added = ca.added.get(name) if ca is not None else None
        row.facts = {"tensor": name, "before": short_value(before), "added": short_value(added)}
    elif mode == "paths" and _is_zero(before) != _is_zero(before_b) and \
            _same_added(ca, cb, name):
        # Two files, the same call adding the same gradient: one .grad held an earlier
        # call's gradient (accumulation), the other was empty or zeroed.
        acc, clean, held = ("A", "B", before) if not _is_zero(before) else ("B", "A", before_b)
        added = ca.added.get(name) if ca is not None else None
        row.why = "accumulation_paths"
        row.facts = {"tensor": name, "before": short_value(held), "added": short_value(added),
                     "acc": acc, "clean": clean}
    elif mode == "device":
        row.why = "numerics"
        row.facts = numbers
    elif ratio is not None:
        row.why = "scale"
        inverse = 1 / ratio
        n = f" = {short_number(round(inverse))}" if ratio < 1 and math.isclose(
            inverse, round(inverse), rel_tol=1e-6) else ""
        row.facts = {"k": short_number(float(f"{ratio:.6g}")), "n": n}
    else:
        row.why = "differ"
        row.facts = numbers
    return row


def _same_added(ca: CallRecord | None, cb: CallRecord | None, name: str) -> bool:
    """Whether both calls added the same gradient to `name`."""
    if ca is None or cb is None or ca.added.get(name) is None or cb.added.get(name) is None:
        return False
    diff = value_diff(ca.added[name], cb.added[name])
    return diff is not None and diff[0] <= 1e-6 * max(1.0, _largest(ca.added[name]))


def _largest(value: Value) -> float:
    try:
        return max((abs(float(x)) for x in _flatten(value)), default=0.0)
    except (TypeError, ValueError):
        return 0.0


def _same_error(ca: CallRecord | None, cb: CallRecord | None) -> bool:
    ea, eb = (ca.error if ca else None), (cb.error if cb else None)
    return ea is not None and eb is not None and ea.kind == eb.kind


def _why_not_both(row: TensorDiff, ca: CallRecord | None, cb: CallRecord | None) -> None:
    a_bad = row.a_state != "ok"
    side, other = ("A", "B") if a_bad else ("B", "A")
    bad_call, bad_state = (ca, row.a_state) if a_bad else (cb, row.b_state)
    value: str | None = short_value(row.b if a_bad else row.a)
    if row.a_state != "ok" and row.b_state != "ok":
        value = None  # both failed, differently: the explain layer says "stopped"
    facts: dict[str, Any] = {"side": side, "other": other, "value": value, "call": row.call,
                             "tensor": row.tensor}
    if bad_state == "stopped" and bad_call is not None and bad_call.error is not None:
        error = bad_call.error
        facts["kind"] = error.kind
        if error.kind == "freed_graph":
            by = error.facts.get("freed_by_call") if isinstance(error.facts, dict) else None
            statement = error.facts.get("freed_by_statement") if isinstance(
                error.facts, dict) else None
            facts["by"] = by if by is not None else "?"
            facts["statement"] = statement or bad_call.statement
            row.why = "freed_graph"
        else:
            row.why = "call_error"
    elif bad_call is None:
        row.why = "missing_call"
    else:
        row.why = "missing_tensor"
        facts["side"] = other
    row.facts = facts
