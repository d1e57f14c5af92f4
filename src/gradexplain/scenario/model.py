"""The scenario: what a YAML file or `.py` snippet asks gradexplain to run. Plain data.

`gradexplain.scenario.loader` builds it from a file; the runner reads it. Every piece of user text
keeps its position in the file so errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradexplain.errors import SourceLocation

TENSOR_SOURCES = (
    "value", "ones", "zeros", "rand", "randn", "full", "arange", "linspace", "eye", "expr",
)
DTYPES = ("float32", "float64", "float16", "bfloat16")


@dataclass(frozen=True)
class Code:
    """A piece of statement-language source and where it starts in the file.

    `line`/`col` are 1-based positions of the first character of `text` in the file, so a
    position (l, c) inside `text` (1-based, from Python's ast) is at file line
    `line + l - 1`, and column `col + c - 1` when l == 1 (else c).
    """

    text: str
    path: str | None
    line: int
    col: int = 1


@dataclass(frozen=True)
class TensorSpec:
    """One entry of `tensors:`. Exactly one source; `argument` is its YAML value.

    source "value": argument is a number or nested list of numbers.
    "ones"/"zeros"/"rand"/"randn": a shape, list[int] (an int n is normalised to [n]).
    "full": the shape, with `fill`. "arange": [end] | [start, end] | [start, end, step].
    "linspace": [start, end, steps]. "eye": n (int). "expr": a Code.
    requires_grad None means the default: true for floating dtypes, false otherwise.
    dtype None means the scenario's dtype for floating sources ("value" with only ints
    stays int64, as torch.tensor does).
    """

    name: str
    source: str
    argument: Any
    location: SourceLocation
    fill: float | None = None
    requires_grad: bool | None = None
    dtype: str | None = None  # any torch dtype name: float32, float64, int64, bool, ...


@dataclass(frozen=True)
class GradTensors:
    """The short form's `grad_tensors`: a literal (number or nested list), `ones_like`, or
    an expression (Code) evaluated after `expression`, with the output bound to `out`...
    the expression may use every tensor name, plus `out` (the expression's result)."""

    literal: Any = None
    ones_like: bool = False
    code: Code | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True)
class ExpectedError:
    kind: str
    step: int | None = None  # 1-based statement index where it must happen
    call: int | None = None  # or the backward call number
    location: SourceLocation | None = None


@dataclass(frozen=True)
class Expect:
    """Checks, all optional. VALUEs are numbers or nested lists; a plain number is compared
    against every element (broadcast, like torch.allclose); None means "is None".

    grads:   {tensor: VALUE}            .grad at the end of the run
    calls:   {N: {tensor: VALUE}}       .grad right after backward call N (the ledger's after)
    values:  {tensor: VALUE}            a named tensor's value at the end
    error:   the error the run must stop on (then exit 0)
    notes:   note kinds that must appear, e.g. ["non_leaf_grad", "broadcast_sum"]
    prints:  exact texts that print() must have produced, in order (a subsequence)
    """

    grads: dict[str, Any] = field(default_factory=dict)
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    error: ExpectedError | None = None
    notes: tuple[str, ...] = ()
    prints: tuple[str, ...] = ()
    locations: dict[str, SourceLocation] = field(default_factory=dict)  # "grads.x" -> where


@dataclass(frozen=True)
class PlotSeries:
    """One axis or series of `plot:`: a tensor of the run (`y`) or its gradient (`x.grad`)."""

    name: str  # the tensor's name
    grad: bool  # NAME.grad rather than NAME
    location: SourceLocation | None = None

    @property
    def text(self) -> str:
        return f"{self.name}.grad" if self.grad else self.name


@dataclass(frozen=True)
class PlotSpec:
    """The `plot:` section (an addition beyond the spec): after the run, draw each series
    (1-D, as long as x) against x. None labels mean defaults chosen when drawing."""

    x: PlotSeries
    series: tuple[PlotSeries, ...]
    title: str | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    location: SourceLocation | None = None  # the `plot:` key
    # title/xlabel/ylabel given per language ({en: ..., zh: ...}): lang -> key -> text
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario. Exactly one of `expression` and `steps` is set."""

    name: str
    path: str | None  # None for text that did not come from a file (REPL, tests)
    description: str | None = None
    descriptions: dict[str, str] = field(default_factory=dict)  # by language: en, zh
    device: str = "cpu"
    dtype: str = "float32"
    seed: int = 0
    tensors: tuple[TensorSpec, ...] = ()
    expression: Code | None = None
    grad_tensors: GradTensors | None = None
    retain_graph: bool = False
    create_graph: bool = False
    repeat: int = 1
    zero_grad: bool = False
    steps: tuple[Code, ...] | None = None  # one Code per list item, or one for a block string
    expect: Expect | None = None
    tolerance: float = 1e-6
    plot: PlotSpec | None = None  # `plot:`, an addition beyond the spec
    source_text: str = ""  # the whole file, for carets
    is_snippet: bool = False  # came from a .py file
