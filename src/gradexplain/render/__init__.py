"""Renderers: a Report (plain data) as tables for people or JSON for programs.

Only `gradexplain.render.console` imports rich; the renderers compute nothing. The names
below load on first use, so that `--format json` (render.jsonout) and the plain messages
(render.escapes) do not import rich.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradexplain.render.console import Console, export_console, make_console, progress_bar
    from gradexplain.render.jsonout import dumps_line, report_to_json, write_line
    from gradexplain.render.messages import (
        SummaryRow,
        print_bundled,
        print_input_error,
        print_summary,
    )
    from gradexplain.render.report import print_report
    from gradexplain.render.values import format_value

_HOMES = {
    "Console": "console", "export_console": "console", "make_console": "console",
    "progress_bar": "console", "dumps_line": "jsonout", "report_to_json": "jsonout",
    "write_line": "jsonout", "SummaryRow": "messages", "print_bundled": "messages",
    "print_input_error": "messages", "print_summary": "messages", "print_report": "report",
    "format_value": "values",
}

__all__ = [
    "Console",
    "SummaryRow",
    "dumps_line",
    "export_console",
    "format_value",
    "make_console",
    "print_bundled",
    "print_input_error",
    "print_report",
    "print_summary",
    "progress_bar",
    "report_to_json",
    "write_line",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gradexplain.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gradexplain.render.{home}"), name)
    globals()[name] = value
    return value
