"""The run record: plain data describing everything a run did. No torch, no rich.

The runner produces it; the explainer, the renderers and `compare` only read it.
A VALUE is JSON-ready: nested lists of numbers (a plain number for a 0-d tensor), the
strings "inf", "-inf", "nan" for non-finite numbers, and for tensors over the display
limit {"summary": {"shape", "min", "max", "mean", "std", "head"}}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypedDict

from gradexplain.record_groups import CallGroup, PrintGroup

Value = Any  # see the module docstring


def non_finite_name(x: float) -> str | None:
    """"nan", "inf" or "-inf" for a non-finite number (how a VALUE writes it), else None.
    The one place that spells them: the engine, the explainer and the renderers use it."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return None


def formula_number(x: float | Fraction) -> str:
    """A number as a derivation writes it (--why): 3, -0.5, 1/4 (exact fractions stay
    fractions), 0.367879 (six digits), inf. The engine's formulas and the explainer's
    sentences write numbers this one way."""
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        if x.denominator <= 1000:
            return f"{x.numerator}/{x.denominator}"
    value = float(x)
    named = non_finite_name(value)
    if named is not None:
        return named
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


# The deeper views of one call (--graph, --jacobian, --check-numeric, --why, --dot) ---------

class FlowEntry(TypedDict):
    """--graph: the gradient that arrived at one named tensor or leaf during the call."""

    tensor: str
    node: str  # the autograd node it arrived at, e.g. "MulBackward0"
    leaf: bool
    shape: list[int]
    grad: Value


class JacobianExtras(TypedDict, total=False):
    """What a Jacobian entry may add: why it holds no numbers ("meta": the tensors are on
    the meta device, which has shapes but no values)."""

    reason: str


class JacobianEntry(JacobianExtras):
    """--jacobian: d output / d leaf, the grad_tensors vector v, and v^T J."""

    output: str
    leaf: str
    jacobian: list[list[float]]
    v: list[float]
    vjp: list[float]
    grad_added: list[float] | None  # what the call added to the leaf's .grad
    equal: bool  # v^T J (summed over outputs) equals grad_added


class NumericExtras(TypedDict, total=False):
    """What a numeric entry may add: the numbers its note names."""

    facts: dict[str, Any]  # what the reason's sentence names (limits, an error)
    # The element a note is about, so that it is named even where the tensor is summarized:
    # {"index": [4], "value": 0.0, "numeric": 0.5, "autograd": 0.0} (the largest difference,
    # or the element at a kink).
    element: dict[str, Any]


class NumericEntry(NumericExtras):
    """--check-numeric: central differences in float64 next to autograd's grad."""

    leaf: str | None
    numeric: list[float] | None
    autograd: list[float] | None
    max_diff: float | None
    agrees: bool | None
    reason: str | None  # why it could not be checked, or why a disagreement is expected


# One line of the --graph tree. Its "kind" says which keys it has: "node" and "leaf" (node,
# name, shape; a node may add saved/freed/already_freed), "shared" (a node seen before:
# its keys and "was"), "fold" (a folded chain), "more_below"/"more_inputs" (hidden, limit),
# "no_graph" (name).
TreeEntry = dict[str, Any]


class GraphTree(TypedDict):
    """--graph: each output's backward graph, depth-first, as lines of data."""

    entries: list[TreeEntry]


class DotGraph(TypedDict):
    """--dot: one call's backward graph as nodes and edges (render/dot.py draws it)."""

    nodes: list[dict[str, Any]]  # id, type, names; a leaf's label, shape, value, grad
    edges: list[dict[str, str]]  # {"from": id, "to": id}
    truncated: bool  # more nodes than the drawing takes


# --why: the chain rule written out for one element (engine/derivation.py) ------------------

