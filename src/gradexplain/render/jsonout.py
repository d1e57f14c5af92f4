"""A Report as the `gradexplain/1` JSON object of shared/spec/output.md. No rich, no torch.

Keys beyond the spec are only ever added, never renamed: `function` and `results` on calls,
`col` and `title` on errors, `call` on notes, `retains_grad` on tensors, `description` on
the scenario, and `shown` and `lang` at the top.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from gradexplain.explain import ExplainedError, Report
from gradexplain.record import CallRecord, ErrorInfo, TensorRow, Value

FORMAT = "gradexplain/1"


def report_to_json(report: Report) -> dict[str, Any]:
    """The JSON object for one scenario (a dict ready for `dumps_line`)."""
    record = report.record
    return {
        "format": FORMAT,
        "scenario": {"name": record.name, "path": record.path,
                     "description": record.description},
        "torch": record.torch_version,
        "device": record.device,
        "dtype": record.dtype,
        "ok": record.ok,
        "tensors": [_tensor(row) for row in record.tensors],
        "calls": [_call(call, report.call_errors.get(call.index)) for call in record.calls],
        "prints": [{"step": p.step, "text": p.text} for p in record.prints],
        "error": _error(record.error, report.error) if record.error is not None else None,
        "notes": [{"kind": note.kind, "tensor": note.tensor, "step": note.step, "text": text,
                   "call": note.call} for note, text in report.notes],
        "expectations": [{"ok": e.ok, "text": e.text} for e in record.expectations],
        "shown": [{"step": s.step, "expression": s.expression, "text": s.text}
                  for s in record.shown],
        "lang": report.lang,
    }


def dumps_line(obj: Any) -> str:
    """One line of JSON (JSON Lines); non-finite floats become "inf"/"-inf"/"nan" first."""
    # ASCII escapes keep the line safe on any stdout encoding (e.g. Chinese texts on cp1252).
    return json.dumps(_finite(obj), allow_nan=False)


def _tensor(row: TensorRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "shape": list(row.shape),
        "dtype": row.dtype,
        "device": row.device,
        "requires_grad": row.requires_grad,
        "is_leaf": row.is_leaf,
        "grad_fn": row.grad_fn,
        "value": _value(row.value),
        "grad": _value(row.grad),
        "retains_grad": row.retains_grad,
    }


def _call(call: CallRecord, explained: ExplainedError | None) -> dict[str, Any]:
    return {
        "index": call.index,
        "step": call.step,
        "statement": call.statement,
        "outputs": list(call.outputs),
        "grad_tensors": _value(call.grad_tensors),
        "retain_graph": call.retain_graph,
        "create_graph": call.create_graph,
        "before": {k: _value(v) for k, v in call.before.items()},
        "added": {k: _value(v) for k, v in call.added.items()},
        "after": {k: _value(v) for k, v in call.after.items()},
        "error": _error(call.error, explained) if call.error is not None else None,
        "function": call.function,
        "results": {k: _value(v) for k, v in call.results.items()},
    } | _deeper(call)


def _deeper(call: CallRecord) -> dict[str, Any]:
    """--graph, --jacobian, --check-numeric: keys added only when the view was recorded."""
    return {key: _finite(call.extras[key]) for key in ("jacobian", "numeric", "flow", "tree")
            if key in call.extras}


def _error(error: ErrorInfo, explained: ExplainedError | None) -> dict[str, Any]:
    return {
        "kind": error.kind,
        "message": error.message,
        "step": error.step,
        "line": error.line,
        "statement": error.statement,
        "explanation": explained.explanation if explained else "",
        "fix": explained.fix if explained else (error.hint or ""),
        "col": error.col,
        "title": explained.title if explained else error.message,
    }


def _value(value: Value | None) -> Value | None:
    """A VALUE as the spec writes it: lists (not tuples), non-finite numbers as strings."""
    return _finite(value)


def _finite(obj: Any) -> Any:
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        if math.isnan(obj):
            return "nan"
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
        return obj
    if isinstance(obj, Mapping):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return str(obj)  # anything unexpected stays readable rather than breaking the line
