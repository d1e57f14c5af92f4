"""A loop's lightly recorded calls (past the 200th, engine/lightcall.py) show what a full
recording would: the group's last call in full, equal to plain PyTorch's grads at that
iteration and to the same call under `--calls all`; a grad that turns inf or nan, or a note
that first appears, mid-loop is still caught and that call kept. Both ways a grad is read
are covered: a small grad as numbers, a large one (over 64 elements) by torch."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from gradexplain.engine.snapshot import flat_numbers, form_of
from gradexplain.engine.folding import SERIES_POINTS, Series
from gradexplain.shell.cli import app

runner = CliRunner()

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


def plain_grads(code: str, iteration: int) -> dict[str, torch.Tensor]:
    """w.grad and W.grad right after the backward call of `iteration` (1-based)."""
    seen: dict[str, torch.Tensor] = {}
    count = [0]
    scope: dict[str, Any] = {"torch": torch}

    def spy() -> None:
        count[0] += 1
        if count[0] == iteration:
            seen.update(w=scope["w"].grad.clone(), W=scope["W"].grad.clone())

    scope["spy"] = spy
    exec(code.replace("    loss.backward()\n", "    loss.backward()\n    spy()\n"), scope)
    return seen


def test_last_call_equals_plain_torch_and_calls_all(tmp_path: Path) -> None:
    code = TWO_PARAMETERS.format(n=260, zero=ZERO_BOTH)
    folded = run(tmp_path, code)
    assert [c["index"] for c in folded["calls"]][-2:] == [200, 260]
    last = folded["calls"][-1]
    oracle = plain_grads(code, 260)
    for label in ("w", "W"):
        assert torch.equal(torch.tensor(last["after"][label]), oracle[label])
        assert last["before"][label] == torch.zeros_like(oracle[label]).tolist()
    everything = run(tmp_path, code, "--calls", "all")
    same = everything["calls"][259]
    assert same["index"] == 260
    for key in ("before", "added", "after", "not_reached", "grad_tensors"):
        assert last[key] == same[key], key
    (group,) = folded["groups"]
    assert [t["label"] for t in group["grad_norms"]] == ["w", "W"]  # the tracked order
    (all_group,) = everything["groups"]
    for trend, other in zip(group["grad_norms"], all_group["grad_norms"], strict=True):
        assert trend["points"] == pytest.approx(other["points"], rel=1e-6)
        assert trend["first"] == pytest.approx(other["first"], rel=1e-6)


def test_accumulating_last_call_shows_before_and_added(tmp_path: Path) -> None:
    # No zeroing at all: every call adds to the grads (one accumulated note per tensor).
    code = TWO_PARAMETERS.format(n=230, zero="pass")
    folded = run(tmp_path, code)
    last = folded["calls"][-1]
    assert last["index"] == 230
    before, after = plain_grads(code, 229), plain_grads(code, 230)
    for label in ("w", "W"):
        assert torch.equal(torch.tensor(last["before"][label]), before[label])
        assert torch.equal(torch.tensor(last["after"][label]), after[label])
        added = torch.tensor(last["added"][label])
        assert torch.equal(added, after[label] - before[label])


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


@pytest.mark.parametrize("edit", [
    "w.grad[0] = 5.0",  # in place, by index
    "w.grad.add_(1.0)",  # in place, by a method
    "w.grad.fill_(-0.0)",  # still zeros
    "w.grad.fill_(float('nan'))",
    "w.grad = torch.ones(3, 1)",  # another tensor
    "w.grad = torch.zeros(3, 1)",  # another tensor, of zeros
])
def test_a_grad_changed_between_light_calls_is_seen(tmp_path: Path, edit: str) -> None:
    # The grads of a loop's light calls are read from a known form (the zeros left by
    # zero_() are recognised by one compare): an edit between two calls must still show, as
    # it does when every call is recorded in full.
    code = EDITED.format(edit=edit)
    folded = run(tmp_path, code)
    everything = run(tmp_path, code, "--calls", "all")
    kept = {c["index"]: c for c in folded["calls"]}
    for call in everything["calls"]:
        if call["index"] in kept:
            for key in ("before", "added", "after", "not_reached"):
                assert kept[call["index"]][key] == call[key], (call["index"], key)
    assert 260 in kept

    def notes(data: Any) -> list[tuple[Any, ...]]:
        return sorted((n["kind"], n.get("tensor"), n.get("call")) for n in data["notes"])

    if "nan" not in edit:  # w turns nan: a group notes it once, --calls all at every call
        assert notes(folded) == notes(everything)
    (group,) = folded["groups"]
    changed = edit not in ("w.grad.fill_(-0.0)", "w.grad = torch.zeros(3, 1)")
    assert (241 in kept) == changed  # the call after the edit differs: kept in full
    if changed:
        assert group["differing"][0]["call"] == 241
        assert ("non_finite:w" in group["differing"][0]["reasons"]) == ("nan" in edit)
        assert kept[241]["before"]["w"] != [[0.0], [0.0], [0.0]]


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
