"""Imports: each allowed form binds an allowlisted namespace or member, nothing is loaded.

`import torch.nn as nn` binds the same `Namespace` wrapper `torch.nn` gives; `from
torch.autograd import grad` binds what `torch.autograd.grad` gives. The checker has already
refused every other module.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from gradexplain.language.checker import IMPORT_MODULES
from gradexplain.language.values import Namespace

if TYPE_CHECKING:
    from gradexplain.language.core import Core


def run_import(interp: Core, stmt: ast.Import | ast.ImportFrom) -> None:
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            path = IMPORT_MODULES[alias.name]
            if alias.asname is not None:
                interp.bind(alias.asname, Namespace(path))
            else:  # `import torch.nn` binds `torch`; `import math` binds `math`
                root = alias.name.split(".")[0]
                interp.bind(root, Namespace(IMPORT_MODULES.get(root, root)))
        return
    assert stmt.module is not None
    if stmt.module == "__future__":
        return
    namespace = Namespace(IMPORT_MODULES[stmt.module])
    for alias in stmt.names:
        if stmt.module == "d2l" and alias.name == "torch":  # from d2l import torch as d2l
            interp.bind(alias.asname or "torch", namespace)
            continue
        value: Any = interp.read_attribute(namespace, alias.name, None)
        interp.bind(alias.asname or alias.name, value)
