"""The `run` options for the deeper views (--graph, --jacobian, --check-numeric).

Kept apart from cli.py so the command stays short; importing it costs no torch.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

GraphOption = Annotated[bool, typer.Option(
    "--graph", help="for each call: the backward graph as a tree, and the gradient that "
                    "arrives at each named tensor and leaf (chain rule)")]
JacobianOption = Annotated[bool, typer.Option(
    "--jacobian", help="for each call: the Jacobian of each output w.r.t. each leaf, the "
                       "grad_tensors vector v, and v^T J next to the grad added")]
JacobianLimitOption = Annotated[int, typer.Option(
    "--jacobian-limit", metavar="N", min=1,
    help="largest output or leaf (elements) for --jacobian and --check-numeric")]
CheckNumericOption = Annotated[bool, typer.Option(
    "--check-numeric", help="central finite differences in float64 next to each grad "
                            "(short-form scenarios: expression:)")]


def deeper_extras(graph: bool, jacobian: bool, jacobian_limit: int,
                  check_numeric: bool) -> dict[str, Any]:
    """RunSettings.extras entries for the views asked for (none when none is)."""
    if not (graph or jacobian or check_numeric):
        return {}
    return {"flow": graph, "jacobian": jacobian, "jacobian_limit": jacobian_limit,
            "check_numeric": check_numeric}
