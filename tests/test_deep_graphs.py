"""Deep graphs: a 100,000-step chain (the loop limit) is recorded, walked, backpropagated and
let go of without recursion; the REPL's :reset too. A recursive teardown of such a chain
segfaults (exit 139), so each of these tests would kill the test process if it regressed."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import torch

from gradexplain.app.repl_session import Repl
from gradexplain.engine.graphwalk import release_order, walk
from gradexplain.engine.release import release
from gradexplain.limits import Limits
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from gradexplain.scenario.loader import load_scenario

STEPS = 100_000  # Limits().max_loop_iterations: the longest chain a loop can build
CHAIN = f"""import torch
x = torch.ones(3, requires_grad=True)
y = x
for i in range({STEPS}):
    y = y * 1.0
y.sum().backward()
print(x.grad)
"""


def test_the_loop_limit_is_the_chain_tested() -> None:
    assert Limits().max_loop_iterations == STEPS


def test_release_order_puts_every_node_after_its_consumers() -> None:
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    c = b.sin() + b.cos()  # a diamond
    d = (c * a).sum()
    nodes = walk([d]).nodes
    position = {id(n): i for i, n in enumerate(nodes)}
    for node in nodes:
        for child, _ in node.next_functions:
            if child is not None:
                assert position[id(child)] < position[id(node)]
    assert release_order(list(reversed(nodes))) != [] and id(nodes[-1]) == id(d.grad_fn)


@pytest.mark.slow  # about 5 s alone; it runs in CI (the marker only names it)
def test_a_100k_step_chain_runs_and_is_let_go(tmp_path: Path) -> None:
    from gradexplain.engine.runner import run_scenario

    path = tmp_path / "chain.py"
    path.write_text(CHAIN, encoding="utf-8")
    started = time.process_time()  # CPU time: the work done, whatever the machine's load
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    assert record.prints[-1].text == "tensor([1., 1., 1.])"
    assert len(record.calls) == 1
    assert time.process_time() - started < 120


@pytest.mark.slow  # about 5 s alone
def test_a_chain_whose_backward_is_the_last_statement_is_let_go(tmp_path: Path) -> None:
    # Nothing the interpreter keeps after `y.backward()` (its error context) may hold the
    # chain: the session's release would miss it, and a later collection would recurse.
    import gc

    from gradexplain.engine.runner import run_scenario

    path = tmp_path / "chain.py"
    path.write_text(CHAIN.replace("y.sum().backward()\nprint(x.grad)\n",
                                  "y = y.sum()\ny.backward()\n"), encoding="utf-8")
    record = run_scenario(load_scenario(path, Limits()))
    assert record.error is None, record.error
    assert len(record.calls) == 1
    del record
    gc.collect()


@pytest.mark.slow  # a deep graph
def test_release_frees_a_walked_chain() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x
    for _ in range(STEPS):
        y = y * 1.0
    walk([y])  # the walk's wrappers are gone: a plain `del y` would now recurse
    holder = {"y": y}
    del y
    release([holder])
    assert holder == {}


@pytest.mark.slow
def test_repl_reset_after_a_deep_graph() -> None:
    stream = io.StringIO()
    repl = Repl(ReplOptions(), make_console(stream, width=120, force_plain=True))
    repl.handle("x = torch.ones(3, requires_grad=True)")
    repl.handle("y = x")
    repl.handle(f"for i in range({STEPS}):\n    y = y * 1.0")
    repl.handle("y.sum().backward()")
    repl.handle(":reset")
    repl.handle("z = torch.ones(2) * 3")
    repl.handle("print(z)")
    assert "tensor([3., 3.])" in stream.getvalue()
