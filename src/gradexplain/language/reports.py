"""What a tensor operation tells the recorder once it has run: a new leaf (for the ledger), a
result made without grad, and each requires-grad operand it broadcast (the broadcast_sum
note). One rule, bound to each operation in the code when it is compiled."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

import torch

from gradexplain.language import guards
from gradexplain.language.compiler import State
from gradexplain.language.source import SourceMap

# (interpreter, operands, result): what an operation reports once it has run.
Report = Callable[[State, list[object], object], None]
# Operations whose result may be larger than a requires-grad operand: broadcasting reported.
ARITHMETIC = frozenset({"add", "sub", "mul", "div"})


def reporter(source: SourceMap, node: ast.expr, name: str,
             operand_nodes: Sequence[ast.expr]) -> Report:
    """The report of operation `name` at `node`, its operands' nodes `operand_nodes`."""
    segment = source.segment(node)
    broadcasting = name in guards.BROADCASTING or name in ARITHMETIC
    broadcasts = broadcast_reporter(source, segment, operand_nodes)

    def report(it: State, operands: list[object], result: object) -> None:
        if not isinstance(result, torch.Tensor):
            return
        if result.requires_grad:
            if result.is_leaf:
                it.hooks.new_tensor(result, segment)
        else:
            it.hooks.made_without_grad(name, operands, result)
        if broadcasting:
            broadcasts(it, operands, result)

    return report


def broadcast_reporter(source: SourceMap, segment: str,
                       operand_nodes: Sequence[ast.expr]) -> Callable[
                           [State, list[object], torch.Tensor], None]:
    """The broadcast hook for each operand that requires grad and has fewer elements than
    the result (the broadcast_sum note), in operand order."""
    labels = [source.segment(node) for node in operand_nodes]

    def broadcasts(it: State, operands: list[object], result: torch.Tensor) -> None:
        numel = -1  # the result's, read once an operand needs it
        for value, label in zip(operands, labels, strict=False):
            if isinstance(value, torch.Tensor) and value.requires_grad:
                if numel < 0:
                    numel = result.numel()
                if value.numel() < numel:
                    context = it.context
                    assert context is not None
                    it.hooks.broadcast(context, value, it.label_of(value, label),
                                       list(result.shape), segment, result)

    return broadcasts


def no_report(it: State, operands: list[object], result: object) -> None:
    """Torch calling back into the interpreter: no node, nothing to report."""
    return None
