"""What the REPL asks of a live session: a fresh one, the graph behind a name, the leaves to
zero. Here so that the shell needs no torch of its own (only engine/ and language/ import it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from gradexplain.engine.deeper import DeeperViews
from gradexplain.engine.derivation import check, watch
from gradexplain.engine.graphtree import current_tree
from gradexplain.engine.runner import Session
from gradexplain.language.budget import Budget
from gradexplain.options import RunOptions
from gradexplain.record import GraphTree, WhyEntry
from gradexplain.scenario.model import Scenario

REPL_SEED = 0  # as `run` seeds a scenario: `:save` then reproduces rand*


def fresh_session(options: RunOptions, budget: Budget | None = None) -> Session:
    """An empty session named "repl", with torch's generator seeded, under `budget`. Its
    statements tag the tensors they name, so that `:why` can write any later call out as
    they were typed."""
    session = Session(Scenario(name="repl", path=None, steps=()), options, budget)
    session.tag_statements()
    torch.manual_seed(REPL_SEED)
    return session


def last_output(session: Session) -> str | None:
    """The first output of the last backward call that is still a tensor, if any."""
    env = session.interpreter.env
    calls = session.recorder.calls
    outputs = calls[-1].outputs if calls else []
    return next((o for o in outputs if isinstance(env.get(o), torch.Tensor)), None)


def graph_of(session: Session, name: str) -> tuple[str, GraphTree | None]:
    """NAME's backward graph as it stands now: ("tree", tree), or why there is none:
    ("not_a_tensor", None), ("leaf", None) or ("no_graph", None)."""
    value = session.interpreter.env.get(name)
    if not isinstance(value, torch.Tensor):
        return "not_a_tensor", None
    if value.grad_fn is None:
        return ("leaf" if value.requires_grad else "no_graph"), None
    leaves = {id(t): label for label, t, _ in session.recorder.live()}
    return "tree", current_tree(value, name, session.interpreter.env, leaves)


def zero_unnamed(session: Session) -> list[str]:
    """Zero the .grad of leaves that have no name (labelled by their code); their labels."""
    zeroed = []
    for label, tensor, entry in session.recorder.live():
        if not entry.named and tensor.is_leaf and tensor.requires_grad and \
                tensor.grad is not None:
            tensor.grad.zero_()
            zeroed.append(label)
    return zeroed


def leaves_with_grad(session: Session) -> list[str]:
    """Named leaves that require grad and hold a .grad (what `:zero` zeroes)."""
    return [n for n, v in session.interpreter.env.items()
            if isinstance(v, torch.Tensor) and v.is_leaf and v.requires_grad
            and v.grad is not None and n.isidentifier()]


def why_from_now(session: Session, target: str | None) -> None:
    """The REPL's `:why NAME`: derive NAME under each following backward call (None: stop)."""
    recorder = session.recorder
    if recorder.labels is None:
        session.tag_statements()
    views = replace(session.options.views, why=() if target is None else (target,))
    session.options.views = views
    if session.views is None:
        recorder.deeper = session.views = DeeperViews(views, lambda: session.interpreter.env,
                                                      full=session.options.full)
    else:
        session.views.options = views


def why_last_call(session: Session, target: str) -> tuple[str, WhyEntry | None]:
    """The REPL's `:why NAME` for the call that already ran, while its graph is still there
    (retain_graph=True): ("derived", entry) with the check against that call's ledger; or
    why not: ("no_call", None), ("not_reached", None), ("freed", None)."""
    calls = session.recorder.calls
    if not calls or calls[-1].error is not None:
        return "no_call", None
    call = calls[-1]
    env = session.interpreter.env
    outputs = [(value, name) for name in call.outputs
               if isinstance(value := env.get(name), torch.Tensor)]
    if len(outputs) != len(call.outputs):
        return "no_call", None
    gradients = call.grad_tensors
    if gradients is not None and len(outputs) == 1:
        gradients = [gradients]
    vectors = None if gradients is None else [
        torch.tensor(g, dtype=o.dtype, device=o.device) if g is not None else None
        for g, (o, _) in zip(gradients, outputs, strict=False)]
    tracked = [(label, t) for label, t, _ in session.recorder.live()]
    try:
        found = watch(target, outputs, vectors, env, tracked, None)
    except RuntimeError:  # the call freed the saved tensors the formulas read
        return "freed", None
    if found is None:
        return "not_reached", None
    if found.handle is not None:  # nothing more will arrive: this call is over
        found.handle.remove()
        found.handle = None
    entry = found.entry
    if found.target is not None and entry.get("status") == "derived":
        target_ = found.target
        label = target_.label or target_.name
        added = _element(call.added.get(label), target_.index)
        found.before = _element(call.before.get(label), target_.index)
        found.target = None
        check(entry, added, found.before, _element(call.after.get(label), target_.index),
              found.eps, found.magnitude, found.depth)
    return "derived", entry


def _element(value: Any, index: list[int]) -> float | None:
    """One element of a record VALUE (nested lists), as a number."""
    for i in index:
        if not isinstance(value, list) or i >= len(value):
            return None
        value = value[i]
    return float(value) if isinstance(value, (int, float)) else None
