"""Backward calls as the user wrote them (`loss.backward(...)`, `torch.autograd.backward(...)`,
`torch.autograd.grad(...)`) turned into `BackwardRequest`s, which the recorder performs."""

from __future__ import annotations

import ast

import torch

from gradexplain.language.classify import CodeTypeError, OperationContext
from gradexplain.language.compiler import State
from gradexplain.language.protocol import BackwardRequest

AUTOGRAD_CALLS = frozenset({"torch.autograd.backward", "torch.autograd.grad"})


def backward_method(it: State, target: torch.Tensor, label: str, args: list[object],
                    kwargs: dict[str, object]) -> object:
    """`target.backward(gradient, retain_graph, create_graph, inputs=...)`."""
    if not args and not kwargs:
        # `loss.backward()`, once per iteration of a training loop: its request as `_request`
        # makes it, without sorting arguments. (The error context holds the output's shape,
        # not the output: the interpreter keeps it after the statement, and a tensor kept
        # there would keep its graph alive past the session's release, engine/release.py.)
        context = it.context
        assert context is not None
        it.operation = OperationContext("backward", [(label, [*target.shape])])
        return it.hooks.backward(BackwardRequest("backward", [(target, label)], None, None,
                                                 False, context))
    gradient = kwargs.pop("gradient", args[0] if args else None)
    retain = kwargs.pop("retain_graph", args[1] if len(args) > 1 else None)
    create = bool(kwargs.pop("create_graph", args[2] if len(args) > 2 else False))
    inputs = kwargs.pop("inputs", None)
    if kwargs:
        raise CodeTypeError(f"backward() got an unexpected keyword {sorted(kwargs)[0]!r}")
    return _request(it, "backward", [(target, label)],
                    None if gradient is None else [gradient], retain, create,
                    _labelled(it, inputs, None))


def autograd_call(it: State, path: str, args: list[object], kwargs: dict[str, object],
                  node: ast.Call) -> object:
    """`torch.autograd.backward(tensors, grad_tensors, ...)` and `torch.autograd.grad(outputs,
    inputs, grad_outputs, ...)`, their arguments bound as PyTorch binds them."""
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
    outputs = _labelled(it, bound.get(names[0]), first)
    if outputs is None:
        raise CodeTypeError(f"{path}() needs the output tensor(s) first")
    gradients = bound.get(names[1] if path.endswith("backward") else "grad_outputs")
    gradient_list = None if gradients is None else (
        list(gradients) if isinstance(gradients, (list, tuple)) else [gradients])
    inputs_node = node.args[1] if path.endswith("grad") and len(node.args) > 1 else None
    inputs = _labelled(it, bound.get("inputs"), inputs_node)
    return _request(it, path, outputs, gradient_list, bound.get("retain_graph"),
                    bool(bound.get("create_graph", False)), inputs, bound.get("allow_unused"))


def _request(it: State, function: str, outputs: list[tuple[torch.Tensor, str]],
             gradients: list[object] | None, retain: object, create: bool,
             inputs: list[tuple[torch.Tensor, str]] | None,
             allow_unused: object = None) -> object:
    context = it.context
    assert context is not None
    it.operation = OperationContext(function, [(label, list(t.shape)) for t, label in outputs])
    request = BackwardRequest(function, outputs, gradients,
                              None if retain is None else bool(retain), create, context, inputs,
                              None if allow_unused is None else bool(allow_unused))
    return it.hooks.backward(request)


def _labelled(it: State, value: object, node: ast.expr | None
              ) -> list[tuple[torch.Tensor, str]] | None:
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
        result.append((item, it.label_of(item, "<tensor>" if item_node is None
                                         else it.segment(item_node))))
    return result