class WhyStep(TypedDict, total=False):
    """One step of a path: the local derivative of one statement at this element, or a fold
    of repeated statements ("kind" says which)."""

    kind: str  # "step" | "fold"
    statement: str  # as written (`z = y * y * 3`), or the output's code when unnamed
    line: int | None
    output: str  # what the statement made (`z`)
    output_index: list[int]
    input: str  # the tensor the step goes back to (`y`, a leaf's label)
    input_index: list[int]
    nodes: list[str]  # the backward nodes inside the step
    formula: str | None  # `3·y + 3·y = 6·y`, with the learner's names (None: see source)
    numbers: str | None  # the same with numbers: `6·3`
    value: float  # the local derivative (a fold: the product of its steps)
    # "formula": from the table; "autograd": a node without a formula, its number from
    # autograd; "paths": more paths inside the statement than are written out
    source: str
    inner_paths: int  # paths through the statement's nodes (y used twice: 2)
    pattern: list[str]  # a fold: the statements that repeat
    count: int  # a fold: how often


class WhyPath(TypedDict):
    """One path from an output element to the element asked about."""

    output: str
    output_index: list[int]
    weight: float | None  # the grad_tensors weight v of the output element (None: a scalar)
    steps: list[WhyStep]
    product: float


class WhyEntry(TypedDict, total=False):
    """--why NAME: why NAME.grad (one element) has its value after this call. "status" says
    whether it was derived; "facts" holds the numbers a status sentence names."""

    target: str  # as asked: `x`, `x[0, 1]`
    status: str  # "derived", "unknown", "bad_index", "not_derivable", "later_call"
    tensor: str  # the tensor whose .grad it is (a view's leaf: the leaf's label)
    index: list[int]  # the element of it
    kind: str  # "leaf", "retained", "view" (of a leaf), "non_leaf"
    named: str  # the name asked about (for a view: the view's name)
    named_index: list[int]
    paths: list[WhyPath]  # at most a few written out
    paths_total: int
    rest: float | None  # the sum of the paths not written out
    sum_formula: str | None  # the paths added up, with names (`v[0,0]·y[1,0] + ...`)
    sum_numbers: str | None  # and with numbers (`1·3 + 0·4`)
    total: float  # what the chain rule gives
    autograd: float | None  # what autograd gave this element in this call
    before: float | None  # .grad[element] before the call (None: .grad was None)
    after: float | None
    agrees: bool | None  # total equals autograd, to floating tolerance
    facts: dict[str, Any]


@dataclass
class CallViews:
    """The deeper views recorded for one call; each is None unless it was asked for."""

    tree: GraphTree | None = None
    flow: list[FlowEntry] | None = None
    jacobian: list[JacobianEntry] | None = None
    numeric: list[NumericEntry] | None = None
    graph: DotGraph | None = None  # --dot (not part of the JSON)
    why: list[WhyEntry] | None = None  # --why NAME

    def __bool__(self) -> bool:
        """Whether any view shown in the report (not --dot's graph) was recorded."""
        return any(v is not None for v in (self.tree, self.flow, self.jacobian,
                                           self.numeric, self.why))


@dataclass
class TensorRow:
    """A named tensor as it stands at the end of the run (or at the time of a snapshot)."""

    name: str
    shape: list[int]
    dtype: str  # "float32", "int64", ... (torch's name without the "torch." prefix)
    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None  # e.g. "MmBackward0"
    value: Value
    grad: Value | None
    retains_grad: bool = False


@dataclass
class ErrorInfo:
    """An error that stopped the run (or a call). `facts` fill the explanation templates."""

    kind: str
    message: str  # PyTorch's original message, or gradexplain's own sentence
    step: int | None = None
    line: int | None = None
    col: int | None = None
    end_col: int | None = None
    statement: str | None = None
    path: str | None = None
    hint: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class CallRecord:
    """One backward / torch.autograd.backward / torch.autograd.grad call: the ledger entry.

    before/added/after cover every leaf that requires grad (named, or labelled by the code
    that made it) and every tensor with retain_grad(). For autograd.grad, which does not
    touch .grad, `results` holds the returned gradients keyed by input label.
    """

    index: int
    step: int | None
    line: int | None
    statement: str
    function: str  # "backward", "torch.autograd.backward" or "torch.autograd.grad"
    outputs: list[str]
    grad_tensors: Value | None
    retain_graph: bool
    create_graph: bool
    before: dict[str, Value | None] = field(default_factory=dict)
    added: dict[str, Value] = field(default_factory=dict)
    after: dict[str, Value | None] = field(default_factory=dict)
    results: dict[str, Value | None] = field(default_factory=dict)
    error: ErrorInfo | None = None
    views: CallViews = field(default_factory=CallViews)  # --graph, --jacobian... (typed)
    # Tracked tensors this call's graph did not reach: their `added` is None ("not reached").
    not_reached: list[str] = field(default_factory=list)
    seq: int = 0  # position among the run's calls, prints and shown values (REPL order)


