"""`gradexplain run` on many paths: load, run, explain and render each, in one process."""

from __future__ import annotations

import functools
import gc
import importlib
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradexplain.app.deadline import deadline
from gradexplain.app.environment import Environment
from gradexplain.errors import BAD_INPUT_KINDS, ExitStatus, GradexplainError
from gradexplain.explain.catalogue_ui import phrase
from gradexplain.language.budget import Budget, is_command_line
from gradexplain.options import Options, Output, RunOptions
from gradexplain.record import ErrorInfo, RunRecord
from gradexplain.scenario.bundled import expand_paths

if TYPE_CHECKING:
    from gradexplain.render.console import Console
    from gradexplain.scenario.model import Scenario

PROGRESS_AFTER_SECONDS = 1.0  # show a progress bar only when a batch takes this long


@dataclass
class Outcome:
    """One scenario's result: a record, or the input error that kept it from running."""

    path: Path
    record: RunRecord | None
    input_error: GradexplainError | None
    status: ExitStatus


def run_one(path: Path, options: RunOptions, budget: Budget | None = None) -> Outcome:
    """Load and run one scenario file; input errors are returned, not raised."""
    from gradexplain.scenario.loader import load_scenario

    try:
        record = run_loaded(load_scenario(path, options.limits), options, budget)
    except GradexplainError as err:
        return Outcome(path, None, err, err.exit_status)
    return Outcome(path, record, None, record_status(record))


def run_loaded(scenario: Scenario, options: RunOptions, budget: Budget | None = None
               ) -> RunRecord:
    """Run a loaded scenario: the one way `run`, the Python API and the notebook magic run
    code, under `budget` (a worker's; without one, a plain budget of the run's own). Input
    errors (exit 2 kinds) raise."""
    from gradexplain.engine.runner import run_scenario

    return run_scenario(scenario, options, budget)


def run_budgeted(scenario: Scenario, options: RunOptions) -> RunRecord:
    """`run_loaded` in a worker process under the OS-enforced budgets, as `run` runs each
    scenario (the Python API and the notebook magic). Input errors, and a budget that
    stopped the run (limit_exceeded), raise."""
    from gradexplain.app import supervisor

    if supervisor.forking_available():
        preload_engine()
        # A long-lived caller (a notebook kernel) pays this once, not in every worker.
        _preload_gradient_support()
    return supervisor.run(functools.partial(run_loaded, scenario, options), options.limits)


def _preload_gradient_support() -> None:
    """torch imports this (and sympy) on the first backward given a gradient, about half a
    second; imported before forking, every worker inherits it."""
    importlib.import_module("torch.fx.experimental.symbolic_shapes")


def run_in_workers(paths: list[Path], options: RunOptions, jobs: int = 1,
                   while_first_runs: Callable[[], None] | None = None) -> Iterator[Outcome]:
    """Each scenario in a worker process under the OS-enforced budgets, on up to `jobs`
    long-lived workers (app/batch.py), outcomes in the order of `paths`. A scenario stopped
    by a budget gives an outcome with that limit_exceeded error; the rest of the batch runs."""
    from gradexplain.app import batch, supervisor

    if not supervisor.forking_available():
        yield from (run_one(path, options) for path in paths)
        return
    # Not _preload_gradient_support(): a batch's worker is long-lived (app/batch.py), so the
    # first scenario that needs sympy imports it once there, and a batch that needs none
    # (most) does not pay half a second for it.
    preload_engine()
    tasks = [functools.partial(run_one, path, options) for path in paths]
    for index, value in batch.results(tasks, options.limits, jobs, while_first_runs):
        if isinstance(value, GradexplainError):
            yield Outcome(paths[index], None, value, value.exit_status)
        else:
            yield value


def _import_renderer(json_output: bool) -> None:
    """While the first scenario runs in its worker, the parent imports what explains and
    renders it (rich, for a table: about 0.1 s), which otherwise comes after the run."""
    importlib.import_module("gradexplain.explain")
    if not json_output:
        importlib.import_module("gradexplain.render.report")  # tables, loops


def preload_engine() -> None:
    """Import torch and the engine in this process before forking, so each worker starts with
    them loaded (torch is imported once; no operation runs here)."""
    if is_command_line() and "torch" not in sys.modules:
        importlib.import_module("torch")
        # The command line's process: torch's modules live as long as it does. Out of the
        # collector's sight, they are not walked by the full collection that importing the
        # engine otherwise triggers (about 80 ms of the start, measured). Not done for the
        # Python API: a notebook kernel's own objects must stay collectable.
        gc.freeze()
    for name in ("gradexplain.engine.runner", "gradexplain.engine.deeper",
                 "gradexplain.scenario.loader"):
        importlib.import_module(name)


def record_status(record: RunRecord) -> ExitStatus:
    if record.error is not None and record.error.kind in BAD_INPUT_KINDS:
        return ExitStatus.BAD_INPUT
    return ExitStatus.OK if record.ok else ExitStatus.FAILED


def input_error_record(path: Path, error: GradexplainError) -> RunRecord:
    """A record standing for a scenario that could not run, for JSON output."""
    location = error.location
    return RunRecord(
        name=path.stem, path=str(path), description=None, torch_version="", device="",
        dtype="", error=ErrorInfo(
            error.kind, error.message, None, location.line if location else None,
            location.col if location else None, location.end_col if location else None,
            None, str(path), error.hint, dict(error.facts)),
    )


