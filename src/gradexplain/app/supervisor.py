"""The process supervisor: scenario code runs in forked children under budgets the operating
system enforces. The batch runner (app/batch.py), the REPL's session (app/repl_worker.py)
and one task of the Python API, compare and plot (`run`) all use it.

Why a process: the interpreter refuses what it can predict (sizes, loops, numbers), but an
allowed operation can still take minutes (a 4096^3 matmul a million times) or memory no check
foresaw. So the code runs in a child forked from this process, which has imported torch but
(on the command line) run no operation, so the fork costs milliseconds and torch is imported
once. The child caps its own address space (RLIMIT_AS: allocations past --max-memory fail
inside it and are reported as limit_exceeded), and the parent watches each child's resident
memory and the wall-clock time of the request it runs, killing it with SIGKILL past
--max-memory or --max-seconds and reporting limit_exceeded with the budget, the statement
that was running (the child publishes it in a shared page before each statement) and the
flag. A child that dies without a word (the kernel's out-of-memory killer, a crash in a
library) is reported too, with the statement it was running.

A child is long-lived: it takes request after request. `start` forks it with a `setup`, which
builds in the child what its requests need (a handler); `Child.send` hands it one request
(its clock starts), `wait` takes the replies of several children and kills those past their
budgets, and `Child.ask` is one request and its reply. Requests and replies cross the pipes
as JSON (app/transfer.py), framed by their length, never pickle: the parent only constructs
the record's own dataclasses from a reply, so a hostile record cannot make it run code.

Two kinds of children (`Terms.session`): a child of independent tasks (a batch, one task),
where each task has the whole budget as in a fresh process and the child retires after a
task that leaves it unhealthy (a MemoryError or limit_exceeded, private resident memory grown
more than RETIRE_GROWTH past what it had after its first task, or torch's process-wide state
not back to what it was: engine/process_state.py); and a session's child (the REPL), whose
state lives from one request to the next under one memory budget, which Ctrl-C at the
terminal interrupts through its parent, and which ends with its parent.
"""

from __future__ import annotations

import gc
import mmap
import os
import resource
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from gradexplain.app import transfer
from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.budget import STATUS_BYTES, Budget, parent_ran_operations
from gradexplain.limits import Limits, exceeded, stopped

T = TypeVar("T")
# A task runs scenario code under the budget it is handed: its child's (its deadline, the
# page its parent reads), or a plain one where there is no fork.
Task = Callable[[Budget], T]
# In the child: one request (what `send` was given) -> its reply (plain data).
Handler = Callable[[Any, Budget], Any]

POLL_SECONDS = 0.05  # how often the parent checks its children's memory and time
KILL_GRACE_SECONDS = 0.5  # the child stops itself at the cap; the parent kills it after this
INTERRUPT_GRACE_SECONDS = 2.0  # after Ctrl-C, how long a session's request has to stop
RETIRE_GROWTH = 64 * 2**20  # private resident bytes a task child may keep past its first task
PR_SET_PDEATHSIG = 1  # prctl(2)
_FRAME = struct.Struct("<QB")  # payload length; a flag: parent -> child "the last request",
_CRASH_EXIT = 70  # child -> parent "I exit after this reply"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def forking_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


@dataclass(frozen=True)
class Terms:
    """What a child runs under: the budgets, and whether it holds a session (see above)."""

    limits: Limits
    session: bool = False


class Gone(Exception):
    """The child is gone: killed by a budget or crashed (`error` says which), or killed
    because a request did not stop after Ctrl-C (`error` is None)."""

    def __init__(self, error: GradexplainError | None) -> None:
        super().__init__(error.message if error else "interrupted")
        self.error = error


