"""The %%gradexplain magic called in this process (notebook/magic.py), for the fast lane:
what it registers, displays and stores, without a kernel (tests/test_notebook.py runs the
same magic in a real one)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from IPython.core.error import UsageError

from gradexplain.notebook import magic

ACCUMULATION = """\
x = torch.ones(2, 2, requires_grad=True)
z = (x + 2) * (x + 2) * 3
z.mean().backward(retain_graph=True)
z.backward(torch.ones_like(z))
"""


class _Shell:
    """What `register` needs of an IPython shell."""

    def __init__(self) -> None:
        self.user_ns: dict[str, Any] = {}
        self.magics: dict[tuple[str, str], Any] = {}

    def register_magic_function(self, function: Any, magic_kind: str, magic_name: str) -> None:
        self.magics[magic_kind, magic_name] = function


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the magics display, in order."""
    items: list[Any] = []
    monkeypatch.setattr(magic, "display", items.append)
    return items


def test_a_cell_shows_the_ledger_and_keeps_the_record(shown: list[Any]) -> None:
    shell = _Shell()
    magic.register(shell)
    assert set(shell.magics) == {("cell", "gradexplain"), ("line", "gradexplain")}
    shell.magics["cell", "gradexplain"]("--record rec", ACCUMULATION)
    x = torch.ones(2, 2, requires_grad=True)  # the cell in plain PyTorch: the oracle
    z = (x + 2) * (x + 2) * 3
    z.mean().backward(retain_graph=True)
    z.backward(torch.ones_like(z))
    assert x.grad is not None
    assert shell.user_ns["rec"].calls[1].after["x"] == x.grad.tolist()
    (item,) = shown
    bundle = item._repr_mimebundle_()
    assert f"{x.grad[0, 0].item():.4f}" in bundle["text/plain"]
    assert bundle["text/html"].startswith("<pre")


def test_refused_code_shows_the_error(shown: list[Any]) -> None:
    magic.Magics({}).cell("", "import ctypes\nctypes.CDLL(None)")
    (item,) = shown
    assert "<cell>:1:1: error[not_allowed]" in item._repr_mimebundle_()["text/plain"]


def test_a_bad_option_is_a_usage_error(shown: list[Any]) -> None:
    with pytest.raises(UsageError, match="unrecognized arguments: --nonsense"):
        magic.Magics({}).cell("--nonsense", "x = 1")
    assert shown == []
