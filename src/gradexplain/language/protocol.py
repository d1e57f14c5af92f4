"""What the interpreter and the recorder exchange: statement contexts, backward requests
and the hooks, plus the interpreter's part that turns backward calls into requests."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import torch

from gradexplain.errors import SourceLocation
from gradexplain.language.classify import CodeTypeError, Operation, OperationContext


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


class BackwardCalls:
    """Builds `BackwardRequest`s from `x.backward(...)`, `torch.autograd.backward/grad(...)`."""

    env: dict[str, Any]
    hooks: Hooks
    _context: StatementContext | None
    _operation: Operation

    if TYPE_CHECKING:
        def _segment(self, node: ast.AST) -> str: ...

    def _backward_method(self, target: torch.Tensor, label: str, args: list[Any],
                         kwargs: dict[str, Any]) -> Any:
        """`target.backward(gradient, retain_graph, create_graph, inputs=...)`."""
        if not args and not kwargs:
            # `loss.backward()`, once per iteration of a training loop: its request as
            # `_request` makes it, written out. (The error context holds the output's shape,
            # not the output: the interpreter keeps it after the statement, and a tensor kept
            # there would keep its graph alive past the session's release, engine/release.py.)
            context = self._context
            assert context is not None
            self._operation = OperationContext("backward", [(label, [*target.shape])])
            return self.hooks.backward(BackwardRequest("backward", [(target, label)], None,
                                                       None, False, context))
        gradient = kwargs.pop("gradient", args[0] if args else None)
        retain = kwargs.pop("retain_graph", args[1] if len(args) > 1 else None)
        create = bool(kwargs.pop("create_graph", args[2] if len(args) > 2 else False))
        inputs = kwargs.pop("inputs", None)
        if kwargs:
            raise CodeTypeError(f"backward() got an unexpected keyword {sorted(kwargs)[0]!r}")
        return self._request("backward", [(target, label)],
                             None if gradient is None else [gradient], retain, create,
                             self._labelled(inputs, None))

    def _autograd(self, path: str, args: list[Any], kwargs: dict[str, Any],
                  node: ast.Call) -> Any:
        names = ["tensors", "grad_tensors", "retain_graph", "create_graph", "grad_variables",
                 "inputs"]
        if path.endswith("grad"):
            names = ["outputs", "inputs", "grad_outputs", "retain_graph", "create_graph",
                     "only_inputs", "allow_unused"]
        bound = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise CodeTypeError(f"{path}() got an unexpected keyword {key!r}")
            bound[key] = value
        first = node.args[0] if node.args else None
        outputs = self._labelled(bound.get(names[0]), first)
        if outputs is None:
            raise CodeTypeError(f"{path}() needs the output tensor(s) first")
        gradients = bound.get(names[1] if path.endswith("backward") else "grad_outputs")
        gradient_list = None if gradients is None else (
            list(gradients) if isinstance(gradients, (list, tuple)) else [gradients])
        inputs_node = node.args[1] if path.endswith("grad") and len(node.args) > 1 else None
        inputs = self._labelled(bound.get("inputs"), inputs_node)
        return self._request(path, outputs, gradient_list, bound.get("retain_graph"),
                             bool(bound.get("create_graph", False)), inputs,
                             bound.get("allow_unused"))

    def _request(self, function: str, outputs: list[tuple[torch.Tensor, str]],
                 gradients: list[Any] | None, retain: Any, create: bool,
                 inputs: list[tuple[torch.Tensor, str]] | None,
                 allow_unused: Any = None) -> Any:
        assert self._context is not None
        self._operation = OperationContext(function, [(label, list(t.shape))
                                                      for t, label in outputs])
        request = BackwardRequest(function, outputs, gradients,
                                  None if retain is None else bool(retain), create,
                                  self._context, inputs,
                                  None if allow_unused is None else bool(allow_unused))
        return self.hooks.backward(request)

    def _labelled(self, value: Any, node: ast.expr | None) -> list[tuple[torch.Tensor, str]] | \
            None:
        """Tensors with the labels users know them by: their names, else their code."""
        if value is None:
            return None
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        nodes: list[ast.expr | None] = [None] * len(items)
        if node is not None:
            nodes = list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else [node]
        result = []
        for item, item_node in zip(items, nodes + [None] * len(items), strict=False):
            if not isinstance(item, torch.Tensor):
                raise CodeTypeError(f"expected a tensor, got {type(item).__name__}")
            result.append((item, self.label_of(item, item_node)))
        return result

    def label_of(self, tensor: torch.Tensor, node: ast.AST | None = None) -> str:
        for name, value in self.env.items():
            if value is tensor:
                return name
            if isinstance(value, torch.nn.Module):  # a parameter, by its path
                for path, parameter in value.named_parameters():
                    if parameter is tensor:
                        return f"{name}.{path}"
        return self._segment(node) if node is not None else "<tensor>"
