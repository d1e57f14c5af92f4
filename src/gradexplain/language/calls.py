"""Calls: the one dispatch by the callee's type, torch functions and methods, and builtins.

Every argument that could be run as a callable (a user function, a builtin, a torch function
wrapper) is replaced by `torch_callable`'s re-entering wrapper before torch sees it.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
from typing import Any

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards
from gradexplain.language.autograd_ext import HOOK_METHODS
from gradexplain.language.builtins import call_builtin
from gradexplain.language.classify import CodeTypeError, OperationContext
from gradexplain.language.core import Core
from gradexplain.language.objects import (
    BaseClass,
    BoundMethod,
    Builtin,
    ExceptionType,
    SuperProxy,
    UserClass,
    UserFunction,
)
from gradexplain.language.values import Function, Method, Namespace, _checked_result
from gradexplain.limits import Limits, check

# Functions whose call only notes something or returns a value nobody uses.
QUIET_RESULTS = {"torch.manual_seed"}
NEW_TENSOR_METHODS = {"new_ones": "ones", "new_zeros": "zeros", "new_empty": "empty",
                      "new_full": "full"}


class Calls(Core):
    """`f(...)` for every kind of callee the language has."""

    def call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format" and \
                isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            args, kwargs = self.arguments(node)
            return display.format_text(func.value.value, args, kwargs)
        if isinstance(func, ast.Attribute):
            target = self._expr(func.value)
            if isinstance(target, torch.Tensor) and func.attr in allow.TENSOR_METHODS:
                # `x.mean()`: read_attribute's answer for a tensor's method, without the walk
                # through every kind of value.
                method = Method(target, func.attr, self._segment(func.value))
                args, kwargs = self.arguments(node)
                return self._tensor_method(method, args, kwargs, node)
            if type(target) is Namespace:  # `torch.no_grad()`: what read_attribute returns
                callee = self._namespace_member(target, func.attr, func)
                if type(callee) is Function:
                    args, kwargs = self.arguments(node)
                    return self._call_function(callee, args, kwargs, node)
            else:
                callee = self.read_attribute(target, func.attr, func)
        else:
            callee = self._expr(func)
        args, kwargs = self.arguments(node)
        return self.call_value(callee, args, kwargs, node)

    def arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]]:
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend(self.iterate(self._expr(arg.value), arg))
            else:
                args.append(self._expr(arg))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self._expr(keyword.value)
            if keyword.arg is None:
                if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                    raise CodeTypeError("argument after ** must be a mapping with string keys")
                if any(k.startswith("__") for k in value):
                    raise not_allowed("dunder keyword arguments are not allowed",
                                      self._location(keyword.value))
                kwargs.update(value)
            else:
                kwargs[keyword.arg] = value
        return args, kwargs

    def call_value(self, callee: Any, args: list[Any], kwargs: dict[str, Any],
                   node: ast.expr | None) -> Any:
        """Call any value user code may call; `node` is None when torch calls back."""
        if isinstance(callee, Builtin):
            return call_builtin(self, callee.name, args, kwargs, node)
        if isinstance(callee, UserFunction):
            return self.call_user(callee, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.call_user(callee.function, [callee.instance, *args], kwargs, node)
        if isinstance(callee, Method):
            return self._call_method(callee, args, kwargs, node)
        if isinstance(callee, Function):
            return self._call_function(callee, args, kwargs, node)
        if isinstance(callee, UserClass):
            return self.instantiate(callee, args, kwargs, node)
        if isinstance(callee, torch.nn.Module):
            return self._call_module(callee, args, kwargs, node)
        if isinstance(callee, ExceptionType):
            return getattr(builtins, callee.name)(*args)
        if isinstance(callee, BaseClass):
            raise not_allowed(f"{callee.path} can only be used as a base class: "
                              f"class Net({callee.path.split('.')[-2]}."
                              f"{callee.path.split('.')[-1]}):",
                              self._location(node) if node is not None else None)
        shown = self._segment(node.func) if isinstance(node, ast.Call) else \
            type(callee).__name__
        raise CodeTypeError(f"'{shown}' is not callable")

    def wrapped(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any],
                                                                        dict[str, Any]]:
        if not args and not kwargs:
            return args, kwargs
        return ([self.torch_callable(a) for a in args],
                {k: self.torch_callable(v) for k, v in kwargs.items()})

    def _call_function(self, callee: Function, args: list[Any], kwargs: dict[str, Any],
                       node: ast.expr | None) -> Any:
        path = callee.path
        if not _ordinary(path):
            if path in {"torch.autograd.backward", "torch.autograd.grad"} and \
                    isinstance(node, ast.Call):
                return self._autograd(path, args, kwargs, node)
            special = self.special_function(callee, args, kwargs, node)
            if special is not NotImplemented:
                return special
        name = callee.name
        arg_nodes = list(node.args) if isinstance(node, ast.Call) else []
        self._operation = OperationContext.lazy(name, args, arg_nodes, self._segment)
        location = self._location(node) if node is not None else None
        if _tensor_operation(path):
            guards.check_call(name, None, args, kwargs, self.limits, location, callee.fn)
        elif path.startswith("torch.nn."):
            _check_layer_size(args, kwargs, self.limits, location)
        args, kwargs = self.wrapped(args, kwargs)
        result = callee.fn(*args, **kwargs)
        if path in QUIET_RESULTS:
            return None
        if node is not None:
            self._after_tensor_op(node, name, args, arg_nodes, result)
        return _checked_result(result)

    def _call_method(self, method: Method, args: list[Any], kwargs: dict[str, Any],
                     node: ast.expr | None) -> Any:
        target, name = method.target, method.name
        if isinstance(target, torch.Tensor):
            return self._tensor_method(method, args, kwargs, node)
        if isinstance(target, SuperProxy):  # super().__init__()
            torch.nn.Module.__init__(target.instance)
            return None
        if isinstance(target, UserClass):  # Exp.apply(x)
            return self.apply_function(target, args, kwargs, node)
        if isinstance(target, str) and name == "format":
            return display.format_text(target, args, kwargs)
        if isinstance(target, list) and name in {"extend", "append", "insert"}:
            added = len(args[0]) if name == "extend" and hasattr(args[0], "__len__") else 1
            check("max_elements", len(target) + added, self.limits,
                  self._location(node) if node is not None else None)
        special = self.special_method(method, args, kwargs, node)
        if special is not NotImplemented:
            return special
        args, kwargs = self.wrapped(args, kwargs)
        return _checked_result(getattr(target, name)(*args, **kwargs))

    def _tensor_method(self, method: Method, args: list[Any], kwargs: dict[str, Any],
                       node: ast.expr | None) -> Any:
        """`x.name(...)` on a tensor: sized before it runs, reported after."""
        target, name = method.target, method.name
        if name in NEW_TENSOR_METHODS:
            # x.new_ones(size) makes a tensor of that size, like torch.ones(size).
            guards.check_call(NEW_TENSOR_METHODS[name], None, args, kwargs, self.limits,
                              self._location(node) if node is not None else None)
        if name in HOOK_METHODS:
            special = self.special_method(method, args, kwargs, node)
            if special is not NotImplemented:
                return special
        operand_nodes = self._method_operands(node)
        operands = [target, *args]
        if name == "backward":
            return self._backward_method(target, method.target_label, args, kwargs)
        self._operation = OperationContext(name, self._operands(operands, operand_nodes)) \
            if name in RESHAPING_IN_PLACE else \
            OperationContext.lazy(name, operands, operand_nodes, self._segment)
        location = self._location(node) if node is not None else None
        guards.check_call(name, target, args, kwargs, self.limits, location, name)
        args, kwargs = self.wrapped(args, kwargs)
        result = getattr(target, name)(*args, **kwargs)
        if name == "retain_grad":
            self.hooks.retained(target, method.target_label)
        if node is not None:
            self._after_tensor_op(node, name, operands, operand_nodes, result)
        return _checked_result(result)

    def _method_operands(self, node: ast.expr | None) -> list[ast.expr]:
        """The nodes of `x.name(a, b)`'s operands: x, a, b (once per node)."""
        if node is None or self._program is None:  # torch calling back: no nodes
            return []
        found: list[ast.expr] | None = self._program.operators.get(id(node))
        if found is None:
            func = node.func if isinstance(node, ast.Call) else None
            found = [func.value, *node.args] if isinstance(func, ast.Attribute) and \
                isinstance(node, ast.Call) else []
            self._program.operators[id(node)] = found
        return found

    def _call_module(self, module: torch.nn.Module, args: list[Any], kwargs: dict[str, Any],
                     node: ast.expr | None) -> Any:
        arg_nodes = list(node.args) if isinstance(node, ast.Call) else []
        self._operation = OperationContext(type(module).__name__,
                                           self._operands(args, arg_nodes))
        location = self._location(node) if node is not None else None
        if args and isinstance(args[0], torch.Tensor) and \
                not _check_lazy_weights(module, args[0], self.limits, location) and \
                isinstance(module, torch.nn.Linear):
            guards.check_call("linear", None, [args[0], module.weight], {}, self.limits,
                              location)
        args, kwargs = self.wrapped(args, kwargs)
        result = module(*args, **kwargs)
        if node is not None:
            self._after_tensor_op(node, type(module).__name__.lower(), args, arg_nodes, result)
        return _checked_result(result)


