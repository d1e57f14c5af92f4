"""The explanation layer: run record -> texts, in English or Simplified Chinese.

No torch, no rich: plain data in (gradexplain.record), plain data out (Report).
"""

from __future__ import annotations

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
