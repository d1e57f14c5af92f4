"""The claims' oracle: run snippets as plain Python with real torch, and at each backward or
autograd.grad call the code makes, write down what PyTorch itself says about every tensor a
name binds at that moment. tests/claims.py checks an explanation's claims against it.

Usage: python claims_oracle.py OUT.json FILE.py...  Each file runs in fresh globals after
torch.manual_seed(0) (gradexplain's default `seed: 0`). Per call: its line in the file, and for
each name (a module's parameters by path) bound to a leaf that requires grad or to a tensor
that retains its grad: a token that is the same for the same tensor object across the run,
whether it is a leaf, its grad before and after the call, and whether the call's outputs are
connected to it (`torch.autograd.grad(..., allow_unused=True)` gives None: not connected).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import runpy
import sys
import warnings
from typing import Any

import torch

# torch's own frames between the user's call and autograd (Tensor.backward, and the device
# mode `torch.set_default_device` installs); any other torch frame is torch using autograd.
PASSING = ("torch/_tensor.py", "torch/overrides.py", "torch/utils/_device.py")
MAX_NUMBERS = 10_000  # a grad with more elements is not written down (its numbers: None)


class Oracle:
    def __init__(self, path: str) -> None:
        self.path = path
        self.calls: list[dict[str, Any]] = []
        self.tokens: dict[int, tuple[int, torch.Tensor]] = {}  # id -> token, the tensor kept
        self.busy = False

    def token(self, tensor: torch.Tensor) -> int:
        found = self.tokens.get(id(tensor))
        if found is None or found[1] is not tensor:
            found = self.tokens[id(tensor)] = (len(self.tokens) + 1, tensor)
        return found[0]

    def user_frame(self) -> Any:
        """The user's frame that made the call, when the user's code made it (not torch's
        own use of autograd, e.g. torch.autograd.functional); else None."""
        frame = sys._getframe(1)
        while frame is not None and (frame.f_code.co_filename == __file__ or
                                     frame.f_code.co_filename.endswith(PASSING)):
            frame = frame.f_back
        return frame if frame is not None and frame.f_code.co_filename == self.path else None

    def named(self, frame: Any) -> list[tuple[str, torch.Tensor]]:
        module = frame
        while module.f_back is not None and module.f_back.f_code.co_filename == self.path:
            module = module.f_back
        found: list[tuple[str, torch.Tensor]] = []
        for name, value in list(module.f_globals.items()):
            if isinstance(value, torch.Tensor):
                found.append((name, value))
            elif isinstance(value, torch.nn.Module):
                found.extend((f"{name}.{p}", t) for p, t in value.named_parameters())
        return [(n, t) for n, t in found if not n.startswith("__")]

    def around(self, function: str, outputs: list[torch.Tensor], gradients: Any,
               perform: Any) -> Any:
        frame = None if self.busy else self.user_frame()
        if frame is None:
            return perform()
        self.busy = True
        try:
            every = self.named(frame)
            # the tensors a ledger covers: leaves that require grad, tensors that retain it
            named = [(n, t) for n, t in every if (t.is_leaf and t.requires_grad)
                     or t.retains_grad]
            connected: list[bool | None] = [None] * len(named)
            leaves = [(i, t) for i, (_, t) in enumerate(named) if t.is_leaf]
            retained = [(t, t.grad) for _, t in named if t.retains_grad]
            if function != "torch.autograd.grad" and leaves:
                try:
                    grads = torch.autograd.grad(
                        outputs, [t for _, t in leaves], grad_outputs=gradients,
                        retain_graph=True, allow_unused=True)
                    for (i, _), g in zip(leaves, grads, strict=True):
                        connected[i] = g is not None
                except Exception:
                    pass
                for tensor, grad in retained:  # autograd.grad fills a retained .grad too
                    tensor.grad = grad
            before = [_numbers(t.grad) for _, t in named]
            call: dict[str, Any] = {"function": function, "line": frame.f_lineno, "names": {
                n: {"token": None, "leaf": t.is_leaf, "before": None, "after": None,
                    "connected": None} for n, t in every}}
            self.calls.append(call)
            try:
                return perform()
            finally:
                for (name, tensor), old, link in zip(named, before, connected, strict=True):
                    call["names"][name] = {
                        "token": self.token(tensor), "leaf": tensor.is_leaf,
                        "before": old, "after": _numbers(tensor.grad), "connected": link}
        finally:
            self.busy = False


def _numbers(tensor: torch.Tensor | None) -> Any:
    if tensor is None:
        return None
    if tensor.numel() > MAX_NUMBERS or tensor.is_meta:
        return "big"
    return _plain(tensor.detach().cpu().double().tolist())


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _as_list(tensors: Any) -> list[torch.Tensor]:
    return [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)


def run(path: str) -> dict[str, Any]:
    oracle = Oracle(path)
    real_backward, real_grad = torch.autograd.backward, torch.autograd.grad

    def backward(tensors: Any, grad_tensors: Any = None, *args: Any, **kwargs: Any) -> Any:
        outputs = _as_list(tensors)
        gradients = None if grad_tensors is None else _as_list(grad_tensors)
        return oracle.around("backward", outputs, gradients,
                             lambda: real_backward(tensors, grad_tensors, *args, **kwargs))

    def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, *args: Any,
             **kwargs: Any) -> Any:
        return oracle.around("torch.autograd.grad", _as_list(outputs), None,
                             lambda: real_grad(outputs, inputs, grad_outputs, *args, **kwargs))

    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)
    error = None
    torch.autograd.backward, torch.autograd.grad = backward, grad  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                runpy.run_path(path, run_name="__main__")
            except Exception as exc:
                error = type(exc).__name__
    finally:
        torch.autograd.backward, torch.autograd.grad = real_backward, real_grad
        torch.set_default_device(None)
    return {"calls": oracle.calls, "error": error}


if __name__ == "__main__":
    results = {path: run(path) for path in sys.argv[2:]}
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(results, handle)
