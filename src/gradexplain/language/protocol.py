"""What the interpreter and the recorder exchange: statement contexts, backward requests
and the hooks the interpreter calls while it runs (the recorder implements them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import torch

from gradexplain.errors import SourceLocation


@dataclass(frozen=True)
class StatementContext:
    """The statement being run, for hooks and error locations."""

    step: int | None
    line: int | None
    statement: str
    location: SourceLocation


@dataclass
class BackwardRequest:
    """A backward call as the user wrote it; the recorder performs it."""

    function: str  # "backward" | "torch.autograd.backward" | "torch.autograd.grad"
    outputs: list[tuple[torch.Tensor, str]]
    gradients: list[Any] | None
    retain_graph: bool | None
    create_graph: bool
    context: StatementContext
    inputs: list[tuple[torch.Tensor, str]] | None = None
    allow_unused: bool | None = None


HEARD_VALUES = (torch.Tensor, torch.nn.Module)  # the bindings `Hooks.assigned` is told of


class Hooks(Protocol):
    """What the interpreter reports to the recorder while it runs."""

    def backward(self, request: BackwardRequest) -> Any: ...
    def printed(self, context: StatementContext, text: str) -> None: ...
    def shown(self, context: StatementContext, expression: str, value: Any) -> None: ...
    # The code read `.grad` of a tensor that is not a leaf and does not retain its grad
    # (so it reads None: the non_leaf_grad note).
    def read_non_leaf_grad(self, context: StatementContext, tensor: torch.Tensor,
                           label: str) -> None: ...
    def new_tensor(self, tensor: torch.Tensor, label: str) -> None: ...
    # A tensor or an nn.Module was bound to a top-level name (other values are not told).
    def assigned(self, name: str, value: Any) -> None: ...
    def retained(self, tensor: torch.Tensor, label: str) -> None: ...
    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str,
                  result: torch.Tensor | None = None) -> None: ...
    # An operation made a tensor that does not require grad (`detach()`, `.data`, or any
    # operation under no_grad or on such tensors). The interpreter reports only these: a
    # result that requires grad is in the graph, with nothing to remember about it.
    def made_without_grad(self, operation: str, operands: list[Any],
                          result: torch.Tensor) -> None: ...
    def event(self, context: StatementContext, kind: str, facts: dict[str, Any]) -> None: ...
