"""`d2l.plot(X, Y, xlabel, ylabel, ...)` from d2l.ai, mapped onto the scenario's plot data.

There is no d2l dependency: the call's tensors are read here (detached, 1-D) and reported
to the recorder, which turns them into the run's plot (what `plot:` in a YAML file gives).
"""

from __future__ import annotations

import torch

from gradexplain.language.classify import CodeTypeError

MAX_POINTS = 100_000


def plot_call(args: list[object], kwargs: dict[str, object]) -> dict[str, object]:
    names = ["X", "Y", "xlabel", "ylabel", "legend"]
    bound = dict(zip(names, args, strict=False))
    bound.update({k: v for k, v in kwargs.items() if k in names})
    x = bound.get("X")
    y = bound.get("Y")
    if y is None:  # d2l.plot(Y): x is 0, 1, 2, ...
        x, y = None, x
    series = _series(y)
    x_values = _numbers(x) if x is not None else \
        [float(i) for i in range(len(series[0]) if series else 0)]
    legend = bound.get("legend")
    labels = list(legend) if isinstance(legend, (list, tuple)) else []
    return {
        "x": x_values,
        "series": series,
        "xlabel": str(bound.get("xlabel") or "x"),
        "ylabel": str(bound.get("ylabel") or "y"),
        "legend": [str(label) for label in labels],
    }


def _series(value: object) -> list[list[float]]:
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float)):
        return [_numbers(v) for v in value]
    return [_numbers(value)]


def _numbers(value: object) -> list[float]:
    if isinstance(value, torch.Tensor):
        tensor = value.detach().reshape(-1)[:MAX_POINTS]
        return [float(v) for v in tensor.tolist()]
    if isinstance(value, (list, tuple)):
        return [float(v) for v in list(value)[:MAX_POINTS]]
    raise CodeTypeError("d2l.plot takes tensors or lists of numbers")
