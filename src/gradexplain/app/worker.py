"""Budgets the operating system enforces: scenario code runs in a forked worker process.

Why a process: the interpreter refuses what it can predict (sizes, loops, numbers), but an
allowed operation can still take minutes (a 4096^3 matmul a million times) or memory no check
foresaw. So each task runs in a child forked from this process, which has imported torch but
(on the command line) run no operation, so the fork costs milliseconds and torch is imported
once. The child caps its own address space (RLIMIT_AS: allocations past --max-memory fail
inside it and are reported as limit_exceeded), and the parent watches each child's resident
memory and wall-clock time, killing it with SIGKILL past --max-memory or --max-seconds and
reporting limit_exceeded with the budget, the statement that was running (the child publishes
it in a shared page before each statement) and the flag. One task (`run`: compare, plot, the
Python API) gets a child of its own; a batch (`results`: `gradexplain run` on many files)
runs on long-lived children that take task after task (app/batch.py), re-forked after a kill.

Results come back through a pipe as JSON (app/transfer.py), never pickle: the parent only
constructs the record's own dataclasses from it, so a hostile record cannot make the parent
run code.
"""

from __future__ import annotations

import gc
import mmap
import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gradexplain.app import transfer
from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.budget import STATUS_BYTES, Budget, parent_ran_operations
from gradexplain.limits import Limits, exceeded, stopped

T = TypeVar("T")
# A task runs scenario code under the budget it is handed: the worker's (its deadline, the
# page its parent reads), or a plain one where there is no fork.
Task = Callable[[Budget], T]

POLL_SECONDS = 0.05  # how often the parent checks its workers' memory and time
KILL_GRACE_SECONDS = 0.5  # the child stops itself at the cap; the parent kills it after this
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

def forking_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


@dataclass
class Worker(Generic[T]):
    """One forked child running one task."""

    pid: int
    reader: int
    status: mmap.mmap
    limits: Limits
    started: float = field(default_factory=time.monotonic)
    chunks: list[bytes] = field(default_factory=list)
    killed: GradexplainError | None = None
    done: bool = False
    exit_status: int = 0
    peak_memory: int = 0  # the child's peak resident memory, once it has ended

    def running_statement(self) -> tuple[str, SourceLocation | None]:
        return published_statement(self.status)

    def check_budgets(self, now: float) -> None:
        """Kill the child when it has run past --max-seconds or holds more than --max-memory."""
        if self.done or self.killed is not None:
            return
        seconds = now - self.started
        if seconds > self.limits.max_seconds + KILL_GRACE_SECONDS:
            self._kill("max_seconds", round(seconds, 1), self.limits.max_seconds)
            return
        resident = _resident_of(self.pid)
        if resident is not None and resident > self.limits.max_memory:
            self._kill("max_memory", resident, self.limits.max_memory)

    def _kill(self, limit: str, value: Any, maximum: int) -> None:
        statement, location = self.running_statement()
        with _suppress_process_gone():
            os.kill(self.pid, signal.SIGKILL)
        self.killed = stopped(limit, value, maximum, location, statement)

    def read_available(self) -> None:
        """Take what the child has written; at end of file, reap it."""
        try:
            chunk = os.read(self.reader, 1 << 16)
        except BlockingIOError:
            return
        if chunk:
            self.chunks.append(chunk)
            return
        os.close(self.reader)
        _, status, usage = os.wait4(self.pid, 0)
        self.done = True
        self.exit_status = os.waitstatus_to_exitcode(status)
        self.peak_memory = peak_bytes(usage)

    def result(self) -> T:
        """The task's value, or the error that stopped it (raised)."""
        running = self.running_statement()
        self.status.close()
        if self.killed is not None:
            raise self.killed
        data = b"".join(self.chunks)
        if not data:
            raise _crashed(self.exit_status, running, self.limits, self.peak_memory)
        kind, payload = transfer.loads(data)
        if kind == "ok":
            return payload  # type: ignore[no-any-return]
        if kind == "error":
            assert isinstance(payload, GradexplainError)
            raise payload
        raise RuntimeError(f"the worker failed: {payload}")


