"""What the command line asked for, as typed data built once by the CLI. No torch, no rich.

Names follow the flags: `--graph` is `ViewOptions.graph`, `--dot FILE` is `Output.dot`,
`--jacobian-limit` is `ViewOptions.jacobian_limit`. The engine reads `RunOptions`;
the use cases in gradexplain.app read `Output` as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gradexplain.limits import Limits

DEFAULT_JACOBIAN_LIMIT = 64  # elements in an output and in a leaf
_WHY = re.compile(r"^\s*(?P<name>[^\[\]\s][^\[\]]*?)\s*(?:\[(?P<index>[^\[\]]*)\])?\s*$")


def why_target(text: str) -> tuple[str, tuple[int, ...] | None]:
    """`--why x[0, 1]` as (name, index); the index is None when not given (`--why x`).
    Raises ValueError with what is wrong."""
    found = _WHY.match(text)
    if found is None:
        raise ValueError(f"not NAME or NAME[i, j] (e.g. x or 'x[0, 1]'): {text!r}")
    index = found.group("index")
    if index is None:
        return found.group("name"), None
    parts = [p.strip() for p in index.split(",") if p.strip()]
    try:
        return found.group("name"), tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"an element's index is whole numbers (e.g. x[0, 1]): {text!r}") from None


@dataclass(frozen=True)
class ViewOptions:
    """The deeper views under each backward call."""

    graph: bool = False  # --graph: the backward graph as a tree, and the gradient flow
    jacobian: bool = False  # --jacobian
    jacobian_limit: int = DEFAULT_JACOBIAN_LIMIT  # --jacobian-limit
    check_numeric: bool = False  # --check-numeric
    why: tuple[str, ...] = ()  # --why NAME (or NAME[i, j]), as typed; checked by derivation

    @property
    def any(self) -> bool:
        return self.graph or self.jacobian or self.check_numeric or bool(self.why)

    @property
    def every_call(self) -> bool:
        """Views that each call shows, so no call of a loop may be folded away (--why is
        derived for a statement's first calls only: folding stays)."""
        return self.graph or self.jacobian or self.check_numeric


@dataclass
class RunOptions:
    """What the command line can change about a run."""

    device: str | None = None  # --device: overrides the scenario's device
    dtype: str | None = None  # --dtype: overrides the scenario's dtype
    limits: Limits = field(default_factory=Limits)  # --max-*
    full: bool = False  # --full: every element, no summaries
    zero_grad: bool | None = None  # compare --zero-grad forces it on
    retain_graph: bool = False  # compare --retain-graph: retain_graph=True on every call
    views: ViewOptions = field(default_factory=ViewOptions)  # --graph, --jacobian...
    dot: bool = False  # run --dot: record each call's backward graph for Graphviz
    calls_all: bool = False  # --calls all: no folding of a loop's repeated calls and prints


@dataclass
class Output:
    """How and where a command shows what it found."""

    lang: str = "en"  # --lang
    json: bool = False  # --format json
    width: int | None = None  # --width
    export: Path | None = None  # --export FILE
    dot: Path | None = None  # --dot FILE


@dataclass
class Options:
    """Everything `run` and `compare` were asked for: the run, and its output."""

    run: RunOptions = field(default_factory=RunOptions)
    output: Output = field(default_factory=Output)
    jobs: int = 1  # run --jobs: scenarios run in this many worker processes at once


@dataclass
class ReplOptions:
    """`gradexplain repl`: the session's run options, and how it talks."""

    device: str | None = None  # --device
    dtype: str | None = None  # --dtype
    lang: str = "en"  # --lang
    debug: bool = False  # --debug
    limits: Limits = field(default_factory=Limits)  # --max-*
    views: ViewOptions = field(default_factory=ViewOptions)  # --graph, --jacobian
    allow_save: bool = False  # --allow-save: :save works when input is piped
    interactive: bool = False  # stdin is a terminal: :save may ask before writing elsewhere
    allow_load: bool = False  # --allow-load: piped :load may read files outside the cwd
    load: str | None = None  # --load FILE: named on the command line, so loaded from anywhere
