"""The Python API: run code or a scenario file, get the run record, render it as a string.

    import gradexplain

    record = gradexplain.run_code('''
    x = torch.ones(2, 2, requires_grad=True)
    out = (x * 3).sum()
    out.backward()
    ''')
    record.calls[0].after["x"]          # [[3.0, 3.0], [3.0, 3.0]]
    text = gradexplain.render(record)   # the table `gradexplain run` prints

Code runs exactly as `gradexplain run` runs it (`app.run.run_budgeted`): the same safe
interpreter, allowlists and limits, in a worker process under the same OS-enforced budgets
(`Limits.max_memory`, `Limits.max_seconds`). Nothing here prints. Input that cannot be used
at all (a file that does not load, refused code, a limit or budget, a missing device)
raises `GradexplainError`, which `render` shows as the CLI does; errors of the run itself
(`freed_graph`, `shape_mismatch`, ...) are in the record.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gradexplain.analysis.compare import Comparison
from gradexplain.app.deadline import deadline
from gradexplain.app.run import input_error_record, run_budgeted
from gradexplain.errors import GradexplainError, invalid
from gradexplain.limits import Limits
from gradexplain.options import Options, Output, RunOptions, ViewOptions, why_target
from gradexplain.record import RunRecord
from gradexplain.scenario.model import DTYPES

Format = Literal["table", "json", "html", "svg"]
CompareMode = Literal["zero_grad", "retain_graph"]
COMPARE_MODES: tuple[CompareMode, ...] = ("zero_grad", "retain_graph")
FORMATS: tuple[Format, ...] = ("table", "json", "html", "svg")
DEFAULT_WIDTH = 100  # columns of the table; HTML and SVG are drawn at this width too


def run_code(source: str, *, lang: str | None = None, device: str | None = None,
             dtype: str | None = None, limits: Limits | None = None, full: bool = False,
             graph: bool = False, jacobian: bool = False, jacobian_limit: int = 64,
             check_numeric: bool = False, why: str | Sequence[str] = (),
             name: str | None = None, kind: Literal["py", "yaml"] = "py") -> RunRecord:
    """Run statement-language code (kind="py", like a .py snippet) or a whole YAML scenario
    (kind="yaml") and return what it did.

    `lang` is the language `render` explains in (en or zh; None: GRADEXPLAIN_LANG, else
    the locale, as the command line chooses); `device` (cpu, cuda, cuda:N, mps, auto) and
    `dtype` override the scenario's; `graph`, `jacobian` and `check_numeric` add the deeper
    views of `gradexplain run --graph ...`; `why` ("x", "x[0, 1]", or several) writes the
    chain rule out for that element under each call that reaches it
    (`record.calls[i].views.why`). `name` titles the output ("code", in the reader's
    language, by default), and messages place errors at `<name>:line:col`.
    """
    from gradexplain.scenario.loader import load_scenario_text

    lang = chosen_language(lang)
    name = name or default_name("code", lang)
    options = _options(lang, device, dtype, limits, full, graph, jacobian, jacobian_limit,
                       check_numeric, why)
    scenario = load_scenario_text(source, f"<{name}>", kind, options.limits, name=name)
    return _with_lang(run_budgeted(scenario, options), lang)


def run_file(path: str | os.PathLike[str], *, lang: str | None = None,
             device: str | None = None,
             dtype: str | None = None, limits: Limits | None = None, full: bool = False,
             graph: bool = False, jacobian: bool = False, jacobian_limit: int = 64,
             check_numeric: bool = False, why: str | Sequence[str] = ()) -> RunRecord:
    """Run one scenario file (.yaml, .yml, .py) or a bundled lesson by name
    ("accumulation"), as `gradexplain run PATH` does; options as for `run_code`."""
    from gradexplain.scenario.bundled import expand_paths
    from gradexplain.scenario.loader import load_scenario

    lang = chosen_language(lang)
    options = _options(lang, device, dtype, limits, full, graph, jacobian, jacobian_limit,
                       check_numeric, why)
    found = expand_paths([os.fspath(path)])
    if len(found) != 1:
        raise invalid(f"run_file runs one scenario, and '{os.fspath(path)}' holds "
                      f"{len(found)}", hint="name a single .yaml, .yml or .py file")
    return _with_lang(run_budgeted(load_scenario(found[0], options.limits), options), lang)


@dataclass
class ComparedRuns:
    """One piece of code run as written (a) and as a variant (b), and what differs."""

    a: RunRecord
    b: RunRecord
    comparison: Comparison
    lang: str = "en"

    @property
    def same(self) -> bool:
        return self.comparison.same


def compare_code(source: str, mode: CompareMode = "zero_grad", *, lang: str | None = None,
                 device: str | None = None, dtype: str | None = None,
                 limits: Limits | None = None, full: bool = False, graph: bool = False,
                 jacobian: bool = False, jacobian_limit: int = 64,
                 check_numeric: bool = False, why: str | Sequence[str] = (),
                 name: str | None = None, kind: Literal["py", "yaml"] = "py") -> ComparedRuns:
    """`gradexplain compare` for code: as written vs. every grad zeroed before each call
    (mode="zero_grad") or vs. retain_graph=True on every call (mode="retain_graph")."""
    from gradexplain.analysis.compare import compare_records
    from gradexplain.app.compare import CompareRequest, run_pair_in_worker
    from gradexplain.explain.compare import variant_names
    from gradexplain.scenario.loader import load_scenario_text

    if mode not in COMPARE_MODES:
        raise ValueError(f"mode must be one of {', '.join(COMPARE_MODES)}, got {mode!r}")
    lang = chosen_language(lang)
    name = name or default_name("code", lang)
    options = _options(lang, device, dtype, limits, full, graph, jacobian, jacobian_limit,
                       check_numeric, why)
    scenario = load_scenario_text(source, f"<{name}>", kind, options.limits, name=name)
    request = CompareRequest(paths=[], mode=mode,
                             options=Options(run=options, output=Output(lang=lang)))
    a, b = run_pair_in_worker(scenario, scenario, request)
    name_a, name_b = variant_names(mode, lang)
    return ComparedRuns(_with_lang(a, lang), _with_lang(b, lang),
                        compare_records(a, b, mode, name_a=name_a, name_b=name_b), lang)


def render(item: RunRecord | ComparedRuns | GradexplainError, format: Format = "table", *,
           lang: str | None = None, width: int = DEFAULT_WIDTH, full: bool = False,
           limits: Limits | None = None) -> str:
    """A record (or an input error) as text: "table" (what `gradexplain run` prints, plain),
    "json" (what `--format json` prints), "html" (an HTML fragment: one styled <pre>, as
    rich renders in Jupyter) or "svg" (a standalone picture). `lang` defaults to the
    record's (run_code's `lang=`). Compared runs render as `gradexplain compare` shows them.
    Rendering has the run's time budget too (`limits.max_seconds`, 60 s by default): past
    it, GradexplainError limit_exceeded (in the main thread, where a timer can stop it)."""
    where = item.a.path if isinstance(item, ComparedRuns) else \
        item.path if isinstance(item, RunRecord) else None
    with deadline(limits or Limits(), where):
        return _render(item, format, lang, width, full)


def _render(item: RunRecord | ComparedRuns | GradexplainError, format: Format,
            lang: str | None, width: int, full: bool) -> str:
    from gradexplain.explain import LANGUAGES, explain_run
    from gradexplain.render import dumps_line, print_input_error, report_to_json
    from gradexplain.render.console import Console, drawn_as
    from gradexplain.render.report import print_report

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if isinstance(item, GradexplainError):
        chosen = chosen_language(lang)
        if format == "json":
            path = item.location.path if item.location and item.location.path else "<input>"
            record = input_error_record(Path(path), item)
            return dumps_line(report_to_json(explain_run(record, chosen)))

        def draw_error(console: Console) -> None:
            print_input_error(console, item, chosen)

        return drawn_as(draw_error, format, width=width, title="gradexplain")
    chosen = lang or item.lang
    _check_lang(chosen, LANGUAGES)
    if isinstance(item, ComparedRuns):
        return _render_compared(item, format, chosen, width, full)
    report = explain_run(item, chosen)
    if format == "json":
        return dumps_line(report_to_json(report))

    def draw(console: Console) -> None:
        print_report(console, report, full=full)

    return drawn_as(draw, format, width=width, title=item.name)


def _render_compared(runs: ComparedRuns, output_format: Format, lang: str, width: int,
                     full: bool) -> str:
    from gradexplain.explain import explain_run
    from gradexplain.explain.compare import explain_comparison
    from gradexplain.render import dumps_line
    from gradexplain.render.compare_view import (
        comparison_to_json,
        print_comparison,
    )
    from gradexplain.render.console import Console, drawn_as

    report_a, report_b = explain_run(runs.a, lang), explain_run(runs.b, lang)
    explained = explain_comparison(runs.comparison, lang)
    if output_format == "json":
        return dumps_line(comparison_to_json(explained, report_a, report_b))

    def draw(console: Console) -> None:
        print_comparison(console, explained, report_a, report_b, full=full)

    return drawn_as(draw, output_format, width=width, title=runs.a.name)


def _options(lang: str, device: str | None, dtype: str | None, limits: Limits | None,
             full: bool, graph: bool, jacobian: bool, jacobian_limit: int,
             check_numeric: bool, why: str | Sequence[str]) -> RunOptions:
    """The run options `gradexplain run` builds from the same flags."""
    from gradexplain.explain import LANGUAGES

    _check_lang(lang, LANGUAGES)
    if dtype is not None and dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    if jacobian_limit < 1:
        raise ValueError(f"jacobian_limit must be at least 1, got {jacobian_limit}")
    targets = (why,) if isinstance(why, str) else tuple(why)
    for target in targets:
        why_target(target)  # ValueError: not NAME or NAME[i, j]
    views = ViewOptions(graph=graph, jacobian=jacobian, jacobian_limit=jacobian_limit,
                        check_numeric=check_numeric, why=targets)
    return RunOptions(device=device, dtype=dtype, limits=limits or Limits(), full=full,
                      views=views)


def chosen_language(lang: str | None) -> str:
    """`lang` as given (en or zh), or the environment's choice when None, as the command
    line chooses it: GRADEXPLAIN_LANG, then LC_ALL, LC_MESSAGES, LANG."""
    from gradexplain.explain import LANGUAGES
    from gradexplain.explain.languages import from_environment

    if lang is None:
        return from_environment()
    _check_lang(lang, LANGUAGES)
    return lang


def default_name(what: str, lang: str) -> str:
    """What titles unnamed code: "code" / "代码" (what="code"), "cell" / "单元格"."""
    from gradexplain.explain.catalogue_ui import phrase

    return phrase(f"name.{what}", lang)


def _check_lang(lang: str, languages: tuple[str, ...]) -> None:
    if lang not in languages:
        raise ValueError(f"lang must be one of {', '.join(languages)}, got {lang!r}")


def _with_lang(record: RunRecord, lang: str) -> RunRecord:
    record.lang = lang
    return record

