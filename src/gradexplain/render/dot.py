"""Backward graphs as Graphviz DOT: from the plain data in CallRecord.views.graph.

No torch here: the recorder walks autograd's graph at call time and stores nodes and edges;
this module only writes text (and runs the `dot` program for .svg/.png when it exists).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from gradexplain.record import DotGraph, RunRecord

RENDERED_SUFFIXES = {".svg", ".png", ".pdf"}
VALUE_CHARS = 60  # a leaf's value or grad beyond this is cut with "..."
GRAPHVIZ_HINT = ("install Graphviz (`apt install graphviz`, `brew install graphviz`, or "
                 "https://graphviz.org/download/; `pip install graphviz` is not enough: it "
                 "does not include the `dot` program)")


class Graph:
    """One call's backward graph, with the words that title its cluster."""

    def __init__(self, title: str, data: DotGraph) -> None:
        self.title = title
        self.data = data


def graphs_of(records: list[RunRecord]) -> list[Graph]:
    """Every recorded call graph of the runs, titled by scenario, call and statement."""
    graphs = []
    for record in records:
        for call in record.calls:
            data = call.views.graph
            if data is not None:
                prefix = f"{record.name}: " if len(records) > 1 else ""
                failed = f" (stopped: error[{call.error.kind}])" if call.error else ""
                graphs.append(Graph(f"{prefix}call {call.index}: {call.statement}{failed}",
                                    data))
    return graphs


def quote(text: str) -> str:
    """A DOT double-quoted string (newlines become centred line breaks)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def short_value(value: Any) -> str:
    from gradexplain.render.values import format_value

    text = " ".join(format_value(value).split())
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 3] + "..."


def node_label(node: dict[str, Any]) -> str:
    if "leaf" in node:
        lines = [f"{node['leaf']}  {list(node.get('shape', []))}", node["type"]]
        if "value" in node:
            lines.append(f"value {short_value(node['value'])}")
            lines.append(f"grad {short_value(node.get('grad'))}")
        return "\n".join(lines)
    names = node.get("names") or []
    lines = [*([", ".join(names)] if names else []), node["type"]]
    if node.get("saved"):
        state = {True: ": freed", False: ": kept", "already": ": already freed"}.get(
            node.get("freed"), "")
        lines.append(f"saved {', '.join(node['saved'])}{state}")
    return "\n".join(lines)


def to_dot(graphs: list[Graph]) -> str:
    """One digraph; each call's graph is a cluster whose node ids are prefixed c<N>_."""
    lines = ["digraph backward {", "  rankdir=TB;", '  fontname="Helvetica";',
             '  node [shape=box, style="rounded", fontname="Helvetica"];',
             '  edge [fontname="Helvetica"];']
    for number, graph in enumerate(graphs, start=1):
        prefix = f"c{number}_"
        title = graph.title + (" (truncated)" if graph.data.get("truncated") else "")
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(f"    label={quote(title)};")
        for node in graph.data.get("nodes", []):
            attributes = [f"label={quote(node_label(node))}"]
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


def write_graphs(graphs: list[Graph], path: Path, err: TextIO) -> Path:
    """Write the graphs to `path`; returns the file written (a .dot when Graphviz is absent).

    .svg/.png/.pdf are drawn by Graphviz's `dot` program; anything else is DOT text.
    """
    text = to_dot(graphs)
    if not graphs:
        err.write("gradexplain: no backward call ran, so the graph file is empty\n")
    suffix = path.suffix.lower()
    if suffix not in RENDERED_SUFFIXES:
        path.write_text(text, encoding="utf-8")
        return path
    program = shutil.which("dot")
    if program is None:
        fallback = path.with_suffix(".dot")
        fallback.write_text(text, encoding="utf-8")
        err.write(f"gradexplain: the `dot` program was not found, so {path} was not drawn; "
                  f"the graph is in {fallback} instead. To draw it, {GRAPHVIZ_HINT}, then "
                  f"run: dot -T{suffix[1:]} {fallback} -o {path}\n")
        return fallback
    result = subprocess.run(  # noqa: S603 (a fixed program, our own DOT text on stdin)
        [program, f"-T{suffix[1:]}", "-o", str(path)], input=text.encode("utf-8"),
        capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        fallback = path.with_suffix(".dot")
        fallback.write_text(text, encoding="utf-8")
        message = result.stderr.decode("utf-8", "replace").strip()
        err.write(f"gradexplain: `dot` failed ({message}); the graph is in {fallback}\n")
        return fallback
    return path
