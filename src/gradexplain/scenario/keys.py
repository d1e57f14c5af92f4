"""The scenario keys as data: one table read by the JSON Schema, the README check and docs.

Each top-level key has the type and default a reader sees in the README's key table, an
English description, and its JSON Schema fragment. `scenario/schema.py` assembles the
schema from these fragments; `tests/test_schema.py` checks that README.md's table is
exactly `readme_table()`, so the two cannot drift. The loader stays the authority: the
schema describes what it accepts (tests check they agree on good and bad files).
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any

from gradexplain.errors import BAD_INPUT_KINDS, ERROR_KINDS
from gradexplain.scenario.model import DTYPES, TENSOR_SOURCES

# The loader accepts these spellings of dtypes too (tensors.py FLOAT_ALIASES/TENSOR_ALIASES).
FLOAT_ALIASES = ("float", "double", "half")
TENSOR_DTYPES = (*DTYPES, "int8", "int16", "int32", "int64", "uint8", "bool",
                 "complex64", "complex128")
TENSOR_ALIASES = (*FLOAT_ALIASES, "long", "int", "short", "cfloat", "cdouble")
EXPECTABLE_ERRORS = tuple(k for k in ERROR_KINDS if k not in BAD_INPUT_KINDS)
DEVICE_NAMES = ("cpu", "cuda", "mps", "auto")
# Text the loader reads as code must have something in it.
NOT_BLANK = r"\S"
# Python identifiers ([^\W\d]\w*: a letter or _ first), not dunder names. ECMAScript
# reads \w as ASCII; Python (the jsonschema package) as Unicode, like the loader.
IDENTIFIER = r"^(?!__.*__$)[^\W\d]\w*$"
SERIES = r"^\s*[A-Za-z_][A-Za-z0-9_]*(\.grad)?\s*$"
MAX_PLOT_SERIES = 6


@dataclass(frozen=True)
class Key:
    """One top-level key of a scenario file."""

    name: str
    type: str  # as the README's table says it
    default: str
    description: str  # English, one or two sentences
    schema: dict[str, Any]


def dtype_names(names: tuple[str, ...]) -> list[str]:
    """The dtype spellings the loader accepts: NAME and torch.NAME."""
    return [*names, *(f"torch.{n}" for n in names)]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _code(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": NOT_BLANK, "description": description}


KEYS: tuple[Key, ...] = (
    Key("name", "string", "file stem", "Title shown above the output.",
        {"type": "string"}),
    Key("description", "string or {en, zh}", "none",
        "Shown under the title; one text per language (`{en: ..., zh: ...}`) shows the one "
        "of --lang.", _ref("per_language")),
    Key("device", "string", "`cpu`",
        "cpu, cuda, cuda:N, mps, or auto (the first available of cuda, mps, cpu); the "
        "command line's --device overrides it.",
        {"type": "string", "anyOf": [{"enum": list(DEVICE_NAMES)},
                                     {"pattern": "^cuda:[0-9]+$"}]}),
    Key("dtype", "string", "`float32`",
        "Default floating dtype of created tensors: float32, float64, float16 or bfloat16.",
        {"type": "string", "enum": dtype_names((*DTYPES, *FLOAT_ALIASES))}),
    Key("seed", "integer", "`0`",
        "Random seed set before anything runs, so rand and randn repeat.",
        {"type": "integer", "minimum": 0, "maximum": 2**64 - 1}),
    Key("tensors", "mapping", "empty",
        "The leaf tensors, created in file order: NAME: a number, a nested list, or a "
        "mapping with one source (value, ones, zeros, rand, randn, full, arange, "
        "linspace, eye, expr) plus requires_grad and dtype.",
        {"type": "object", "propertyNames": _ref("tensor_name"),
         "additionalProperties": _ref("tensor")}),
    Key("expression", "string", "none",
        "Short form: the output to differentiate (its result is named out).",
        _code("An expression of the statement language.")),
    Key("grad_tensors", "number, nested list, `ones_like`, or expression", "none",
        "Short form: the gradient passed to backward (needed when the output is not a "
        "scalar); an expression may use out.",
        {"anyOf": [_ref("array"), _code("ones_like, or an expression that may use out.")]}),
    Key("retain_graph", "boolean", "`false`", "Short form: passed to backward.",
        {"type": "boolean"}),
    Key("create_graph", "boolean", "`false`", "Short form: passed to backward.",
        {"type": "boolean"}),
    Key("repeat", "integer >= 1", "`1`",
        "Short form: how many times backward is called on the same graph. Steps form: "
        "how many times the whole list of steps runs.",
        {"type": "integer", "minimum": 1}),
    Key("zero_grad", "boolean", "`false`",
        "Zero the .grad of every leaf before each backward call.", {"type": "boolean"}),
    Key("steps", "list of strings, or one block string", "none",
        "Statements of the statement language, run in order.",
        {"anyOf": [_code("A block of statements."),
                   {"type": "array", "minItems": 1,
                    "items": _code("One statement.")}]}),
    Key("expect", "mapping", "none",
        "Checks (grads, calls, values, error, notes, prints); a failed check makes run "
        "exit 1.", _ref("expect")),
    Key("tolerance", "number >= 0", "`1e-6`",
        "Absolute and relative tolerance of the expect checks.",
        {"type": "number", "minimum": 0}),
    Key("plot", "mapping", "none",
        "Draw tensors of the run against each other once it has ended: x, y (1 to 6 "
        "series, NAME or NAME.grad), title, xlabel, ylabel. An addition beyond the spec.",
        _ref("plot")),
)

SHORT_FORM_ONLY = ("grad_tensors", "retain_graph", "create_graph")

TENSOR_SOURCE_TEXT: dict[str, tuple[str, dict[str, Any]]] = {
    "value": ("The value: a number or a nested list of numbers.", _ref("array")),
    "ones": ("A tensor of ones of this shape.", _ref("shape")),
    "zeros": ("A tensor of zeros of this shape.", _ref("shape")),
    "rand": ("Uniform random numbers in [0, 1) of this shape.", _ref("shape")),
    "randn": ("Standard normal random numbers of this shape.", _ref("shape")),
    "full": ("A tensor of this shape filled with `fill`.", _ref("shape")),
    "arange": ("[end], [start, end] or [start, end, step], as torch.arange.",
               {"anyOf": [_ref("number"),
                          {"type": "array", "minItems": 1, "maxItems": 3,
                           "items": _ref("number")}]}),
    "linspace": ("[start, end, steps], as torch.linspace.",
                 {"type": "array", "minItems": 3, "maxItems": 3,
                  "prefixItems": [_ref("number"), _ref("number"),
                                  {"type": "integer", "minimum": 0}]}),
    "eye": ("n: the n x n identity.", {"type": "integer", "minimum": 1}),
    "expr": ("An expression of the statement language, e.g. "
             "torch.tensor([2., 1.], requires_grad=True).view(1, 2).",
             {"type": "string", "pattern": NOT_BLANK}),
}
assert tuple(TENSOR_SOURCE_TEXT) == TENSOR_SOURCES

TENSOR_OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "fill": ("The value `full` fills with (only with full).", _ref("number")),
    "requires_grad": ("Track gradients; defaults to true for floating tensors.",
                      {"type": ["boolean", "null"]}),
    "dtype": ("The tensor's dtype (default: the scenario's dtype for floating sources).",
              {"type": ["string", "null"],
               "enum": [*dtype_names((*TENSOR_DTYPES, *TENSOR_ALIASES)), None]}),
}

EXPECT_KEYS: dict[str, tuple[str, dict[str, Any]]] = {
    "grads": ("{tensor: VALUE}: .grad at the end of the run (null: it must be None).",
              {"type": "object", "propertyNames": _ref("tensor_name"),
               "additionalProperties": {"anyOf": [_ref("array"), {"type": "null"}]}}),
    "calls": ("{N: {tensor: VALUE}}: .grad right after backward call N (the ledger's after).",
              {"type": "object", "propertyNames": {"pattern": "^0*[1-9][0-9]*$"},
               "additionalProperties": {
                   "type": "object", "propertyNames": _ref("tensor_name"),
                   "additionalProperties": {"anyOf": [_ref("array"), {"type": "null"}]}}}),
    "values": ("{tensor: VALUE}: a named tensor's value at the end.",
               {"type": "object", "propertyNames": _ref("tensor_name"),
                "additionalProperties": {"anyOf": [_ref("bool_array"), {"type": "null"}]}}),
    "error": ("KIND or {kind, step, call}: the error the run must stop on (then it exits 0).",
              {"anyOf": [_ref("error_kind"),
                         {"type": "object", "additionalProperties": False,
                          "required": ["kind"],
                          "properties": {
                              "kind": _ref("error_kind"),
                              "step": {"type": ["integer", "null"], "minimum": 1,
                                       "description": "1-based statement index."},
                              "call": {"type": ["integer", "null"], "minimum": 1,
                                       "description": "Backward call number."}}}]}),
    "notes": ("Note kinds that must appear, e.g. [accumulated].",
              {"anyOf": [_ref("note_kind"), {"type": "array", "items": _ref("note_kind")}]}),
    "prints": ("Texts print() must produce, in order.",
               {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
}

PLOT_KEYS: dict[str, tuple[str, dict[str, Any]]] = {
    "x": ("A 1-D tensor of the run: the horizontal axis (NAME or NAME.grad).", _ref("series")),
    "y": ("1 to 6 series, each NAME or NAME.grad, 1-D and as long as x.",
          {"anyOf": [_ref("series"), {"type": "array", "minItems": 1,
                                      "maxItems": MAX_PLOT_SERIES, "items": _ref("series")}]}),
    "title": ("The plot's title (or one per language: {en: ..., zh: ...}).",
              {"anyOf": [_ref("per_language"), {"type": "null"}]}),
    "xlabel": ("The horizontal axis's label (or one per language).",
               {"anyOf": [_ref("per_language"), {"type": "null"}]}),
    "ylabel": ("The vertical axis's label (or one per language).",
               {"anyOf": [_ref("per_language"), {"type": "null"}]}),
}

RESERVED_NAMES = (*keyword.kwlist, "torch", "F")


def readme_table() -> list[str]:
    """The README's scenario-key table, as markdown lines."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{key.name}` | {key.type} | {key.default} | {key.description} |"
              for key in KEYS]
    return lines
