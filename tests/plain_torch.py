"""The oracle: run snippets as plain Python with real torch, in a separate process.

Usage: python plain_torch.py OUT.json FILE.py...  Each file runs in fresh globals after
torch.manual_seed(0), like gradexplain's default `seed: 0`; its prints, final tensors (value and
grad) and the exception that stopped it are written as JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import sys
import warnings

import torch


def _value(tensor: torch.Tensor | None) -> object:
    return None if tensor is None else tensor.detach().cpu().tolist()


def run(path: str) -> dict[str, object]:
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)
    stdout = io.StringIO()
    error = None
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(stdout), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            namespace = runpy.run_path(path, run_name="__main__")
        except Exception as exc:  # the snippet's own error is part of the result
            error = {"type": type(exc).__name__, "message": str(exc)}
            tb = exc.__traceback__
            frames = []
            while tb is not None:
                frames.append(tb.tb_frame)
                tb = tb.tb_next
            namespace = next((dict(f.f_locals) for f in frames
                              if f.f_code.co_filename == path), {})
        tensors = {}
        named = []
        for name, value in namespace.items():
            if isinstance(value, torch.Tensor):
                named.append((name, value))
            elif isinstance(value, torch.nn.Module):  # parameters by path (model.fc.weight)
                named.extend((f"{name}.{path}", p) for path, p in value.named_parameters())
        for name, value in named:
            if not name.startswith("__"):
                grad = value.grad if (value.is_leaf or value.retains_grad) else None
                tensors[name] = {"value": _value(value), "grad": _value(grad),
                                 "shape": list(value.shape), "is_leaf": value.is_leaf,
                                 "requires_grad": value.requires_grad}
    return {"stdout": stdout.getvalue(), "error": error, "tensors": tensors}


if __name__ == "__main__":
    results = {path: run(path) for path in sys.argv[2:]}
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(results, handle)