def run_many(arguments: list[str], options: Options, env: Environment | None = None,
             ) -> ExitStatus:
    """Run every scenario named; render each, then a summary when there were several."""
    from gradexplain.render.escapes import write_message
    from gradexplain.render.jsonout import write_line

    env = env or Environment()
    settings = options.output
    run_options = replace(options.run, dot=settings.dot is not None)
    paths = expand_paths(arguments)
    consoles = _Consoles(env, settings.width, record=settings.export is not None)
    outcomes: list[Outcome] = []
    started = time.monotonic()
    with _progress(consoles, len(paths)) as advance:
        outcomes_of = run_in_workers(paths, run_options, options.jobs,
                                     functools.partial(_import_renderer, settings.json))
        for path, ran in zip(paths, outcomes_of, strict=True):
            outcome = ran
            try:
                with deadline(run_options.limits, str(path)):  # showing has the run's budget
                    line = _show(outcome, consoles, settings, run_options.full)
            except GradexplainError as err:  # it took too long to show: say so instead
                outcome = Outcome(path, None, err, err.exit_status)
                line = _json_line(input_error_record(path, err), settings) \
                    if settings.json else None
                if line is None:
                    consoles.input_error(err, settings.lang)
            if line is not None:  # written whole, after the deadline: never half a line
                write_line(line, env.stdout)
                if outcome.input_error is not None:  # and said on stderr too
                    consoles.input_error(outcome.input_error, settings.lang)
            outcomes.append(outcome)
            advance()
    if len(paths) > 1 and not settings.json:
        from gradexplain.render import print_summary

        rows = [_summary_row(o) for o in outcomes]
        print_summary(consoles.out, rows, settings.lang, elapsed=time.monotonic() - started)
    if settings.export is not None:
        from gradexplain.render import export_console

        with deadline(run_options.limits):
            export_console(consoles.out, settings.export)
        write_message(env.stderr, phrase("wrote", settings.lang, path=settings.export))
    if settings.dot is not None:
        from gradexplain.render.dot import graphs_of, write_graphs

        records = [o.record for o in outcomes if o.record is not None]
        with deadline(run_options.limits):
            graphs = graphs_of(records, settings.lang)
            written = write_graphs(graphs, settings.dot, env.stderr, settings.lang)
        write_message(env.stderr, phrase("wrote_dot", settings.lang, count=len(graphs),
                                         path=written))
    return max((o.status for o in outcomes), default=ExitStatus.OK)


def _show(outcome: Outcome, consoles: _Consoles, settings: Output, full: bool) -> str | None:
    """One scenario shown: its report printed as a table (or its input error), or, for
    --format json, its JSON line returned to be written."""
    if settings.json:
        record = outcome.record or input_error_record(outcome.path, outcome.input_error)  # type: ignore[arg-type]
        return _json_line(record, settings)
    if outcome.record is not None:
        from gradexplain.explain import explain_run
        from gradexplain.render import print_report

        print_report(consoles.out, explain_run(outcome.record, settings.lang), full=full)
    else:
        assert outcome.input_error is not None
        consoles.input_error(outcome.input_error, settings.lang)
    return None


def _json_line(record: RunRecord, settings: Output) -> str:
    from gradexplain.explain import explain_run
    from gradexplain.render.jsonout import dumps_line, report_to_json

    return dumps_line(report_to_json(explain_run(record, settings.lang)))


class _Consoles:
    """The run's consoles, each made on first use: `--format json` of one scenario needs
    neither, and then rich is not imported at all (about 0.05 s of every such command)."""

    def __init__(self, env: Environment, width: int | None, *, record: bool) -> None:
        self.env, self.width, self.record = env, width, record

    @functools.cached_property
    def out(self) -> Console:
        from gradexplain.render import make_console

        return make_console(self.env.stdout, width=self.width, record=self.record)

    @functools.cached_property
    def err(self) -> Console:
        from gradexplain.render import make_console

        return make_console(self.env.stderr, width=self.width)

    def input_error(self, error: GradexplainError, lang: str) -> None:
        from gradexplain.render import print_input_error

        print_input_error(self.err, error, lang)


@contextmanager
def _progress(consoles: _Consoles, count: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for a batch that takes a while; nothing for one scenario."""
    if count <= 1:
        yield lambda: None
        return
    from gradexplain.render import progress_bar

    with progress_bar(consoles.err, count, enabled=True,
                      delay=PROGRESS_AFTER_SECONDS) as advance:
        yield advance


def _summary_row(outcome: Outcome) -> dict[str, Any]:
    record = outcome.record
    error = record.error.kind if record and record.error else (
        outcome.input_error.kind if outcome.input_error else None)
    return {
        "name": record.name if record else outcome.path.stem,
        "path": str(outcome.path),
        "ok": outcome.status == ExitStatus.OK,
        "status": int(outcome.status),
        "error": error,
        "expected_error": bool(record and record.error_expected),
        "calls": len(record.calls) if record else 0,
        "expectations": (sum(e.ok for e in record.expectations), len(record.expectations))
        if record else (0, 0),
    }
