"""What the REPL asks of a live session: a fresh one, the graph behind a name, the leaves to
zero. Here so that the shell needs no torch of its own (only engine/ and language/ import it).
"""

from __future__ import annotations

import torch

from gradexplain.engine.graphtree import current_tree
from gradexplain.engine.runner import Session
from gradexplain.language.budget import Budget
from gradexplain.options import RunOptions
from gradexplain.record import GraphTree
from gradexplain.scenario.model import Scenario

REPL_SEED = 0  # as `run` seeds a scenario: `:save` then reproduces rand*


def fresh_session(options: RunOptions, budget: Budget | None = None) -> Session:
    """An empty session named "repl", with torch's generator seeded, under `budget`."""
    session = Session(Scenario(name="repl", path=None, steps=()), options, budget)
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