@dataclass
class NoteInfo:
    """Something that is not an error but is exactly what a learner trips on."""

    kind: str
    tensor: str | None
    step: int | None
    facts: dict[str, Any] = field(default_factory=dict)
    call: int | None = None


@dataclass
class PrintRecord:
    step: int | None
    text: str
    line: int | None = None
    seq: int = 0
    length: int | None = None  # the whole text's length when `text` is only its start


@dataclass
class ShownValue:
    """A bare expression statement's value (e.g. `x.grad`), shown like a REPL would."""

    step: int | None
    expression: str
    text: str
    line: int | None = None
    seq: int = 0
    length: int | None = None  # the whole text's length when `text` is only its start


@dataclass
class ExpectationResult:
    """One `expect:` check. The explain layer words it from `key` and `facts` in the
    reader's language; `text` is a fixed wording for results made without a key."""

    ok: bool
    text: str = ""
    key: str = ""  # a phrase of explain/catalogue_expect ("equal", "expected_got", ...)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlotLine:
    """One axis or series of the scenario's `plot:`: its text (`x.grad`) and its values."""

    label: str
    values: list[float]


@dataclass
class PlotProblem:
    """A series that could not be drawn (missing, grad None, not 1-D, wrong length)."""

    series: str
    message: str
    line: int | None = None
    col: int | None = None
    end_col: int | None = None


@dataclass
class PlotRecord:
    """The `plot:` section's data, taken from the run's tensors at its end. Plain lists;
    series with a problem are left out and the problem says why."""

    title: str
    xlabel: str
    ylabel: str
    x: PlotLine | None
    series: list[PlotLine] = field(default_factory=list)
    problems: list[PlotProblem] = field(default_factory=list)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> key -> text

    def text(self, key: str, lang: str) -> str:
        """"title", "xlabel" or "ylabel" in `lang` when the scenario gave one, else as set."""
        return self.texts.get(lang, {}).get(key) or str(getattr(self, key))


@dataclass
class ExpressionPlot:
    """`gradexplain plot EXPR`: y = EXPR over x, and x.grad after y.backward(ones)."""

    expression: str
    xs: list[float]
    ys: list[float]
    grads: list[float]


@dataclass
class RunRecord:
    """Everything one scenario run did."""

    name: str
    path: str | None
    description: str | None
    torch_version: str
    device: str
    dtype: str
    tensors: list[TensorRow] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    prints: list[PrintRecord] = field(default_factory=list)
    shown: list[ShownValue] = field(default_factory=list)
    notes: list[NoteInfo] = field(default_factory=list)
    error: ErrorInfo | None = None
    error_expected: bool = False  # the run stopped on an error that `expect` names
    expectations: list[ExpectationResult] = field(default_factory=list)
    plot: PlotRecord | None = None  # the scenario's `plot:` (an addition beyond the spec)
    lang: str = "en"  # the language its explanations are shown in (the Python API's lang=)
    # Loops: `calls` keeps every call up to CALL_CAP, then only those a table shows (see
    # record_groups); `groups` summarizes each statement's calls, `calls_total` counts them.
    groups: list[CallGroup] = field(default_factory=list)
    print_groups: list[PrintGroup] = field(default_factory=list)
    calls_total: int | None = None  # None: every call is in `calls`
    calls_all: bool = False  # --calls all: nothing was folded
    descriptions: dict[str, str] = field(default_factory=dict)  # by language, when given so

    def description_in(self, lang: str) -> str | None:
        """The description in `lang` when the scenario gives one per language, else the one."""
        return self.descriptions.get(lang) or self.description

    @property
    def ok(self) -> bool:
        """Ran to the end (or stopped on an expected error) and every expectation held."""
        return (self.error is None or self.error_expected) and all(
            e.ok for e in self.expectations
        )