def start(task: Task[T], limits: Limits) -> Worker[T]:
    """Fork a child that runs `task` under the budgets; the parent returns at once."""
    status = mmap.mmap(-1, STATUS_BYTES)  # anonymous and shared with the child
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        _child(task, writer, status, limits)
    os.close(writer)
    os.set_blocking(reader, False)
    return Worker(pid, reader, status, limits)


def run(task: Task[T], limits: Limits) -> T:
    """Run `task` in a worker and return its value (or raise its error, or the budget's).
    Without fork (Windows) it runs here, under the interpreter's own checks only."""
    if not forking_available():
        return task(Budget())
    worker: Worker[T] = start(task, limits)
    try:
        while not worker.done:
            _wait([worker])
    finally:
        if not worker.done:  # interrupted: leave no child behind
            with _suppress_process_gone():
                os.kill(worker.pid, signal.SIGKILL)
                os.waitpid(worker.pid, 0)
    return worker.result()


def run_all(tasks: Sequence[Task[T]], limits: Limits, jobs: int = 1,
            ) -> Iterator[tuple[int, T]]:
    """Run the tasks in up to `jobs` workers at once, yielding (index, value) in task order;
    the first task that failed raises its error (callers that want every outcome use
    `results`)."""
    for index, outcome in results(tasks, limits, jobs):
        if isinstance(outcome, GradexplainError):
            raise outcome
        yield index, outcome


def results(tasks: Sequence[Task[T]], limits: Limits, jobs: int = 1,
            while_first_runs: Callable[[], None] | None = None,
            ) -> Iterator[tuple[int, T | GradexplainError]]:
    """Every task's value or GradexplainError, in task order, on `jobs` long-lived workers
    (app/batch.py: forked once each, re-forked after a kill)."""
    from gradexplain.app import batch

    return batch.results(tasks, limits, jobs, while_first_runs)


def _wait(workers: list[Worker[Any]]) -> None:
    readers = [w.reader for w in workers if not w.done]
    if readers:
        ready, _, _ = select.select(readers, [], [], POLL_SECONDS)
        for worker in workers:
            if worker.reader in ready:
                worker.read_available()
    now = time.monotonic()
    for worker in workers:
        worker.check_budgets(now)


def _child(task: Task[Any], writer: int, status: mmap.mmap, limits: Limits) -> None:
    """Run the task, send ("ok", value) or ("error", GradexplainError), and exit."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        _cap_address_space(limits.max_memory)
        _prepare_torch()
        # What the parent made (torch's modules, the engine) lives as long as this process:
        # out of the collector's sight, a full collection does not walk (and copy) it all.
        gc.freeze()
        # Each statement writes its status line into the page; the clock runs from here.
        budget = Budget(status, time.monotonic() + limits.max_seconds)
        try:
            payload: tuple[str, Any] = ("ok", task(budget))
        except GradexplainError as err:
            payload = ("error", err)
        except MemoryError:
            payload = ("error", exceeded("max_memory", "more than the budget",
                                         limits.max_memory))
        write_all(writer, transfer.dumps(list(payload)))
    except BaseException as exc:  # report; never unwind into the parent's code
        code = 70
        with _suppress_process_gone():
            os.write(writer, transfer.dumps(["crash", f"{type(exc).__name__}: {exc}"]))
    finally:
        os._exit(code)


def write_all(fd: int, data: bytes) -> None:
    """os.write until all of `data` is written (a pipe takes it in pieces)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def peak_bytes(usage: resource.struct_rusage) -> int:
    """A reaped child's peak resident memory in bytes (ru_maxrss is KiB on Linux)."""
    return usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024


def published_statement(status: mmap.mmap) -> tuple[str, SourceLocation | None]:
    """What the child said it was running: `path\\tline\\tstatement` in its status page."""
    raw = status[:].split(b"\0", 1)[0].decode("utf-8", "replace")
    parts = raw.split("\t", 2)
    if len(parts) != 3:
        return "", None
    path, line, statement = parts
    return statement, SourceLocation(path or None, int(line) if line.isdigit() else None,
                                     col=1, end_col=len(statement) + 1,
                                     source_line=statement or None)


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
