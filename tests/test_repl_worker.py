"""`gradexplain repl` with its session in a supervised child process (app/repl_worker.py,
app/supervisor.py): a statement past --max-seconds or --max-memory is killed and named,
the session is rebuilt from the entries that had run (values checked against torch, seeding
included), Ctrl-C stops a long statement, `:save` keeps what ran. Each test waits for an
event (a published statement, a prompt, a busy worker), never for a fixed time, and checks
that the budget stopped the work, not how fast the machine did it."""

from __future__ import annotations

import faulthandler
import io
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pexpect
import pytest
import torch

from english_check import english_runs
from gradexplain.app import supervisor
from gradexplain.app.repl_worker import WorkerRepl
from gradexplain.language import budget
from gradexplain.limits import Limits
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from terminal import busy, expect_drawn, line_taken, spawn_repl, worker_of
from waiting import WAIT_SECONDS, wait_until

pytestmark = pytest.mark.skipif(not supervisor.forking_available(), reason="needs fork")
ROOT = Path(__file__).resolve().parents[1]

BEFORE = ["a = torch.randn(3, requires_grad=True)", "(a * a).sum().backward()",
          "m = torch.randn(512, 512)"]
# One statement of 40 matmuls of 2048x2048 (each a few tenths of a second): the interpreter
# checks the time only between statements, so only the parent's kill can stop it in time;
# had it not been stopped, `c` would be one of the session's names.
SLOW = "c = " + " @ ".join(["torch.ones(2048, 2048)"] * 40)
AFTER = ["print(a.grad)", "print(a)", "b = torch.randn(2)", "print(b)"]


def _expected() -> list[str]:
    """What plain torch prints for AFTER, from the REPL's seed and the statements that ran."""
    torch.manual_seed(0)
    a = torch.randn(3, requires_grad=True)
    (a * a).sum().backward()
    torch.randn(512, 512)
    b = torch.randn(2)
    return [str(a.grad), str(a), str(b)]


def _front(**settings: object) -> tuple[WorkerRepl, io.StringIO]:
    stream = io.StringIO()
    console = make_console(stream, width=120, force_plain=True)
    return WorkerRepl(ReplOptions(**settings), console), stream  # type: ignore[arg-type]


@pytest.mark.slow  # waits for a budget kill
def test_a_statement_past_max_seconds_is_killed_and_the_session_rebuilt() -> None:
    repl, stream = _front(limits=Limits(max_seconds=1))
    try:
        for line in BEFORE:
            repl.handle(line)
        repl.handle(SLOW)
        killed = stream.getvalue()
        for line in AFTER:
            repl.handle(line)
    finally:
        repl.close()
    assert "c" not in repl.names()
    assert "error[limit_exceeded]" in killed
    assert "seconds of running time" in killed
    assert "--max-seconds" in killed
    assert "<repl>:4:1" in killed and "c = torch.ones(2048, 2048) @" in killed
    assert "the session was rebuilt: the 3 entries" in killed
    shown = stream.getvalue()[len(killed):]
    for value in _expected():
        assert value in shown, (value, shown)
    assert repl.statements == BEFORE + AFTER


@pytest.mark.slow  # waits for a budget kill
def test_a_statement_past_max_memory_is_killed_by_the_parent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The interpreter's own memory checks refuse most growth first; blind them here (the
    # worker is forked from this process) so that the parent's watch of resident memory,
    # the backstop, is what stops the statement.
    monkeypatch.setattr(budget, "resident_bytes", lambda: 0)
    cap = budget.REREAD_MARGIN + _own_resident()
    repl, stream = _front(limits=Limits(max_memory=cap))
    try:
        for line in BEFORE:
            repl.handle(line)
        repl.handle("ts = []\nfor i in range(400):\n    ts = ts + [torch.ones(1024, 1024) * i]")
        killed = stream.getvalue()
        for line in AFTER:
            repl.handle(line)
    finally:
        repl.close()
    assert "ts" not in repl.names()
    assert "error[limit_exceeded]" in killed and "--max-memory" in killed, killed
    assert "the run was stopped" not in killed
    assert "bytes of memory used by the run" in killed
    assert "ts = ts + [torch.ones(1024, 1024) * i]" in killed  # the statement running
    assert "the session was rebuilt: the 3 entries" in killed
    shown = stream.getvalue()[len(killed):]
    for value in _expected():
        assert value in shown, (value, shown)


