"""The command line: parse options, call the library, turn its errors into exit codes.

Importing this module must stay cheap: torch is imported inside the commands that run
scenarios, never at module level, so `gradexplain --help` and `--version` are instant.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gradexplain import __version__
from gradexplain.errors import BAD_INPUT_KINDS, ExitStatus, GradexplainError
from gradexplain.limits import Limits
from gradexplain.shell.cli_deeper import (
    CheckNumericOption,
    GraphOption,
    JacobianLimitOption,
    JacobianOption,
    deeper_extras,
)

if TYPE_CHECKING:
    from gradexplain.record import RunRecord


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class Language(str, Enum):
    en = "en"
    zh = "zh"


class Dtype(str, Enum):
    float32 = "float32"
    float64 = "float64"
    float16 = "float16"
    bfloat16 = "bfloat16"


app = typer.Typer(
    name="gradexplain",
    help="Run PyTorch autograd scenarios and see what backward() did, and why.\n\n"
         "Examples:\n\n  gradexplain run accumulation\n\n  gradexplain run lesson.yaml "
         "--lang zh\n\n  gradexplain compare accumulation --zero-grad\n\n  gradexplain repl",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,  # locals could hold whole tensors
    rich_markup_mode=None,
)

# Shared options -------------------------------------------------------------------------------

DeviceOption = Annotated[str | None, typer.Option(
    "--device", help="cpu, cuda, cuda:N, mps or auto (overrides the scenario's device:)")]
DtypeOption = Annotated[Dtype | None, typer.Option(
    "--dtype", help="default floating dtype of created tensors")]
LangOption = Annotated[Language, typer.Option(
    "--lang", help="language of explanations: en or zh (Simplified Chinese)")]
FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", help="table for people, json for programs")]
FullOption = Annotated[bool, typer.Option("--full", help="show every element, no summaries")]
DebugOption = Annotated[bool, typer.Option("--debug", help="show Python tracebacks of bugs")]
WidthOption = Annotated[int | None, typer.Option("--width", help="terminal width for tables")]
ExportOption = Annotated[Path | None, typer.Option(
    "--export", metavar="FILE",
    help="also save exactly what is shown, as .svg, .html or .txt (at --width)")]
DotOption = Annotated[Path | None, typer.Option(
    "--dot", metavar="FILE",
    help="save each call's backward graph as Graphviz: .dot text, or .svg/.png via `dot`")]
MaxElements = Annotated[int | None, typer.Option(
    "--max-elements", help="elements in any one tensor [default: 16777216]")]
MaxFileBytes = Annotated[int | None, typer.Option(
    "--max-file-bytes", help="scenario file size [default: 1048576]")]
MaxStatementChars = Annotated[int | None, typer.Option(
    "--max-statement-chars", help="characters in one statement [default: 2000]")]
MaxDepth = Annotated[int | None, typer.Option(
    "--max-depth", help="nesting depth of code and YAML [default: 32]")]
MaxStatements = Annotated[int | None, typer.Option(
    "--max-statements", help="statements in a scenario [default: 1000]")]
MaxLoop = Annotated[int | None, typer.Option(
    "--max-loop-iterations", help="iterations of one loop or repeat [default: 100000]")]
MaxExecuted = Annotated[int | None, typer.Option(
    "--max-executed", help="statements executed in one run [default: 1000000]")]
MaxNumberBits = Annotated[int | None, typer.Option(
    "--max-number-bits", help="bits in a plain integer result [default: 4096]")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gradexplain {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Run PyTorch autograd scenarios and see what backward() did, and why."""


@contextmanager
def guarded(debug: bool, lang: str = "en") -> Iterator[None]:
    """The one place that turns errors into messages and exit codes."""
    try:
        yield
    except GradexplainError as err:
        from gradexplain.render import make_console, print_input_error  # noqa: PLC0415

        print_input_error(make_console(sys.stderr), err, lang)
        raise typer.Exit(int(err.exit_status)) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if debug:
            raise
        typer.echo(f"gradexplain: internal error ({type(exc).__name__}: {exc}); "
                   "please rerun with --debug and report the traceback", err=True)
        raise typer.Exit(int(ExitStatus.FAILED)) from None


