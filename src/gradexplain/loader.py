"""Reading a scenario: a YAML file or a `.py` snippet, validated into a `Scenario`.

Every key of shared/spec/scenario.md is checked here, with the file position of what is
wrong. Statement-language strings are only checked to be strings: the language checker
parses them later. Tensor sizes are checked against the limits before anything is made.
"""

from __future__ import annotations

import difflib
import keyword
import math
import re
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, Literal

from gradexplain.errors import (
    BAD_INPUT_KINDS,
    ERROR_KINDS,
    NOTE_KINDS,
    GradexplainError,
    SourceLocation,
    invalid,
)
from gradexplain.limits import Limits, check, exceeded
from gradexplain.scenario import (
    DTYPES,
    TENSOR_SOURCES,
    Code,
    Expect,
    ExpectedError,
    GradTensors,
    Scenario,
    TensorSpec,
)
from gradexplain.yamlsafe import KeyPath, Positioned, decode_source, load_yaml

TOP_KEYS = (
    "name", "description", "device", "dtype", "seed", "tensors", "expression", "grad_tensors",
    "retain_graph", "create_graph", "repeat", "zero_grad", "steps", "expect", "tolerance",
)
SPEC_OPTIONS = ("fill", "requires_grad", "dtype")
EXPECT_KEYS = ("grads", "calls", "values", "error", "notes", "prints")
EXPECTED_ERROR_KEYS = ("kind", "step", "call")
SUFFIXES: dict[str, Literal["yaml", "py"]] = {".yaml": "yaml", ".yml": "yaml", ".py": "py"}
# Short-form keys and how the same thing is written in steps.
SHORT_FORM_ONLY = {
    "grad_tensors": "out.backward(torch.ones_like(out))",
    "retain_graph": "out.backward(retain_graph=True)",
    "create_graph": "out.backward(create_graph=True)",
}
DEVICE = re.compile(r"^(?:cpu|mps|auto|cuda(?::[0-9]+)?)$")
DEVICES = ("cpu", "cuda", "cuda:0", "mps", "auto")
FLOAT_ALIASES = {"float": "float32", "double": "float64", "half": "float16"}
TENSOR_DTYPES = (
    *DTYPES, "int8", "int16", "int32", "int64", "uint8", "bool", "complex64", "complex128",
)
TENSOR_ALIASES = {
    **FLOAT_ALIASES, "long": "int64", "int": "int32", "short": "int16",
    "cfloat": "complex64", "cdouble": "complex128",
}
NON_FINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan"})
INT64_MAX = 2**63 - 1
SEED_END = 2**64  # torch.manual_seed takes seeds below 2**64
EXPECTABLE = tuple(k for k in ERROR_KINDS if k not in BAD_INPUT_KINDS)


def load_scenario(path: Path, limits: Limits) -> Scenario:
    """Read and validate the scenario file at `path` (.yaml, .yml or .py)."""
    shown = str(path)
    where = SourceLocation(shown)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as err:  # e.g. a name too long, or a folder we may not enter
        raise invalid(f"cannot read {shown}: {err.strerror or err}", where,
                      hint="check the path and its permissions") from None
    if not exists:
        raise invalid(f"no such file: {shown}", where,
                      hint="check the path; scenarios are .yaml, .yml or .py files")
    if is_dir:
        raise invalid(f"{shown} is a directory, not a scenario file", where,
                      hint="pass the .yaml/.yml/.py files in it, or the directory to `run`")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise invalid(f"{shown} is not a scenario file (its suffix is '{path.suffix}')", where,
                      hint="name YAML scenarios .yaml or .yml and Python snippets .py")
    text = decode_source(_read_bytes(path, limits, where), shown)
    return load_scenario_text(text, shown, kind, limits, name=path.stem)


