"""The REPL's session in a worker process, under budgets the operating system enforces.

The front end (shell/repl_front.py) keeps the terminal: line editing, history, completion,
`:save` and its questions. The engine session lives in a long-lived child forked from it
once torch has been imported (and before any operation has run in the parent, so the child
may use torch's thread pools; see app/worker.py `_prepare_torch`). Each entry goes to the
child as one line of JSON text, never pickle; the child runs it through the same `Repl` the
in-process REPL uses, with its console capturing what it prints (rich renders it exactly as
on the terminal: same width, colours and language), and answers with one line of JSON: the
rendered output and the few facts the front end keeps (statements for `:save`, names for
completion, whether the entry changed the session).

While an entry runs, the parent watches the child's wall-clock time and resident memory and
kills it past --max-seconds (per entry) or --max-memory; the child also caps its own address
space (RLIMIT_AS) and names each statement in a shared page before running it, so that the
parent's limit_exceeded error can name the statement that was running. Ctrl-C reaches only
the parent (the child has its own process group); the parent passes it on as SIGINT, and
kills the child if the statement does not stop soon after.
"""

from __future__ import annotations

import json
import mmap
import os
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from gradexplain.app.worker import (
    KILL_GRACE_SECONDS,
    POLL_SECONDS,
    _cap_address_space,
    _crashed,
    _prepare_torch,
    _resident_of,
    _suppress_process_gone,
    peak_bytes,
    published_statement,
    write_all,
)
from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.budget import STATUS_BYTES, Budget, resident_bytes
from gradexplain.limits import stopped
from gradexplain.options import ReplOptions
from gradexplain.render.console import Console

INTERRUPT_GRACE_SECONDS = 2.0  # after Ctrl-C, how long a statement has to stop by itself
PR_SET_PDEATHSIG = 1  # prctl(2)
REBUILD_AFTER_GROWTH = 16 * 2**20  # bytes a refused entry may leave behind without a rebuild


class Stopped(Exception):
    """The worker is gone: killed by a budget (`error` says which), crashed (`error`), or
    killed because a statement did not stop after Ctrl-C (`error` is None)."""

    def __init__(self, error: GradexplainError | None) -> None:
        super().__init__(error.message if error else "interrupted")
        self.error = error


@dataclass
class SessionWorker:
    """The parent's end of one worker: its pid, the two pipes and the shared status page."""

    pid: int
    commands: int  # the parent writes requests here
    replies: int  # and reads answers here (non-blocking)
    status: mmap.mmap
    settings: ReplOptions
    pending: bytearray = field(default_factory=bytearray)

    @classmethod
    def start(cls, settings: ReplOptions, console: Console) -> SessionWorker:
        """Fork the worker; it builds its session (seeding torch) before its first answer."""
        status = mmap.mmap(-1, STATUS_BYTES)
        to_child, commands = os.pipe()
        replies, from_child = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(commands)
            os.close(replies)
            _serve(to_child, from_child, status, settings, console, parent)
        os.close(to_child)
        os.close(from_child)
        os.set_blocking(replies, False)
        return cls(pid, commands, replies, status, settings)

    def ask(self, request: dict[str, Any], seconds: float) -> dict[str, Any]:
        """Send one request and wait for its answer, at most `seconds` (plus the grace the
        child has to stop itself cleanly). Raises Stopped when the worker had to be killed
        or died; it is then gone for good."""
        try:
            write_all(self.commands, (json.dumps(request) + "\n").encode("utf-8",
                                                                          "surrogatepass"))
        except OSError:
            raise Stopped(self._reap()) from None
        started = time.monotonic()
        interrupted: float | None = None
        while True:
            try:
                answer = self._poll()
                if answer is not None:
                    return answer
                now = time.monotonic()
                if now - started > seconds + KILL_GRACE_SECONDS:
                    raise Stopped(self._kill("max_seconds", round(now - started, 1),
                                             self.settings.limits.max_seconds))
                resident = _resident_of(self.pid)
                limit = self.settings.limits.max_memory
                if resident is not None and resident > limit:
                    raise Stopped(self._kill("max_memory", resident, limit))
                if interrupted is not None and now - interrupted > INTERRUPT_GRACE_SECONDS:
                    self.close()  # the statement did not stop (one long torch operation)
                    raise Stopped(None)
            except KeyboardInterrupt:
                if interrupted is not None:  # a second Ctrl-C: stop waiting
                    self.close()
                    raise Stopped(None) from None
                interrupted = time.monotonic()
                with _suppress_process_gone():
                    os.kill(self.pid, signal.SIGINT)

    def _poll(self) -> dict[str, Any] | None:
        """One answer when a whole line has come; None while waiting (POLL_SECONDS)."""
        ready, _, _ = select.select([self.replies], [], [], POLL_SECONDS)
        if ready:
            try:
                chunk = os.read(self.replies, 1 << 16)
            except BlockingIOError:  # a spurious wake-up: nothing yet
                return None
            if not chunk:  # the child is gone without an answer
                raise Stopped(self._reap())
            self.pending += chunk
        end = self.pending.find(b"\n")
        if end < 0:
            return None
        line = bytes(self.pending[:end])
        del self.pending[:end + 1]
        answer: dict[str, Any] = json.loads(line.decode("utf-8", "surrogatepass"))
        return answer

    def running_statement(self) -> tuple[str, SourceLocation | None]:
        return published_statement(self.status)

    def _kill(self, limit: str, value: Any, maximum: int) -> GradexplainError:
        statement, location = self.running_statement()
        self.close()
        return stopped(limit, value, maximum, location, statement)

    def _reap(self) -> GradexplainError:
        """The child ended by itself (a crash, or the kernel's out-of-memory killer)."""
        running = self.running_statement()
        status, peak = 0, 0
        with _suppress_process_gone():
            _, status, usage = os.wait4(self.pid, 0)
            peak = peak_bytes(usage)
        self._close_files()
        return _crashed(os.waitstatus_to_exitcode(status), running, self.settings.limits,
                        peak)

    def close(self) -> None:
        """Kill the worker (it holds nothing worth a clean teardown) and reap it."""
        with _suppress_process_gone():
            os.kill(self.pid, signal.SIGKILL)
        with _suppress_process_gone():
            os.waitpid(self.pid, 0)
        self._close_files()

    def _close_files(self) -> None:
        for fd in (self.commands, self.replies):
            with _suppress_process_gone():
                os.close(fd)
        if not self.status.closed:
            self.status.close()


