"""Calls with something to report beyond PyTorch's result: hooks, optimizer steps, legacy APIs,
torch.autograd.functional, and d2l's helpers.

Hooks given to torch are re-entering wrappers (see `functions.torch_callable`); here they are
also reported to the recorder, with the grad before and after, so the ledger can say which
hook changed which gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch

from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import State
from gradexplain.language.functions import torch_callable
from gradexplain.language.values import Function, Method, is_node

HOOK_METHODS = {"register_hook", "register_prehook", "register_post_accumulate_grad_hook"}


def special_function(it: State, callee: Function, args: list[object],
                     kwargs: dict[str, object]) -> object:
    """d2l's functions, a legacy API (reported, then run as usual: NotImplemented) and
    torch.autograd.functional (run, reported)."""
    path = callee.path
    if path == "torch.set_printoptions":
        guards.check_print_options(args, kwargs, it.limits, None)
        return NotImplemented  # then set, for this run (engine/process_state.py)
    if path.startswith("d2l."):
        return _d2l(it, path.split(".", 1)[1], args, kwargs)
    if path in allow.LEGACY_PATHS:
        _report(it, "legacy_api", {"api": path})
    if path.startswith("torch.autograd.functional."):
        args = [torch_callable(it, a) for a in args]
        kwargs = {k: torch_callable(it, v) for k, v in kwargs.items()}
        args, kwargs = _sized_functional(it, callee.name, args, kwargs)
        result = callee.fn(*args, **kwargs)
        inputs = args[1] if len(args) > 1 else kwargs.get("inputs")
        _report(it, "autograd_functional", {
            "function": callee.name, "inputs": _shapes(inputs), "result": _shapes(result)})
        return result
    return NotImplemented


def special_method(it: State, method: Method, args: list[object],
                   kwargs: dict[str, object]) -> object:
    """A hook registered on a tensor or a graph node, and an optimizer's step; else
    NotImplemented (the method runs as usual)."""
    target, name = method.target, method.name
    if name in HOOK_METHODS and args and (isinstance(target, torch.Tensor) or is_node(target)):
        hook = _reporting_hook(it, args[0], method.target_label, name)
        return getattr(target, name)(hook, *args[1:], **kwargs)
    if name in allow.MODULE_HOOK_METHODS and args and isinstance(target, torch.nn.Module):
        hook = _module_hook(it, args[0], method.target_label, name)
        return getattr(target, name)(hook, *args[1:], **kwargs)
    if isinstance(target, torch.optim.Optimizer) and name == "step":
        return _optimizer_step(it, target, args, kwargs)
    return NotImplemented


def _reporting_hook(it: State, hook: object, label: str, kind: str) -> object:
    """The user's hook as torch sees it: re-enters the interpreter, reports the call."""
    # Torch calls whatever the code registered (a value that is not callable fails there,
    # as in Python).
    inner = cast("Callable[..., object]", torch_callable(it, hook))

    def run_hook(*args: object) -> object:
        result = inner(*args)
        _report(it, "hook_called", {"tensor": label, "kind": kind,
                                    "before": _brief(args[0] if args else None),
                                    "after": _brief(result)})
        return result

    return run_hook


def _module_hook(it: State, hook: object, label: str, kind: str) -> object:
    """The user's module hook as torch sees it: re-enters the interpreter; noted with the
    shapes it received (after the module itself) and what it returned (module_hook)."""
    inner = cast("Callable[..., object]", torch_callable(it, hook))

    def run_hook(module: object, *args: object, **kwargs: object) -> object:
        result = inner(module, *args, **kwargs)
        _report(it, "module_hook", {
            "tensor": label, "api": kind, "kind": kind, "layer": type(module).__name__,
            "received": [_shapes(a) for a in args],
            "returned": None if result is None else _shapes(result)})
        return result

    return run_hook


def _optimizer_step(it: State, optimizer: torch.optim.Optimizer, args: list[object],
                    kwargs: dict[str, object]) -> object:
    params = [p for group in optimizer.param_groups for p in group["params"]]
    before = [p.detach().clone() for p in params]
    args = [torch_callable(it, a) for a in args]
    step: Callable[..., object] = optimizer.step
    result = step(*args, **kwargs)
    changed = []
    for param, old in zip(params, before, strict=True):
        if not torch.equal(param.detach(), old):
            changed.append({"tensor": it.label_of(param), "before": _brief(old),
                            "after": _brief(param.detach())})
    _report(it, "optimizer_step", {"optimizer": type(optimizer).__name__, "changed": changed})
    return result


