"""`gradexplain compare`: run two variants of a scenario (or two scenarios), compare the
records (gradexplain.analysis.compare), explain and show them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gradexplain.analysis.compare import Comparison, compare_records
from gradexplain.app.deadline import deadline
from gradexplain.app.environment import Environment
from gradexplain.errors import GradexplainError
from gradexplain.explain.catalogue_ui import phrase
from gradexplain.language.budget import Budget
from gradexplain.options import Options, RunOptions
from gradexplain.record import RunRecord

if TYPE_CHECKING:
    from gradexplain.scenario.model import Scenario


@dataclass
class CompareRequest:
    paths: list[str]
    mode: str  # one of analysis.compare.MODES
    devices: list[str] = field(default_factory=list)  # mode "device": the two devices
    options: Options = field(default_factory=Options)


def run_variants(request: CompareRequest, budget: Budget | None = None
                 ) -> tuple[RunRecord, RunRecord]:
    """Run variant A and variant B. Input errors (bad file, missing device) raise."""
    from gradexplain.scenario.bundled import expand_paths
    from gradexplain.scenario.loader import load_scenario

    files: list[Path] = []
    for argument in request.paths:
        found = expand_paths([argument])
        if len(found) != 1:
            raise GradexplainError(
                "invalid_scenario", f"compare needs one scenario file per path, and "
                f"'{argument}' holds {len(found)}", hint="name a single .yaml, .yml or .py file")
        files.append(found[0])
    base: RunOptions = request.options.run
    first = load_scenario(files[0], base.limits)
    second = load_scenario(files[1], base.limits) if request.mode == "paths" else first
    return run_variant_pair(first, second, request, budget)


def run_variant_pair(first: Scenario, second: Scenario, request: CompareRequest,
                     budget: Budget | None = None) -> tuple[RunRecord, RunRecord]:
    """Run loaded scenarios as variants A and B (the same one, but for mode "paths"), under
    one budget (a worker's)."""
    from gradexplain.app.run import run_loaded

    base: RunOptions = request.options.run
    if request.mode == "zero_grad":
        opts_a, opts_b = base, replace(base, zero_grad=True)
    elif request.mode == "retain_graph":
        opts_a, opts_b = base, replace(base, retain_graph=True)
    elif request.mode == "device":
        opts_a = replace(base, device=request.devices[0])
        opts_b = replace(base, device=request.devices[1])
    else:
        opts_a, opts_b = base, base
    return run_loaded(first, opts_a, budget), run_loaded(second, opts_b, budget)


def run_variants_in_worker(request: CompareRequest) -> tuple[RunRecord, RunRecord]:
    """Both variants in one worker process, under the OS-enforced budgets
    (app/supervisor.py)."""
    from gradexplain.app import supervisor
    from gradexplain.app.run import preload_engine

    preload_engine()
    return supervisor.run(lambda budget: run_variants(request, budget),
                          request.options.run.limits)


def run_pair_in_worker(first: Scenario, second: Scenario,
                       request: CompareRequest) -> tuple[RunRecord, RunRecord]:
    """`run_variant_pair` in one worker process, under the OS-enforced budgets (the Python
    API's compare_code)."""
    from gradexplain.app import supervisor
    from gradexplain.app.run import preload_engine

    preload_engine()
    return supervisor.run(lambda budget: run_variant_pair(first, second, request, budget),
                          request.options.run.limits)


def compare(request: CompareRequest, env: Environment | None = None) -> Comparison:
    """Run both variants, then print the comparison (table or JSON); return it."""
    from gradexplain.explain import explain_run
    from gradexplain.explain.compare import explain_comparison, variant_names
    from gradexplain.render import dumps_line, export_console, make_console
    from gradexplain.render.compare_view import (
        comparison_to_json,
        print_comparison,
    )
    from gradexplain.render.escapes import write_message

    env = env or Environment()
    output = request.options.output
    record_a, record_b = run_variants_in_worker(request)
    name_a, name_b = variant_names(request.mode, output.lang, request.devices, request.paths)
    comparison = compare_records(record_a, record_b, request.mode, name_a=name_a, name_b=name_b)
    with deadline(request.options.run.limits, record_a.path):  # the run's budget, too
        report_a = explain_run(record_a, output.lang)
        report_b = explain_run(record_b, output.lang)
        explained = explain_comparison(comparison, output.lang)
        if output.json:
            line = dumps_line(comparison_to_json(explained, report_a, report_b))
        else:
            console = make_console(env.stdout, width=output.width,
                                   record=output.export is not None)
            print_comparison(console, explained, report_a, report_b,
                             full=request.options.run.full)
            if output.export is not None:
                export_console(console, output.export)
    if output.json:  # written whole, after the deadline: never half a line
        env.stdout.write(line + "\n")
    elif output.export is not None:
        write_message(env.stderr, phrase("wrote", output.lang, path=output.export))
    return comparison
