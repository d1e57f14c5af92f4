"""Reading the `tensors:` section of a scenario: names, sources, shapes and dtypes."""

from __future__ import annotations

import keyword
import math
from typing import Any

from gradexplain.limits import arange_length, exceeded
from gradexplain.scenario.fields import (
    _closest,
    _dtype_name,
    _is_int,
    _number,
    _ReaderBase,
    _show,
)
from gradexplain.scenario.model import DTYPES, TENSOR_SOURCES, TensorSpec
from gradexplain.scenario.yamlsafe import KeyPath

SPEC_OPTIONS = ("fill", "requires_grad", "dtype")
FLOAT_ALIASES = {"float": "float32", "double": "float64", "half": "float16"}
TENSOR_DTYPES = (
    *DTYPES, "int8", "int16", "int32", "int64", "uint8", "bool", "complex64", "complex128",
)
TENSOR_ALIASES = {
    **FLOAT_ALIASES, "long": "int64", "int": "int32", "short": "int16",
    "cfloat": "complex64", "cdouble": "complex128",
}


class _TensorReader(_ReaderBase):
    """The `tensors:` mapping, one TensorSpec per entry."""

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
        count = arange_length(start, end, step)
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
