"""The REPL in a real terminal (pexpect), waited on by what it draws and does, never by a
fixed delay: a loaded machine makes any delay too short, and prompt_toolkit may draw one
text in pieces (`x.ret`, then `ain_grad` after a completion) with escape codes between."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import termios
from pathlib import Path

import pexpect

from waiting import WAIT_SECONDS, wait_until

# Control sequences prompt_toolkit writes between the characters of a text: CSI (colours,
# cursor, modes), OSC (the window title), and a bare carriage return.
_CONTROL = r"(?:\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r)*"


def spawn_repl(env: dict[str, str], cwd: Path, *args: str) -> pexpect.spawn:
    """`gradexplain repl` on a 40x120 terminal, with its output as text."""
    return pexpect.spawn(sys.executable, ["-m", "gradexplain", "repl", *args], env=env,
                         encoding="utf-8", timeout=WAIT_SECONDS, dimensions=(40, 120),
                         cwd=str(cwd), preexec_fn=_as_a_shell_starts_it)


def _as_a_shell_starts_it() -> None:
    """A terminal's shell starts a program with Ctrl-C's signal at its default. A test run
    started in the background (`pytest &` in a script) ignores it, and so would the REPL:
    Ctrl-C would do nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def drawn(text: str) -> str:
    """A pattern for `text` as the terminal shows it, however it was drawn in pieces."""
    return _CONTROL.join(re.escape(char) for char in text)


def expect_drawn(child: pexpect.spawn, text: str) -> None:
    child.expect(drawn(text))


def line_taken(child: pexpect.spawn) -> None:
    """Wait until the REPL has taken the line sent and left the line editor: the terminal is
    back in its normal mode (Ctrl-C is a signal again, no longer a key of the editor) and
    the editor's event loop is closed (its own Ctrl-C handler, which would drop the signal
    once the line is taken, is gone with it)."""
    def taken() -> bool:
        cooked = bool(termios.tcgetattr(child.child_fd)[3] & termios.ISIG)
        return cooked and "anon_inode:[eventpoll]" not in _open_files(child.pid)

    wait_until(taken, "the REPL to take the line")


def _open_files(pid: int) -> list[str]:
    names = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed since it was listed
            names.append(os.readlink(fd))
    return names


def worker_of(pid: int) -> int:
    """The pid of the REPL's session worker, its one child process."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    wait_until(lambda: children.read_text().split() != [], "the session worker")
    (worker,) = children.read_text().split()
    return int(worker)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy(pid: int, seconds: float = 0.2) -> None:
    """Wait until the process has used `seconds` of CPU more than now: it is running a
    statement (a worker waiting for the next entry uses none)."""
    start = cpu_seconds(pid)
    wait_until(lambda: cpu_seconds(pid) >= start + seconds, f"process {pid} to be busy")
