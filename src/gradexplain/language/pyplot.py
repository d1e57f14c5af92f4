"""matplotlib.pyplot in the run: its calls recorded as the run's figure, nothing drawn here.

`plt.plot`, `plt.scatter`, `ax.plot`, ... keep their numbers (bounded: MAX_POINTS per series,
the latest MAX_SERIES series per axes, MAX_AXES axes) on the axes they draw on; labels,
titles and legends too. Each axes with something drawn on it is handed to the recorder once,
as the same plot facts `d2l.plot` gives (x, series, labels, legend: special_calls.plot_call),
and kept current afterwards, so the run's plot is the last axes drawn on, shown as a text
chart, in the notebook and in JSON like d2l's. Everything else pyplot offers that the code
may call (ticks, limits, grids, `show`, `pause`, `imshow`, ...) changes nothing here. No
matplotlib is imported: nothing is drawn or written while the code runs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import State
from gradexplain.language.special_calls import MAX_POINTS

MAX_SERIES = 6  # series kept per axes (the latest): a chart draws at most 6 (scenario/plot)
MAX_AXES = 64  # axes of a run, over all its figures; beyond them, the last one is reused
# Calls that draw a series of (x, y) points, and those that set a text of the axes.
DRAWING = frozenset({"plot", "scatter", "semilogy", "semilogx", "loglog", "bar", "errorbar",
                     "fill_between"})
TEXTS = {"xlabel": "xlabel", "ylabel": "ylabel", "title": "title", "set_xlabel": "xlabel",
         "set_ylabel": "ylabel", "set_title": "title"}


class PyplotObject:
    """A figure, axes or line as user code holds it: only the interpreter reads it."""


@dataclass(eq=False)
class Series:
    x: list[float]
    y: list[float]
    label: str | None


@dataclass(eq=False)
class Axes(PyplotObject):
    """One axes: what was drawn on it, its texts, and the plot facts the recorder holds."""

    figure: Figure
    series: list[Series] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] | None = None  # handed to the recorder once, then kept current

    def __repr__(self) -> str:
        return "<Axes>"


@dataclass(eq=False)
class Figure(PyplotObject):
    number: int
    axes: dict[object, Axes] = field(default_factory=dict)
    current: Axes | None = None

    def __repr__(self) -> str:
        return f"<Figure {self.number}>"


class Line(PyplotObject):
    def __repr__(self) -> str:
        return "<Line2D>"


class RcParams:
    """`plt.rcParams`: settings the code may write (`rcParams['figure.figsize'] = ...`);
    nothing is drawn here, so nothing keeps them."""

    def __setitem__(self, key: object, value: object) -> None:
        return None

    def __repr__(self) -> str:
        return "<rcParams>"


RC_PARAMS = RcParams()


@dataclass(eq=False)
class Pyplot:
    """pyplot's state for one run: its figures and the current one."""

    figures: list[Figure] = field(default_factory=list)
    current: Figure | None = None
    axes_made: int = 0


_STATES: weakref.WeakKeyDictionary[State, Pyplot] = weakref.WeakKeyDictionary()


def _state(it: State) -> Pyplot:
    found = _STATES.get(it)
    if found is None:
        found = _STATES[it] = Pyplot()
    return found


def _figure(it: State, new: bool = False) -> Figure:
    state = _state(it)
    if new or state.current is None:
        if state.axes_made >= MAX_AXES and state.current is not None:
            return state.current
        state.current = Figure(len(state.figures) + 1)
        state.figures.append(state.current)
    return state.current


def _axes(it: State, figure: Figure, key: object = 1) -> Axes:
    found = figure.axes.get(key)
    if found is None:
        state = _state(it)
        if state.axes_made >= MAX_AXES and figure.current is not None:
            return figure.current
        state.axes_made += 1
        found = figure.axes[key] = Axes(figure)
    figure.current = found
    return found


def current_axes(it: State) -> Axes:
    figure = _figure(it)
    return figure.current if figure.current is not None else _axes(it, figure)


def pyplot_function(it: State, name: str, args: list[object], kwargs: dict[str, object]
                    ) -> object:
    """`plt.NAME(...)`."""
    if name == "figure":
        return _figure(it, new=True)
    if name == "gcf":
        return _figure(it)
    if name == "gca":
        return current_axes(it)
    if name == "subplot":
        figure = _figure(it)
        key = tuple(a for a in args if isinstance(a, int)) or 1
        return _axes(it, figure, key)
    if name == "subplots":
        return _subplots(it, _figure(it, new=True), args, kwargs)
    if name in {"clf", "close"}:
        state = _state(it)
        if name == "close":
            state.current = None
        elif state.current is not None:
            for axes in state.current.axes.values():
                _clear(axes)
        return None
    if name == "suptitle":
        axes = current_axes(it)
        return axes_method(it, axes, "set_title", args, kwargs)
    if name == "savefig":
        _not_saved(it, args, kwargs)
        return None
    return axes_method(it, current_axes(it), name, args, kwargs)


def _not_saved(it: State, args: list[object], kwargs: dict[str, object]) -> None:
    """`savefig(...)`: nothing is written (the figure is the run's plot); noted."""
    name = args[0] if args else kwargs.get("fname")
    if it.context is not None:
        it.hooks.event(it.context, "figure_not_saved",
                       {"file": name if isinstance(name, str) else ""})


