"""What some calls do beyond calling PyTorch: hooks, optimizer steps, legacy APIs, d2l.

Hooks given to torch are re-entering wrappers (see `functions.torch_callable`); here they are
also reported to the recorder, with the grad before and after, so the ledger can say which
hook changed which gradient.
"""

from __future__ import annotations

import ast
from typing import Any

import torch

from gradexplain.language import allowlists as allow
from gradexplain.language import display
from gradexplain.language.core import Core
from gradexplain.language.values import Function, Method

HOOK_METHODS = {"register_hook", "register_prehook", "register_post_accumulate_grad_hook"}


class AutogradExtras(Core):
    """Calls with something to report: see the module docstring."""

    def special_function(self, callee: Function, args: list[Any], kwargs: dict[str, Any],
                         node: ast.expr | None) -> Any:
        path = callee.path
        if path.startswith("d2l."):
            return self._d2l(path.split(".", 1)[1], args, kwargs)
        if path in allow.LEGACY_PATHS:
            self._report("legacy_api", {"api": path})
        if path.startswith("torch.autograd.functional."):
            args = [self.torch_callable(a) for a in args]
            kwargs = {k: self.torch_callable(v) for k, v in kwargs.items()}
            result = callee.fn(*args, **kwargs)
            inputs = args[1] if len(args) > 1 else kwargs.get("inputs")
            self._report("autograd_functional", {
                "function": callee.name, "inputs": _shapes(inputs), "result": _shapes(result)})
            return result
        return NotImplemented

    def special_method(self, method: Method, args: list[Any], kwargs: dict[str, Any],
                       node: ast.expr | None) -> Any:
        target, name = method.target, method.name
        if name in HOOK_METHODS and args and (isinstance(target, torch.Tensor)
                                              or display._is_node(target)):
            hook = self._reporting_hook(args[0], method.target_label, name)
            return getattr(target, name)(hook, *args[1:], **kwargs)
        if isinstance(target, torch.optim.Optimizer) and name == "step":
            return self._optimizer_step(target, method, args, kwargs)
        return NotImplemented

    def _reporting_hook(self, hook: Any, label: str, kind: str) -> Any:
        """The user's hook as torch sees it: re-enters the interpreter, reports the call."""
        inner = self.torch_callable(hook)
        interpreter = self

        def run_hook(*args: Any) -> Any:
            result = inner(*args)
            interpreter._report("hook_called", {"tensor": label, "kind": kind,
                                         "before": _brief(args[0] if args else None),
                                         "after": _brief(result)})
            return result

        return run_hook

    def _optimizer_step(self, optimizer: torch.optim.Optimizer, method: Method,
                        args: list[Any], kwargs: dict[str, Any]) -> Any:
        params = [p for group in optimizer.param_groups for p in group["params"]]
        before = [p.detach().clone() for p in params]
        args = [self.torch_callable(a) for a in args]
        result = optimizer.step(*args, **kwargs)
        changed = []
        for param, old in zip(params, before, strict=True):
            if not torch.equal(param.detach(), old):
                changed.append({"tensor": self.label_of(param), "before": _brief(old),
                                "after": _brief(param.detach())})
        self._report("optimizer_step", {"optimizer": type(optimizer).__name__,
                                        "changed": changed})
        return result

    def _d2l(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if name == "plot":
            from gradexplain.language.d2l import plot_call

            self._report("plot", plot_call(args, kwargs))
        elif name == "arange":
            return torch.arange(*args, **kwargs)
        return None

    def _report(self, kind: str, facts: dict[str, Any]) -> None:
        if self._context is not None:
            self.hooks.event(self._context, kind, facts)


def _shapes(value: Any) -> Any:
    """Shapes of a tensor or of nested tuples of tensors (a Jacobian of several inputs)."""
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [_shapes(v) for v in value]
    return None


def _brief(value: Any) -> Any:
    """A value for an event: a tensor's numbers as a plain list (small) or its shape."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        return tensor.tolist() if tensor.numel() <= 64 else f"tensor of shape {list(tensor.shape)}"
    if isinstance(value, tuple):
        return [_brief(v) for v in value]
    return None if value is None else display.show(value)
