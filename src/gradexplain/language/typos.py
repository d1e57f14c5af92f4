"""Misspelled names: `x.grd`, `torch.sinn`, `F.rellu`, `prnt(...)`. A name that PyTorch does
not have at all is a typo, not something the safe interpreter refused: the error says so
and suggests the closest name that exists (did you mean `grad`?).

Names only; torch is imported inside `exists_in_torch`, never at module level.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable

from gradexplain.language import allowlists as allow

# Close enough to be the same word mistyped (difflib's ratio): `grd`/`grad` 0.86,
# `sinn`/`sin` 0.86, `rellu`/`relu` 0.89; `foo`/`floor` 0.75 is not suggested.
CUTOFF = 0.8


def owner_of(node: ast.expr) -> str:
    """What an attribute is looked up on: "torch", "F" (torch.nn.functional), "autograd",
    or "tensor" (anything else: a user's name, a call's result)."""
    if isinstance(node, ast.Name) and node.id in ("torch", "F"):
        return node.id
    if isinstance(node, ast.Attribute) and node.attr == "functional":
        return "F"
    if isinstance(node, ast.Attribute) and node.attr == "autograd":
        return "autograd"
    return "tensor"


def candidates(owner: str) -> Iterable[str]:
    if owner == "torch":
        return allow.TORCH_FUNCTIONS | allow.TORCH_DTYPES | {"autograd", "nn"}
    if owner == "F":
        return allow.FUNCTIONAL
    if owner == "autograd":
        return allow.AUTOGRAD_FUNCTIONS
    return allow.TENSOR_METHODS | allow.TENSOR_ATTRIBUTES


def suggest(name: str, words: Iterable[str]) -> str | None:
    """The closest of `words` to `name`, or None when none is close."""
    found = difflib.get_close_matches(name, sorted(words), n=1, cutoff=CUTOFF)
    return found[0] if found else None


def exists_in_torch(owner: str, name: str) -> bool:
    """Whether PyTorch itself has `name` there (then refusing it is the interpreter's
    choice, not a typo)."""
    import torch  # noqa: PLC0415  (language/ may import torch; not at module level here)
    import torch.nn.functional  # noqa: PLC0415

    where: object = {"torch": torch, "F": torch.nn.functional,
                     "autograd": torch.autograd}.get(owner, torch.Tensor)
    return hasattr(where, name)


def spelled(owner: str, name: str) -> str:
    """How the suggestion is written: `torch.sin`, `F.relu`, `grad`."""
    return {"torch": f"torch.{name}", "F": f"F.{name}",
            "autograd": f"torch.autograd.{name}"}.get(owner, name)
