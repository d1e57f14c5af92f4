"""A batch's tasks on long-lived children of the process supervisor (app/supervisor.py):
forked once per `--jobs` slot, each runs task after task under the budgets.

Forking a child per scenario cost about 30 ms each (measured on the 100-scenario benchmark):
the fork copies the page tables of a process holding torch (about 5 ms), the child's exit
tears them down again (about 4 ms), and every child paid once more what a process pays on its
first scenario (lazy imports, torch's first-operation setup, copy-on-write faults of the pages
it touches: about 15 ms), against about 3 ms to run such a scenario in a warm process. So a
batch forks one child per `--jobs` slot, from the parent that imported torch but ran no
operation, and keeps it: the tasks are already in its memory after the fork, so the parent only
sends a task's index and reads back its result.

The budgets are per task: the supervisor restarts the clock when it sends an index, kills a
child past --max-seconds or --max-memory, and says so as the task's outcome (limit_exceeded,
naming the statement it was running); a fresh child is forked for the tasks left. A child
also retires by itself after a task that leaves it unhealthy (see app/supervisor.py), and
after the last task it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from gradexplain.app import supervisor
from gradexplain.app.supervisor import Child, Handler, Task, Terms
from gradexplain.errors import GradexplainError
from gradexplain.language.budget import Budget
from gradexplain.limits import Limits

T = TypeVar("T")


def results(tasks: Sequence[Task[T]], limits: Limits, jobs: int = 1,
            while_first_runs: Callable[[], None] | None = None,
            ) -> Iterator[tuple[int, T | GradexplainError]]:
    """Every task's value or GradexplainError, in task order, on `jobs` long-lived children.
    `while_first_runs` is called once, in the parent, as soon as the first tasks are handed
    out: work the parent will need afterwards (importing what renders the results) overlaps
    with the children's instead of following it."""
    pending = list(range(len(tasks)))
    pending.reverse()  # pop() takes the first
    running: dict[Child, int] = {}  # each busy child's task
    children: list[Child] = []
    finished: dict[int, T | GradexplainError] = {}
    next_index = 0
    try:
        while next_index < len(tasks):
            children = _dispatch(tasks, limits, jobs, children, running, pending)
            if while_first_runs is not None:
                while_first_runs()
                while_first_runs = None
            for child, outcome in supervisor.wait(children):
                finished[running.pop(child)] = outcome
            # Idle children take their next tasks before the caller renders these results:
            # rendering in the parent and running in the child overlap.
            children = _dispatch(tasks, limits, jobs, children, running, pending)
            while next_index in finished:
                yield next_index, finished.pop(next_index)
                next_index += 1
    finally:
        for child in children:  # done, or interrupted: leave no child behind
            child.close()


def _dispatch(tasks: Sequence[Task[T]], limits: Limits, jobs: int, children: list[Child],
              running: dict[Child, int], pending: list[int]) -> list[Child]:
    """Let go of the children that retired, fork as many as the pending tasks need (up to
    `jobs`), and give each idle child the next task; the children still alive."""
    for child in children:
        if not child.busy and child.retiring:
            child.close()
    children = [c for c in children if not c.ended]
    idle = [c for c in children if not c.busy]
    while len(pending) > len(idle) and len(children) < max(jobs, 1):
        fresh = supervisor.start(_tasks_handler(tasks), Terms(limits), children)
        children.append(fresh)
        idle.append(fresh)
    for child in idle:
        if pending:
            index = pending.pop()
            # The last task a child is given: it exits after it, without checking its health
            # for a task that will not come.
            if child.send(index, last=not pending):
                running[child] = index
            else:  # it had died between tasks
                pending.append(index)
    return children


def _tasks_handler(tasks: Sequence[Task[Any]]) -> Callable[[Budget], Handler]:
    """In the child: a request is a task's index (the tasks were forked with it)."""
    def setup(budget: Budget) -> Handler:
        return lambda index, task_budget: tasks[index](task_budget)

    return setup
