"""Where a real browser draws each character of gradexplain's HTML: headless Chromium
(Debian's `chromium`) loads the page with a script that measures every character of every
<pre> with a DOM Range, and `--dump-dom` hands the numbers back. A test then compares each
character's x with the terminal column it stands in (a Chinese character takes two).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradexplain.render.cjk import cells

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--virtual-time-budget=10000")

# Runs once the page's fonts are ready; writes [pre, line, index, char, left, width] per
# character (left from the <pre>'s content edge) and each <pre>'s cell width ("0").
MEASURE = """
<script>
document.fonts.ready.then(() => {
  const found = [], cellWidths = [];
  document.querySelectorAll("pre").forEach((pre, p) => {
    const style = getComputedStyle(pre);
    const left0 = pre.getBoundingClientRect().left + parseFloat(style.paddingLeft)
      + parseFloat(style.borderLeftWidth);
    const probe = document.createElement("span");
    probe.textContent = "0".repeat(100);
    pre.appendChild(probe);
    cellWidths.push(probe.getBoundingClientRect().width / 100);
    probe.remove();
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let line = 0, index = 0, node;
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.data.length; i++) {
        const ch = node.data[i];
        if (ch === "\\n") { line++; index = 0; continue; }
        range.setStart(node, i); range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        found.push([p, line, index, ch, r.left - left0, r.width]);
        index++;
      }
    }
  });
  const out = document.createElement("div");
  out.id = "gradexplain-layout";
  out.textContent = JSON.stringify({cells: cellWidths, chars: found});
  document.body.appendChild(out);
});
</script>
"""


def chromium() -> str | None:
    """Debian's Chromium (or Google's), if installed."""
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


@dataclass(frozen=True)
class Placed:
    """One character as drawn: its line and column (cells) and its x in cells."""

    pre: int
    line: int
    column: int
    char: str
    x: float  # where the browser drew it, in cells of its <pre>'s font
    width: float  # how wide it drew it, in cells


def measured(page: str, script: str) -> Any:
    """What `script` (run in the HTML `page` by headless Chromium) wrote, as JSON, into a
    <div id="gradexplain-layout">."""
    browser = chromium()
    assert browser is not None, "needs chromium"
    with tempfile.TemporaryDirectory(prefix="gradexplain-browser-") as folder:
        target = Path(folder) / "page.html"
        body_end = page.rfind("</body>")
        document = (page[:body_end] + script + page[body_end:] if body_end >= 0
                    else f"<!DOCTYPE html><html><head><meta charset='UTF-8'></head><body>"
                         f"{page}{script}</body></html>")
        target.write_text(document, encoding="utf-8")
        profile = Path(folder) / "profile"
        done = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               "--dump-dom", target.as_uri()],
                              check=False, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HOME": folder})
    found = re.search(r'<div id="gradexplain-layout">(.*?)</div>', done.stdout, re.DOTALL)
    assert found is not None, f"chromium measured nothing: {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def layout(page: str) -> list[Placed]:
    """Every character of every <pre> in the HTML `page`, as headless Chromium draws it."""
    data = measured(page, MEASURE)
    placed, columns = [], {}
    for pre, line, index, char, left, width in data["chars"]:
        cell = data["cells"][pre]
        column = columns.get((pre, line, index - 1), (0, ""))
        start = column[0] + cells(column[1]) if index else 0
        columns[(pre, line, index)] = (start, char)
        placed.append(Placed(pre, line, start, char, left / cell, width / cell))
    return placed


def misplaced(placed: list[Placed], *, tolerance: float = 0.15) -> list[Placed]:
    """The drawn characters that are not where their cells are. Other text (box edges, code,
    numbers) starts exactly at its column; a run of Chinese starts at its column and each of
    its glyphs stays inside the run's cells (Chinese keeps its own spacing inside a run)."""
    wrong, run_start, previous = [], 0, None
    for p in placed:
        wide = cells(p.char) == 2
        if wide and (previous is None or cells(previous.char) != 2
                     or (previous.pre, previous.line) != (p.pre, p.line)):
            run_start = p.column
        previous = p
        if not p.char.strip():
            continue  # a space draws nothing
        if not wide and abs(p.x - p.column) > tolerance:
            wrong.append(p)
        if wide and (p.x < run_start - tolerance or (p.column == run_start and abs(
                p.x - p.column) > tolerance) or p.x + p.width > p.column + 2 + tolerance):
            wrong.append(p)
    return wrong
