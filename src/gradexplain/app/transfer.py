"""How a worker's result crosses the process boundary: JSON, never pickle.

The value is the tool's own plain data: dataclasses of the run record and the errors, lists,
dicts, numbers, strings, paths. Each dataclass is written as its fields under its class name,
and read back only if that class is a dataclass of one of the modules in ALLOWED_MODULES, by
calling its constructor with those fields; nothing else can be constructed, so whatever a
scenario managed to put into its record, the parent only ever builds records from it.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import sys
from pathlib import Path, PurePath
from typing import Any

ALLOWED_MODULES = frozenset({"gradexplain.record", "gradexplain.record_groups",
                             "gradexplain.errors", "gradexplain.app.run"})


def dumps(value: Any) -> bytes:
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass")


def loads(data: bytes) -> Any:
    return _decode(json.loads(data.decode("utf-8", "surrogatepass")))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, complex):
        return {"__complex__": [_encode(value.real), _encode(value.imag)]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"__set__": [_encode(v) for v in value]}
    if isinstance(value, PurePath):
        return {"__path__": str(value)}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__items__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if cls.__module__ not in ALLOWED_MODULES:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__} cannot leave a worker")
        fields = {f.name: _encode(getattr(value, f.name))
                  for f in dataclasses.fields(value) if f.init}
        return {"__record__": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    raise TypeError(f"a {type(value).__name__} cannot leave a worker")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__record__" in value:
        return _construct(value["__record__"], value["fields"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__set__" in value:
        return {_decode(v) for v in value["__set__"]}
    if "__path__" in value:
        return Path(value["__path__"])
    if "__float__" in value:
        return float(value["__float__"])  # "inf", "-inf", "nan"
    if "__complex__" in value:
        real, imag = value["__complex__"]
        return complex(_decode(real), _decode(imag))
    if "__items__" in value:
        return {_decode(k): _decode(v) for k, v in value["__items__"]}
    return {k: _decode(v) for k, v in value.items()}


def _construct(name: str, fields: dict[str, Any]) -> Any:
    module_name, _, qualname = str(name).partition(":")
    module = sys.modules.get(module_name) if module_name in ALLOWED_MODULES else None
    cls = getattr(module, qualname, None) if module is not None and "." not in qualname \
        else None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"a worker sent {name!r}, which is not one of the record's classes")
    return cls(**{k: _decode(v) for k, v in fields.items()})
