"""Backward nodes that Python has touched, held until each one can be let go of alone.

Once Python has held a backward node (read a `grad_fn`, walked `next_functions`), PyTorch
keeps the node's Python object for as long as the node lives, and destroying such nodes is
recursive in PyTorch's C++: dropping the last tensor of a 60,000-step chain whose nodes were
touched overflows the C stack, a segfault (plain PyTorch does the same). So every node the
interpreter hands to the code, the recorder tags, or a walk of a large graph visits is held
here, and let go of (`let_go`) only when nothing else holds it: its Python object then
carries no reference from PyTorch (PyTorch adds one while it owns the node), so the node
dies alone while its inputs are still held, and a chain goes one node at a time from its
output down, wherever in the code its tensors were dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

# Graphs smaller than this may be let go of in any order: a recursive teardown needs a
# deep chain of touched nodes to overflow the stack. (graphwalk.walk holds larger ones.)
SAFE_TO_DROP = 2_000

_HELD: dict[int, object] = {}  # id -> node; the node is held, so its id stays its own
_KEPT_AT_LAST_LET_GO = [0]
# A node only this table holds is seen with three references: the table's, the local name
# that reads it, and getrefcount's argument. PyTorch owning it adds one.
_ONLY_HERE = 3


def hold(nodes: Iterable[object]) -> None:
    """Hold `nodes` (touched by Python) until nothing else does. Every time the table has
    grown by as much as it held after the last sweep (and at least SAFE_TO_DROP), the nodes
    nobody else holds are let go of: the sweeps cost O(1) per node held, and what the table
    keeps alive beyond the code's own graphs stays within that much."""
    held = _HELD
    for node in nodes:
        if node is not None:
            held.setdefault(id(node), node)
    kept = _KEPT_AT_LAST_LET_GO[0]
    if len(held) - kept > max(SAFE_TO_DROP, kept):
        let_go()


def let_go() -> None:
    """Let go of every held node that nothing else holds, consumers before their inputs (an
    input freed by its consumer's end is looked at again at once), each dying alone."""
    held = _HELD
    pending = list(held)  # in the order held: walks hold outputs last, so they come first
    while pending:
        key = pending.pop()
        node = held.get(key)
        if node is None or sys.getrefcount(node) > _ONLY_HERE:
            continue
        inputs = [id(child) for child, _ in node.next_functions  # type: ignore[attr-defined]
                  if child is not None]
        del held[key]
        node = None  # the node dies here; its inputs are still held (or never touched)
        pending.extend(k for k in inputs if k in held)
    _KEPT_AT_LAST_LET_GO[0] = len(held)


def held_count() -> int:
    """How many touched nodes are held now (tests read it)."""
    return len(_HELD)