@dataclass(eq=False)  # compared and hashed by identity: a batch keys its children's tasks
class Child:
    """The parent's end of one child: its pid, the two pipes and the shared status page."""

    pid: int
    commands: int  # write end: requests
    replies: int  # read end: reply frames (non-blocking)
    status: mmap.mmap
    terms: Terms
    started: float | None = None  # when the request it runs was sent; None: idle
    seconds: float = 0.0  # that request's time budget
    buffer: bytearray = field(default_factory=bytearray)
    retiring: bool = False  # its last reply said it exits after it
    ended: bool = False  # end of file seen (or killed) and the child reaped
    exit_status: int = 0
    peak_memory: int = 0  # its peak resident memory, once it has ended

    @property
    def busy(self) -> bool:
        return self.started is not None

    def send(self, request: Any, *, seconds: float | None = None, last: bool = False) -> bool:
        """Start one request, with `seconds` of time (default --max-seconds); `last`: no
        request follows, the child exits after its reply. False when the child is gone
        (it is reaped)."""
        self.status[:1] = b"\0"  # no statement yet: a kill now names none of the last one's
        try:
            _write_all(self.commands, _frame(transfer.dumps(request), last))
        except OSError:  # BrokenPipeError: it ended while idle
            self._reap()
            return False
        self.seconds = self.terms.limits.max_seconds if seconds is None else seconds
        self.started = time.monotonic()
        return True

    def ask(self, request: Any, *, seconds: float | None = None, last: bool = False) -> Any:
        """Send one request and wait for its reply (a value, or the GradexplainError the
        request raised). Raises Gone when the child had to be killed or died. Ctrl-C here is
        passed on to a session's child, which is killed if the request does not stop soon
        after (or at a second Ctrl-C); any other child is killed and the Ctrl-C goes on."""
        if not self.send(request, seconds=seconds, last=last):
            raise Gone(self._crashed())
        interrupted: float | None = None
        while True:
            try:
                for _, outcome in wait([self]):
                    if self.ended:  # killed by a budget, or it died
                        raise Gone(outcome)
                    return outcome
                if interrupted is not None and \
                        time.monotonic() - interrupted > INTERRUPT_GRACE_SECONDS:
                    self.close()  # the request did not stop (one long torch operation)
                    raise Gone(None)
            except KeyboardInterrupt:
                if not self.terms.session:
                    self.close()  # leave no child behind
                    raise
                if interrupted is not None:  # a second Ctrl-C: stop waiting
                    self.close()
                    raise Gone(None) from None
                interrupted = time.monotonic()
                self.interrupt()

    def receive(self) -> list[Any]:
        """Take what the child wrote (when its pipe is readable): the replies that came, or
        at end of file in the middle of a request the error of a child that died."""
        try:
            chunk = os.read(self.replies, 1 << 16)
        except BlockingIOError:  # a spurious wake-up: nothing yet
            return []
        if not chunk:
            was_busy = self.busy
            self._reap()
            return [self._crashed()] if was_busy else []
        self.buffer += chunk
        done: list[Any] = []
        while len(self.buffer) >= _FRAME.size:
            length, retiring = _FRAME.unpack_from(self.buffer)
            if len(self.buffer) < _FRAME.size + length:
                break
            data = bytes(self.buffer[_FRAME.size:_FRAME.size + length])
            del self.buffer[:_FRAME.size + length]
            self.retiring = self.retiring or bool(retiring)
            if self.busy:
                done.append(_outcome(data))
                self.started = None
        return done

    def overrun(self, now: float) -> GradexplainError | None:
        """The budget the running request has passed (the child is then killed), or None."""
        if self.started is None or self.ended:
            return None
        seconds = now - self.started
        limits = self.terms.limits
        if seconds > self.seconds + KILL_GRACE_SECONDS:
            return self._kill("max_seconds", round(seconds, 1), limits.max_seconds)
        resident = _resident_of(self.pid)
        if resident is not None and resident > limits.max_memory:
            return self._kill("max_memory", resident, limits.max_memory)
        return None

    def running_statement(self) -> tuple[str, SourceLocation | None]:
        return published_statement(self.status)

    def interrupt(self) -> None:
        """Pass Ctrl-C on (a session's child raises KeyboardInterrupt in its request)."""
        with _suppress_process_gone():
            os.kill(self.pid, signal.SIGINT)

    def close(self) -> None:
        """Kill the child (it holds nothing worth a clean teardown) and reap it."""
        if not self.ended:
            with _suppress_process_gone():
                os.kill(self.pid, signal.SIGKILL)
        self._reap()

    def _kill(self, limit: str, value: Any, maximum: int) -> GradexplainError:
        statement, location = self.running_statement()
        self.close()
        return stopped(limit, value, maximum, location, statement)

    def _crashed(self) -> GradexplainError:
        """The error of a child that ended without a reply."""
        return _crashed(self.exit_status, self.running_statement(), self.terms.limits,
                        self.peak_memory)

    def _reap(self) -> None:
        self.started = None
        if self.ended:
            return
        self.ended = True
        for fd in (self.commands, self.replies):
            with _suppress_process_gone():
                os.close(fd)
        try:
            _, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            return
        self.exit_status = os.waitstatus_to_exitcode(status)
        self.peak_memory = _peak_bytes(usage)


