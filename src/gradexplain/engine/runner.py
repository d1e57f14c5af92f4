"""Run a scenario: build its tensors, run its statements, record everything (a RunRecord).

`Session` is the engine shared by `run`, `compare` and the REPL: one interpreter, one
recorder, statements fed in one program at a time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from gradexplain.engine.devices import resolve_device
from gradexplain.engine.expect import check_expectations
from gradexplain.engine.output_bounds import bound_output
from gradexplain.engine.process_state import scoped_to_the_run, seed_everything
from gradexplain.engine.recorder import CallWatcher, Recorder, RecorderOptions
from gradexplain.engine.values import dtype_name, to_value
from gradexplain.errors import GradexplainError, SourceLocation
from gradexplain.language.budget import Budget
from gradexplain.language.checker import Program, parse_expression, parse_program
from gradexplain.language.classify import classify
from gradexplain.language.evaluator import BackwardRequest, Interpreter, StatementContext
from gradexplain.limits import Limits, arange_length, check
from gradexplain.options import RunOptions, ViewOptions
from gradexplain.record import ErrorInfo, NoteInfo, RunRecord, TensorRow
from gradexplain.scenario.model import Code, Scenario, TensorSpec

if TYPE_CHECKING:  # imported when a run asks for them (see Session, rerun_code)
    from gradexplain.engine.deeper import DeeperViews
    from gradexplain.engine.float64_replay import Perturbation

FLOAT_DTYPES = {"float32": torch.float32, "float64": torch.float64,
                "float16": torch.float16, "bfloat16": torch.bfloat16}


@dataclass
class CheckedScenario:
    """A scenario whose code passed the static checks: nothing has run yet."""

    scenario: Scenario
    expression: Program | None
    steps: list[Program]
    tensor_programs: dict[str, Program]
    gradient: Program | None


def check_scenario(scenario: Scenario, limits: Limits) -> CheckedScenario:
    """Parse and check every piece of code in the scenario, before anything runs."""
    text = scenario.source_text or None
    tensor_programs = {
        spec.name: parse_expression(spec.argument, limits, file_text=text)
        for spec in scenario.tensors if spec.source == "expr" and isinstance(spec.argument, Code)
    }
    expression = parse_expression(scenario.expression, limits, file_text=text) \
        if scenario.expression is not None else None
    gradient = None
    if scenario.grad_tensors is not None and scenario.grad_tensors.code is not None:
        gradient = parse_expression(scenario.grad_tensors.code, limits, file_text=text)
    steps: list[Program] = []
    offset = 0
    for code in scenario.steps or ():
        program = parse_program(code, limits, file_text=text, line_steps=scenario.is_snippet)
        if not scenario.is_snippet:
            program.steps = {k: v + offset for k, v in program.steps.items()}
        offset += program.statement_count
        steps.append(program)
    check("max_statements", offset, limits)
    return CheckedScenario(scenario, expression, steps, tensor_programs, gradient)


@dataclass(frozen=True)
class Mark:
    """How much a session had recorded at one moment (Session.mark)."""

    calls: int
    prints: int
    shown: int
    notes: int


class Session:
    """One interpreter and one recorder on one device: the engine behind run, compare, repl."""

    def __init__(self, scenario: Scenario, options: RunOptions,
                 budget: Budget | None = None) -> None:
        self.scenario = scenario
        self.options = options
        self.interpreter_out_name = "out"  # the short form's name for its result
        self.device = resolve_device(options.device or scenario.device)
        self.dtype = FLOAT_DTYPES[options.dtype or scenario.dtype]
        zero = scenario.zero_grad if options.zero_grad is None else options.zero_grad
        expect = scenario.expect
        expected = set(expect.calls) if expect is not None else set()
        if expect is not None and expect.error is not None and expect.error.call is not None:
            expected.add(expect.error.call)
        self.recorder = Recorder(RecorderOptions(
            options.full, zero, options.retain_graph, dot=options.dot,
            calls_all=options.calls_all, keep_calls=frozenset(expected),
            views=options.views.every_call))
        self.interpreter = Interpreter(options.limits, self.recorder, budget)
        self.recorder.roots = self.user_values
        if options.views.why:
            self.tag_statements()
        self.views: DeeperViews | None = None
        if options.views.any:
            from gradexplain.engine.deeper import DeeperViews

            self.recorder.deeper = self.views = DeeperViews(
                options.views, lambda: self.interpreter.env, full=options.full)
        self.error: ErrorInfo | None = None
        self.declared: list[str] = []

    def user_values(self) -> list[object]:
        """What the user's code holds now: its names, and the running function's locals."""
        interpreter = self.interpreter
        values = list(interpreter.env.values())
        scope = interpreter.scope
        while scope is not None:
            values.extend(scope.names.values())
            scope = scope.parent
        return values

    def tag_statements(self) -> None:
        """Tag each named tensor's node with the statement that made it (--why, the REPL)."""
        from gradexplain.engine.madeby import StatementTags

        # The interpreter's current statement, read when a name is bound (Hooks.assigned
        # passes only the name and the value).
        self.recorder.labels = StatementTags(lambda: self.interpreter.context)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Default dtype and device for the user's factory calls, restored afterwards."""
        previous = torch.get_default_dtype()
        grad_mode = torch.is_grad_enabled()  # `torch.set_grad_enabled(False)` as a call
        default_device = torch.get_default_device()  # `torch.set_default_device(...)`
        torch.set_default_dtype(self.dtype)
        # torch.device as a context manager costs a Python dispatch per op: only when needed.
        placement = self.device if self.device.type != "cpu" else nullcontext()
        try:
            with placement:
                yield
        finally:
            torch.set_default_dtype(previous)
            torch.set_grad_enabled(grad_mode)
            if torch.get_default_device() != default_device:  # the code changed it
                torch.set_default_device(None if default_device.type == "cpu"
                                         else default_device)

    def close(self) -> None:
        """Let go of every tensor and graph, one node at a time (engine/release.py)."""
        from gradexplain.engine.release import release

        recorder = self.recorder
        release([self.interpreter.env, recorder.freed, recorder.tracked])

    def stop(self, error: GradexplainError) -> None:
        """Record the error that stops the run."""
        location = error.location or SourceLocation(self.scenario.path)
        self.error = ErrorInfo(
            error.kind, error.message, error.facts.get("step"), location.line, location.col,
            location.end_col, error.facts.get("statement"), location.path or self.scenario.path,
            error.hint, {k: v for k, v in error.facts.items() if k not in {"step", "statement"}},
        )

    def build_tensors(self, checked: CheckedScenario) -> None:
        seed_everything(self.scenario.seed)
        for spec in self.scenario.tensors:
            try:
                tensor = self._make_tensor(spec, checked)
            except GradexplainError as err:
                if err.location is None:
                    err.location = spec.location
                raise
            except (RuntimeError, ValueError, TypeError) as exc:
                error = classify(exc, None)
                error.location = spec.location
                error.facts.setdefault("tensor", spec.name)
                error.facts.setdefault("dtype", spec.dtype)
                error.facts.setdefault("statement", _file_line(spec.location) or
                                       f"tensors: {spec.name}")
                raise error from exc
            self.interpreter.env[spec.name] = tensor
            self.recorder.assigned(spec.name, tensor)
            self.declared.append(spec.name)

    def _make_tensor(self, spec: TensorSpec, checked: CheckedScenario) -> torch.Tensor:
        explicit = getattr(torch, spec.dtype) if spec.dtype else None
        dtype = explicit or self.dtype
        kind, arg = spec.source, spec.argument
        if kind == "expr":
            value = self.interpreter.evaluate(checked.tensor_programs[spec.name])
            if not isinstance(value, torch.Tensor):
                raise GradexplainError("invalid_scenario", f"tensors.{spec.name}: the expr "
                                       "did not produce a tensor", spec.location)
            if spec.requires_grad is not None and value.requires_grad != spec.requires_grad:
                value.requires_grad_(spec.requires_grad)
            return value
        check("max_elements", _spec_numel(spec), self.options.limits, spec.location)
        device = self.device
        if kind == "value":
            tensor = torch.tensor(arg, dtype=explicit, device=device)
            if explicit is None and tensor.is_floating_point():
                tensor = tensor.to(self.dtype)
        elif kind in {"ones", "zeros", "rand", "randn"}:
            tensor = getattr(torch, kind)(arg, dtype=dtype, device=device)
        elif kind == "full":
            tensor = torch.full(arg, spec.fill if spec.fill is not None else 0.0, dtype=dtype,
                                device=device)
        elif kind == "arange":
            tensor = torch.arange(*arg, dtype=explicit, device=device)
            if explicit is None and tensor.is_floating_point():
                tensor = tensor.to(self.dtype)
        elif kind == "linspace":
            tensor = torch.linspace(arg[0], arg[1], int(arg[2]), dtype=dtype, device=device)
        else:  # eye
            tensor = torch.eye(int(arg), dtype=dtype, device=device)
        wants = spec.requires_grad
        if wants is None:
            wants = tensor.is_floating_point() or tensor.is_complex()
        if wants:
            tensor.requires_grad_(True)
        return tensor

    def run_programs(self, programs: list[Program]) -> None:
        for program in programs:
            self.interpreter.run(program)

    def run_short_form(self, checked: CheckedScenario) -> None:
        scenario = self.scenario
        assert checked.expression is not None and scenario.expression is not None
        out_name = "out" if "out" not in self.interpreter.env else "output"
        output = self.interpreter.evaluate(checked.expression)
        if not isinstance(output, torch.Tensor):
            raise GradexplainError("invalid_scenario", "the expression did not produce a "
                                   "tensor", checked.expression.source.locate(
                                       checked.expression.tree.body[0]))
        self.interpreter.env[out_name] = output
        self.interpreter_out_name = out_name
        self.recorder.assigned(out_name, output)
        gradient = self._short_gradient(checked, output)
        if self.views is not None:
            self.views.short_form(checked.expression, scenario.expression.text,
                                  self.options.limits, self.interpreter.budget)
        location = checked.expression.source.locate(checked.expression.tree.body[0])
        arguments = []
        if scenario.grad_tensors is not None:
            arguments.append("grad_tensors")
        if scenario.retain_graph:
            arguments.append("retain_graph=True")
        if scenario.create_graph:
            arguments.append("create_graph=True")
        statement = f"{out_name}.backward({', '.join(arguments)})"
        for _ in range(scenario.repeat):
            self.interpreter.budget.statement_started(self.options.limits, location,
                                                      statement)  # time, memory
            context = StatementContext(None, location.line, statement, location)
            request = BackwardRequest("backward", [(output, out_name)],
                                      None if gradient is None else [gradient],
                                      scenario.retain_graph, scenario.create_graph, context)
            try:
                self.recorder.backward(request)
            except GradexplainError as err:
                err.location = err.location or location
                if err.kind == "grad_shape_mismatch" and scenario.grad_tensors is not None \
                        and scenario.grad_tensors.location is not None:
                    # The value to change is the YAML `grad_tensors:`, not the expression.
                    spec = scenario.grad_tensors
                    err.location = spec.location
                    err.facts["short_form"] = True
                    err.facts["statement"] = "grad_tensors: " + (
                        spec.code.text.strip() if spec.code is not None else str(spec.literal))
                err.facts.setdefault("statement", statement)
                err.facts.setdefault("step", None)
                raise

    def _short_gradient(self, checked: CheckedScenario, output: torch.Tensor) -> object:
        spec = self.scenario.grad_tensors
        if spec is None:
            return None
        if spec.ones_like:
            return torch.ones_like(output)
        if checked.gradient is not None:
            try:
                return self.interpreter.evaluate(checked.gradient)
            except GradexplainError as err:
                name = err.facts.get("name")
                if err.kind == "unknown_name" and isinstance(name, str) and spec.code:
                    # `torch.ones_like(z)`: the short form names its result `out`, not z.
                    err.facts["short_form_out"] = self.interpreter_out_name
                    err.facts["short_form_fix"] = re.sub(
                        rf"\b{re.escape(name)}\b", self.interpreter_out_name,
                        spec.code.text.strip())
                raise
        return torch.tensor(spec.literal, dtype=output.dtype, device=output.device)

    def mark(self) -> Mark:
        """Where the records stand now: `recorded_since` returns what comes after."""
        recorder = self.recorder
        return Mark(len(recorder.calls), len(recorder.prints), len(recorder.shown_values),
                    len(recorder.notes))

    def recorded_since(self, mark: Mark, name: str) -> RunRecord:
        """A record of the calls, prints, shown values and notes made after `mark`
        (no tensors: the caller says which rows changed)."""
        recorder = self.recorder
        calls = recorder.folding.flush(recorder.calls)[mark.calls:]
        prints = recorder.print_folding.flush(recorder.prints)[mark.prints:]
        first = calls[0].index if calls else recorder.call_count + 1
        record = RunRecord(
            name=name, path=None, description=None, torch_version="", device="", dtype="",
            calls=calls, prints=prints, shown=recorder.shown_values[mark.shown:],
            notes=recorder.notes[mark.notes:], groups=recorder.folding.summaries(first - 1),
            print_groups=recorder.print_folding.summaries({(p.step, p.line) for p in prints}),
            calls_all=recorder.folding.keep_all)
        return bound_output(record, self.options.limits)

    def run_loaded(self, checked: CheckedScenario) -> None:
        """Build another scenario's tensors and run its code in this session (REPL :load)."""
        own = self.scenario
        self.scenario = checked.scenario  # build_tensors and the short form read it
        try:
            self.build_tensors(checked)
            if checked.expression is not None:
                self.run_short_form(checked)
            else:
                self.run_programs(checked.steps)
        finally:
            self.scenario = own

    def forget_step_names(self) -> None:
        """Names assigned in the steps are bound afresh on each repetition."""
        for name in list(self.interpreter.env):
            if name not in self.declared:
                del self.interpreter.env[name]

    def tensor_rows(self) -> list[TensorRow]:
        rows = []
        full = self.options.full
        for name, value in named_tensors(self.interpreter.env):
            keeps_grad = value.is_leaf or value.retains_grad
            rows.append(TensorRow(
                name=name, shape=list(value.shape), dtype=dtype_name(value.dtype),
                device=str(value.device), requires_grad=value.requires_grad,
                is_leaf=value.is_leaf,
                grad_fn=type(value.grad_fn).__name__ if value.grad_fn is not None else None,
                value=to_value(value, full=full),
                grad=to_value(value.grad, full=full) if keeps_grad else None,
                retains_grad=bool(value.retains_grad),
            ))
        return rows

    def record(self) -> RunRecord:
        scenario = self.scenario
        recorder = self.recorder
        if scenario.expect is not None:  # expecting a non-leaf's grad: say why it is None
            for name in [*scenario.expect.grads, *(n for grads in scenario.expect.calls.values()
                                                   for n in grads)]:
                tensor = self.interpreter.env.get(name)
                if isinstance(tensor, torch.Tensor):
                    recorder.expected_grad(tensor, name)
        record = RunRecord(
            name=scenario.name, path=scenario.path, description=scenario.description,
            descriptions=dict(scenario.descriptions),
            torch_version=torch.__version__, device=str(self.device),
            dtype=dtype_name(self.dtype), tensors=self.tensor_rows(),
            calls=list(recorder.folding.flush(recorder.calls)),
            prints=list(recorder.print_folding.flush(recorder.prints)),
            shown=list(recorder.shown_values), notes=list(recorder.notes),
            error=self.error,
            groups=recorder.folding.summaries(), print_groups=recorder.print_folding.summaries(),
            calls_all=recorder.folding.keep_all,
        )
        if len(record.calls) != recorder.call_count:
            record.calls_total = recorder.call_count
        if scenario.plot is not None:
            from gradexplain.engine.plotdata import plot_record

            record.plot = plot_record(scenario.plot, self.interpreter.env, scenario.name)
        elif recorder.plots:  # d2l.plot(...) calls in the code
            from gradexplain.engine.plotdata import d2l_plot_record

            record.plot = d2l_plot_record(recorder.plots, scenario.name)
        expect = scenario.expect
        if expect is not None:
            if expect.error is not None and self.error is not None:
                failed_call = next((c.index for c in recorder.calls if c.error), None)
                record.error_expected = self.error.kind == expect.error.kind and \
                    expect.error.step in (None, self.error.step) and \
                    expect.error.call in (None, failed_call)
            record.expectations = check_expectations(expect, record, self.interpreter.env,
                                                     scenario.tolerance)
        return bound_output(record, self.options.limits)  # after the checks: whole texts