def load_scenario_text(text: str, path: str | None, kind: Literal["yaml", "py"],
                       limits: Limits, name: str | None = None) -> Scenario:
    """Validate scenario text; `path` is only for messages, `name` the default title."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    check("max_file_bytes", size, limits, SourceLocation(path))
    title = name or (PurePath(path).stem if path else "<input>")
    if kind == "py":
        return _snippet(text, path, title)
    if kind != "yaml":
        raise invalid(f"unknown scenario kind {kind!r}", SourceLocation(path),
                      hint="scenarios are YAML (.yaml, .yml) or Python snippets (.py)")
    return _Reader(load_yaml(text, path, limits), limits).scenario(title, text)


def _read_bytes(path: Path, limits: Limits, where: SourceLocation) -> bytes:
    """The file's bytes, refusing an oversized file before reading it."""
    try:
        if path.is_file():
            check("max_file_bytes", path.stat().st_size, limits, where)
        with path.open("rb") as stream:
            # Read one byte past the limit: pipes and devices report no size up front.
            data = stream.read(limits.max_file_bytes + 1)
    except OSError as err:
        raise invalid(f"cannot read {path}: {err.strerror or err}", where,
                      hint="check the file exists and is readable") from None
    check("max_file_bytes", len(data), limits, where)
    return data


def _snippet(text: str, path: str | None, title: str) -> Scenario:
    """A `.py` file: all of it is the steps, starting at line 1, column 1."""
    if not text.strip():
        raise invalid("the snippet is empty", SourceLocation(path, 1, 1),
                      hint="write statements, e.g. `x = torch.ones(2, requires_grad=True)`")
    code = Code(text, path, 1, 1)
    return Scenario(name=title, path=path, steps=(code,), source_text=text, is_snippet=True)


