"""Renderers: a Report (plain data) as tables for people or JSON for programs.

Only `gradexplain.render.console` imports rich; the renderers compute nothing.
"""

from __future__ import annotations

from gradexplain.render.console import Console, export_console, make_console, progress_bar
from gradexplain.render.jsonout import dumps_line, report_to_json, write_line
from gradexplain.render.messages import (
    SummaryRow,
    print_bundled,
    print_input_error,
    print_summary,
)
from gradexplain.render.tables import print_report
from gradexplain.render.values import format_value

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