def _own_resident() -> int:
    with open("/proc/self/statm", "rb") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_reset_is_a_fresh_worker_and_names_follow() -> None:
    repl, stream = _front()
    try:
        repl.handle("x = torch.ones(2, requires_grad=True)")
        assert "x" in repl.names()
        first = repl._child
        repl.handle(":reset")
        assert repl._child is not first and repl.names() == [] and repl.statements == []
        repl.handle(":tensors")
    finally:
        repl.close()
    out = stream.getvalue()
    assert "a fresh session on cpu" in out
    assert out.rstrip().endswith("no tensors yet")


# the command line ------------------------------------------------------------------------

def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               NO_COLOR="1", COLUMNS="120", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm",
               PYTHONPATH=str(ROOT / "src"), **extra)
    env.pop("PYTHONSTARTUP", None)
    return env


def _piped(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradexplain", "repl", *args],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env=_env(tmp_path), cwd=tmp_path, timeout=120, check=False)


@pytest.mark.slow  # a new gradexplain process and a budget kill
def test_piped_kill_then_save_keeps_what_ran(tmp_path: Path) -> None:
    result = _piped(tmp_path, [*BEFORE, SLOW, *AFTER, ":save kept.py"],
                    "--max-seconds", "1", "--allow-save")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "--max-seconds" in out and "the session was rebuilt" in out
    assert "Traceback" not in out + result.stderr
    for value in _expected():
        assert value in out.split("the session was rebuilt")[-1]
    saved = (tmp_path / "kept.py").read_text(encoding="utf-8")
    assert saved == "\n".join(["import torch", *BEFORE, *AFTER]) + "\n"
    assert "@" not in saved  # the killed statement is not in the file


@pytest.mark.slow  # a new gradexplain process
def test_piped_memory_refusal_rebuilds_without_the_half_built_list(tmp_path: Path) -> None:
    result = _piped(tmp_path, [*BEFORE, "ts = []", "for i in range(100):",
                               "    ts = ts + [torch.ones(2048, 2048) * i]",
                               "print('len', len(ts))",
                               *AFTER], "--max-memory", "600M")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "--max-memory" in out and "the session was rebuilt: the 4 entries" in out
    rebuilt = out.split("the session was rebuilt")[-1]
    assert "\nlen 0\n" in rebuilt  # `ts` is the empty list it was
    for value in _expected():
        assert value in rebuilt


@pytest.mark.slow  # a new gradexplain process and a budget kill
def test_piped_kill_in_chinese_has_no_english(tmp_path: Path) -> None:
    result = _piped(tmp_path, [*BEFORE, SLOW, "print(a.grad)"], "--max-seconds", "1",
                    "--lang", "zh")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    killed = out[out.index("<repl>:4:1"):]
    assert "超出限制" in killed and "--max-seconds" in killed
    assert "会话已重建：此前成功运行的 3 项输入已重新运行" in killed
    assert english_runs(killed) == []


@pytest.mark.slow  # a real terminal and its worker
def test_ctrl_c_stops_a_long_statement_and_the_session_goes_on(tmp_path: Path) -> None:
    child = spawn_repl(_env(tmp_path), tmp_path)
    try:
        expect_drawn(child, ">>>")
        child.sendline(BEFORE[0])
        child.expect("Tensors")  # torch has loaded and the worker answered
        expect_drawn(child, ">>>")
        worker = worker_of(child.pid)
        child.sendline(SLOW)
        line_taken(child)
        busy(worker)  # inside the statement's matmuls
        child.send("\x03")
        child.expect_exact("interrupted")
        expect_drawn(child, ">>>")
        child.sendline("print(a * 2)")
        child.expect(r"tensor\(\[ 3\.0820, -0\.5869, -4\.3576\]")
        expect_drawn(child, ">>>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def _later(seconds: float, action: Callable[[], None]) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def _when_running(worker: Any, statement: str, action: Callable[[], None]) -> threading.Thread:
    """Run `action` once the worker has published that it runs `statement` (a fixed delay
    would race the statements before it on a loaded machine)."""
    def wait() -> None:
        deadline = time.monotonic() + 60
        while not worker.running_statement()[0].startswith(statement):
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        action()

    thread = threading.Thread(target=wait)
    thread.start()
    return thread


@pytest.mark.slow  # kills and rebuilds a worker
def test_ctrl_c_on_a_statement_that_does_not_stop_kills_and_rebuilds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor, "INTERRUPT_GRACE_SECONDS", 0.5)
    # Ctrl-C once the worker runs SLOW, where the terminal's SIGINT lands in the REPL
    # process (raised from the wait itself, not signalled: a signal to this test process
    # could land in one of torch's gc callbacks, which swallow it).
    pressed: list[bool] = []
    repl, stream = _front()

    def select_then_ctrl_c(*args: Any) -> Any:
        worker = repl._child
        if not pressed and worker is not None and \
                worker.running_statement()[0].startswith("c = torch.ones"):
            pressed.append(True)
            raise KeyboardInterrupt
        return select.select(*args)

    monkeypatch.setattr(supervisor, "select", SimpleNamespace(select=select_then_ctrl_c))
    try:
        for line in BEFORE:
            repl.handle(line)
        # The Ctrl-C passed on never arrives: as if the statement were stuck inside one
        # torch operation (signal 0 only checks that the worker exists).
        monkeypatch.setattr(supervisor, "signal", SimpleNamespace(
            SIGINT=0, SIGKILL=signal.SIGKILL, signal=lambda *args: None))
        repl.handle(SLOW)
        stopped = stream.getvalue()
        for line in AFTER:
            repl.handle(line)
    finally:
        repl.close()
    assert pressed and "c" not in repl.names()
    assert "interrupted" in stopped and "the session was rebuilt: the 3 entries" in stopped
    for value in _expected():
        assert value in stream.getvalue()[len(stopped):]


@pytest.mark.slow  # kills and rebuilds a worker
def test_a_crashed_worker_is_reported_and_the_session_rebuilt() -> None:
    repl, stream = _front()
    dumping = faulthandler.is_enabled()
    faulthandler.disable()  # pytest's, inherited by the worker: no dump of its stack
    try:
        for line in BEFORE:
            repl.handle(line)
        assert repl._child is not None
        worker = repl._child
        timer = _when_running(worker, "c = torch.ones", lambda: os.kill(worker.pid,
                                                                       signal.SIGSEGV))
        repl.handle(SLOW)
        timer.join()
        crashed = stream.getvalue()
        for line in AFTER:
            repl.handle(line)
    finally:
        repl.close()
        if dumping:
            faulthandler.enable()
    assert "error[torch_error]" in crashed and "exit status -11" in crashed, crashed
    assert "c = torch.ones(2048, 2048) @" in crashed  # the statement that was running
    assert "Traceback" not in crashed
    assert "the session was rebuilt: the 3 entries" in crashed
    for value in _expected():
        assert value in stream.getvalue()[len(crashed):]


@pytest.mark.slow  # a real terminal
def test_ctrl_c_while_torch_loads_then_the_session_works(tmp_path: Path) -> None:
    # Interrupting the wait for torch's import must not let the worker be forked while the
    # import still holds its locks (the worker then hung forever).
    child = spawn_repl(_env(tmp_path), tmp_path)
    try:
        expect_drawn(child, ">>>")
        child.sendline("x = torch.ones(2)")
        line_taken(child)  # the line is taken while torch still loads (seconds)
        child.send("\x03")
        child.expect_exact("interrupted")
        expect_drawn(child, ">>>")
        child.sendline("print(torch.ones(2) * 21)")
        child.expect(r"tensor\(\[21\., 21\.\]\)")
        expect_drawn(child, ">>>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


@pytest.mark.slow  # a new gradexplain process
def test_the_worker_ends_with_the_repl_however_it_ends(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "gradexplain", "repl"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=_env(tmp_path), cwd=tmp_path)
    try:
        assert process.stdin is not None and process.stdout is not None
        # The next line tells the piped REPL that the entry before it is complete.
        process.stdin.write(f"print('ready')\n{SLOW}\nx = 1\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "ready"
        worker = worker_of(process.pid)
        busy(worker)  # inside SLOW
        process.kill()  # no chance to clean up
        process.wait(WAIT_SECONDS)
        wait_until(lambda: not _alive(worker), "the worker to end")
    finally:
        process.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
