"""Reading the `plot:` section of a scenario (an addition beyond the spec).

    plot:
      x: x                  # a 1-D tensor of the run: the horizontal axis
      y: [y, x.grad]        # one or more series: NAME or NAME.grad, as long as x
      title: grad of relu   # optional, like xlabel and ylabel; or {en: ..., zh: ...}

Series are names, never code: a plain name, optionally followed by `.grad`.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from gradexplain.scenario.fields import _kind, _ReaderBase, _show
from gradexplain.scenario.model import PlotSeries, PlotSpec
from gradexplain.scenario.yamlsafe import KeyPath

PLOT_KEYS = ("x", "y", "title", "xlabel", "ylabel")
LABEL_LANGUAGES = ("en", "zh")
MAX_SERIES = 6  # one line style and one chart mark each
SERIES = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\.grad)?$")
SERIES_HINT = "write a tensor's name, or NAME.grad for its gradient, e.g. x.grad"
PLOT_EXAMPLE = "e.g. `plot: {x: x, y: [x.grad], title: grad of relu}`"


class _PlotReader(_ReaderBase):
    """The `plot:` mapping, as a PlotSpec with the file position of each series."""

    def plot(self, value: Any, path: KeyPath) -> PlotSpec:
        mapping = self.mapping(value, path, PLOT_EXAMPLE)
        for key in mapping:
            self.known(key, path, PLOT_KEYS, "of plot")
        for key in ("x", "y"):
            if mapping.get(key) is None:
                raise self.fail(path, f"plot needs '{key}'", PLOT_EXAMPLE, at_key=True)
        x = self.plot_series(mapping["x"], (*path, "x"))
        labels: dict[str, str] = {}
        texts: dict[str, dict[str, str]] = {}
        for key in ("title", "xlabel", "ylabel"):
            if mapping.get(key) is not None:
                by_lang = self.label(mapping[key], (*path, key))
                labels[key] = by_lang.get("", by_lang.get("en", next(iter(by_lang.values()))))
                for lang, text in by_lang.items():
                    if lang:
                        texts.setdefault(lang, {})[key] = text
        return PlotSpec(x, self.plot_ys(mapping["y"], (*path, "y")), labels.get("title"),
                        labels.get("xlabel"), labels.get("ylabel"),
                        self.doc.key_where(path), texts)

    def label(self, value: Any, path: KeyPath) -> dict[str, str]:
        """A text, or one per language: `title: {en: grad of relu, zh: relu 的梯度}`."""
        if not isinstance(value, dict):
            return {"": self.string(value, path)}
        texts = {}
        for lang, text in value.items():
            self.known(lang, path, LABEL_LANGUAGES, f"of {self.dotted(path)}")
            texts[str(lang)] = self.string(text, (*path, lang))
        if not texts:
            raise self.fail(path, f"'{self.dotted(path)}' is empty",
                            "e.g. title: {en: grad of relu, zh: relu 的梯度}")
        return texts

    def plot_ys(self, value: Any, path: KeyPath) -> tuple[PlotSeries, ...]:
        """A list of series; one series may be written without the brackets."""
        if isinstance(value, str):
            return (self.plot_series(value, path),)
        if not isinstance(value, list):
            raise self.fail(path, "'plot.y' must be a list of series (NAME or NAME.grad), "
                            f"got {_kind(value)}", "e.g. y: [y, x.grad]")
        if not value:
            raise self.fail(path, "'plot.y' is empty", "give at least one series, e.g. [x.grad]")
        if len(value) > MAX_SERIES:
            raise self.fail((*path, MAX_SERIES), f"'plot.y' has {len(value)} series; one plot "
                            f"draws at most {MAX_SERIES}", "split them over several scenarios")
        return tuple(self.plot_series(item, (*path, i)) for i, item in enumerate(value))

    def plot_series(self, value: Any, path: KeyPath) -> PlotSeries:
        """NAME or NAME.grad: a tensor of the run, never code."""
        where = self.doc.where(path)
        if not isinstance(value, str):
            raise self.fail(path, f"'{self.dotted(path)}' must be a tensor name or NAME.grad, "
                            f"got {_kind(value)}", SERIES_HINT)
        match = SERIES.match(value.strip())
        if match is None:
            raise self.fail(path, f"{self.dotted(path)}: {_show(value)} is not a tensor "
                            "name or NAME.grad (plot series are names, not code)",
                            SERIES_HINT + "; compute anything else in the steps and name it")
        name = match.group(1)
        if keyword.iskeyword(name) or name.startswith("__"):
            raise self.fail(path, f"{self.dotted(path)}: {_show(name)} cannot be a tensor "
                            "name", SERIES_HINT)
        return PlotSeries(name, match.group(2) is not None, where)
