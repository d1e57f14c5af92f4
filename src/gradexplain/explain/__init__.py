"""The explanation layer: run record -> texts, in English or Simplified Chinese.

No torch, no rich: plain data in (gradexplain.record), plain data out (Report).

The names below load on first use, so that the command line can read a language
(explain.languages) or its own words (explain.catalogue_cli) without loading every
explainer: `gradexplain --help` stays instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradexplain.explain.catalogue import LANGUAGES
    from gradexplain.explain.explainer import (
        ExplainedError,
        Report,
        explain_error,
        explain_run,
    )
    from gradexplain.explain.notes import explain_note
    from gradexplain.explain.text import label, note_name
    from gradexplain.explain.values import format_number, format_shape, format_value

_HOMES = {
    "LANGUAGES": "catalogue", "ExplainedError": "explainer", "Report": "explainer",
    "explain_error": "explainer", "explain_run": "explainer", "explain_note": "notes",
    "label": "text", "note_name": "text", "format_number": "values",
    "format_shape": "values", "format_value": "values",
}

__all__ = [
    "LANGUAGES",
    "ExplainedError",
    "Report",
    "explain_error",
    "explain_note",
    "explain_run",
    "format_number",
    "format_shape",
    "format_value",
    "label",
    "note_name",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gradexplain.explain' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gradexplain.explain.{home}"), name)
    globals()[name] = value
    return value