def start(setup: Callable[[Budget], Handler], terms: Terms,
          others: Sequence[Child] = ()) -> Child:
    """Fork a child: it sets itself up under the budgets, calls `setup` with its Budget and
    serves requests with the handler that returns. The parent returns at once. `others`: the
    caller's other children, whose pipes the new child must not hold open."""
    status = mmap.mmap(-1, STATUS_BYTES)  # anonymous and shared with the child
    commands_read, commands = os.pipe()
    replies, replies_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(commands)
        os.close(replies)
        for other in others:  # else a sibling would keep their pipes open
            for fd in (other.commands, other.replies):
                with _suppress_process_gone():
                    os.close(fd)
        _serve(setup, terms, commands_read, replies_write, status, parent)
    os.close(commands_read)
    os.close(replies_write)
    os.set_blocking(replies, False)
    return Child(pid, commands, replies, status, terms)


def wait(children: Sequence[Child]) -> list[tuple[Child, Any]]:
    """What arrived within one poll: (child, reply) for each request that ended, its reply
    being a value or a GradexplainError (raised by the request, or the budget that killed
    its child, or the crash that ended it)."""
    busy = [c for c in children if c.busy and not c.ended]
    done: list[tuple[Child, Any]] = []
    if not busy:
        return done
    ready, _, _ = select.select([c.replies for c in busy], [], [], POLL_SECONDS)
    for child in busy:
        if child.replies in ready:
            done += [(child, outcome) for outcome in child.receive()]
    now = time.monotonic()
    for child in busy:
        error = child.overrun(now)
        if error is not None:
            done.append((child, error))
    return done


def run(task: Task[T], limits: Limits) -> T:
    """Run `task` in a child of its own and return its value (or raise its error, or the
    budget's). Without fork (Windows) it runs here, under the interpreter's own checks."""
    if not forking_available():
        return task(Budget())
    child = start(lambda budget: lambda request, task_budget: task(task_budget), Terms(limits))
    try:
        outcome = child.ask(None, last=True)
    except Gone as gone:
        assert gone.error is not None  # only a session's child is killed after Ctrl-C
        raise gone.error from None
    finally:
        child.close()
    if isinstance(outcome, GradexplainError):
        raise outcome
    return outcome  # type: ignore[no-any-return]


# the child ----------------------------------------------------------------------------------

