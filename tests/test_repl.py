"""`gradexplain repl`: piped sessions (every meta-command, errors), `:save` round trips,
completion, and one real-terminal session through pexpect."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from gradexplain.app.repl_session import Repl
from gradexplain.options import ReplOptions, ViewOptions
from gradexplain.render import make_console
from gradexplain.shell.repl import completions, piped_entries
from terminal import expect_drawn, spawn_repl

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

EXPERIMENT = """\
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward(retain_graph=True)
z.backward(torch.ones_like(z))
out.backward()
print("still here")
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               NO_COLOR="1", COLUMNS="120", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    env.pop("PYTHONSTARTUP", None)
    return env


def repl_piped(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradexplain", "repl", *args], input=text,
                          capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path,
                          timeout=120, check=False)


def make_repl(**settings: object) -> tuple[Repl, io.StringIO]:
    stream = io.StringIO()
    console = make_console(stream, width=120, force_plain=True)
    return Repl(ReplOptions(**settings), console), stream  # type: ignore[arg-type]


# piped sessions ---------------------------------------------------------------------------

@pytest.mark.slow  # a new gradexplain process
def test_accumulation_experiment_error_and_continue(tmp_path: Path) -> None:
    result = repl_piped(tmp_path, EXPERIMENT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4.5000" in out
    assert "22.5000" in out
    assert "accumulated" in out  # the accumulation note
    assert "Error[freed_graph]" in out
    assert "still here" in out.split("Error[freed_graph]")[-1]  # the session went on
    assert ">>>" not in out  # no prompt decoration when piped


@pytest.mark.slow  # a new gradexplain process
def test_meta_commands(tmp_path: Path) -> None:
    script = EXPERIMENT + """\
:help
:tensors
:grads
:graph
:graph y
:graph nope
:zero
:grads
import ctypes
:nonsense
:reset
:tensors
w = torch.ones(3, requires_grad=True)
for i in range(2):
    print(i * 10)
:quit
print("after quit")
"""
    result = repl_piped(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    help_start = out.index(":save")
    assert ":graph" in out[help_start - 400:] and ":load" in out
    tensors_table = out[out.index("requires_grad", help_start):]
    for name in ("x", "y", "z", "out"):
        assert f"\n{name} " in tensors_table
    # :graph defaults to the last backward output (out) and names the leaf x
    assert "out = MeanBackward0" in out
    assert "x = AccumulateGrad [2, 2]" in out
    assert "y = AddBackward0 [2, 2]" in out
    assert "already freed" in out  # out.backward() without retain_graph freed what was saved
    assert "nope is not a tensor here" in out
    assert "zeroed the grad of x" in out
    after_zero = out[out.index("zeroed the grad of x"):]
    assert "[[0., 0.]," in after_zero
    assert "error[not_allowed]" in out
    assert "unknown command :nonsense" in out
    assert "a fresh session" in out
    assert "no tensors yet" in out
    assert "10" in out.split("a fresh session")[-1]
    assert "after quit" not in out


@pytest.mark.slow  # a new gradexplain process
def test_save_then_run_reproduces(tmp_path: Path) -> None:
    saved = tmp_path / "session.py"
    script = """\
w = torch.randn(3, requires_grad=True)
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
out = (y * y * 3).mean() + (w * w).sum()
out.backward(retain_graph=True)
bad = x @ torch.ones(3)
out.backward()
:save session.py
"""
    result = repl_piped(tmp_path, script, "--allow-save")
    assert result.returncode == 0, result.stderr
    assert "saved 6 statement(s)" in result.stdout
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("import torch\n")
    assert "bad =" not in text  # failed statements are not saved
    run = subprocess.run([sys.executable, "-m", "gradexplain", "run", str(saved)],
                         capture_output=True, text=True, env=_env(tmp_path), timeout=120,
                         check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_save_round_trip_grads_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradexplain.engine.runner import run_scenario
    from gradexplain.limits import Limits
    from gradexplain.scenario.loader import load_scenario

    monkeypatch.chdir(tmp_path)
    repl, _ = make_repl(dtype="float64", allow_save=True)
    for line in ["w = torch.randn(2, 3, requires_grad=True)",
                 "x = torch.rand(3, requires_grad=True)",
                 "loss = (w @ x).pow(2).sum()",
                 "loss.backward(retain_graph=True)",
                 ":zero",
                 "for i in range(3):\n    loss.backward(retain_graph=True)",
                 ":save r.py"]:
        repl.handle(line)
    session_rows = {row.name: row for row in repl.session.tensor_rows()}
    text = (tmp_path / "r.py").read_text(encoding="utf-8")
    assert "--dtype float64" in text and "w.grad.zero_()" in text
    from gradexplain.options import RunOptions

    record = run_scenario(load_scenario(tmp_path / "r.py", Limits()),
                          RunOptions(dtype="float64"))
    assert record.error is None
    for row in record.tensors:
        assert row.value == session_rows[row.name].value
        assert row.grad == session_rows[row.name].grad
    assert session_rows["w"].grad is not None


@pytest.mark.slow  # a new gradexplain process
def test_load_yaml_and_py(tmp_path: Path) -> None:
    snippet = tmp_path / "snip.py"
    snippet.write_text("import torch\na = torch.ones(2, requires_grad=True)\n"
                       "a.sum().backward()\n", encoding="utf-8")
    script = f""":load {snippet}
:grads
:load {tmp_path / 'missing.yaml'}
:save again.py
"""
    result = repl_piped(tmp_path, script, "--load", str(SCENARIOS / "accumulation.yaml"),
                        "--allow-save")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "22.5000" in out and "accumulated" in out  # the YAML scenario ran
    assert f"loaded {snippet}" in out
    assert "no such file" in out
    assert "not statements" in out  # x came from YAML tensors:
    saved = (tmp_path / "again.py").read_text(encoding="utf-8")
    assert "a.sum().backward()" in saved and "z.backward(torch.ones_like(z))" in saved


# pieces ----------------------------------------------------------------------------------

def test_completions() -> None:
    assert completions("x.ret", ["x"]) == ["retain_grad"]
    assert "requires_grad" in completions("x.requ", ["x"])
    assert "ones_like" in completions("torch.ones", [])
    assert completions("F.mse", []) == ["mse_loss"]
    assert completions("wei", ["weight", "x"]) == ["weight"]
    assert completions(":gr", []) == [":grads", ":graph"]
    assert completions("y = ", []) == []


def test_piped_entries_blocks() -> None:
    lines = ["a = 1\n", "for i in range(2):\n", "    print(i)\n", "\n", "   \n",
             "with torch.no_grad():\n", "\tb = a\n", "c = 2"]
    assert list(piped_entries(lines)) == [
        "a = 1", "for i in range(2):\n    print(i)", "with torch.no_grad():\n\tb = a", "c = 2"]


def test_graph_shows_the_tree_with_saved_tensors() -> None:
    repl, stream = make_repl()
    repl.handle("a = torch.ones(2, requires_grad=True)")
    repl.handle("b = torch.ones(2, requires_grad=True)")
    repl.handle("out = (a * b).sum()")
    repl.handle(":graph out")
    before = stream.getvalue().split(":graph")[-1] if ":graph" in stream.getvalue() else \
        stream.getvalue()
    assert "out = SumBackward0 []" in before
    assert "MulBackward0 [2]  · saved self=a, other=b" in before
    assert "a = AccumulateGrad [2]" in before and "b = AccumulateGrad [2]" in before
    repl.handle("out.backward()")
    mark = len(stream.getvalue())
    repl.handle(":graph")  # defaults to the last backward output
    after = stream.getvalue()[mark:]
    assert "saved self, other: already freed" in after


def test_views_under_each_call() -> None:
    """`repl --graph --jacobian`: each backward call shows the tree, flow and Jacobian."""
    repl, stream = make_repl(views=ViewOptions(graph=True, jacobian=True))
    repl.handle("x = torch.tensor([1., 2.], requires_grad=True)")
    repl.handle("y = (x * x).sum()")
    repl.handle("y.backward()")
    out = stream.getvalue()
    for words in ("Backward graph", "saved self=x, other=x: freed", "Gradient flow",
                  "J = d y / d x", "v^T J equals the grad added"):
        assert words in out, words


def test_in_process_error_keeps_session() -> None:
    repl, stream = make_repl()
    repl.handle("x = torch.ones(2, requires_grad=True)")
    repl.handle("x.backward()")
    repl.handle("x.sum().backward()")
    repl.handle(":grads")
    out = stream.getvalue()
    assert "Error[" in out
    assert "[1., 1.]" in out.split(":grads")[-1]
    assert repl.statements == ["x = torch.ones(2, requires_grad=True)", "x.sum().backward()"]


# a real terminal ---------------------------------------------------------------------------

@pytest.mark.slow  # a real terminal and its worker
def test_terminal_session(tmp_path: Path) -> None:
    child = spawn_repl(_env(tmp_path), tmp_path)
    try:
        expect_drawn(child, ">>>")
        child.sendline("x = torch.ones(2, requires_grad=True)")
        child.expect("Tensors")
        expect_drawn(child, ">>>")
        child.send("x.ret\t")  # Tab completes the method name
        expect_drawn(child, "x.retain_grad")
        child.send("()\r")
        expect_drawn(child, ">>>")
        child.send("\x1b[A")  # Up-arrow brings the last line back
        expect_drawn(child, "x.retain_grad()")
        child.send("\x03")  # Ctrl-C drops the line, the session stays
        expect_drawn(child, ">>>")
        child.sendline("x.sum().backward()")
        child.expect("call 1")
        expect_drawn(child, ">>>")
        child.send("for i in range(2):\r")
        expect_drawn(child, "...")
        child.send("print(i + 40)\r")  # auto-indented under the `for`
        expect_drawn(child, "...")
        child.send("\r")
        child.expect("41")
        expect_drawn(child, ">>>")
        child.send("\x1b[A")  # Up-arrow brings the whole block back, as one entry
        expect_drawn(child, "print(i + 40)")
        child.send("\x03")
        expect_drawn(child, ">>>")
        child.sendline(":grads")
        child.expect(r"\[1\., 1\.\]")
        expect_drawn(child, ">>>")
        child.sendeof()  # Ctrl-D leaves
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = (tmp_path / "state" / "gradexplain" / "history").read_text(encoding="utf-8")
    assert "x.retain_grad()" in history
    assert "\n+for i in range(2):\n+    print(i + 40)\n" in history  # one entry


def test_messages_in_chinese() -> None:
    repl, stream = make_repl(lang="zh")
    for line in (":help", ":graph", "x = torch.ones(2)", ":graph x", ":graph y", ":nope"):
        repl.handle(line)
    out = stream.getvalue()
    for words in ("显示这份帮助", "还没有调用过 `backward()`", "x 没有 grad_fn：它不在任何计算图中",
                  "当前会话中没有名为 y 的张量", "没有命令 :nope"):
        assert words in out, words


def test_every_phrase_in_both_languages() -> None:
    from gradexplain.app.repl_commands import META_COMMANDS
    from gradexplain.explain.catalogue_repl import PHRASES

    assert set(PHRASES["en"]) == set(PHRASES["zh"])
    assert {f"help.{name}" for name in META_COMMANDS} <= set(PHRASES["en"])


@pytest.mark.parametrize("interactive", [True, False])
def test_shown_value_echoes_the_expression_only_when_not_on_screen(interactive: bool) -> None:
    """At a terminal the typed line is on screen already: `x * 2` shows its value without a
    second `>>> x * 2`; piped input (not on screen) keeps the echo, and so does a block."""
    repl, stream = make_repl(interactive=interactive)
    repl.handle("x = torch.tensor([2., 1.])")
    start = len(stream.getvalue())
    repl.handle("x * 2")
    shown = stream.getvalue()[start:]
    assert "tensor([4., 2.])" in shown
    assert (">>> x * 2" in shown) is not interactive
    start = len(stream.getvalue())
    repl.handle("for i in range(2):\n    x + i\n")
    block = stream.getvalue()[start:]
    assert block.count(">>> x + i") == 2
    assert "tensor([3., 2.])" in block
