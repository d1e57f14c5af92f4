"""The use cases write only to the Environment they are given (HTTPie's model): tests
replace the streams, and nothing reaches sys.stdout."""

from __future__ import annotations

import io
import json

import pytest

from gradexplain.app.compare import CompareRequest, compare
from gradexplain.app.environment import Environment
from gradexplain.app.plot import PlotRequest, plot
from gradexplain.app.run import run_many
from gradexplain.errors import ExitStatus
from gradexplain.options import Options, Output


def _env() -> tuple[Environment, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Environment(stdout=out, stderr=err), out, err


def test_run_writes_to_its_environment(capsys: pytest.CaptureFixture[str]) -> None:
    env, out, _ = _env()
    status = run_many(["accumulation"], Options(output=Output(json=True)), env)
    assert status == ExitStatus.OK
    assert json.loads(out.getvalue())["scenario"]["name"] == "accumulation"
    assert capsys.readouterr().out == ""


def test_compare_writes_to_its_environment(capsys: pytest.CaptureFixture[str]) -> None:
    env, out, _ = _env()
    request = CompareRequest(["accumulation"], "zero_grad",
                             options=Options(output=Output(json=True)))
    comparison = compare(request, env)
    data = json.loads(out.getvalue())
    assert data["same"] is comparison.same is False
    assert data["differences"][0]["why_kind"] == "accumulation"
    assert capsys.readouterr().out == ""


def test_plot_writes_to_its_environment(capsys: pytest.CaptureFixture[str]) -> None:
    env, out, _ = _env()
    plot(PlotRequest("x * x", None, (-1.0, 1.0), 5, None, 60), env)
    assert out.getvalue().startswith("y = x * x\n")
    assert capsys.readouterr().out == ""
