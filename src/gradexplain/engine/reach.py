"""Which tensors the learner's code can still reach: from its names, through what they hold.

A tensor the recorder tracks may outlive every name that held it: a rebound name's earlier
tensor, a leaf made inside a loop, kept alive only by a reference cycle until the garbage
collector runs. Whether such a tensor gets a ledger row or a note must not depend on the
collector, so it is decided by this walk instead: reachable from the user's names (and the
call's own outputs), or not. The walk goes through containers, modules, optimizers, user
functions' closures, a view's base and, where the cheap walk did not find everything it was
asked about, the leaves of each tensor's backward graph.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from gradexplain.engine.graphwalk import walk
from gradexplain.language.values import BoundMethod, Scope, UserFunction

# Objects visited at most (a long list of tensors, a big module): past it, every tensor in
# doubt counts as reachable, as it did before anything was walked.
REACH_LIMIT = 100_000
_ATOMS = (int, float, complex, str, bytes, bool, type(None))


def unreachable(roots: Iterable[object], outputs: Iterable[torch.Tensor],
                doubted: list[torch.Tensor]) -> set[int]:
    """The ids of the tensors in `doubted` that nothing in `roots` (the user's values) or
    `outputs` (the call's tensors, and their graphs) reaches. Empty when the walk passes
    REACH_LIMIT objects."""
    wanted = {id(t) for t in doubted}
    tensors: list[torch.Tensor] = list(outputs)
    found = {id(t) for t in tensors} & wanted
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        value = stack.pop()
        if isinstance(value, _ATOMS) or id(value) in seen:
            continue
        seen.add(id(value))
        if len(seen) > REACH_LIMIT:
            return set()
        if isinstance(value, torch.Tensor):
            if id(value) in wanted:
                found.add(id(value))
            tensors.append(value)
            if value._base is not None:
                stack.append(value._base)
        else:
            stack.extend(_held_by(value))
    if len(found) < len(wanted):  # through the backward graphs of the tensors seen
        found |= walk([t for t in tensors if t.grad_fn is not None], ordered=False
                      ).leaf_ids & wanted
    return wanted - found


def _held_by(value: object) -> list[object]:
    """What a value the user holds holds in turn (tensors, and what may hold them)."""
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, torch.nn.Module):
        return [*value.parameters(), *value.buffers(),
                *(v for k, v in vars(value).items() if not k.startswith("_"))]
    if isinstance(value, torch.optim.Optimizer):
        return [[group["params"] for group in value.param_groups], list(value.state.values())]
    if isinstance(value, UserFunction):
        return _scope_values(value.closure) + list(value.defaults) + \
            list(value.kw_defaults.values())
    if isinstance(value, BoundMethod):
        return [value.instance]
    if isinstance(value, Scope):
        return _scope_values(value)
    return []


def _scope_values(scope: Scope | None) -> list[object]:
    values: list[object] = []
    while scope is not None:
        values.extend(scope.names.values())
        scope = scope.parent
    return values