def _serve(setup: Callable[[Budget], Handler], terms: Terms, commands: int, replies: int,
           status: mmap.mmap, parent: int) -> NoReturn:
    """The child's loop: run each request, send its reply; exit at end of file, after the
    last request, or after a task that left the process unhealthy."""
    limits = terms.limits
    code = 0
    busy = [False]
    broken: str | None = None  # the child could not set itself up: said for its first request
    try:
        if terms.session:
            os.setpgid(0, 0)  # Ctrl-C at the terminal reaches the parent, which passes it on
            _die_with(parent)

            def interrupt(signum: int, frame: Any) -> None:
                if busy[0]:  # only while a request runs; a late Ctrl-C between is dropped
                    raise KeyboardInterrupt

            signal.signal(signal.SIGINT, interrupt)
            _cap_address_space(limits.max_memory)  # what the session holds counts throughout
        else:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        _prepare_torch()
        # What the parent made (torch's modules, the engine) lives as long as this process:
        # out of the collector's sight, a full collection does not walk (and copy) it all.
        gc.freeze()
        budget = Budget(status)  # each request's statements write their status line there
        handler = setup(budget)
    except BaseException as exc:
        broken, code = f"{type(exc).__name__}: {exc}", _CRASH_EXIT
    health: _Health | None = None
    try:
        while (request := _read_frame(commands)) is not None:
            data, last = request
            if broken is not None:
                _write_all(replies, _frame(transfer.dumps(["crash", broken]), True))
                break
            if not terms.session:
                # RLIMIT_AS from what is mapped now: each task has the whole budget, as in a
                # fresh process (malloc arenas and the like stay mapped between tasks).
                _cap_address_space(limits.max_memory)
                if health is None and not last:
                    health = _Health()
            budget.start(time.monotonic() + limits.max_seconds)
            try:
                busy[0] = True
                reply, unhealthy = _reply(handler, transfer.loads(data), budget, limits)
            finally:
                busy[0] = False
            retiring = last or (health is not None and (unhealthy or not health.kept()))
            _write_all(replies, _frame(reply, retiring))
            if retiring:
                break
    except BaseException as exc:  # report; never unwind into the parent's code
        code = _CRASH_EXIT
        with _suppress_process_gone():
            _write_all(replies, _frame(
                transfer.dumps(["crash", f"{type(exc).__name__}: {exc}"]), True))
    finally:
        os._exit(code)


def _reply(handler: Handler, request: Any, budget: Budget, limits: Limits
           ) -> tuple[bytes, bool]:
    """The request's reply as JSON (["ok", value] or ["error", GradexplainError]), and
    whether a task child must retire after it."""
    try:
        try:
            return transfer.dumps(["ok", handler(request, budget)]), False
        except GradexplainError as err:
            return transfer.dumps(["error", err]), err.kind == "limit_exceeded"
    except MemoryError:  # in the request, or encoding its reply
        error = exceeded("max_memory", "more than the budget", limits.max_memory)
        return transfer.dumps(["error", error]), True


class _Health:
    """What a task child had before its first task (torch's global state) and after it
    (torch's thread pools and lazily imported modules set up, the library pages it runs
    faulted in: its memory)."""

    def __init__(self) -> None:
        self.memory: int | None = None
        self.torch_state: Any = None
        if "torch" in sys.modules:  # a task that needs torch imported it in the parent
            from gradexplain.engine import process_state

            self.torch_state = process_state.snapshot()

    def kept(self) -> bool:
        """After a task: globals set back, and private resident memory not grown past
        RETIRE_GROWTH."""
        if self.torch_state is not None:
            from gradexplain.engine import process_state

            if not process_state.restore(self.torch_state):
                return False
        elif "torch" in sys.modules:  # the task imported torch: its state is unknown
            return False
        now = _private_memory()
        if self.memory is None:
            self.memory = now
        return now <= self.memory + RETIRE_GROWTH


