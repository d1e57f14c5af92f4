"""`--why`'s derivations under a call: the lines explain/derivation_text wrote, styled by
their kind, the check marked with the console's ✓ / ✗ (or its plain stand-ins)."""

from __future__ import annotations

from gradexplain.explain.derivation_text import WhyLine
from gradexplain.render.console import Group, RenderableType, Symbols, Text

STYLES = {"heading": "gx.heading", "note": "gx.muted", "step": "gx.code", "math": "gx.name",
          "result": "", "ok": "gx.ok", "fail": "gx.error", "status": "gx.note"}


def why_block(entries: list[list[WhyLine]], sym: Symbols) -> RenderableType:
    """Each derivation, one after the other."""
    lines: list[RenderableType] = []
    for entry in entries:
        for kind, line in entry:
            text = line
            if kind in ("ok", "fail"):  # the mark after the indentation
                stripped = line.lstrip(" ")
                mark = sym.ok if kind == "ok" else sym.fail
                text = line[:len(line) - len(stripped)] + f"{mark} {stripped}"
            # nothing is cut: a line wider than the terminal wraps
            lines.append(Text(text, style=STYLES.get(kind, ""), overflow="fold"))
    return Group(*lines)