def make_limits(max_elements: int | None = None, max_file_bytes: int | None = None,
                max_statement_chars: int | None = None, max_depth: int | None = None,
                max_statements: int | None = None, max_loop_iterations: int | None = None,
                max_executed: int | None = None, max_number_bits: int | None = None) -> Limits:
    for name, value in locals().items():
        if value is not None and value < 1:
            raise typer.BadParameter(f"--{name.replace('_', '-')} must be at least 1")
    return Limits().raised(
        max_elements=max_elements, max_file_bytes=max_file_bytes,
        max_statement_chars=max_statement_chars, max_depth=max_depth,
        max_statements=max_statements, max_loop_iterations=max_loop_iterations,
        max_executed=max_executed, max_number_bits=max_number_bits)


def exit_status(record: RunRecord) -> ExitStatus:
    if record.error is not None and record.error.kind in BAD_INPUT_KINDS:
        return ExitStatus.BAD_INPUT
    return ExitStatus.OK if record.ok else ExitStatus.FAILED


# run ------------------------------------------------------------------------------------------

@app.command()
def run(
    paths: Annotated[list[str] | None, typer.Argument(
        help="scenario files (.yaml, .yml, .py), directories, or bundled example names")] = None,
    device: DeviceOption = None,
    dtype: DtypeOption = None,
    output_format: FormatOption = OutputFormat.table,
    lang: LangOption = Language.en,
    full: FullOption = False,
    debug: DebugOption = False,
    width: WidthOption = None,
    export: ExportOption = None,
    dot: DotOption = None,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    check_numeric: CheckNumericOption = False,
    max_elements: MaxElements = None,
    max_file_bytes: MaxFileBytes = None,
    max_statement_chars: MaxStatementChars = None,
    max_depth: MaxDepth = None,
    max_statements: MaxStatements = None,
    max_loop_iterations: MaxLoop = None,
    max_executed: MaxExecuted = None,
    max_number_bits: MaxNumberBits = None,
) -> None:
    """Run scenarios and show values, leaf gradients, the ledger of each backward call,
    notes and explained errors.

    Examples:

      gradexplain run                         (list the bundled examples)

      gradexplain run accumulation            (a bundled example, by name)

      gradexplain run lesson.yaml snippet.py --lang zh

      gradexplain run scenarios/ --format json
    """
    if export is not None and output_format is OutputFormat.json:
        raise typer.BadParameter("--export saves the table view; leave out --format json "
                                 "(or redirect stdout to save the JSON)", param_hint="--export")
    limits = make_limits(max_elements, max_file_bytes, max_statement_chars, max_depth,
                         max_statements, max_loop_iterations, max_executed, max_number_bits)
    with guarded(debug, lang.value):
        if not paths:
            _list_bundled(width)
            return
        from gradexplain.app.run import RunSettings, run_many  # noqa: PLC0415

        settings = RunSettings(device=device, dtype=dtype.value if dtype else None,
                               limits=limits, full=full, lang=lang.value,
                               json=output_format is OutputFormat.json, width=width,
                               export=export)
        if dot is not None:
            settings.extras["dot"] = dot
        settings.extras.update(deeper_extras(graph, jacobian, jacobian_limit, check_numeric))
        status = run_many(paths, settings)
    raise typer.Exit(int(status))


# repl -----------------------------------------------------------------------------------------

@app.command()
def repl(
    device: DeviceOption = None,
    dtype: DtypeOption = None,
    lang: LangOption = Language.en,
    load: Annotated[str | None, typer.Option(
        "--load", help="run a scenario file's tensors and statements first")] = None,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    debug: DebugOption = False,
) -> None:
    """An interactive session: type statements, see what each one changed.

    Meta-commands: :help :tensors :grads :graph [NAME] :zero :reset :save FILE
    :load FILE :quit. When stdin is not a terminal, statements are read line by line.

    Examples:

      gradexplain repl --dtype float64

      cat steps.txt | gradexplain repl

      gradexplain repl --graph --jacobian   # the deeper views under every backward call
    """
    with guarded(debug, lang.value):
        from gradexplain.shell.repl import ReplSettings  # noqa: PLC0415
        from gradexplain.shell.repl import main as repl_main  # noqa: PLC0415

        repl_main(ReplSettings(device=device, dtype=dtype.value if dtype else None,
                               lang=lang.value, debug=debug,
                               views=deeper_extras(graph, jacobian, jacobian_limit, False)),
                  load)