def _die_with(parent: int) -> None:
    """Linux: the kernel kills a session's child when its parent ends, however it ends (a
    child in its own process group gets no hangup from the terminal). Elsewhere the child
    ends when it reads the end of its requests."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with _suppress_process_gone():
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took effect
        os._exit(0)


def _cap_address_space(max_memory: int) -> None:
    """RLIMIT_AS: what the child has mapped now (torch's libraries) plus the budget."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            mapped = int(handle.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return  # no /proc (macOS): the parent's watch and the interpreter's checks remain
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    # Headroom past the budget: the parent's watch of resident memory (and the interpreter's
    # checks) stop most runs first, with a clearer message; this is the hard backstop.
    cap = mapped + max_memory + max(max_memory // 4, 256 * 2**20)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _prepare_torch() -> None:
    """A parent that has run torch operations (tests, the REPL) leaves OpenMP's thread pool
    in a state a forked child can hang on: such a child runs single-threaded."""
    torch = sys.modules.get("torch")  # not imported here: a task that needs it imports it
    if torch is not None and parent_ran_operations():
        torch.set_num_threads(1)


def _private_memory() -> int:
    """Private resident bytes of this process (0 where /proc is missing): pages of shared
    libraries count in resident memory as their code first runs, and are not growth."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            resident, shared = handle.read().split()[1:3]
    except (OSError, ValueError):
        return 0
    return (int(resident) - int(shared)) * _PAGE


def _read_frame(fd: int) -> tuple[bytes, bool] | None:
    """One request and its `last` flag (blocking); None at end of file."""
    header = _read_exactly(fd, _FRAME.size)
    if header is None:
        return None
    length, last = _FRAME.unpack(header)
    data = _read_exactly(fd, length)
    return None if data is None else (data, bool(last))


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# both ends ----------------------------------------------------------------------------------

def _frame(data: bytes, flag: bool) -> bytes:
    return _FRAME.pack(len(data), int(flag)) + data


def _write_all(fd: int, data: bytes) -> None:
    """os.write until all of `data` is written (a pipe takes it in pieces)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _outcome(data: bytes) -> Any:
    """A reply frame's value, or the GradexplainError it carries."""
    kind, payload = transfer.loads(data)
    if kind == "ok":
        return payload
    if isinstance(payload, GradexplainError):
        return payload
    return GradexplainError(
        "torch_error", f"the worker failed: {payload}",
        hint="this is a crash inside PyTorch or gradexplain; please report it",
        facts={"origin": "code"})


def _peak_bytes(usage: resource.struct_rusage) -> int:
    """A reaped child's peak resident memory in bytes (ru_maxrss is KiB on Linux)."""
    return usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024


def published_statement(status: mmap.mmap) -> tuple[str, SourceLocation | None]:
    """What the child said it was running: `path\\tline\\tstatement` in its status page."""
    if status.closed:
        return "", None
    raw = status[:].split(b"\0", 1)[0].decode("utf-8", "replace")
    parts = raw.split("\t", 2)
    if len(parts) != 3:
        return "", None
    path, line, statement = parts
    return statement, SourceLocation(path or None, int(line) if line.isdigit() else None,
                                     col=1, end_col=len(statement) + 1,
                                     source_line=statement or None)


def _resident_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _crashed(exit_status: int, running: tuple[str, SourceLocation | None],
             limits: Limits, peak_memory: int) -> GradexplainError:
    """A child that died without a word: killed by the kernel (out of memory), aborted by a
    library that could not allocate under the cap, or a crash."""
    statement, location = running
    if exit_status == -signal.SIGKILL or peak_memory >= limits.max_memory * 0.9:
        error = exceeded("max_memory", "more than the machine allows", limits.max_memory,
                         location)
    else:
        error = GradexplainError(
            "torch_error", f"the run ended abnormally (exit status {exit_status}) while "
            "running this statement", location,
            hint="this is a crash inside PyTorch or gradexplain; please report it",
            facts={"origin": "code", "exit_status": exit_status})
    error.facts["statement"] = statement or None
    return error


class _suppress_process_gone:  # used like contextlib.suppress
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return exc[0] is not None and issubclass(exc[0], (ProcessLookupError,
                                                          ChildProcessError, OSError))