def named_tensors(env: dict[str, object]) -> list[tuple[str, torch.Tensor]]:
    """The user's tensors by name, and the parameters of their modules by path
    (`model.fc1.weight`), in the order the names were bound."""
    found: list[tuple[str, torch.Tensor]] = []
    # A lazy layer never called (nn.LazyLinear) holds no tensor yet: nothing to show.
    lazy = torch.nn.parameter.is_lazy
    for name, value in env.items():
        if isinstance(value, torch.Tensor) and not lazy(value):
            found.append((name, value))
        elif isinstance(value, torch.nn.Module):
            found.extend((f"{name}.{path}", p) for path, p in value.named_parameters()
                         if not lazy(p))
    return found


def run_scenario(scenario: Scenario, options: RunOptions | None = None,
                 budget: Budget | None = None) -> RunRecord:
    """Check, then run a scenario. Input errors (exit 2 kinds) raise before anything runs.
    `budget` is the run's time and memory budget (app/supervisor.py makes it for its process)."""
    options = options or RunOptions()
    checked = check_scenario(scenario, options.limits)
    session = Session(scenario, options, budget)
    if options.views.check_numeric and checked.expression is None and \
            session.views is not None:  # code: checked by re-running it
        from gradexplain.engine.numeric_replay import NumericReplay

        session.views.replay = NumericReplay(checked.steps, functools.partial(
            rerun_code, checked, options, session.interpreter.budget))
    with session.active(), scoped_to_the_run():
        try:
            session.build_tensors(checked)
            if checked.expression is not None:
                session.run_short_form(checked)
            else:
                for repetition in range(scenario.repeat):
                    if repetition:
                        session.forget_step_names()
                    session.run_programs(checked.steps)
        except GradexplainError as err:
            session.stop(err)
        session.recorder.graph_rebuilt_notes(scenario.repeat)
        zeroing_facts(session.recorder.notes, session.interpreter.env, scenario.is_snippet)
        record = session.record()
    session.close()
    return record


