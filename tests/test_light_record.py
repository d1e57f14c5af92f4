"""One recording path at two depths: a loop's calls past the 200th are recorded lightly
(engine/folding.py chooses; engine/recorder.py's CallInProgress records either way), and
what they show is checked against plain PyTorch at both depths (the default, and `--calls
all`, which keeps every call in full): each kept call's ledger equals the grads plain torch
holds before and after that call, and the notes are the same rules' at both depths. A grad
that turns inf or nan, or a note that first appears, mid-loop is still caught and that call
kept. Both ways a grad is read are covered: a small grad as numbers, a large one (over 64
elements) by torch."""

from __future__ import annotations

import json
import math
import random
import weakref
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine.folding import SERIES_POINTS, Series
from gradexplain.engine.recorder import Recorder, Tracked
from gradexplain.engine.snapshot import flat_numbers, form_of
from gradexplain.shell.cli import app

runner = CliRunner()
DEPTHS = [(), ("--calls", "all")]  # past the 200th call: light, and every call kept in full

# w is small (3 numbers, read as numbers); W is large (10 x 10, read by torch).
TWO_PARAMETERS = """\
x = torch.linspace(-1, 1, 30).reshape(10, 3)
y = torch.linspace(0, 2, 10).reshape(10, 1)
w = torch.zeros(3, 1, requires_grad=True)
W = torch.zeros(10, 10, requires_grad=True)
for i in range({n}):
    loss = ((x @ w - y) ** 2).mean() + ((W @ y - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        W -= 0.05 * W.grad
    {zero}
"""
ZERO_BOTH = "w.grad.zero_()\n    W.grad.zero_()"


