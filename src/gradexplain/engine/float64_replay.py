"""A torch function mode for the numeric check's re-runs of code: float64, same random values.

Every floating tensor a re-run makes is widened to float64 right after torch made it in the
run's own dtype, so random draws are the very values of the real run (torch draws different
numbers in float64: `torch.rand(3, dtype=torch.float64)` is not the float32 draw widened).
Random functions that fill or follow an existing tensor (`uniform_`, `randn_like`, the
nn.init functions...) run on a copy in the run's dtype for the same reason.

The mode also numbers the leaves that require grad in the order the re-run first meets them
(as an argument or a result of any torch function): two re-runs of the same code meet them in
the same order, so a leaf is known across re-runs by its number. `Perturbation` moves one
element of one leaf by a small step at the first moment the leaf holds the value it has at the
checked call (its version counter then equals the version seen at the call).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

ORDINAL = "_gradexplain_leaf_number"  # attribute set on each numbered leaf of a re-run
NARROW = (torch.float32, torch.float16, torch.bfloat16)
# Random functions whose values in float64 differ from those in the run's dtype.
RANDOM_INPLACE = frozenset({
    "uniform_", "normal_", "random_", "cauchy_", "log_normal_", "geometric_", "exponential_",
    "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_",
    "trunc_normal_", "orthogonal_", "sparse_"})
RANDOM_NEW = frozenset({"rand_like", "randn_like", "randint_like", "normal", "bernoulli",
                        "poisson"})
# Results that are not new tensors: an attribute read (`.grad`) or a write.
NOT_NEW = frozenset({"__get__", "__set__", "__setitem__", "__delitem__"})


@dataclass
class Perturbation:
    """Move element `index` (flat) of leaf number `ordinal` by `delta` once its version is
    `version`."""

    ordinal: int
    version: int
    index: int
    delta: float
    target: torch.Tensor | None = None
    done: bool = False


class Float64Replay(TorchFunctionMode):
    """Widen floating results to float64, keep random draws, number leaves, perturb one."""

    def __init__(self, run_dtype: torch.dtype, plan: Perturbation | None = None) -> None:
        super().__init__()
        self.run_dtype = run_dtype
        self.plan = plan
        self.count = 0
        self._inside = False  # our own torch calls pass straight through

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if self._inside:
            return func(*args, **kwargs)
        name = getattr(func, "__name__", "")
        self._meet(args)
        self._meet(kwargs.values())
        self._perturb()
        if name in RANDOM_INPLACE and _wide([*args[:1], kwargs.get("tensor")]):
            result = self._random_inplace(func, args, kwargs)
        elif name in RANDOM_NEW and (_wide(args) or _wide(kwargs.values())):
            result = self._widen(func(*self._narrowed(args),
                                      **dict(zip(kwargs, self._narrowed(kwargs.values()),
                                                 strict=True))))
        else:
            result = func(*args, **kwargs)
            if name not in NOT_NEW and not any(result is a for a in args):
                result = self._widen(result)
        self._meet(result if isinstance(result, (tuple, list)) else (result,))
        self._perturb()
        return result

    # numbering and the perturbation -----------------------------------------------------------

    def _meet(self, values: Iterable[Any]) -> None:
        for value in values:
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, torch.Tensor) and item.requires_grad and item.is_leaf \
                        and getattr(item, ORDINAL, None) is None:
                    self._inside = True
                    try:
                        setattr(item, ORDINAL, self.count)
                    finally:
                        self._inside = False
                    plan = self.plan
                    if plan is not None and plan.ordinal == self.count:
                        plan.target = item
                    self.count += 1

    def _perturb(self) -> None:
        plan = self.plan
        if plan is None or plan.done or plan.target is None:
            return
        self._inside = True
        try:
            if plan.target._version != plan.version:
                return
            # Through .data: the leaf's own version counter does not move, so the graphs the
            # re-run builds later see the same versions as in the real run.
            data = plan.target.data
            with torch.no_grad():
                data[_unravel(plan.index, list(data.shape))] += plan.delta
            plan.done = True
        finally:
            self._inside = False

    # float64 ----------------------------------------------------------------------------------

    def _widen(self, result: Any) -> Any:
        if isinstance(result, tuple) and not hasattr(result, "_fields"):
            return tuple(self._widen(r) for r in result)
        if not isinstance(result, torch.Tensor) or result.dtype not in NARROW:
            return result
        self._inside = True
        try:
            if result.is_leaf:
                wide = result.detach().to(torch.float64)
                if result.requires_grad:
                    wide.requires_grad_(True)
                if isinstance(result, torch.nn.Parameter):
                    wide = torch.nn.Parameter(wide, requires_grad=result.requires_grad)
                return wide
            return result.to(torch.float64)  # keeps the graph
        finally:
            self._inside = False

    def _narrowed(self, values: Iterable[Any]) -> list[Any]:
        self._inside = True
        try:
            return [v.detach().to(self.run_dtype) if isinstance(v, torch.Tensor) and
                    v.dtype == torch.float64 else v for v in values]
        finally:
            self._inside = False

    def _random_inplace(self, func: Any, args: Any, kwargs: Any) -> Any:
        """`t.uniform_()`, `nn.init.kaiming_uniform_(tensor=t)`: fill a copy in the run's
        dtype, then copy it into the float64 tensor."""
        by_keyword = "tensor" in kwargs
        target = kwargs["tensor"] if by_keyword else args[0]
        self._inside = True
        try:
            copy = target.detach().to(self.run_dtype)
        finally:
            self._inside = False
        if by_keyword:  # nested torch calls meet the mode again
            func(*args, **{**kwargs, "tensor": copy})
        else:
            func(copy, *args[1:], **kwargs)
        self._inside = True
        try:
            with torch.no_grad():
                target.copy_(copy)
        finally:
            self._inside = False
        return target


def _wide(values: Iterable[Any]) -> bool:
    return any(isinstance(v, torch.Tensor) and v.dtype == torch.float64 for v in values)


def _unravel(index: int, shape: list[int]) -> tuple[int, ...]:
    position: list[int] = []
    for size in reversed(shape):
        position.append(index % size)
        index //= size
    return tuple(reversed(position))
