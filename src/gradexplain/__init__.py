"""gradexplain: run PyTorch autograd scenarios and see what backward() did, and why.

The Python API (`run_code`, `run_file`, `compare_code`, `render`, `RunRecord`, ...) is
imported on first use, so `import gradexplain` stays light: no torch, rich or IPython until
something runs. `%load_ext gradexplain` in IPython/Jupyter loads the `%%gradexplain` magic.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from gradexplain.app.api import ComparedRuns, compare_code, render, run_code, run_file
    from gradexplain.errors import GradexplainError
    from gradexplain.record import RunRecord

# public name -> the module that defines it
_API = {
    "run_code": "gradexplain.app.api",
    "run_file": "gradexplain.app.api",
    "compare_code": "gradexplain.app.api",
    "ComparedRuns": "gradexplain.app.api",
    "RunRecord": "gradexplain.record",
    "GradexplainError": "gradexplain.errors",
}

__all__ = ["ComparedRuns", "GradexplainError", "RunRecord", "__version__", "compare_code",
           "load_ipython_extension", "render", "run_code", "run_file"]


def __getattr__(name: str) -> Any:
    """The API's names, imported when first asked for (PEP 562)."""
    if name == "render":  # the renderers' package, made callable on import (below)
        return importlib.import_module("gradexplain.render")
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'gradexplain' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


class _CallableRender(types.ModuleType):
    """`gradexplain.render` is the renderers' package, and calling it is the API's
    `render(record, format)`: the package name came first, the API name is the issue's."""

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        from gradexplain.app.api import render

        return render(*args, **kwargs)


class _Package(types.ModuleType):
    """This package's module type: when Python binds the `render` subpackage here (on its
    first import, from anywhere), the subpackage becomes callable."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "render" and type(value) is types.ModuleType:
            value.__class__ = _CallableRender
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext gradexplain`: register the %%gradexplain and %gradexplain magics."""
    from gradexplain.notebook.magic import register

    register(ipython)