def run(tmp_path: Path, code: str, *args: str) -> Any:
    path = tmp_path / "loop.py"
    path.write_text(code, encoding="utf-8")
    result = runner.invoke(app, ["run", str(path), "--format", "json", *args],
                           env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


Grads = dict[str, torch.Tensor | None]


def plain_ledger(code: str, names: tuple[str, ...]) -> list[tuple[Grads, Grads]]:
    """Plain PyTorch running `code`: the .grad of each of `names` right before and right
    after each `loss.backward()` (one pair per call, in call order)."""
    calls: list[tuple[Grads, Grads]] = []
    scope: dict[str, Any] = {"torch": torch}

    def grads() -> Grads:
        return {name: None if scope[name].grad is None else scope[name].grad.clone()
                for name in names}

    def spy(after: bool) -> None:
        if after:
            calls[-1] = (calls[-1][0], grads())
        else:
            calls.append((grads(), {}))

    scope["spy"] = spy
    exec(code.replace("    loss.backward()\n",  # our own test code
                      "    spy(False)\n    loss.backward()\n    spy(True)\n"), scope)
    return calls


def as_tensor(value: Any, like: torch.Tensor) -> torch.Tensor:
    """A ledger VALUE (numbers, "inf", "-inf", "nan") as a tensor like `like`."""
    def number(v: Any) -> Any:
        return [number(x) for x in v] if isinstance(v, list) else float(v)
    return torch.tensor(number(value), dtype=like.dtype).reshape(like.shape)


def assert_ledger_is_plain_torch(call: Any, before: Grads, after: Grads) -> None:
    """A kept call's before / after / added are the grads plain torch held around it."""
    for label, old in before.items():
        new = after[label]
        for key, expected in (("before", old), ("after", new)):
            if expected is None:
                assert call[key][label] is None, (call["index"], key, label)
            else:
                torch.testing.assert_close(as_tensor(call[key][label], expected), expected,
                                           rtol=0, atol=0, equal_nan=True)
        assert new is not None and label not in call["not_reached"]
        added = new if old is None else new - old
        torch.testing.assert_close(as_tensor(call["added"][label], added), added, rtol=0,
                                   atol=0, equal_nan=True)


@pytest.mark.parametrize("depth", DEPTHS)
def test_kept_calls_are_plain_torch_at_both_depths(tmp_path: Path,
                                                   depth: tuple[str, ...]) -> None:
    code = TWO_PARAMETERS.format(n=260, zero=ZERO_BOTH)
    data = run(tmp_path, code, *depth)
    oracle = plain_ledger(code, ("w", "W"))
    kept = [c["index"] for c in data["calls"]]
    assert kept == ([*range(1, 201), 260] if not depth else list(range(1, 261)))
    for call in data["calls"]:
        assert_ledger_is_plain_torch(call, *oracle[call["index"] - 1])
    (group,) = data["groups"]
    assert [t["label"] for t in group["grad_norms"]] == ["w", "W"]  # the tracked order
    assert group["calls"] == 260 and group["differing"] == []
    for trend in group["grad_norms"]:
        norms = [float(torch.linalg.vector_norm(torch.as_tensor(after[trend["label"]])))
                 for _, after in oracle]
        assert trend["first"] == pytest.approx(norms[0], rel=1e-6)
        assert trend["last"] == pytest.approx(norms[-1], rel=1e-6)
        assert trend["points"] == pytest.approx(norms, rel=1e-6)


@pytest.mark.parametrize("depth", DEPTHS)
def test_accumulating_calls_are_plain_torch_at_both_depths(tmp_path: Path,
                                                           depth: tuple[str, ...]) -> None:
    # No zeroing at all: every call adds to the grads (one accumulated note per tensor).
    code = TWO_PARAMETERS.format(n=230, zero="pass")
    data = run(tmp_path, code, *depth)
    oracle = plain_ledger(code, ("w", "W"))
    assert data["calls"][-1]["index"] == 230
    for call in data["calls"]:
        assert_ledger_is_plain_torch(call, *oracle[call["index"] - 1])
    notes = [(n["kind"], n["tensor"], n["call"]) for n in data["notes"]
             if n["kind"] == "accumulated"]
    assert notes == [("accumulated", "w", 2), ("accumulated", "W", 2)]
    (group,) = data["groups"]
    # a light call's accumulation is counted on its group; a kept call is listed in the note
    folded = 0 if depth else 30
    assert group["notes"] == {"accumulated": 2 + 2 * folded}
    again = next(n for n in data["notes"] if n["tensor"] == "w")["facts"]["again"]
    assert again == list(range(3, 201 if not depth else 231))


@pytest.mark.parametrize("which", ["w", "W"])
def test_non_finite_grad_mid_loop_is_caught_and_kept(tmp_path: Path, which: str) -> None:
    # At iteration 230 a grad turns inf (sqrt at 0) while the loss stays finite.
    scale = "(229 - i) ** 2" if which == "w" else "1.0"
    other = "1.0" if which == "w" else "(229 - i) ** 2"
    code = ("w = torch.ones(3, requires_grad=True)\n"
            "W = torch.ones(10, 10, requires_grad=True)\n"
            "for i in range(240):\n"
            f"    loss = torch.sqrt(w * {scale}).sum() + torch.sqrt(W * {other}).sum()\n"
            "    loss.backward()\n"
            "    w.grad = None\n"
            "    W.grad = None\n")
    data = run(tmp_path, code)
    (group,) = data["groups"]
    assert group["differing"][0]["call"] == 230
    assert f"non_finite:{which}" in group["differing"][0]["reasons"]
    assert 230 in [c["index"] for c in data["calls"]]
    note = next(n for n in data["notes"] if n["kind"] == "non_finite_grad")
    assert note["call"] == 230 and note["tensor"] == which
    trend = next(t for t in group["grad_norms"] if t["label"] == which)
    assert trend["non_finite"] == 1


def test_note_first_made_mid_loop_keeps_that_call(tmp_path: Path) -> None:
    # Zeroing stops after iteration 250: call 252 is the first to accumulate into w.
    code = ("x = torch.tensor([1., 2., 3.])\n"
            "w = torch.tensor(0.5, requires_grad=True)\n"
            "for i in range(260):\n"
            "    loss = ((w * x - 1) ** 2).mean()\n"
            "    loss.backward()\n"
            "    if i < 250:\n"
            "        w.grad.zero_()\n")
    data = run(tmp_path, code)
    (group,) = data["groups"]
    assert group["differing"] == [{"call": 252, "reasons": ["note:accumulated:w"]}]
    note = next(n for n in data["notes"] if n["kind"] == "accumulated")
    assert note["call"] == 252
    kept = next(c for c in data["calls"] if c["index"] == 252)
    assert kept["before"]["w"] != 0 and kept["after"]["w"] == pytest.approx(
        kept["before"]["w"] + kept["added"]["w"])


def test_tensor_no_longer_reached_mid_loop_keeps_that_call(tmp_path: Path) -> None:
    code = ("a = torch.tensor([1., 2.], requires_grad=True)\n"
            "b = torch.tensor([3., 4.], requires_grad=True)\n"
            "for i in range(230):\n"
            "    loss = (a * 2).sum() + ((b * 3).sum() if i < 220 else 0.0)\n"
            "    loss.backward()\n"
            "    a.grad.zero_()\n"
            "    if b.grad is not None:\n"
            "        b.grad.zero_()\n")
    data = run(tmp_path, code)
    (group,) = data["groups"]
    assert group["differing"][0]["call"] == 221
    assert "note:no_gradient:b" in group["differing"][0]["reasons"]
    last = data["calls"][-1]
    assert last["index"] == 230 and last["not_reached"] == ["b"]


@pytest.mark.parametrize("depth", DEPTHS)
def test_autograd_grad_reaches_its_inputs_at_both_depths(tmp_path: Path,
                                                          depth: tuple[str, ...]) -> None:
    # autograd.grad leaves .grad alone: a leaf in its graph is reached all the same, added 0.
    code = ("x = torch.tensor([1., 2., 3.], requires_grad=True)\n"
            "for i in range(230):\n"
            "    (g,) = torch.autograd.grad((x * x).sum(), x)\n")
    data = run(tmp_path, code, *depth)
    last = data["calls"][-1]
    assert last["index"] == 230 and last["not_reached"] == []
    assert last["added"] == {"x": 0} and last["before"] == last["after"] == {"x": None}
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    (plain,) = torch.autograd.grad((x * x).sum(), x)
    assert last["results"] == {"x": plain.tolist()}
    assert data["groups"][0]["differing"] == []


@pytest.mark.parametrize("depth", DEPTHS)
def test_inputs_leave_the_graph_s_other_leaves_reached(tmp_path: Path,
                                                       depth: tuple[str, ...]) -> None:
    # backward(inputs=[a]) accumulates into a only; b is in the graph all the same, so no
    # call says it is not connected (no no_gradient note), at either depth.
    code = ("a = torch.tensor([1., 2.], requires_grad=True)\n"
            "b = torch.tensor([3., 4.], requires_grad=True)\n"
            "for i in range(230):\n"
            "    loss = (a * b).sum()\n"
            "    loss.backward(inputs=[a])\n"
            "    a.grad.zero_()\n")
    data = run(tmp_path, code, *depth)
    assert [n["kind"] for n in data["notes"]] == ["graph_rebuilt"]
    (group,) = data["groups"]
    assert group["differing"] == [] and group["notes"] == {}
    last = data["calls"][-1]
    assert last["not_reached"] == [] and last["added"] == {"a": [3.0, 4.0], "b": 0}


@pytest.mark.parametrize("depth", DEPTHS)
def test_broadcast_first_made_mid_loop_names_its_leaf(tmp_path: Path,
                                                      depth: tuple[str, ...]) -> None:
    code = ("w = torch.tensor([0.5], requires_grad=True)\n"
            "x = torch.tensor([1., 2., 3.])\n"
            "for i in range(230):\n"
            "    loss = (w * x).sum() if i >= 210 else (w * 3).sum()\n"
            "    loss.backward()\n"
            "    w.grad.zero_()\n")
    data = run(tmp_path, code, *depth)
    (group,) = data["groups"]
    assert group["differing"] == [{"call": 211, "reasons": ["note:broadcast_sum:w"]}]
    note = next(n for n in data["notes"] if n["kind"] == "broadcast_sum")
    assert note["tensor"] == "w" and note["call"] == 211


def test_a_new_tensor_on_a_dead_one_s_id_is_tracked_last() -> None:
    # Tracked tensors are keyed by id(): a new tensor that gets the id of one that died (and
    # is not yet swept) comes last, as first seen, not in the dead one's place.
    recorder = Recorder()
    dead = torch.ones(1, requires_grad=True)
    gone = weakref.ref(dead)
    del dead
    assert gone() is None
    first = torch.ones(1, requires_grad=True)
    recorder.assigned("first", first)
    second = torch.ones(1, requires_grad=True)
    recorder.tracked = {id(second): Tracked(gone, "old", named=True), **recorder.tracked}
    recorder.assigned("second", second)
    assert [label for label, _, _ in recorder.live()] == ["first", "second"]
    third = torch.ones(1, requires_grad=True)
    recorder.tracked = {id(third): Tracked(gone, "old"), **recorder.tracked}
    recorder.new_tensor(third, "third")
    assert [label for label, _, _ in recorder.live()] == ["first", "second", "third"]


class OneAtATime:
    """The series as it was kept before buffering: one number at a time."""

    def __init__(self) -> None:
        self.calls, self.every, self.non_finite = 0, 1, 0
        self.first = self.last = math.nan
        self.low: float | None = None
        self.high: float | None = None
        self.points: list[float] = []
        self.total, self.count = 0.0, 0

    def add(self, value: float) -> None:
        if not self.calls:
            self.first = value
        self.calls += 1
        self.last = value
        if math.isfinite(value):
            self.low = value if self.low is None or value < self.low else self.low
            self.high = value if self.high is None or value > self.high else self.high
        else:
            self.non_finite += 1
        self.total += value
        self.count += 1
        if self.count == self.every:
            self.points.append(self.total / self.count)
            self.total, self.count = 0.0, 0
            if len(self.points) >= 2 * SERIES_POINTS:
                p = self.points
                self.points = [(p[i] + p[i + 1]) / 2 for i in range(0, len(p), 2)]
                self.every *= 2

    def state(self) -> str:
        points = self.points + ([self.total / self.count] if self.count else [])
        return repr((self.calls, self.first, self.last, self.low, self.high, points,
                     self.every, self.non_finite))


def test_buffered_series_equals_one_at_a_time() -> None:
    rng = random.Random(7)
    specials = [math.inf, -math.inf, math.nan, 0.0, -0.0]
    for length in (1, 255, 256, 257, 511, 512, 513, 1500, 20_000):
        series, reference = Series(), OneAtATime()
        for i in range(length):
            value = rng.gauss(0, 1) if rng.random() < 0.95 else rng.choice(specials)
            series.add(value)
            reference.add(value)
            if i in (0, 300, 9_999):  # read in the middle: the buffer is folded in
                trend = series.trend("x")
                assert repr((trend.calls, trend.first, trend.last, trend.low, trend.high,
                             trend.points, trend.every, trend.non_finite)) == reference.state()
        trend = series.trend("x")
        assert repr((trend.calls, trend.first, trend.last, trend.low, trend.high,
                     trend.points, trend.every, trend.non_finite)) == reference.state()


EDITED = """\
x = torch.linspace(-1, 1, 30).reshape(10, 3)
y = torch.linspace(0, 2, 10).reshape(10, 1)
w = torch.zeros(3, 1, requires_grad=True)
for i in range(260):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad.zero_()
    if i == 239:
        {edit}
"""


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("edit", [
    "w.grad[0] = 5.0",  # in place, by index
    "w.grad.add_(1.0)",  # in place, by a method
    "w.grad.fill_(-0.0)",  # still zeros
    "w.grad.fill_(float('nan'))",
    "w.grad = torch.ones(3, 1)",  # another tensor
    "w.grad = torch.zeros(3, 1)",  # another tensor, of zeros
])
def test_a_grad_changed_between_light_calls_is_seen(tmp_path: Path, edit: str,
                                                    depth: tuple[str, ...]) -> None:
    # The grads of a loop's light calls are read from a known form (the zeros left by
    # zero_() are recognised by one compare): an edit between two calls must still show.
    code = EDITED.format(edit=edit)
    data = run(tmp_path, code, *depth)
    oracle = plain_ledger(code, ("w",))
    kept = {c["index"]: c for c in data["calls"]}
    assert 260 in kept
    for call in data["calls"]:
        assert_ledger_is_plain_torch(call, *oracle[call["index"] - 1])
    changed = edit not in ("w.grad.fill_(-0.0)", "w.grad = torch.zeros(3, 1)")
    notes = [(n["kind"], n["call"]) for n in data["notes"] if n["kind"] != "graph_rebuilt"]
    (group,) = data["groups"]
    if not changed:
        assert notes == [] and group["differing"] == []
        assert (241 in kept) == bool(depth)
        return
    assert notes[0] == ("accumulated", 241)  # the call after the edit added to it
    assert group["differing"][0]["call"] == 241 and 241 in kept
    assert ("non_finite:w" in group["differing"][0]["reasons"]) == ("nan" in edit)
    if "nan" in edit:  # w is nan from then on: every later call's grad turns nan
        assert notes[1] == ("non_finite_grad", 242)
        assert group["notes"]["non_finite_grad"] == 19  # at either depth


@pytest.mark.parametrize("shape", [(), (3,), (0,), (3, 1), (1, 3), (2, 0), (0, 2)])
def test_form_zeros_are_what_tolist_gives(shape: tuple[int, ...]) -> None:
    grad = torch.zeros(shape)
    form = form_of(grad)
    assert form is not None
    assert form.zeros == grad.tolist()
    assert form.zeros == torch.full(shape, -0.0).tolist()
    if grad.numel():
        assert form.zeros != torch.full(shape, math.nan).tolist()
        assert form.zeros != torch.full(shape, 1e-30).tolist()


def test_flat_numbers_refuses_a_grad_no_longer_in_its_form() -> None:
    form = form_of(torch.zeros(3, 1))
    assert form is not None
    assert flat_numbers(torch.tensor([[1.], [2.], [3.]]).tolist(), form) == [1., 2., 3.]
    assert flat_numbers([1., 2., 3.], form) is None  # one-dimensional now
    assert flat_numbers([[1, 2, 3]], form) is None  # whole numbers
    assert flat_numbers([[1.], [2.]], form) is None  # fewer elements
    flat_form = form_of(torch.zeros(3))
    assert flat_form is not None and flat_numbers(2.0, flat_form) is None