# torch functions that are not tensor operations: their sizes are not checked on `meta`
# (that would run them twice, or consume a generator of parameters).
NOT_TENSOR_OPERATIONS = frozenset({
    "manual_seed", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled", "get_default_dtype", "device",
    "is_tensor", "is_floating_point", "numel", "set_default_device", "get_default_device",
})


@functools.lru_cache(maxsize=1024)
def _ordinary(path: str) -> bool:
    """A function neither `_autograd` nor `special_function` (autograd_ext.py) handles."""
    return path not in {"torch.autograd.backward", "torch.autograd.grad"} and \
        not path.startswith(("d2l.", "torch.autograd.functional.")) and \
        path not in allow.LEGACY_PATHS


# In-place methods that change their tensor's shape: the operation's shapes are taken before
# it runs (other operations read them only if they fail, when nothing has changed).
RESHAPING_IN_PLACE = frozenset({
    "unsqueeze_", "squeeze_", "t_", "transpose_", "swapdims_", "swapaxes_", "resize_",
    "resize_as_", "set_", "as_strided_",
})


@functools.lru_cache(maxsize=1024)
def _tensor_operation(path: str) -> bool:
    """torch.X and F.X build tensors; nn layers, optimizers, autograd and math do not."""
    parts = path.split(".")
    if parts[0] != "torch":
        return False
    if len(parts) == 2:
        return parts[1] not in NOT_TENSOR_OPERATIONS
    return path.startswith("torch.nn.functional.")


