"""A batch's long-lived workers: forked once, each runs task after task under the budgets.

Forking a worker per scenario cost about 30 ms each (measured on the 100-scenario benchmark):
the fork copies the page tables of a process holding torch (about 5 ms), the child's exit
tears them down again (about 4 ms), and every child paid once more what a process pays on its
first scenario (lazy imports, torch's first-operation setup, copy-on-write faults of the pages
it touches: about 15 ms), against about 3 ms to run such a scenario in a warm process. So a
batch forks one worker per `--jobs` slot, from the parent that imported torch but ran no
operation, and keeps it: the tasks are already in its memory after the fork, so the parent only
writes a task's index down a pipe (4 bytes, no pickle) and reads back its result as JSON
(app/transfer.py), framed by its length.

The budgets are per task, as with a worker per scenario: the parent restarts the clock when it
sends an index and kills the worker past --max-seconds, or when its resident memory passes
--max-memory (RLIMIT_AS, set again before each task from what is mapped then, is the
backstop inside it). The
killed task is reported limit_exceeded with the statement it was running, and a fresh worker
is forked for the tasks left. A worker also retires by itself after a task that leaves it
unhealthy: a MemoryError or limit_exceeded, private resident memory grown more than
RETIRE_GROWTH past what it had after its first task, or torch's process-wide state (seed,
grad mode, default dtype, anomaly mode, ... see engine/process_state.py) not back to what it
was; it says so in the result's frame and exits, and the parent forks another.
"""

from __future__ import annotations

