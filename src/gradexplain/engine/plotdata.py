"""The scenario's `plot:` after a run: each series' values taken from the run's tensors.

The renderers and `gradexplain plot` only see the plain lists of the PlotRecord. A series
that cannot be drawn (no such tensor, grad None, not 1-D, not as long as x) is left out and
a PlotProblem says why, in words a learner can act on.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import torch

from gradexplain.record import PlotLine, PlotProblem, PlotRecord
from gradexplain.scenario.model import PlotSeries, PlotSpec
from gradexplain.scenario.plot import MAX_SERIES

MAX_PLOT_POINTS = 100_000  # points per series: beyond that a picture shows nothing more


class _Refused(Exception):
    """A series that cannot be drawn; the message says why."""


def plot_record(spec: PlotSpec, env: Mapping[str, Any], title: str) -> PlotRecord:
    """The plot's data from the tensors bound at the end of the run (`env`)."""
    record = PlotRecord(
        title=spec.title or title,
        xlabel=spec.xlabel or spec.x.text,
        ylabel=spec.ylabel or (spec.series[0].text if len(spec.series) == 1 else "value"),
        x=None,
        texts={lang: dict(texts) for lang, texts in spec.texts.items()},
    )
    try:
        record.x = PlotLine(spec.x.text, _values(spec.x, env, None))
    except _Refused as refused:
        record.problems.append(_problem(spec.x, str(refused)))
    length = len(record.x.values) if record.x is not None else None
    for series in spec.series:
        try:
            record.series.append(PlotLine(series.text, _values(series, env, length)))
        except _Refused as refused:
            record.problems.append(_problem(series, str(refused)))
    return record


def _problem(series: PlotSeries, message: str) -> PlotProblem:
    where = series.location
    if where is None:
        return PlotProblem(series.text, message)
    return PlotProblem(series.text, message, where.line, where.col, where.end_col)


def _values(series: PlotSeries, env: Mapping[str, Any], length: int | None) -> list[float]:
    tensor = _tensor(series, env)
    if series.grad:
        grad = tensor.grad if tensor.is_leaf or tensor.retains_grad else None
        if grad is None:
            raise _Refused(_why_no_grad(series.name, tensor))
        tensor = grad
    text = series.text
    if tensor.dim() != 1:
        shape = ", ".join(str(d) for d in tensor.shape)
        raise _Refused(f"{text} has shape ({shape}); a plot needs 1-D tensors"
                       + (" (use .flatten() in the steps and name the result)"
                          if tensor.dim() > 1 else ""))
    if length is not None and tensor.numel() != length:
        raise _Refused(f"{text} has {tensor.numel()} values but x has {length}; "
                       "each series needs one value per x")
    if tensor.numel() > MAX_PLOT_POINTS:
        raise _Refused(f"{text} has {tensor.numel()} values; a plot draws at most "
                       f"{MAX_PLOT_POINTS}")
    if tensor.is_complex():
        raise _Refused(f"{text} is complex ({str(tensor.dtype).removeprefix('torch.')}); "
                       "a plot needs real numbers")
    values = tensor.detach().to(device="cpu", dtype=torch.float64).tolist()
    return [float(v) for v in values]


def _tensor(series: PlotSeries, env: Mapping[str, Any]) -> torch.Tensor:
    value = env.get(series.name)
    if isinstance(value, torch.Tensor):
        return value
    if series.name in env:
        raise _Refused(f"'{series.name}' is not a tensor (it is {type(value).__name__})")
    tensors = tuple(k for k, v in env.items() if isinstance(v, torch.Tensor))
    close = difflib.get_close_matches(series.name, tensors, n=1)
    found = f"; did you mean '{close[0]}'?" if close else (
        f"; the tensors are: {', '.join(tensors)}" if tensors else "")
    raise _Refused(f"no tensor named '{series.name}' at the end of the run{found}")


def _why_no_grad(name: str, tensor: torch.Tensor) -> str:
    if not tensor.requires_grad:
        return f"{name}.grad is None: {name} does not require grad"
    if not tensor.is_leaf and not tensor.retains_grad:
        return (f"{name}.grad is None: {name} is not a leaf, so backward does not keep its "
                f"grad (call {name}.retain_grad() before backward)")
    return f"{name}.grad is None: no backward call reached {name}"


def d2l_plot_record(calls: list[dict[str, Any]], title: str) -> PlotRecord:
    """The plot of the code's `d2l.plot(X, Y, xlabel, ylabel)` calls: the last call's x, with
    the series of every call that shares it (relu(x) and its grad, as in d2l's figures)."""
    last = calls[-1]
    record = PlotRecord(title=title, xlabel=str(last["xlabel"]), ylabel=str(last["ylabel"]),
                        x=None)
    if len(last["x"]) > MAX_PLOT_POINTS:  # as for a `plot:` series: nothing more to see
        record.problems.append(PlotProblem(str(last["xlabel"]), f"x has {len(last['x'])} "
                                           f"values; a plot draws at most {MAX_PLOT_POINTS}"))
        return record
    x = [float(v) for v in last["x"]]
    record.x = PlotLine(str(last["xlabel"]), x)
    sharing = [call for call in calls if call["x"] == last["x"]]
    series = [(index, call) for call in sharing for index in range(len(call["series"]))]
    # One line style and chart mark per series, as `plot:` allows: `d2l.plot(x, [x] * 8000)`
    # draws the first few, and says how many more there were.
    for index, call in series[:MAX_SERIES]:
        legend = list(call.get("legend") or [])
        label = legend[index] if index < len(legend) else str(call["ylabel"])
        values = call["series"][index]
        if len(values) != len(x):
            record.problems.append(PlotProblem(label, f"it has {len(values)} values, x has "
                                               f"{len(x)}"))
            continue
        record.series.append(PlotLine(label, [float(v) for v in values]))
    if len(series) > MAX_SERIES:
        record.problems.append(PlotProblem("…", f"{len(series) - MAX_SERIES} more series not "
                                           f"drawn; a plot draws at most {MAX_SERIES} series"))
    if len(sharing) > 1:
        record.ylabel = "value"
    return record