def _check_layer_size(args: list[Any], kwargs: dict[str, Any], limits: Limits,
                      location: SourceLocation | None) -> None:
    """A layer's weights are about the product of its size arguments (Linear(in, out), a
    Conv2d's kernel twice): refuse a layer that would pass the element limit before it is
    built."""
    sizes = [a for a in [*args, *kwargs.values()] if isinstance(a, int)
             and not isinstance(a, bool)]
    kernel = kwargs.get("kernel_size", args[2] if len(args) > 2 else 1)
    total = 1
    for size in [*sizes, *([kernel] if isinstance(kernel, int) else [])]:
        total *= max(size, 1)
    check("max_elements", total, limits, location)


def _check_lazy_weights(module: torch.nn.Module, first: torch.Tensor, limits: Limits,
                        location: SourceLocation | None) -> bool:
    """A lazy layer (nn.LazyLinear) sizes its weight from its first input: in-features or
    in-channels times its own out size. Refuse a weight past the element limit before it is
    made. (Lazy batch norms hold one value per channel: never larger than the input.) True when
    the layer is still lazy (its weight has no shape yet)."""
    lazy = torch.nn.parameter.is_lazy
    if first.dim() == 0 or not any(lazy(p) for p in module.parameters(recurse=False)):
        return False
    if isinstance(module, torch.nn.Linear):
        check("max_elements", first.shape[-1] * module.out_features, limits, location)
    elif isinstance(module, torch.nn.modules.conv._ConvNd):
        batched = first.dim() == len(module.kernel_size) + 2
        channels = first.shape[1] if batched else first.shape[0]
        check("max_elements", channels * module.out_channels * math.prod(module.kernel_size),
              limits, location)
    return True