def rerun_code(checked: CheckedScenario, options: RunOptions, budget: Budget,
               watcher: CallWatcher, plan: Perturbation | None) -> None:
    """Run a scenario's code again in a fresh session, in float64 with `plan`'s one leaf
    element moved (None: as it is), from the same seed, under the run's `budget` (the
    re-runs count against its time and memory); `watcher` sees each backward call
    (--check-numeric for code: engine/numeric_replay.py stops the run at the checked call)."""
    from gradexplain.engine.float64_replay import Float64Replay

    scenario = checked.scenario
    session = Session(scenario, replace(options, views=ViewOptions(), dot=False,
                                        calls_all=False), budget)
    session.recorder.deeper = watcher
    try:
        with torch.random.fork_rng(devices=[]), scoped_to_the_run(), session.active(), \
                Float64Replay(session.dtype, plan):
            session.build_tensors(checked)
            for repetition in range(scenario.repeat):
                if repetition:
                    session.forget_step_names()
                session.run_programs(checked.steps)
    finally:
        session.close()


def zeroing_facts(notes: list[NoteInfo], env: dict[str, object], python: bool) -> None:
    """graph_rebuilt: whether the code is Python (no YAML key to suggest), and the optimizer
    that holds every leaf the loop reached (its zero_grad() is the fix to suggest)."""
    for note in notes:
        if note.kind != "graph_rebuilt":
            continue
        note.facts["python"] = python
        by_label = dict(named_tensors(env))
        wanted = [by_label.get(label) for label in note.facts.get("leaves") or []]
        if not wanted or any(t is None for t in wanted):
            continue
        for name, value in env.items():
            if isinstance(value, torch.optim.Optimizer):
                held = {id(p) for group in value.param_groups for p in group["params"]}
                if all(id(t) in held for t in wanted):
                    note.facts["optimizer"] = name
                    break


def _spec_numel(spec: TensorSpec) -> int:
    arg = spec.argument
    if spec.source in {"ones", "zeros", "rand", "randn", "full"}:
        shape = [arg] if isinstance(arg, int) else list(arg)
        result = 1
        for size in shape:
            result *= int(size)
        return result
    if spec.source == "eye":
        return int(arg) ** 2
    if spec.source == "linspace":
        return int(arg[2])
    if spec.source == "arange":
        start, end, step = (0, arg[0], 1) if len(arg) == 1 else (
            arg[0], arg[1], arg[2] if len(arg) > 2 else 1)
        count = arange_length(start, end, step) if step else 0
        return 2**63 if count is None else max(count, 0)  # None: too many to count
    return 0


def _file_line(location: SourceLocation | None) -> str | None:
    """The line of the scenario file at `location`, as written (a YAML `tensors:` entry)."""
    if location is None or not location.path or not location.line:
        return None
    try:
        lines = Path(location.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[location.line - 1].strip() if location.line <= len(lines) else None