import gc
import mmap
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gradexplain.app import transfer
from gradexplain.app.worker import (
    KILL_GRACE_SECONDS,
    POLL_SECONDS,
    Task,
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
from gradexplain.language.budget import STATUS_BYTES, Budget
from gradexplain.limits import Limits, exceeded, stopped

T = TypeVar("T")

RETIRE_GROWTH = 64 * 2**20  # private resident bytes a worker may keep past its first task
_INDEX = struct.Struct("<I")  # parent -> worker: the task to run
_FRAME = struct.Struct("<QB")  # worker -> parent: payload length, retiring (0 or 1)
_CRASH_EXIT = 70


@dataclass
class BatchWorker(Generic[T]):
    """A long-lived child; `task` is the index it runs now (None: idle)."""

    pid: int
    commands: int  # write end: task indexes
    reader: int  # read end: result frames
    status: mmap.mmap
    limits: Limits
    task: int | None = None
    started: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    retiring: bool = False  # its last frame said it exits after that task
    ended: bool = False  # end of file seen and the child reaped
    exit_status: int = 0
    peak_memory: int = 0

    def send(self, index: int) -> bool:
        """Start task `index`; False when the worker is gone (it is reaped)."""
        self.status[:1] = b"\0"  # no statement yet: a kill now names none of the last task's
        try:
            os.write(self.commands, _INDEX.pack(index))
        except OSError:  # BrokenPipeError: it ended while idle
            self._reap()
            return False
        self.task, self.started = index, time.monotonic()
        return True

    def overrun(self, now: float) -> GradexplainError | None:
        """The budget the running task has passed (the worker is then killed), or None."""
        if self.task is None or self.ended:
            return None
        seconds = now - self.started
        if seconds > self.limits.max_seconds + KILL_GRACE_SECONDS:
            return self._kill("max_seconds", round(seconds, 1), self.limits.max_seconds)
        resident = _resident_of(self.pid)
        if resident is not None and resident > self.limits.max_memory:
            return self._kill("max_memory", resident, self.limits.max_memory)
        return None

    def _kill(self, limit: str, value: Any, maximum: int) -> GradexplainError:
        statement, location = self.running_statement()
        with _suppress_process_gone():
            os.kill(self.pid, signal.SIGKILL)
        self.close()
        return stopped(limit, value, maximum, location, statement)

    def running_statement(self) -> tuple[str, SourceLocation | None]:
        return published_statement(self.status)

    def read_frames(self) -> list[tuple[int, T | GradexplainError]]:
        """Take what the child wrote: the tasks it finished; at end of file, reap it."""
        try:
            chunk = os.read(self.reader, 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:
            self._reap()
            return self._lost() if self.task is not None else []
        self.buffer += chunk
        done: list[tuple[int, T | GradexplainError]] = []
        while len(self.buffer) >= _FRAME.size:
            length, retiring = _FRAME.unpack_from(self.buffer)
            if len(self.buffer) < _FRAME.size + length:
                break
            data = bytes(self.buffer[_FRAME.size:_FRAME.size + length])
            del self.buffer[:_FRAME.size + length]
            self.retiring = self.retiring or bool(retiring)
            if self.task is not None:
                done.append((self.task, _outcome(data)))
                self.task = None
        return done

    def _lost(self) -> list[tuple[int, T | GradexplainError]]:
        """The child ended in the middle of a task without a word (a crash, the kernel)."""
        assert self.task is not None
        index, self.task = self.task, None
        return [(index, _crashed(self.exit_status, self.running_statement(), self.limits,
                                 self.peak_memory))]

    def _reap(self) -> None:
        if self.ended:
            return
        self.ended = True
        self._close_commands()
        with _suppress_process_gone():
            os.close(self.reader)
        try:
            _, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            return
        self.exit_status = os.waitstatus_to_exitcode(status)
        self.peak_memory = peak_bytes(usage)

    def close(self) -> None:
        """Stop it (it exits when its command pipe closes) and reap it."""
        self._close_commands()
        self._reap()

    def _close_commands(self) -> None:
        if self.commands >= 0:  # once: the number may belong to another file afterwards
            with _suppress_process_gone():
                os.close(self.commands)
            self.commands = -1


def results(tasks: Sequence[Task[T]], limits: Limits, jobs: int = 1,
            while_first_runs: Callable[[], None] | None = None,
            ) -> Iterator[tuple[int, T | GradexplainError]]:
    """Every task's value or GradexplainError, in task order, on `jobs` long-lived workers.
    `while_first_runs` is called once, in the parent, as soon as the first tasks are handed
    out: work the parent will need afterwards (importing what renders the results) overlaps
    with the workers' instead of following it."""
    pending = list(range(len(tasks)))
    pending.reverse()  # pop() takes the first
    workers: list[BatchWorker[T]] = []
    finished: dict[int, T | GradexplainError] = {}
    next_index = 0
    try:
        while next_index < len(tasks):
            workers = _dispatch(tasks, limits, jobs, workers, pending)
            if while_first_runs is not None:
                while_first_runs()
                while_first_runs = None
            arrived: dict[int, T | GradexplainError] = _wait(workers)
            finished.update(arrived)
            # Idle workers take their next tasks before the caller renders these results:
            # rendering in the parent and running in the worker overlap.
            workers = _dispatch(tasks, limits, jobs, workers, pending)
            while next_index in finished:
                yield next_index, finished.pop(next_index)
                next_index += 1
    finally:
        for worker in workers:
            if worker.task is not None:  # interrupted: leave no child behind
                with _suppress_process_gone():
                    os.kill(worker.pid, signal.SIGKILL)
            worker.close()


def _dispatch(tasks: Sequence[Task[T]], limits: Limits, jobs: int,
              workers: list[BatchWorker[T]], pending: list[int]) -> list[BatchWorker[T]]:
    """Retire the workers that asked to, fork as many as the pending tasks need (up to
    `jobs`), and give each idle worker the next task; the workers still alive."""
    for worker in workers:
        if worker.task is None and worker.retiring:
            worker.close()
    workers = [w for w in workers if not w.ended]
    idle = [w for w in workers if w.task is None]
    while len(pending) > len(idle) and len(workers) < max(jobs, 1):
        fresh: BatchWorker[T] = _start(tasks, limits, workers)
        workers.append(fresh)
        idle.append(fresh)
    for worker in idle:
        if pending:
            index = pending.pop()
            if not worker.send(index):  # it had died between tasks
                pending.append(index)
    return workers


def _wait(workers: list[BatchWorker[T]]) -> dict[int, T | GradexplainError]:
    """Results that arrived within one poll, and the tasks stopped by their budgets."""
    done: dict[int, T | GradexplainError] = {}
    busy = [w for w in workers if w.task is not None and not w.ended]
    if not busy:
        return done
    ready, _, _ = _select([w.reader for w in busy])
    for worker in busy:
        if worker.reader in ready:
            done.update(worker.read_frames())
    now = time.monotonic()
    for worker in busy:
        index = worker.task
        if index is not None:
            error = worker.overrun(now)
            if error is not None:
                done[index] = error
                worker.task = None
    return done


def _select(readers: list[int]) -> tuple[list[int], list[int], list[int]]:
    return select.select(readers, [], [], POLL_SECONDS)


def _start(tasks: Sequence[Task[Any]], limits: Limits,
           others: list[BatchWorker[Any]]) -> BatchWorker[Any]:
    status = mmap.mmap(-1, STATUS_BYTES)
    commands_read, commands = os.pipe()
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(commands)
        os.close(reader)
        for other in others:  # else a sibling would keep their command pipes open
            with _suppress_process_gone():
                os.close(other.commands)
            with _suppress_process_gone():
                os.close(other.reader)
        _serve(tasks, commands_read, writer, status, limits)
    os.close(commands_read)
    os.close(writer)
    os.set_blocking(reader, False)
    return BatchWorker(pid, commands, reader, status, limits)


def _serve(tasks: Sequence[Task[Any]], commands: int, writer: int,
           status: mmap.mmap, limits: Limits) -> None:
    """The worker's loop: run the task each index names, send its frame; exit at end of
    file, or after a task that left the process unhealthy."""
    code = 0
    broken: str | None = None  # the worker could not set itself up: say so for its first task
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        _prepare_torch()
        # As in worker._child: what the parent made lives as long as this process; out of
        # the collector's sight, a full collection neither walks nor copies it.
        gc.freeze()
        budget = Budget(status)  # each task's statements write their status line there
        health = _Health()
    except BaseException as exc:
        broken, code = f"{type(exc).__name__}: {exc}", _CRASH_EXIT
    try:
        while (index := _read_index(commands)) is not None:
            if broken is not None:
                write_all(writer, _frame(transfer.dumps(["crash", broken]), True))
                break
            # RLIMIT_AS from what is mapped now: each task has the whole budget, as in a
            # fresh worker (malloc arenas and the like stay mapped between tasks).
            _cap_address_space(limits.max_memory)
            budget.start(time.monotonic() + limits.max_seconds)
            data, unhealthy = _run_task(tasks[index], limits, budget)
            retiring = unhealthy or not health.kept()
            write_all(writer, _frame(data, retiring))
            if retiring:
                break
    except BaseException as exc:  # report; never unwind into the parent's code
        code = _CRASH_EXIT
        with _suppress_process_gone():
            write_all(writer, _frame(
                transfer.dumps(["crash", f"{type(exc).__name__}: {exc}"]), True))
    finally:
        os._exit(code)


def _run_task(task: Task[Any], limits: Limits, budget: Budget) -> tuple[bytes, bool]:
    """The task's result as JSON (["ok", value] or ["error", GradexplainError]), and whether
    the worker must retire after it."""
    try:
        try:
            return transfer.dumps(["ok", task(budget)]), False
        except GradexplainError as err:
            return transfer.dumps(["error", err]), err.kind == "limit_exceeded"
    except MemoryError:  # in the task, or encoding its result
        error = exceeded("max_memory", "more than the budget", limits.max_memory)
        return transfer.dumps(["error", error]), True


class _Health:
    """What the worker had after its first task (torch's thread pools and lazily imported
    modules set up, the library pages it runs faulted in): memory and torch's global state."""

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
        now = _memory()
        if self.memory is None:
            self.memory = now
        return now <= self.memory + RETIRE_GROWTH


def _memory() -> int:
    """Private resident bytes of this process (0 where /proc is missing): pages of shared
    libraries count in resident memory as their code first runs, and are not growth."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            resident, shared = handle.read().split()[1:3]
    except (OSError, ValueError):
        return 0
    return (int(resident) - int(shared)) * os.sysconf("SC_PAGE_SIZE")


def _read_index(commands: int) -> int | None:
    data = b""
    while len(data) < _INDEX.size:
        chunk = os.read(commands, _INDEX.size - len(data))
        if not chunk:
            return None
        data += chunk
    return int(_INDEX.unpack(data)[0])


def _frame(data: bytes, retiring: bool) -> bytes:
    return _FRAME.pack(len(data), int(retiring)) + data


def _outcome(data: bytes) -> Any:
    kind, payload = transfer.loads(data)
    if kind == "ok":
        return payload
    if isinstance(payload, GradexplainError):
        return payload
    return GradexplainError(
        "torch_error", f"the worker failed: {payload}",
        hint="this is a crash inside PyTorch or gradexplain; please report it",
        facts={"origin": "code"})
