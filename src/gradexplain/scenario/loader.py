"""Reading a scenario: a YAML file or a `.py` snippet, validated into a `Scenario`.

Every key of shared/spec/scenario.md is checked here, with the file position of what is
wrong. Statement-language strings are only checked to be strings: the language checker
parses them later. Tensor sizes are checked against the limits before anything is made.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any, Literal

from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.limits import Limits, check
from gradexplain.scenario.expect import _ExpectReader
from gradexplain.scenario.fields import _closest, _dtype_name, _is_int, _kind, _number, _show
from gradexplain.scenario.files import read_regular_file
from gradexplain.scenario.indentation import diagnose
from gradexplain.scenario.model import DTYPES, Code, GradTensors, Scenario
from gradexplain.scenario.plot import _PlotReader
from gradexplain.scenario.tensors import FLOAT_ALIASES, _TensorReader
from gradexplain.scenario.yamlsafe import (
    KeyPath,
    decode_source,
    load_yaml,
    refuse_lone_surrogates,
)

DESCRIPTION_LANGUAGES = ("en", "zh")
TOP_KEYS = (
    "name", "description", "device", "dtype", "seed", "tensors", "expression", "grad_tensors",
    "retain_graph", "create_graph", "repeat", "zero_grad", "steps", "expect", "tolerance",
    "plot",  # an addition beyond the spec
)
SUFFIXES: dict[str, Literal["yaml", "py"]] = {".yaml": "yaml", ".yml": "yaml", ".py": "py"}
# Short-form keys and how the same thing is written in steps.
SHORT_FORM_ONLY = {
    "grad_tensors": "out.backward(torch.ones_like(out))",
    "retain_graph": "out.backward(retain_graph=True)",
    "create_graph": "out.backward(create_graph=True)",
}
DEVICE = re.compile(r"^(?:cpu|mps|auto|cuda(?::[0-9]+)?)$")
DEVICES = ("cpu", "cuda", "cuda:0", "mps", "auto")
SEED_END = 2**64  # torch.manual_seed takes seeds below 2**64


def load_scenario(path: Path, limits: Limits) -> Scenario:
    """Read and validate the scenario file at `path` (.yaml, .yml or .py)."""
    data, kind = read_scenario_file(path, limits)
    shown = str(path)
    return load_scenario_text(decode_source(data, shown), shown, kind, limits, name=path.stem)


def read_scenario_file(path: Path, limits: Limits) -> tuple[bytes, Literal["yaml", "py"]]:
    """The bytes of the scenario file at `path` and its kind, by the file rules (files.py):
    nothing of its content is looked at yet."""
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
    return _read_bytes(path, limits, where), kind


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
    try:
        scenario = _Reader(load_yaml(text, path, limits), limits).scenario(title, text)
    except GradexplainError as err:
        if err.kind != "invalid_scenario":
            raise
        # PyYAML and the schema name the symptom; a misindented line is usually the cause.
        cause = diagnose(text, path)
        if cause is None:
            raise
        raise cause from None
    misplaced = diagnose(text, path, lists_only=True)
    if misplaced is not None:
        raise misplaced
    return scenario


def is_scenario_document(text: str, limits: Limits) -> bool:
    """Whether YAML `text` is shaped like a scenario: a mapping of scenario keys with `steps`
    or `expression` among them. The lines of a file that is not (a configuration, a key
    file) are never shown by the REPL's :load."""
    try:
        top = load_yaml(text, None, limits).data
    except GradexplainError:
        return False
    return isinstance(top, dict) and all(key in TOP_KEYS for key in top) and \
        any(top.get(key) is not None for key in ("steps", "expression"))


def _read_bytes(path: Path, limits: Limits, where: SourceLocation) -> bytes:
    """The file's bytes: a regular file only, refused over the size limit before reading."""
    return read_regular_file(path, limits, where)


def _snippet(text: str, path: str | None, title: str) -> Scenario:
    """A `.py` file: all of it is the steps, starting at line 1, column 1."""
    if not text.strip():
        raise invalid("the snippet is empty", SourceLocation(path, 1, 1),
                      hint="write statements, e.g. `x = torch.ones(2, requires_grad=True)`")
    code = Code(text, path, 1, 1)
    refuse_lone_surrogates(code)
    return Scenario(name=title, path=path, steps=(code,), source_text=text, is_snippet=True)

class _Reader(_ExpectReader, _TensorReader, _PlotReader):
    """Validates a parsed document key by key, failing at the first problem in file order."""

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
        texts = fields.pop("description", {})
        # `description` is the text for every language (or the English one); the others
        # are kept by language for the renderers to choose from.
        fields["description"] = texts.get("", texts.get("en", next(iter(texts.values()), None)))
        fields["descriptions"] = {k: v for k, v in texts.items() if k}
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

    def description(self, value: Any, path: KeyPath) -> dict[str, str]:
        """A text, or one text per language: `description: {en: ..., zh: ...}`."""
        if not isinstance(value, dict):
            return {"": self.string(value, path, "put the text in quotes, or give one per "
                                                 "language: `description: {en: ..., zh: ...}`")}
        texts: dict[str, str] = {}
        for lang, text in value.items():
            self.known(lang, path, DESCRIPTION_LANGUAGES, "of description")
            texts[lang] = self.string(text, (*path, lang))
        if not texts:
            raise self.fail(path, "'description' is empty", "e.g. description: {en: ..., zh: ...}")
        return texts

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


_Handler = Callable[[_Reader, Any, KeyPath], Any]
_TOP: dict[str, _Handler] = {
    "name": _Reader.name, "description": _Reader.description, "device": _Reader.device,
    "dtype": _Reader.dtype, "seed": _Reader.seed, "tensors": _Reader.tensors,
    "expression": _Reader.expression, "grad_tensors": _Reader.grad_tensors,
    "retain_graph": _Reader.flag, "create_graph": _Reader.flag, "repeat": _Reader.repeat,
    "zero_grad": _Reader.flag, "steps": _Reader.steps, "expect": _Reader.expect,
    "tolerance": _Reader.tolerance, "plot": _Reader.plot,
}
