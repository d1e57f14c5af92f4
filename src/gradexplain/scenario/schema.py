"""The JSON Schema (draft 2020-12) of scenario files, assembled from `scenario/keys.py`.

`gradexplain schema` prints it; a copy ships beside the bundled scenarios
(`scenarios/scenario.schema.json`, which their `# yaml-language-server: $schema=` modeline
names) and a test keeps that copy equal to what this module builds. Editors validate and
complete scenario files with it; the loader still checks what a schema cannot say
(rectangular lists, sizes against the limits, code that parses).
"""

from __future__ import annotations

import json
from typing import Any

from gradexplain.errors import NOTE_KINDS
from gradexplain.scenario.keys import (
    EXPECT_KEYS,
    EXPECTABLE_ERRORS,
    IDENTIFIER,
    KEYS,
    PLOT_KEYS,
    RESERVED_NAMES,
    SERIES,
    SHORT_FORM_ONLY,
    TENSOR_OPTIONS,
    TENSOR_SOURCE_TEXT,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "scenario.schema.json"  # its name beside the bundled scenarios
# inf and nan as the JSON output writes them (any case, an optional sign, spaces around).
NON_FINITE = r"^\s*[+-]?([iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])\s*$"


def _described(description: str, fragment: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, **fragment}


def _nullable(fragment: dict[str, Any]) -> dict[str, Any]:
    """A top-level key may be left empty (`name:`): the loader reads that as its default."""
    description = fragment.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [fragment, {"type": "null"}]}
    return wrapped if description is None else {"description": description, **wrapped}


def _present(key: str) -> dict[str, Any]:
    """`key` is given and not empty."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _definitions() -> dict[str, Any]:
    one_source = [{"required": [source]} for source in TENSOR_SOURCE_TEXT]
    return {
        "number": {"description": "A number, or inf/nan written as a string.",
                   "anyOf": [{"type": "number"},
                             {"type": "string", "pattern": NON_FINITE}]},
        "array": {"description": "A number or a nested list of numbers (rows of equal length).",
                  "anyOf": [{"$ref": "#/$defs/number"},
                            {"type": "array", "items": {"$ref": "#/$defs/array"}}]},
        "bool_array": {"description": "Like array, booleans allowed (a bool tensor's value).",
                       "anyOf": [{"$ref": "#/$defs/number"}, {"type": "boolean"},
                                 {"type": "array", "items": {"$ref": "#/$defs/bool_array"}}]},
        "shape": {"description": "A shape: a non-negative integer or a list of them.",
                  "anyOf": [{"type": "integer", "minimum": 0},
                            {"type": "array", "items": {"type": "integer", "minimum": 0}}]},
        "tensor_name": {"description": "A Python identifier that is not a keyword, torch or F.",
                        "type": "string", "pattern": IDENTIFIER,
                        "not": {"enum": list(RESERVED_NAMES)}},
        "tensor": {
            "description": "A number or nested list (the value), or a mapping with exactly "
                           "one source plus options.",
            "anyOf": [
                {"$ref": "#/$defs/array"},
                {"type": "object", "additionalProperties": False,
                 "properties": {
                     **{name: _described(text, fragment)
                        for name, (text, fragment) in TENSOR_SOURCE_TEXT.items()},
                     **{name: _described(text, fragment)
                        for name, (text, fragment) in TENSOR_OPTIONS.items()}},
                 "oneOf": one_source,
                 # `fill` goes with `full`, and only with it.
                 "if": {"required": ["full"]},
                 "then": {"required": ["fill"],
                          "properties": {"fill": {"not": {"type": "null"}}}},
                 "else": {"not": {"required": ["fill"]}}},
            ]},
        "per_language": {
            "description": "A text, or one text per language (en, zh): --lang picks one.",
            "anyOf": [{"type": "string"},
                      {"type": "object", "additionalProperties": False, "minProperties": 1,
                       "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}}]},
        "error_kind": {"description": "An error kind a run can stop on.",
                       "enum": list(EXPECTABLE_ERRORS)},
        "note_kind": {"description": "A note kind.", "enum": list(NOTE_KINDS)},
        "series": {"description": "NAME or NAME.grad: a tensor of the run (never code).",
                   "type": "string", "pattern": SERIES},
        "expect": {"type": "object", "additionalProperties": False,
                   "properties": {name: _nullable(_described(text, fragment))
                                  for name, (text, fragment) in EXPECT_KEYS.items()}},
        "plot": {"type": "object", "additionalProperties": False, "required": ["x", "y"],
                 "properties": {name: _described(text, fragment)
                                for name, (text, fragment) in PLOT_KEYS.items()}},
    }


def scenario_schema() -> dict[str, Any]:
    """The schema as a dict (a new one each call)."""
    properties = {key.name: _nullable(_described(key.description, dict(key.schema)))
                  for key in KEYS}
    steps_given = _present("steps")
    return {
        "$schema": DIALECT,
        "title": "gradexplain scenario",
        "description": "A PyTorch autograd scenario for gradexplain: give `expression` "
                       "(the short form) or `steps`, not both.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "allOf": [
            {"anyOf": [_present("expression"), steps_given]},
            {"not": {"allOf": [_present("expression"), steps_given]}},
            # grad_tensors, retain_graph and create_graph belong to the short form.
            {"if": steps_given,
             "then": {"properties": {key: {"type": "null"} for key in SHORT_FORM_ONLY}}},
        ],
        "$defs": _definitions(),
    }


def schema_text() -> str:
    """The schema as the JSON `gradexplain schema` prints (and the shipped file holds)."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"