@app.command()
def compare(
    path: Annotated[str, typer.Argument(help="scenario file or bundled example name")],
    path2: Annotated[str | None, typer.Argument(
        help="a second scenario to compare with the first (e.g. sum vs. mean)")] = None,
    zero_grad: Annotated[bool, typer.Option(
        "--zero-grad", help="as written vs. every grad zeroed before each call")] = False,
    retain_graph: Annotated[bool, typer.Option(
        "--retain-graph", help="as written vs. retain_graph=True on every call")] = False,
    devices: Annotated[list[str] | None, typer.Option(
        "--device", metavar="DEVICE",
        help="give twice: one scenario on two devices (--device cpu --device cuda)")] = None,
    dtype: DtypeOption = None,
    output_format: FormatOption = OutputFormat.table,
    lang: LangOption = Language.en,
    fail_on_diff: Annotated[bool, typer.Option(
        "--fail-on-diff", help="exit 1 when any grad differs")] = False,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    check_numeric: CheckNumericOption = False,
    full: FullOption = False,
    debug: DebugOption = False,
    width: WidthOption = None,
    export: ExportOption = None,
    max_elements: MaxElements = None,
    max_file_bytes: MaxFileBytes = None,
    max_statement_chars: MaxStatementChars = None,
    max_depth: MaxDepth = None,
    max_statements: MaxStatements = None,
    max_loop_iterations: MaxLoop = None,
    max_executed: MaxExecuted = None,
    max_number_bits: MaxNumberBits = None,
) -> None:
    """Run two variants side by side and show, per call and per tensor, each grad, where
    they differ, and why. Choose exactly one variant: --zero-grad, --retain-graph,
    --device A --device B, or a second PATH.

    Examples:

      gradexplain compare accumulation --zero-grad

      gradexplain compare retain_graph --retain-graph

      gradexplain compare broadcast_sum broadcast_mean

      gradexplain compare lesson.yaml --device cpu --device cuda --format json

      gradexplain compare retain_graph --retain-graph --graph
    """
    if export is not None and output_format is OutputFormat.json:
        raise typer.BadParameter("--export saves the table view; leave out --format json "
                                 "(or redirect stdout to save the JSON)", param_hint="--export")
    limits = make_limits(max_elements, max_file_bytes, max_statement_chars, max_depth,
                         max_statements, max_loop_iterations, max_executed, max_number_bits)
    chosen = [name for name, on in (("--zero-grad", zero_grad), ("--retain-graph", retain_graph),
                                     ("--device", bool(devices)), ("PATH2", path2 is not None))
              if on]
    if len(chosen) != 1:
        raise typer.BadParameter(
            "choose exactly one variant to compare: --zero-grad, --retain-graph, "
            "--device A --device B, or a second PATH"
            + (f" (got {', '.join(chosen)})" if chosen else ""))
    if devices and len(devices) != 2:
        raise typer.BadParameter(
            f"--device must be given exactly twice to compare devices (got {len(devices)})",
            param_hint="--device")
    mode = {"--zero-grad": "zero_grad", "--retain-graph": "retain_graph",
            "--device": "device", "PATH2": "paths"}[chosen[0]]
    with guarded(debug, lang.value):
        from gradexplain.analysis.compare import (  # noqa: PLC0415
            CompareRequest,
            compare_records,
            run_variants,
            variant_names,
        )
        from gradexplain.explain import explain_run  # noqa: PLC0415
        from gradexplain.render import dumps_line, make_console  # noqa: PLC0415
        from gradexplain.render.compare_view import (  # noqa: PLC0415
            comparison_to_json,
            print_comparison,
        )

        paths = [path] if path2 is None else [path, path2]
        request = CompareRequest(paths=paths, mode=mode, devices=list(devices or []),
                                 dtype=dtype.value if dtype else None, limits=limits, full=full,
                                 views=deeper_extras(graph, jacobian, jacobian_limit,
                                                     check_numeric))
        record_a, record_b = run_variants(request)
        name_a, name_b = variant_names(mode, lang.value, request.devices, paths)
        comparison = compare_records(record_a, record_b, mode, name_a=name_a, name_b=name_b)
        report_a, report_b = explain_run(record_a, lang.value), explain_run(record_b, lang.value)
        if output_format is OutputFormat.json:
            sys.stdout.write(dumps_line(comparison_to_json(comparison, report_a, report_b))
                             + "\n")
        else:
            console = make_console(sys.stdout, width=width, record=export is not None)
            print_comparison(console, comparison, report_a, report_b, full=full)
            if export is not None:
                from gradexplain.render import export_console  # noqa: PLC0415

                export_console(console, export)
    raise typer.Exit(int(ExitStatus.FAILED if fail_on_diff and not comparison.same
                         else ExitStatus.OK))