def object_method(it: State, target: PyplotObject, name: str, args: list[object],
                  kwargs: dict[str, object]) -> object:
    """`fig.add_subplot(...)`, `ax.plot(...)`, ... on an object pyplot gave."""
    if isinstance(target, Figure):
        if name == "add_subplot":
            return _axes(it, target, tuple(a for a in args if isinstance(a, int)) or 1)
        if name == "subplots":
            return _subplots(it, target, args, kwargs)
        if name == "suptitle":
            return axes_method(it, target.current or _axes(it, target), "set_title", args,
                               kwargs)
        if name == "savefig":
            _not_saved(it, args, kwargs)
        return None  # tight_layout, set_size_inches, show: nothing to draw here
    if isinstance(target, Axes):
        return axes_method(it, target, name, args, kwargs)
    return None


def axes_method(it: State, axes: Axes, name: str, args: list[object],
                kwargs: dict[str, object]) -> object:
    """What a call does to the axes it draws on."""
    if name in DRAWING:
        label = kwargs.get("label")
        lines: list[Line] = []
        for x, y in _pairs(name, args):
            axes.series.append(Series(x, y, None if label is None else str(label)))
            lines.append(Line())
        del axes.series[:-MAX_SERIES]
        _publish(it, axes)
        return lines
    if name in TEXTS:
        if args:
            axes.texts[TEXTS[name]] = str(args[0])
            _publish(it, axes)
        return None
    if name == "legend":
        labels = args[0] if args and isinstance(args[0], (list, tuple)) else None
        if labels is not None:
            for series, text in zip(axes.series, labels, strict=False):
                series.label = str(text)
            _publish(it, axes)
        return None
    if name in {"cla", "clear"}:
        _clear(axes)
        return None
    return None  # grid, limits, scales, ticks, images, text, show, pause, ...


def _clear(axes: Axes) -> None:
    axes.series.clear()
    axes.texts.clear()
    if axes.facts is not None:
        axes.facts.update(x=[], series=[], legend=[])


def _subplots(it: State, figure: Figure, args: list[object], kwargs: dict[str, object]
              ) -> object:
    """`fig, ax = plt.subplots()`, `fig, axs = plt.subplots(1, 4)`, `plt.subplots(2, 2)`."""
    rows = args[0] if args else kwargs.get("nrows", 1)
    columns = args[1] if len(args) > 1 else kwargs.get("ncols", 1)
    if not (isinstance(rows, int) and isinstance(columns, int)) or rows < 1 or columns < 1:
        raise CodeTypeError("subplots() takes numbers of rows and columns")
    if rows * columns > MAX_AXES:
        raise CodeTypeError(f"subplots(): at most {MAX_AXES} axes in a run")
    grid = tuple(tuple(_axes(it, figure, (row, column)) for column in range(columns))
                 for row in range(rows))
    if rows == 1 and columns == 1:
        return figure, grid[0][0]
    if rows == 1 or columns == 1:
        return figure, tuple(axes for row in grid for axes in row)
    return figure, grid


def _publish(it: State, axes: Axes) -> None:
    """The axes as plot facts: those of `d2l.plot` (special_calls.plot_call), for the last
    x drawn and every series drawn over the same x. Handed to the recorder once; kept
    current in place afterwards (the recorder reads it when the run ends)."""
    last = axes.series[-1].x if axes.series else []
    sharing = [s for s in axes.series if s.x is last or s.x == last]
    ylabel = axes.texts.get("ylabel") or axes.texts.get("title") or "y"
    facts = {"x": last, "series": [s.y for s in sharing],
             "xlabel": axes.texts.get("xlabel") or "x", "ylabel": ylabel,
             "legend": [s.label or (ylabel if len(sharing) == 1 else f"{ylabel} {n}")
                        for n, s in enumerate(sharing, start=1)]}
    if axes.facts is not None:
        axes.facts.update(facts)
        return
    axes.facts = facts
    if it.context is not None:
        it.hooks.event(it.context, "plot", facts)


def _pairs(name: str, args: list[object]) -> list[tuple[list[float], list[float]]]:
    """The (x, y) series of a drawing call: `plot(y)`, `plot(x, y)`, `plot(x, y, 'r-', x2,
    y2)`, a 2-D y drawn column by column."""
    values = [a for a in args if not isinstance(a, str)]
    if name in {"scatter", "bar", "errorbar", "fill_between"}:
        values = values[:2]
    pairs: list[tuple[list[float], list[float]]] = []
    index = 0
    while index < len(values):
        if index + 1 < len(values):
            x, y = values[index], values[index + 1]
            index += 2
        else:
            x, y = None, values[index]
            index += 1
        for column in _columns(y):
            xs = _numbers(x) if x is not None else [float(i) for i in range(len(column))]
            pairs.append((xs, column))
        if name != "plot":
            break
    return pairs


def _columns(value: object) -> list[list[float]]:
    """A 2-D tensor or array is drawn column by column, as matplotlib does."""
    if isinstance(value, torch.Tensor) and value.dim() == 2:
        return [_numbers(column) for column in value.detach().t()[:MAX_SERIES]]
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 2:
        return [_numbers(column) for column in list(value.T)[:MAX_SERIES]]  # type: ignore[attr-defined]
    return [_numbers(value)]


def _numbers(value: object) -> list[float]:
    """A series' numbers (at most MAX_POINTS): a tensor's, an array's, a list's or a number."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().reshape(-1)[:MAX_POINTS]
        return [float(v) for v in tensor.tolist()]
    if type(value).__module__ == "numpy":  # an array the code made (numpy is not imported)
        array: Any = value
        return [float(v) for v in array.reshape(-1)[:MAX_POINTS].tolist()]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    if isinstance(value, (list, tuple, range)):
        return [float(v) for v in list(value)[:MAX_POINTS]]
    raise CodeTypeError(f"matplotlib cannot plot a {type(value).__name__} here: give "
                        "tensors, arrays, lists or numbers")