def _d2l(it: State, name: str, args: list[object], kwargs: dict[str, object]) -> object:
    if name == "plot":
        _report(it, "plot", plot_call(args, kwargs))
    elif name == "arange":  # d2l.arange is torch.arange: sized by its rule first
        arange: Callable[..., object] = torch.arange
        guards.check_call("arange", None, args, kwargs, it.limits, it.budget, None, arange)
        return arange(*args, **kwargs)
    return None


def _sized_functional(it: State, name: str, args: list[object], kwargs: dict[str, object]
                      ) -> tuple[list[object], dict[str, object]]:
    """torch.autograd.functional's results, sized before they are made: a Hessian holds
    (inputs' elements)² numbers, known from the inputs; a Jacobian holds (outputs' elements) ×
    (inputs' elements), known once the function has run once: torch runs it first, so the
    function it gets checks the size of what it returned before torch builds the rows."""
    if name not in {"jacobian", "hessian"}:
        return args, kwargs  # vjp, jvp, hvp, vhp: each result is an input's or output's size
    inputs = args[1] if len(args) > 1 else kwargs.get("inputs")
    n_in = _numel(inputs)
    limits, budget = it.limits, it.budget
    if name == "hessian":
        guards.check_elements(n_in * n_in, limits, budget, None)
        return args, kwargs
    func = args[0] if args else kwargs.get("func")
    if not callable(func):
        return args, kwargs  # torch says what is wrong

    def sized(*inner: object, **named: object) -> object:
        outputs = func(*inner, **named)
        guards.check_elements(_numel(outputs) * n_in, limits, budget, None)
        return outputs

    if args:
        return [sized, *args[1:]], kwargs
    return args, {**kwargs, "func": sized}


def _numel(value: object) -> int:
    """Elements of a tensor or of a tuple or list of them."""
    if isinstance(value, torch.Tensor):
        return value.numel()
    if isinstance(value, (tuple, list)):
        return sum(_numel(v) for v in value)
    return 0


def _report(it: State, kind: str, facts: dict[str, object]) -> None:
    if it.context is not None:
        it.hooks.event(it.context, kind, facts)


def _shapes(value: object) -> object:
    """Shapes of a tensor or of nested tuples of tensors (a Jacobian of several inputs)."""
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [_shapes(v) for v in value]
    return None


def _brief(value: object) -> object:
    """A value for an event: a tensor's numbers as a plain list (small) or its shape."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        return tensor.tolist() if tensor.numel() <= 64 else f"tensor of shape {list(tensor.shape)}"
    if isinstance(value, tuple):
        return [_brief(v) for v in value]
    return None if value is None else display.show(value)


# d2l.plot ----------------------------------------------------------------------------------

MAX_POINTS = 100_000


def plot_call(args: list[object], kwargs: dict[str, object]) -> dict[str, object]:
    """`d2l.plot(X, Y, xlabel, ylabel, legend)` as the scenario's plot data (no d2l
    dependency: the tensors are read here, detached and flattened, as the `plot:` of a YAML
    file would give them)."""
    names = ["X", "Y", "xlabel", "ylabel", "legend"]
    bound = dict(zip(names, args, strict=False))
    bound.update({k: v for k, v in kwargs.items() if k in names})
    x = bound.get("X")
    y = bound.get("Y")
    if y is None:  # d2l.plot(Y): x is 0, 1, 2, ...
        x, y = None, x
    series = _series(y)
    x_values = _numbers(x) if x is not None else \
        [float(i) for i in range(len(series[0]) if series else 0)]
    legend = bound.get("legend")
    labels = list(legend) if isinstance(legend, (list, tuple)) else []
    return {
        "x": x_values,
        "series": series,
        "xlabel": str(bound.get("xlabel") or "x"),
        "ylabel": str(bound.get("ylabel") or "y"),
        "legend": [str(label) for label in labels],
    }


def _series(value: object) -> list[list[float]]:
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float)):
        return [_numbers(v) for v in value]
    return [_numbers(value)]


def _numbers(value: object) -> list[float]:
    if isinstance(value, torch.Tensor):
        tensor = value.detach().reshape(-1)[:MAX_POINTS]
        return [float(v) for v in tensor.tolist()]
    if isinstance(value, (list, tuple)):
        return [float(v) for v in list(value)[:MAX_POINTS]]
    raise CodeTypeError("d2l.plot takes tensors or lists of numbers")
