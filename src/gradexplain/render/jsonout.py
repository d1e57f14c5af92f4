"""A Report as the `gradexplain/1` JSON object of shared/spec/output.md. No rich, no torch.

Keys beyond the spec are only ever added, never renamed: `function`, `results` and
`not_reached` (tensors the call's graph did not reach; their `added` is null) on calls,
`col` and `title` on errors, `call` and `facts` on notes, `retains_grad` on tensors,
`description` on the scenario, and `shown`, `lang` and `plot` (the scenario's `plot:` data,
or null) at the top; for loops, `groups`, `print_groups`, `calls_total` and `calls_all`
(`calls` then holds every call up to the cap and, past it, the calls a table shows);
`length` on a print or shown value cut short (its `text` is only the start).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from gradexplain.explain import ExplainedError, Report
from gradexplain.explain.deeper_text import ExplainedViews
from gradexplain.record import CallRecord, ErrorInfo, PlotRecord, TensorRow, Value, non_finite_name
from gradexplain.record_groups import CallGroup, Trend
from gradexplain.render.escapes import escape_surrogates

FORMAT = "gradexplain/1"


def report_to_json(report: Report) -> dict[str, Any]:
    """The JSON object for one scenario (a dict ready for `dumps_line`)."""
    record = report.record
    return {
        "format": FORMAT,
        "scenario": {"name": record.name, "path": record.path,
                     "description": record.description_in(report.lang)},
        "torch": record.torch_version,
        "device": record.device,
        "dtype": record.dtype,
        "ok": record.ok,
        "tensors": [_tensor(row) for row in record.tensors],
        "calls": [_call(call, report.call_errors.get(call.index), report.views.get(call.index))
                  for call in record.calls],
        "prints": [_cut({"step": p.step, "text": p.text}, p.length) for p in record.prints],
        "error": _error(record.error, report.error) if record.error is not None else None,
        "notes": [{"kind": note.kind, "tensor": note.tensor, "step": note.step, "text": text,
                   "call": note.call, "facts": _finite(note.facts)}
                  for note, text in report.notes],
        "expectations": [{"ok": e.ok, "text": text}
                         for e, text in zip(record.expectations, report.expectations,
                                            strict=True)],
        "shown": [_cut({"step": s.step, "expression": s.expression, "text": s.text}, s.length)
                  for s in record.shown],
        "lang": report.lang,
        "plot": _plot(record.plot) if record.plot is not None else None,
        "calls_total": record.calls_total if record.calls_total is not None
        else len(record.calls),
        "calls_all": record.calls_all,
        "groups": [_group(group) for group in record.groups],
        "print_groups": [{"step": g.step, "line": g.line, "count": g.count, "kept": g.kept}
                         for g in record.print_groups],
    }


def _cut(item: dict[str, Any], length: int | None) -> dict[str, Any]:
    """A print or shown value; one cut short at its source (over --max-output-chars) has
    only its first characters in `text`, and `length`, how long it was."""
    return item if length is None else {**item, "length": length}


def _trend(trend: Trend) -> dict[str, Any]:
    return {"label": trend.label, "calls": trend.calls, "first": trend.first,
            "last": trend.last, "min": trend.low, "max": trend.high,
            "non_finite": trend.non_finite, "every": trend.every, "points": trend.points}


def _group(group: CallGroup) -> dict[str, Any]:
    """One statement's calls: how many, which are shown, and a trend per series."""
    return {"step": group.step, "line": group.line, "statement": group.statement,
            "calls": group.calls, "first": group.first, "last": group.last,
            "folded": group.folded, "shown": group.shown,
            "differing": [{"call": index, "reasons": reasons}
                          for index, reasons in group.differing.items()],
            "differing_omitted": group.differing_omitted,
            "output": _trend(group.output) if group.output is not None else None,
            "grad_norms": [_trend(t) for t in group.tensors], "notes": group.notes}


def _plot(plot: PlotRecord) -> dict[str, Any]:
    """The scenario's `plot:` data: x and each series as plain lists, and what was refused."""
    obj: dict[str, Any] = _finite({
        "title": plot.title, "xlabel": plot.xlabel, "ylabel": plot.ylabel,
        "x": {"label": plot.x.label, "values": plot.x.values} if plot.x is not None else None,
        "series": [{"label": line.label, "values": line.values} for line in plot.series],
        "problems": [{"series": p.series, "message": p.message, "line": p.line, "col": p.col}
                     for p in plot.problems],
    })
    return obj


def dumps_line(obj: Any) -> str:
    """One line of JSON (JSON Lines); non-finite floats become "inf"/"-inf"/"nan" first.

    Chinese stays readable (no \\u escapes); `write_line` sends it as UTF-8 bytes.
    """
    return json.dumps(_finite(obj), allow_nan=False, ensure_ascii=False)


def write_line(line: str, stream: TextIO | None = None) -> None:
    """Write one JSON line as UTF-8, whatever the stream's own encoding (e.g. cp1252)."""
    out = sys.stdout if stream is None else stream
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(line + "\n")
        return
    out.flush()  # text written before must come first
    buffer.write((line + "\n").encode("utf-8"))
    buffer.flush()


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


def _call(call: CallRecord, explained: ExplainedError | None,
          texts: ExplainedViews | None) -> dict[str, Any]:
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
        "not_reached": list(call.not_reached),
    } | _deeper(call, texts)


def _deeper(call: CallRecord, texts: ExplainedViews | None) -> dict[str, Any]:
    """--graph, --jacobian, --check-numeric, --why: keys added only when the view was recorded.

    The tree gets its text lines and notes, the numeric check its notes, as the explain
    layer worded them (`texts`, in the report's language).
    """
    texts = texts or ExplainedViews()
    views = call.views
    found: dict[str, Any] = {key: _finite(value) for key, value in (
        ("jacobian", views.jacobian), ("numeric", views.numeric), ("flow", views.flow),
        ("tree", views.tree), ("why", views.why)) if value is not None}
    if "tree" in found:
        found["tree"] = {**found["tree"], "lines": texts.tree_lines,
                         "folded": texts.tree_notes}
    if "numeric" in found:
        found["numeric"] = [{**entry, "note": note}
                            for entry, note in zip(found["numeric"], texts.numeric_notes,
                                                   strict=True)]
    if "why" in found:  # each derivation with the lines the table shows, in --lang
        found["why"] = [{**entry, "lines": [text for _, text in lines]}
                        for entry, lines in zip(found["why"], texts.why, strict=True)]
    return found


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
    """`obj` as JSON can write it: non-finite floats as names, lone surrogates escaped."""
    if isinstance(obj, str):
        return escape_surrogates(obj)
    if isinstance(obj, bool) or obj is None or isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        name = non_finite_name(obj)
        return obj if name is None else name
    if isinstance(obj, Mapping):
        return {escape_surrogates(str(k)): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return escape_surrogates(str(obj))  # anything unexpected stays readable, not breaking