# plot -----------------------------------------------------------------------------------------

@app.command()
def plot(
    expression: Annotated[str, typer.Argument(
        help="an expression of x, e.g. 'torch.tanh(x)'; or a scenario with a plot: section "
             "(a .yaml/.yml/.py file or a bundled example name, e.g. relu_plot)")],
    value_range: Annotated[tuple[float, float] | None, typer.Option(
        "--range", metavar="A B",
        help="draw x from A to B (expressions only) [default: -4 4]")] = None,
    steps: Annotated[int | None, typer.Option(
        "--steps", help="points between A and B (expressions only) [default: 200]")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help="save a .png or .svg (needs matplotlib: pip install \"gradexplain[plot]\"); "
             "without it a text chart is printed")] = None,
    width: WidthOption = None,
    debug: DebugOption = False,
    max_elements: MaxElements = None,
) -> None:
    """Plot an expression of x and its gradient: y = EXPR and x.grad after
    y.backward(torch.ones_like(y)), with x = torch.linspace(A, B, STEPS). Or run a
    scenario and draw the series of its plot: section.

    Examples:

      gradexplain plot "torch.relu(x)" --range -4 4

      gradexplain plot "x ** 3 - 2 * x" --output cubic.png

      gradexplain plot relu_plot --output relu.png
    """
    limits = make_limits(max_elements)
    from gradexplain.app.plot import scenario_argument  # noqa: PLC0415

    scenario = scenario_argument(expression)
    if scenario is not None and (value_range is not None or steps is not None):
        raise typer.BadParameter("--range and --steps are for expressions; a scenario's "
                                 "plot: section draws its own x", param_hint="--range/--steps")
    with guarded(debug):
        from gradexplain.app.plot import (  # noqa: PLC0415
            MATPLOTLIB_HINT,
            compute,
            have_matplotlib,
            save_figure,
            save_scenario_figure,
            scenario_plot,
            series_charts,
            terminal_plot,
        )

        if output is not None and not have_matplotlib():
            typer.echo(f"gradexplain: drawing {output} needs matplotlib: {MATPLOTLIB_HINT} "
                       "(or leave out --output for a text chart)", err=True)
            raise typer.Exit(int(ExitStatus.BAD_INPUT))
        if output is not None and output.suffix.lower() not in {".png", ".svg", ".pdf"}:
            raise typer.BadParameter("the file must end in .png, .svg or .pdf",
                                     param_hint="--output")
        if scenario is not None:
            drawn = scenario_plot(expression, scenario, limits)
            if output is None:
                sys.stdout.write("\n".join(series_charts(drawn, width)) + "\n")
            else:
                save_scenario_figure(drawn, output)
                typer.echo(f"wrote {output}", err=True)
            return
        start, stop = value_range or (-4.0, 4.0)
        data = compute(expression, start, stop, 200 if steps is None else steps, limits)
        if output is None:
            sys.stdout.write(terminal_plot(data, width))
        else:
            save_figure(data, output)
            typer.echo(f"wrote {output}", err=True)


def _list_bundled(width: int | None) -> None:
    from gradexplain.render import make_console, print_bundled  # noqa: PLC0415
    from gradexplain.scenario.bundled import bundled_dir, bundled_names  # noqa: PLC0415

    print_bundled(make_console(sys.stdout, width=width), bundled_names(), bundled_dir())


def main() -> None:
    """Console-script entry point."""
    app()


def run_command_help() -> Any:
    """For docs: the click command behind `run`."""
    return typer.main.get_command(app)