def _serve(commands: int, replies: int, status: mmap.mmap, settings: ReplOptions,
           console: Console, parent: int) -> None:
    """The worker's loop: one request in, one answer out, until the parent goes away."""
    code = 0
    try:
        os.setpgid(0, 0)  # Ctrl-C at the terminal reaches the parent only, which passes it on
        _die_with(parent)
        busy = [False]

        def interrupt(signum: int, frame: Any) -> None:
            if busy[0]:  # only while an entry runs; a late Ctrl-C between entries is dropped
                raise KeyboardInterrupt

        signal.signal(signal.SIGINT, interrupt)
        _cap_address_space(settings.limits.max_memory)
        _prepare_torch()
        from gradexplain.shell.repl import Repl

        repl = Repl(settings, console, budget=Budget(status))
        with os.fdopen(commands, "rb", buffering=0) as requests:
            for line in _lines(requests):
                request = json.loads(line.decode("utf-8", "surrogatepass"))
                answer: dict[str, Any] = {}
                try:
                    busy[0] = True
                    answer = _answer(repl, request)
                finally:
                    busy[0] = False
                write_all(replies, (json.dumps(answer) + "\n").encode("utf-8",
                                                                       "surrogatepass"))
    except BaseException:  # never unwind into the parent's code; the parent sees a crash
        code = 70
        with _suppress_process_gone():
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Linux: the kernel kills the worker when the REPL's process ends, however it ends (a
    worker in its own process group gets no hangup from the terminal). Elsewhere the worker
    ends when it reads the end of its requests."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with _suppress_process_gone():
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(0)


def _lines(stream: Any) -> Any:
    """Whole lines from an unbuffered binary stream (readline would block on a partial)."""
    pending = b""
    while True:
        chunk = stream.read(1 << 16)
        if not chunk:
            return
        pending += chunk
        *whole, pending = pending.split(b"\n")
        yield from whole


def _answer(repl: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Run one request in the session; what to show and what the front end keeps."""
    console = repl.console
    statements, loaded = len(repl.statements), len(repl.loaded_tensors)
    answer: dict[str, Any] = {"changed": False, "replayed": 0, "failed": 0}
    console.begin_capture()
    try:
        if request["op"] == "replay":  # rebuilding after a kill: silently, in order
            for entry in request["entries"]:
                answer["replayed" if _run_entry(repl, entry) else "failed"] += 1
        else:
            repl.counter = request["counter"]  # lines typed so far, rebuilt sessions too
            repl.failure = None
            before = resident_bytes()
            answer["changed"] = _run_entry(repl, request["text"])
            # Refused for memory, but holding what it made before the refusal (a list
            # half-filled by a loop): the front end rebuilds the session without it.
            failure = repl.failure
            answer["rebuild"] = failure is not None and \
                failure.facts.get("limit") == "max_memory" and \
                resident_bytes() > before + REBUILD_AFTER_GROWTH
    except KeyboardInterrupt:
        repl.say("interrupted", error=True)
    finally:
        output = console.end_capture()
    answer.update(output="" if request["op"] == "replay" else output,
                  statements=repl.statements[statements:],
                  loaded=repl.loaded_tensors[loaded:], names=repl.names(),
                  counter=repl.counter)
    return answer


def _run_entry(repl: Any, text: str) -> bool:
    """Handle one entry; whether it changed the session without an error (such entries are
    run again, in order, to rebuild the session after a kill)."""
    from gradexplain.shell.repl import resolve_command

    statements, loaded = len(repl.statements), len(repl.loaded_tensors)
    try:
        repl.handle(text)
    except Exception:  # --debug lets internal errors through: show them, keep serving
        repl.console.print(traceback.format_exc())
        return False
    stripped = text.strip()
    if stripped.startswith(":") and resolve_command(stripped)[0] == ":zero":
        return True  # also zeroes unnamed leaves, which no statement can name
    return len(repl.statements) > statements or len(repl.loaded_tensors) > loaded
