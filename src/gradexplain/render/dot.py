"""Backward graphs as Graphviz DOT: from the plain data in CallRecord.views.graph.

No torch here: the recorder walks autograd's graph at call time and stores nodes and edges;
this module only writes text (and runs the `dot` program for .svg/.png when it exists).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from gradexplain.explain.catalogue_ui import phrase
from gradexplain.render.escapes import write_message

if TYPE_CHECKING:
    from gradexplain.record import DotGraph, RunRecord

RENDERED_SUFFIXES = {".svg", ".png", ".pdf"}
VALUE_CHARS = 60  # a leaf's value or grad beyond this is cut with "..."
# Graphviz asks fontconfig for the first family it has; the CJK ones draw Chinese labels.
FONT_FAMILIES = {"en": "Helvetica", "zh": "Noto Sans CJK SC,Source Han Sans SC,"
                 "WenQuanYi Micro Hei,Microsoft YaHei,PingFang SC,Helvetica"}


class Graph:
    """One call's backward graph, with the words that title its cluster."""

    def __init__(self, title: str, data: DotGraph, lang: str = "en") -> None:
        self.title = title
        self.data = data
        self.lang = lang


def graphs_of(records: list[RunRecord], lang: str = "en") -> list[Graph]:
    """Every recorded call graph of the runs, titled by scenario, call and statement."""
    graphs = []
    for record in records:
        for call in record.calls:
            data = call.views.graph
            if data is not None:
                prefix = f"{record.name}: " if len(records) > 1 else ""
                failed = phrase("dot.stopped", lang, kind=call.error.kind) if call.error else ""
                title = phrase("dot.call", lang, index=call.index, statement=call.statement)
                graphs.append(Graph(f"{prefix}{title}{failed}", data, lang))
    return graphs


def quote(text: str) -> str:
    """A DOT double-quoted string (newlines become centred line breaks)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def short_value(value: Any, lang: str = "en") -> str:
    from gradexplain.render.values import format_value

    text = " ".join(format_value(value, lang=lang).split())
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 3] + "..."


def node_label(node: dict[str, Any], lang: str = "en") -> str:
    if "leaf" in node:
        lines = [f"{node['leaf']}  {list(node.get('shape', []))}", node["type"]]
        if "value" in node:
            lines.append(phrase("dot.value", lang, value=short_value(node["value"], lang)))
            lines.append(phrase("dot.grad", lang, value=short_value(node.get("grad"), lang)))
        return "\n".join(lines)
    names = node.get("names") or []
    lines = [*([", ".join(names)] if names else []), node["type"]]
    if node.get("saved"):
        state_key = {True: "dot.freed", False: "dot.kept", "already": "dot.already_freed"}.get(
            node.get("freed"))
        state = phrase(state_key, lang) if state_key else ""
        lines.append(phrase("dot.saved", lang, names=", ".join(node["saved"]), state=state))
    return "\n".join(lines)


def to_dot(graphs: list[Graph], lang: str = "en") -> str:
    """One digraph; each call's graph is a cluster whose node ids are prefixed c<N>_."""
    font = quote(FONT_FAMILIES.get(lang, FONT_FAMILIES["en"]))
    lines = ["digraph backward {", "  rankdir=TB;", f"  fontname={font};",
             f'  node [shape=box, style="rounded", fontname={font}];',
             f"  edge [fontname={font}];"]
    for number, graph in enumerate(graphs, start=1):
        prefix = f"c{number}_"
        truncated = phrase("dot.truncated", graph.lang) if graph.data.get("truncated") else ""
        title = graph.title + truncated
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(f"    label={quote(title)};")
        for node in graph.data.get("nodes", []):
            attributes = [f"label={quote(node_label(node, graph.lang))}"]
            if "leaf" in node:
                attributes.append('style="filled,rounded"')
                attributes.append('fillcolor="lightblue"')
            elif node.get("names"):
                attributes.append("penwidth=2")
            lines.append(f"    {prefix}{node['id']} [{', '.join(attributes)}];")
        for edge in graph.data.get("edges", []):
            lines.append(f"    {prefix}{edge['from']} -> {prefix}{edge['to']};")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graphs(graphs: list[Graph], path: Path, err: TextIO, lang: str = "en") -> Path:
    """Write the graphs to `path`; returns the file written (a .dot when Graphviz is absent).

    .svg/.png/.pdf are drawn by Graphviz's `dot` program; anything else is DOT text.
    """
    text = to_dot(graphs, lang)
    if not graphs:
        err.write(phrase("dot.empty", lang) + "\n")
    suffix = path.suffix.lower()
    if suffix not in RENDERED_SUFFIXES:
        path.write_text(text, encoding="utf-8")
        return path
    program = shutil.which("dot")
    if program is None:
        fallback = path.with_suffix(".dot")
        fallback.write_text(text, encoding="utf-8")
        write_message(err, phrase("dot.no_program", lang, path=path, fallback=fallback,
                                  command=f"dot -T{suffix[1:]} {fallback} -o {path}"))
        return fallback
    result = subprocess.run(  # noqa: S603 (a fixed program, our own DOT text on stdin)
        [program, f"-T{suffix[1:]}", "-o", str(path)], input=text.encode("utf-8"),
        capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        fallback = path.with_suffix(".dot")
        fallback.write_text(text, encoding="utf-8")
        message = result.stderr.decode("utf-8", "replace").strip()
        write_message(err, phrase("dot.failed", lang, message=message, fallback=fallback))
        return fallback
    return path