class _Reader:
    """Validates a parsed document key by key, failing at the first problem in file order."""

    def __init__(self, doc: Positioned, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits

    # top level ---------------------------------------------------------------------------

    def scenario(self, title: str, text: str) -> Scenario:
        """The whole document as a Scenario."""
        top = self.doc.data
        if top is None:
            raise invalid("the scenario is empty", self.doc.where(()),
                          hint="a scenario needs at least `expression:` or `steps:`")
        if not isinstance(top, dict):
            raise self.fail((), "a scenario must be a mapping of keys (name, tensors, steps, "
                            f"...), got {_kind(top)}", "write `key: value` lines, e.g. `steps: |`")
        fields: dict[str, Any] = {}
        for key, value in top.items():
            self.known(key, (), TOP_KEYS, "of a scenario")
            if value is not None:  # an empty key means its default
                fields[key] = _TOP[key](self, value, (key,))
        self.check_form(top)
        name = fields.pop("name", "").strip() or title
        return Scenario(name=name, path=self.doc.path, source_text=text, **fields)

    def check_form(self, top: dict[Any, Any]) -> None:
        """Exactly one of `expression` and `steps`; short-form keys only with `expression`."""
        given = [k for k in ("expression", "steps") if top.get(k) is not None]
        if len(given) == 2:
            later = max(given, key=lambda k: list(top).index(k))
            raise self.fail((later,), "use either 'expression' or 'steps', not both",
                            "'expression' is the short form (one output, then backward); "
                            "'steps' runs statements", at_key=True)
        if not given:
            raise invalid("the scenario has neither 'expression' nor 'steps'",
                          self.doc.where(()),
                          hint="add `expression: (x * 2).sum()` (short form) or `steps:` "
                               "with statements")
        if given == ["steps"]:
            for key, instead in SHORT_FORM_ONLY.items():
                if top.get(key) is not None:
                    raise self.fail((key,), f"'{key}' belongs to the short form (with "
                                    "'expression'); with 'steps', pass it to backward",
                                    f"e.g. {instead}", at_key=True)

    def name(self, value: Any, path: KeyPath) -> str:
        return self.string(value, path)

    def description(self, value: Any, path: KeyPath) -> str:
        return self.string(value, path)

    def device(self, value: Any, path: KeyPath) -> str:
        device = self.string(value, path)
        if not DEVICE.match(device):
            close = "cuda" if device.lower() in ("gpu", "nvidia") else _closest(device, DEVICES)
            hint = f"did you mean '{close}'? " if close else ""
            raise self.fail(path, "'device' must be cpu, cuda, cuda:N, mps or auto, "
                            f"got {_show(value)}",
                            hint + "'auto' picks the first available of cuda, mps, cpu")
        return device

    def dtype(self, value: Any, path: KeyPath) -> str:
        name = _dtype_name(self.string(value, path), FLOAT_ALIASES)
        if name not in DTYPES:
            raise self.fail(path, f"'dtype' must be one of {', '.join(DTYPES)}, got "
                            f"{_show(value)}", "the scenario dtype is for floating tensors; give "
                            "one tensor an integer dtype with tensors.NAME.dtype")
        return name

    def seed(self, value: Any, path: KeyPath) -> int:
        if not _is_int(value) or not 0 <= value < SEED_END:
            raise self.fail(path, "'seed' must be an integer from 0 to 2**64 - 1, got "
                            f"{_show(value)}", "e.g. seed: 0")
        return int(value)

    def repeat(self, value: Any, path: KeyPath) -> int:
        count = self.integer(value, path, 1, "e.g. repeat: 2")
        check("max_loop_iterations", count, self.limits, self.doc.where(path))
        return count

    def tolerance(self, value: Any, path: KeyPath) -> float:
        number = _number(value)
        if number is None or not math.isfinite(number) or number < 0:
            raise self.fail(path, "'tolerance' must be a number >= 0, got "
                            f"{_show(value)}", "e.g. tolerance: 1.0e-6")
        return float(number)

    def flag(self, value: Any, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"'{self.dotted(path)}' must be true or false, got "
                            f"{_show(value)}")
        return value

    def expression(self, value: Any, path: KeyPath) -> Code:
        return self.code(value, path)

    def steps(self, value: Any, path: KeyPath) -> tuple[Code, ...]:
        if isinstance(value, str):
            return (self.code(value, path),)
        if not isinstance(value, list):
            raise self.fail(path, f"'steps' must be a list of statements or a block of text, "
                            f"got {_kind(value)}", "write `steps: |` and the statements "
                            "indented below it")
        if not value:
            raise self.fail(path, "'steps' is empty", "give at least one statement")
        return tuple(self.code(item, (*path, i), "one statement per item, e.g. `- y = x * 2`")
                     for i, item in enumerate(value))

    def grad_tensors(self, value: Any, path: KeyPath) -> GradTensors:
        where = self.doc.where(path)
        if value == "ones_like":
            return GradTensors(ones_like=True, location=where)
        if isinstance(value, str):
            return GradTensors(code=self.code(value, path), location=where)
        if isinstance(value, bool | dict):
            raise self.fail(path, "'grad_tensors' must be a number, a nested list, "
                            f"'ones_like' or an expression, got {_kind(value)}",
                            "e.g. grad_tensors: ones_like")
        return GradTensors(literal=self.array(value, path), location=where)

    # tensors -----------------------------------------------------------------------------

    def tensors(self, value: Any, path: KeyPath) -> tuple[TensorSpec, ...]:
        mapping = self.mapping(value, path, "e.g. `x: {ones: [2, 2]}`")
        specs = []
        for name, spec in mapping.items():
            self.tensor_name(name, (*path, name))
            specs.append(self.tensor(str(name), spec, (*path, name)))
        return tuple(specs)

    def tensor_name(self, name: Any, path: KeyPath) -> None:
        """A name the steps can use: an identifier, not a keyword, torch, F or a dunder."""
        problem = None
        if not isinstance(name, str) or not name.isidentifier():
            problem = f"tensor name {_show(name)} is not a Python identifier"
            hint = "use letters, digits and _, not starting with a digit, e.g. x or w_1"
        elif keyword.iskeyword(name):
            problem = f"tensor name '{name}' is a Python keyword"
            hint = f"choose another name, e.g. '{name}_'"
        elif name in ("torch", "F"):
            problem = f"tensor name '{name}' would hide the {name} module"
            hint = "choose another name; torch and F are always available to the steps"
        elif name.startswith("__") and name.endswith("__"):
            problem = f"tensor name '{name}' is a dunder name, reserved by Python"
            hint = "choose a plain name such as x"
        if problem:
            raise self.fail(path, problem, hint, at_key=True)

    def tensor(self, name: str, spec: Any, path: KeyPath) -> TensorSpec:
        """One tensors: entry: a literal value or a mapping with one source and options."""
        where = self.doc.key_where(path)
        if not isinstance(spec, dict):
            return TensorSpec(name, "value", self.array(spec, path), where)
        for key in spec:
            self.known(key, path, (*TENSOR_SOURCES, *SPEC_OPTIONS), "of a tensor")
        sources = [key for key in spec if key in TENSOR_SOURCES]
        dotted = self.dotted(path)
        if not sources:
            raise self.fail(path, f"{dotted}: no source; give one of "
                            f"{', '.join(TENSOR_SOURCES)}", "e.g. {ones: [2, 2]}")
        if len(sources) > 1:
            raise self.fail((*path, sources[1]), f"{dotted}: has two sources ('{sources[0]}' "
                            f"and '{sources[1]}'); give exactly one",
                            f"keep either {{{sources[0]}: ...}} or {{{sources[1]}: ...}}",
                            at_key=True)
        source = sources[0]
        fill = self.fill(spec, source, path)
        argument = self.source_argument(source, spec[source], (*path, source))
        flag = spec.get("requires_grad")
        requires_grad = None if flag is None else self.flag(flag, (*path, "requires_grad"))
        dtype = spec.get("dtype")
        dtype = None if dtype is None else self.tensor_dtype(dtype, (*path, "dtype"))
        return TensorSpec(name, source, argument, where, fill, requires_grad, dtype)

    def fill(self, spec: dict[Any, Any], source: str, path: KeyPath) -> float | None:
        """`fill` is required by `full` and allowed nowhere else."""
        dotted = self.dotted(path)
        if source != "full":
            if "fill" in spec:
                raise self.fail((*path, "fill"), f"{dotted}: 'fill' only goes with 'full'",
                                "e.g. {full: [2, 3], fill: 0.5}", at_key=True)
            return None
        if spec.get("fill") is None:
            raise self.fail((*path, "full"), f"{dotted}: 'full' needs 'fill' (the value to "
                            "fill with)", "e.g. {full: [2, 3], fill: 0.5}", at_key=True)
        number = _number(spec["fill"])
        if number is None:
            raise self.fail((*path, "fill"), f"{dotted}.fill must be a number, got "
                            f"{_show(spec['fill'])}")
        return float(number)

    def source_argument(self, source: str, value: Any, path: KeyPath) -> Any:
        if source == "value":
            return self.array(value, path)
        if source == "expr":
            return self.code(value, path)
        if source == "arange":
            return self.arange(value, path)
        if source == "linspace":
            return self.linspace(value, path)
        if source == "eye":
            size = self.integer(value, path, 1, "eye: n makes the n x n identity, e.g. eye: 3")
            self.elements(size * size, path)
            return size
        return self.shape(value, path)  # ones, zeros, rand, randn, full

    def shape(self, value: Any, path: KeyPath) -> list[int]:
        dims = [value] if _is_int(value) else value
        if not isinstance(dims, list) or not all(_is_int(d) and d >= 0 for d in dims):
            raise self.fail(path, f"{self.dotted(path)}: a shape must be a non-negative "
                            f"integer or a list of them, got {_show(value)}", "e.g. [2, 3]")
        self.elements(math.prod(dims), path)
        return list(dims)

    def arange(self, value: Any, path: KeyPath) -> list[Any]:
        args = value if isinstance(value, list) else [value]
        numbers = [_number(a) for a in args]
        dotted = self.dotted(path)
        if not 1 <= len(args) <= 3 or any(n is None for n in numbers):
            raise self.fail(path, f"{dotted}: give [end], [start, end] or [start, end, step], "
                            f"got {_show(value)}", "e.g. arange: [0, 6, 2]")
        start, end, step = ([0, *numbers, 1] if len(numbers) == 1 else
                            [*numbers, 1] if len(numbers) == 2 else numbers)
        assert start is not None and end is not None and step is not None
        if not all(math.isfinite(n) for n in (start, end, step)):
            raise self.fail(path, f"{dotted}: start, end and step must be finite numbers",
                            "e.g. arange: [0, 6, 2]")
        if step == 0:
            raise self.fail(path, f"{dotted}: the step must not be 0",
                            "e.g. arange: [0, 1, 0.25]")
        count = _range_count(start, end, step)
        if count is None:
            raise exceeded("max_elements", "too many to count", self.limits.max_elements,
                           self.doc.where(path))
        if count < 0:
            sign = "negative" if step > 0 else "positive"
            raise self.fail(path, f"{dotted}: going from {start} to {end} needs a {sign} step",
                            f"e.g. arange: [{start}, {end}, {-step}]")
        self.elements(count, path)
        return [n for n in numbers if n is not None]

    def linspace(self, value: Any, path: KeyPath) -> list[Any]:
        ok = isinstance(value, list) and len(value) == 3
        ends = [_number(v) for v in value[:2]] if ok else []
        if not ok or any(e is None or not math.isfinite(e) for e in ends) \
                or not (_is_int(value[2]) and value[2] >= 0):
            raise self.fail(path, f"{self.dotted(path)}: give [start, end, steps] with steps a "
                            f"whole number >= 0, got {_show(value)}", "e.g. linspace: [0, 1, 5]")
        self.elements(value[2], path)
        return [*ends, value[2]]

    def tensor_dtype(self, value: Any, path: KeyPath) -> str:
        name = _dtype_name(self.string(value, path), TENSOR_ALIASES)
        if name not in TENSOR_DTYPES:
            close = _closest(name, TENSOR_DTYPES)
            raise self.fail(path, f"{self.dotted(path)}: unknown dtype {_show(value)}",
                            (f"did you mean '{close}'? " if close else "")
                            + f"dtypes: {', '.join(TENSOR_DTYPES)}")
        return name

    def elements(self, count: int, path: KeyPath) -> None:
        check("max_elements", count, self.limits, self.doc.where(path))

    def array(self, value: Any, path: KeyPath, allow_bool: bool = False) -> Any:
        """A number or a rectangular nested list of numbers, normalised (inf/nan strings)."""
        dims = _Array(self, path, allow_bool).shape(value)
        self.elements(math.prod(dims), path)
        return _normalise(value)

    # expect ------------------------------------------------------------------------------

    def expect(self, value: Any, path: KeyPath) -> Expect:
        mapping = self.mapping(value, path, "e.g. `expect: {grads: {x: [1.0, 1.0]}}`")
        parts: dict[str, Any] = {}
        locations: dict[str, SourceLocation] = {}
        for key, item in mapping.items():
            self.known(key, path, EXPECT_KEYS, "of expect")
            locations[key] = self.doc.key_where((*path, key))
            if item is not None:
                parts[key] = _EXPECT[key](self, item, (*path, key), locations)
        return Expect(**parts, locations=locations)

    def expect_named(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> dict[str, Any]:
        """{tensor: VALUE or null}, for grads, values and each call."""
        mapping = self.mapping(value, path, "e.g. {x: [1.0, 2.0]}")
        found: dict[str, Any] = {}
        prefix = ".".join(str(p) for p in path[1:])
        for name, item in mapping.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise self.fail((*path, name), f"{self.dotted(path)}: {_show(name)} is not a "
                                "tensor name", "use the names from tensors: or the steps",
                                at_key=True)
            locations[f"{prefix}.{name}"] = self.doc.key_where((*path, name))
            allow_bool = path[-1] == "values"
            found[name] = None if item is None else self.array(item, (*path, name), allow_bool)
        return found

    def expect_calls(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> dict[int, dict[str, Any]]:
        mapping = self.mapping(value, path, "e.g. {1: {x: [1.0]}, 2: {x: [2.0]}}")
        calls: dict[int, dict[str, Any]] = {}
        for key, item in mapping.items():
            number = int(key) if isinstance(key, str) and key.isdigit() else key
            if not _is_int(number) or number < 1:
                raise self.fail((*path, key), f"expect.calls: keys are backward call numbers "
                                f"(1, 2, ...), got {_show(key)}",
                                "e.g. calls: {1: {x: [1.0]}}", at_key=True)
            locations[f"calls.{number}"] = self.doc.key_where((*path, key))
            calls[number] = self.expect_named(item, (*path, key), locations)
        return calls

    def expect_error(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> ExpectedError:
        step = call = None
        kind_path = path
        if isinstance(value, dict):
            for key in value:
                self.known(key, path, EXPECTED_ERROR_KEYS, "of expect.error")
            if value.get("kind") is None:
                raise self.fail(path, "expect.error needs a 'kind'",
                                "e.g. error: {kind: freed_graph, call: 2}")
            kind_path = (*path, "kind")
            if value.get("step") is not None:
                step = self.integer(value["step"], (*path, "step"), 1)
            if value.get("call") is not None:
                call = self.integer(value["call"], (*path, "call"), 1)
            value = value["kind"]
        if not isinstance(value, str):
            raise self.fail(path, "expect.error must be an error kind or a mapping "
                            f"{{kind, step, call}}, got {_kind(value)}", "e.g. error: freed_graph")
        self.error_kind(value, kind_path)
        return ExpectedError(value, step, call, self.doc.where(path))

    def error_kind(self, kind: str, path: KeyPath) -> None:
        if kind in BAD_INPUT_KINDS:
            raise self.fail(path, f"expect.error: '{kind}' cannot be expected: it means the "
                            "scenario cannot be used at all, so it never runs (exit 2)",
                            f"fix the input instead; expectable kinds: {', '.join(EXPECTABLE)}")
        if kind not in ERROR_KINDS:
            close = _closest(kind, EXPECTABLE)
            raise self.fail(path, f"expect.error: unknown error kind '{kind}'"
                            + (f"; did you mean '{close}'?" if close else ""),
                            f"expectable kinds: {', '.join(EXPECTABLE)}")

    def expect_notes(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        notes = self.string_list(value, path, locations)
        for i, note in enumerate(notes):
            if note not in NOTE_KINDS:
                close = _closest(note, NOTE_KINDS)
                raise self.fail((*path, i) if isinstance(value, list) else path,
                                f"expect.notes: unknown note kind '{note}'"
                                + (f"; did you mean '{close}'?" if close else ""),
                                f"note kinds: {', '.join(NOTE_KINDS)}")
        return notes

    def expect_prints(self, value: Any, path: KeyPath,
                      locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        return self.string_list(value, path, locations)

    def string_list(self, value: Any, path: KeyPath,
                    locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        """A list of strings (one string is a list of one); records each item's location."""
        items = value if isinstance(value, list) else [value]
        paths = [(*path, i) for i in range(len(items))] if isinstance(value, list) else [path]
        for i, (item, item_path) in enumerate(zip(items, paths, strict=True)):
            self.string(item, item_path, "put the text in quotes, exactly as print() shows it")
            locations[f"{path[-1]}.{i}"] = self.doc.where(item_path)
        return tuple(items)

    # shared checks -----------------------------------------------------------------------

    def known(self, key: Any, path: KeyPath, known: tuple[str, ...], what: str) -> None:
        """Unknown keys name themselves, their line and the closest known key."""
        if isinstance(key, str) and key in known:
            return
        where = self.doc.key_where((*path, key))
        inside = f" in {self.dotted(path)}" if path else ""
        message = f"unknown key {_show(key)}{inside} at line {where.line}"
        close = _closest(str(key), known)
        if close:
            message += f"; did you mean '{close}'?"
        hint = f"the keys {what} are: {', '.join(known)}"
        if isinstance(key, bool):
            hint = "YAML reads yes/no/on/off as true/false; " + hint
        raise invalid(message, where, hint=hint, key=key)

    def string(self, value: Any, path: KeyPath, hint: str | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"'{self.dotted(path)}' must be a string, got {_show(value)}",
                            hint or "put the text in quotes")
        return value

    def integer(self, value: Any, path: KeyPath, minimum: int, hint: str | None = None) -> int:
        if not _is_int(value) or value < minimum:
            raise self.fail(path, f"'{self.dotted(path)}' must be an integer >= {minimum}, got "
                            f"{_show(value)}", hint)
        return int(value)

    def mapping(self, value: Any, path: KeyPath, hint: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"'{self.dotted(path)}' must be a mapping, got {_kind(value)}",
                            hint)
        return value

    def code(self, value: Any, path: KeyPath, hint: str = "e.g. `expression: (x * 2).sum()`"
             ) -> Code:
        """A statement-language string with the file position of its first character."""
        if isinstance(value, dict):  # `- print("a: b")` unquoted is a one-key mapping
            hint = ("YAML read the ': ' in it as a key and value; put the statement in "
                    "quotes, e.g. - 'print(\"a: b\")'")
        if not isinstance(value, str):
            raise self.fail(path, f"'{self.dotted(path)}' must be code (a string), got "
                            f"{_show(value)}", hint)
        if not value.strip():
            raise self.fail(path, f"'{self.dotted(path)}' is empty", "write the code here")
        start = self.doc.texts[path]
        text, line = value, start.line
        if start.block:  # leading blank lines of a `|` block: start at the first statement
            while "\n" in text and not text.split("\n", 1)[0].strip():
                text, line = text.split("\n", 1)[1], line + 1
        return Code(text, self.doc.path, line, start.col)

    def fail(self, path: KeyPath, message: str, hint: str | None = None,
             at_key: bool = False) -> GradexplainError:
        where = self.doc.key_where(path) if at_key else self.doc.where(path)
        return invalid(message, where, hint=hint, key=self.dotted(path))

    def dotted(self, path: KeyPath) -> str:
        """`tensors.x.ones`, `steps[2]`: list indexes in brackets, mapping keys dotted."""
        text = ""
        node: Any = self.doc.data
        for part in path:
            if isinstance(node, list):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else str(part)
            node = _child(node, part)
        return text


class _Array:
    """Checks a nested list is rectangular and holds only numbers, level by level."""

    def __init__(self, reader: _Reader, path: KeyPath, allow_bool: bool) -> None:
        self.reader = reader
        self.path = path
        self.allow_bool = allow_bool
        self.dotted = reader.dotted(path)

    def shape(self, value: Any) -> list[int]:
        """The shape; fails at the first element or row that breaks the rules."""
        if not isinstance(value, list):
            self.element((), value)
            return []
        shape: list[int] = []
        level: list[tuple[tuple[int, ...], list[Any]]] = [((), value)]
        while True:
            first_index, first = level[0]
            for index, row in level:
                if len(row) != len(first):
                    raise self.fail(index, f"ragged nested list: row {_row(index)} has "
                                    f"{_elements(len(row))}, row {_row(first_index)} "
                                    f"has {len(first)}",
                                    "every row must have the same length")
            shape.append(len(first))
            items = [((*index, i), item) for index, row in level for i, item in enumerate(row)]
            if not items:
                return shape
            nested = [isinstance(item, list) for _, item in items]
            if all(nested):
                level = items
                continue
            if any(nested):
                index, item = next(p for p, n in zip(items, nested, strict=True) if n != nested[0])
                other = "a list" if nested[0] else "a number"
                raise self.fail(index, f"element {_brackets(index)} is {_kind(item)} but element "
                                f"{_brackets(items[0][0])} is {other}",
                                "every row must have the same shape")
            for index, item in items:
                self.element(index, item)
            return shape

    def element(self, index: tuple[int, ...], item: Any) -> None:
        """One entry: a number (or, where allowed, a boolean) that fits a tensor."""
        number = _number(item, self.allow_bool)
        if number is not None and (not isinstance(number, int)
                                   or -INT64_MAX - 1 <= number <= INT64_MAX):
            return  # the common case, kept cheap: a file can hold many numbers
        what = f"element {_brackets(index)}" if index else "the value"
        if number is None:
            quoted = isinstance(item, str) and _try_float(item) is not None
            hint = ("remove the quotes" if quoted else "write numbers, e.g. 1.5 or "
                    "[[1, 2], [3, 4]]; for code use {expr: ...}")
            raise self.fail(index, f"{what} is {_kind(item)}; tensor values must be numbers",
                            hint)
        raise self.fail(index, f"{what} ({number}) is too large for an integer tensor",
                        "write it as a float, e.g. 1e30")

    def fail(self, index: tuple[int, ...], message: str, hint: str) -> GradexplainError:
        return invalid(f"{self.dotted}: {message}", self.reader.doc.where((*self.path, *index)),
                       hint=hint, key=self.dotted)


_Handler = Callable[[_Reader, Any, KeyPath], Any]
_TOP: dict[str, _Handler] = {
    "name": _Reader.name, "description": _Reader.description, "device": _Reader.device,
    "dtype": _Reader.dtype, "seed": _Reader.seed, "tensors": _Reader.tensors,
    "expression": _Reader.expression, "grad_tensors": _Reader.grad_tensors,
    "retain_graph": _Reader.flag, "create_graph": _Reader.flag, "repeat": _Reader.repeat,
    "zero_grad": _Reader.flag, "steps": _Reader.steps, "expect": _Reader.expect,
    "tolerance": _Reader.tolerance,
}
_ExpectHandler = Callable[[_Reader, Any, KeyPath, dict[str, SourceLocation]], Any]
_EXPECT: dict[str, _ExpectHandler] = {
    "grads": _Reader.expect_named, "values": _Reader.expect_named,
    "calls": _Reader.expect_calls, "error": _Reader.expect_error,
    "notes": _Reader.expect_notes, "prints": _Reader.expect_prints,
}


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and _is_int(part) and 0 <= part < len(node):
        return node[part]
    return None


def _is_int(value: Any) -> bool:
    """An int that is not a bool (YAML `true` must not count as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, allow_bool: bool = False) -> int | float | None:
    """A YAML number, or the strings "inf"/"-inf"/"nan" the JSON output uses; else None."""
    if isinstance(value, bool):
        return value if allow_bool else None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value.strip().lower() in NON_FINITE:
        return float(value)
    return None


def _try_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _normalise(value: Any) -> Any:
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return float(value) if isinstance(value, str) else value


def _range_count(start: float, end: float, step: float) -> int | None:
    """How many values arange makes: ceil((end - start) / step), exact for integers.

    None when the count is too large for a float to hold.
    """
    if all(_is_int(n) for n in (start, end, step)):
        return -(int(start - end) // int(step))
    quotient = (end - start) / step
    return math.ceil(quotient) if math.isfinite(quotient) else None


def _dtype_name(text: str, aliases: dict[str, str]) -> str:
    name = text.strip().removeprefix("torch.")
    return aliases.get(name, name)


def _closest(word: str, choices: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1)
    return found[0] if found else None


def _elements(count: int) -> str:
    return f"{count} element" if count == 1 else f"{count} elements"


def _row(index: tuple[int, ...]) -> str:
    return str(index[0]) if len(index) == 1 else _brackets(index)


def _brackets(index: tuple[int, ...]) -> str:
    return "".join(f"[{i}]" for i in index)


def _kind(value: Any) -> str:
    """What a value is, for messages: "a string ('a')", "a boolean (true)", "a list"."""
    if isinstance(value, bool):
        return f"a boolean ({_show(value)})"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string ({_show(value)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a number ({_show(value)})"


def _show(value: Any, width: int = 60) -> str:
    """A value as the user wrote it in YAML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "[" + ", ".join(_show(v, width) for v in value[:12]) + "]"
    else:
        text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
