"""Misspelled names: `x.grd`, `torch.sinn`, `F.rellu`, `prnt(...)`. A name that PyTorch does
not have at all is a typo, not something the safe interpreter refused: the error is an
`unknown_name` that says so and suggests the closest name that exists (did you mean `grad`?).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import torch

from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language import allowlists as allow

# Close enough to be the same word mistyped (difflib's ratio): `grd`/`grad` 0.86,
# `sinn`/`sin` 0.86, `rellu`/`relu` 0.89; `foo`/`floor` 0.75 is not suggested.
CUTOFF = 0.8

_OWNERS = {"torch": "`torch`", "torch.nn.functional": "`F` (torch.nn.functional)",
           "torch.autograd": "`torch.autograd`", "tensor": "a tensor",
           "torch.nn": "`torch.nn`", "torch.optim": "`torch.optim`"}
_SPELLED = {"torch": "torch.{}", "torch.nn.functional": "F.{}",
            "torch.autograd": "torch.autograd.{}", "tensor": "{}", "torch.nn": "torch.nn.{}",
            "torch.optim": "torch.optim.{}"}


def suggest(name: str, words: Iterable[str]) -> str | None:
    """The closest of `words` to `name`, or None when none is close. Two letters swapped,
    one dropped, added or changed is always close (`rleu`/`relu` is only 0.75 for difflib)."""
    ordered = sorted(words)
    found = difflib.get_close_matches(name, ordered, n=1, cutoff=CUTOFF)
    if found:
        return found[0]
    if len(name) < 3:
        return None
    return next((word for word in ordered if _one_edit(name, word)), None)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one swap of neighbours, deletion, insertion or change."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(differ) == 1:
            return True
        return len(differ) == 2 and differ[1] == differ[0] + 1 and \
            a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _exists(owner: str, name: str) -> bool:
    """Whether PyTorch itself has `name` there (then refusing it is the interpreter's
    choice, not a typo)."""
    if owner == "tensor":
        return hasattr(torch.Tensor, name)
    module: object = torch
    for part in owner.split(".")[1:]:
        module = getattr(module, part, None)
    return module is not None and hasattr(module, name)


def misspelled(owner: str, name: str, known: Iterable[str],
               location: SourceLocation | None) -> GradexplainError | None:
    """An `unknown_name` error for a misspelled attribute of `owner` ("tensor", "torch",
    "torch.nn.functional", "torch.autograd"), or None when it is not a typo."""
    if owner not in _OWNERS or name.startswith("_") or allow.why_dangerous(name) or \
            _exists(owner, name):
        return None
    close = suggest(name, known)
    if close is None:
        return None
    shown = _SPELLED[owner].format(close)
    return GradexplainError(
        "unknown_name", f"{_OWNERS[owner]} has no attribute `{name}`; did you mean "
        f"`{shown}`?", location, f"check the spelling: `{shown}`",
        facts={"name": name, "suggestion": shown, "owner": _owner_key(owner),
               "attribute": True})


def _owner_key(owner: str) -> str:
    return {"torch.nn.functional": "F", "torch.autograd": "autograd", "torch.nn": "nn",
            "torch.optim": "optim"}.get(owner, owner)
