"""The command line: parse options, call the library, turn its errors into exit codes.

Importing this module must stay cheap: torch is imported inside the commands that run
scenarios, never at module level, so `gradexplain --help` and `--version` are instant.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from gradexplain import __version__
from gradexplain.errors import ExitStatus, GradexplainError
from gradexplain.limits import Limits
from gradexplain.options import Options, Output, RunOptions
from gradexplain.shell.cli_language import LocalizedGroup
from gradexplain.shell.cli_options import (
    CallsMode,
    CallsOption,
    CheckNumericOption,
    DebugOption,
    DeviceOption,
    DotOption,
    DtypeOption,
    ExportOption,
    FormatOption,
    FullOption,
    GraphOption,
    JacobianLimitOption,
    JacobianOption,
    LangOption,
    OutputFormat,
    WhyOption,
    WidthOption,
    check_export,
    limit_options,
    view_options,
)

app = typer.Typer(
    name="gradexplain",
    help="Run PyTorch autograd scenarios and see what backward() did, and why.\n\n"
         "Examples:\n\n  gradexplain run accumulation\n\n  gradexplain run lesson.yaml "
         "--lang zh\n\n  gradexplain compare accumulation --zero-grad\n\n  gradexplain repl",
    no_args_is_help=True,
    add_completion=True,
    cls=LocalizedGroup,  # Click's own words (--help, option errors) in Chinese too
    pretty_exceptions_show_locals=False,  # locals could hold whole tensors
    rich_markup_mode=None,
)

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


MAX_PLOT_BOUND = 1e30  # float32 holds about ±3.4e38; x*x must still be finite somewhere


@contextmanager
def guarded(debug: bool, lang: str = "en") -> Iterator[None]:
    """The one place that turns errors into messages and exit codes."""
    try:
        yield
    except GradexplainError as err:
        from gradexplain.render import make_console, print_input_error

        print_input_error(make_console(sys.stderr), err, lang)
        raise typer.Exit(int(err.exit_status)) from None
    except KeyboardInterrupt:
        from gradexplain.explain.catalogue_ui import phrase

        typer.echo(phrase("cli.interrupted", lang), err=True)
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort, typer.BadParameter):  # a bad flag is exit 2, not a bug
        raise
    except OSError as exc:  # a file we were told to read or write: the user's to fix
        from gradexplain.explain.catalogue_ui import phrase
        from gradexplain.render.escapes import escape_controls

        typer.echo(escape_controls(phrase("cli.file_error", lang, path=exc.filename or "",
                                          reason=exc.strerror or str(exc))), err=True)
        raise typer.Exit(int(ExitStatus.BAD_INPUT)) from None
    except Exception as exc:
        if debug:
            raise
        from gradexplain.explain.catalogue_ui import phrase
        from gradexplain.render.escapes import escape_controls

        typer.echo(escape_controls(phrase("cli.internal", lang,
                                          error=f"{type(exc).__name__}: {exc}")), err=True)
        raise typer.Exit(int(ExitStatus.FAILED)) from None


# run ------------------------------------------------------------------------------------------

@app.command()
@limit_options
def run(
    paths: Annotated[list[str] | None, typer.Argument(
        help="scenario files (.yaml, .yml, .py), directories, or bundled example names")] = None,
    device: DeviceOption = None,
    dtype: DtypeOption = None,
    output_format: FormatOption = OutputFormat.table,
    lang: LangOption = "",
    full: FullOption = False,
    calls: CallsOption = CallsMode.folded,
    debug: DebugOption = False,
    width: WidthOption = None,
    export: ExportOption = None,
    dot: DotOption = None,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    check_numeric: CheckNumericOption = False,
    why: WhyOption = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, metavar="N",
        help="run N scenarios at once, each in its own worker process (output keeps the "
             "order of the paths)")] = 1,
    *,
    limits: Limits,
) -> None:
    """Run scenarios and show values, leaf gradients, the ledger of each backward call,
    notes and explained errors.

    Examples:

      gradexplain run                         (list the bundled examples)

      gradexplain run accumulation            (a bundled example, by name)

      gradexplain run lesson.yaml snippet.py --lang zh

      gradexplain run scenarios/ --format json

      gradexplain run course/ --jobs 4 --max-seconds 10 --max-memory 1G

      gradexplain run accumulation --why x   (why x.grad is 4.5, then 22.5)
    """
    check_export(export, output_format)
    options = Options(
        RunOptions(device=device, dtype=dtype.value if dtype else None, limits=limits,
                   full=full, views=view_options(graph, jacobian, jacobian_limit,
                                                 check_numeric, why),
                   calls_all=calls is CallsMode.all),
        Output(lang=lang, json=output_format is OutputFormat.json, width=width,
               export=export, dot=dot), jobs=jobs)
    with guarded(debug, lang):
        if not paths:
            _list_bundled(width, lang)
            return
        from gradexplain.app.run import run_many

        status = run_many(paths, options)
    raise typer.Exit(int(status))


# repl -----------------------------------------------------------------------------------------

@app.command()
@limit_options
def repl(
    device: DeviceOption = None,
    dtype: DtypeOption = None,
    lang: LangOption = "",
    load: Annotated[str | None, typer.Option(
        "--load", help="run a scenario file's tensors and statements first")] = None,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    why: WhyOption = None,
    debug: DebugOption = False,
    allow_save: Annotated[bool, typer.Option(
        "--allow-save", help="let :save write files when statements are piped in (by "
                             "default only a person at a terminal can save)")] = False,
    allow_load: Annotated[bool, typer.Option(
        "--allow-load", help="let :load read files outside the working directory when "
                             "statements are piped in (by default piped statements load only "
                             "files in or under it)")] = False,
    *,
    limits: Limits,
) -> None:
    """An interactive session: type statements, see what each one changed.

    Meta-commands: :help :tensors :grads :graph [NAME] :why NAME[i, j] :zero :reset
    :save FILE (:save! FILE overwrites) :load FILE :quit. When stdin is not a terminal,
    statements are read line by line, :save is refused unless --allow-save is given, and
    :load reads only files in or under the working directory unless --allow-load is given.

    Examples:

      gradexplain repl --dtype float64

      cat steps.txt | gradexplain repl

      gradexplain repl --graph --jacobian   # the deeper views under every backward call
    """
    with guarded(debug, lang):
        from gradexplain.options import ReplOptions
        from gradexplain.shell.repl import main as repl_main

        repl_main(ReplOptions(device=device, dtype=dtype.value if dtype else None,
                               lang=lang, debug=debug, limits=limits,
                               views=view_options(graph, jacobian, jacobian_limit,
                                                  why=why),
                               allow_save=allow_save, interactive=sys.stdin.isatty(),
                               allow_load=allow_load, load=load),
                  load)


@app.command()
@limit_options
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
    lang: LangOption = "",
    fail_on_diff: Annotated[bool, typer.Option(
        "--fail-on-diff", help="exit 1 when any grad differs")] = False,
    graph: GraphOption = False,
    jacobian: JacobianOption = False,
    jacobian_limit: JacobianLimitOption = 64,
    check_numeric: CheckNumericOption = False,
    why: WhyOption = None,
    full: FullOption = False,
    debug: DebugOption = False,
    width: WidthOption = None,
    export: ExportOption = None,
    *,
    limits: Limits,
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
    check_export(export, output_format)
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
    options = Options(
        RunOptions(dtype=dtype.value if dtype else None, limits=limits, full=full,
                   views=view_options(graph, jacobian, jacobian_limit, check_numeric, why)),
        Output(lang=lang, json=output_format is OutputFormat.json, width=width,
               export=export))
    with guarded(debug, lang):
        from gradexplain.app.compare import CompareRequest, compare

        request = CompareRequest([path] if path2 is None else [path, path2], mode,
                                 list(devices or []), options)
        comparison = compare(request)
    raise typer.Exit(int(ExitStatus.FAILED if fail_on_diff and not comparison.same
                         else ExitStatus.OK))


# plot -----------------------------------------------------------------------------------------

@app.command()
@limit_options
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
    calls: Annotated[bool, typer.Option(
        "--calls", help="with a scenario: draw the loss and each grad norm over the backward "
                        "calls of its training loop (its busiest backward statement)")] = False,
    width: WidthOption = None,
    lang: LangOption = "",
    debug: DebugOption = False,
    *,
    limits: Limits,
) -> None:
    """Plot an expression of x and its gradient: y = EXPR and x.grad after
    y.backward(torch.ones_like(y)), with x = torch.linspace(A, B, STEPS). Or run a
    scenario and draw the series of its plot: section.

    Examples:

      gradexplain plot "torch.relu(x)" --range -4 4

      gradexplain plot "x ** 3 - 2 * x" --output cubic.png

      gradexplain plot relu_plot --output relu.png

      gradexplain plot relu_plot --lang zh --output relu_zh.png

      gradexplain plot training_loop --calls --output loss.png
    """
    from gradexplain.app.plot import scenario_argument

    if value_range is not None and not (
            all(math.isfinite(v) and abs(v) <= MAX_PLOT_BOUND for v in value_range)
            and value_range[0] < value_range[1]):
        raise typer.BadParameter(f"A and B must be finite, A < B, each within ±{MAX_PLOT_BOUND:g}",
                                 param_hint="--range")
    # Before the check for matplotlib: a wrong suffix is wrong whatever is installed.
    if output is not None and output.suffix.lower() not in {".png", ".svg", ".pdf"}:
        raise typer.BadParameter("the file must end in .png, .svg or .pdf",
                                 param_hint="--output")
    scenario = scenario_argument(expression)
    if scenario is not None and (value_range is not None or steps is not None):
        raise typer.BadParameter("--range and --steps are for expressions; a scenario's "
                                 "plot: section draws its own x", param_hint="--range/--steps")
    with guarded(debug, lang):
        from gradexplain.app.plot import PlotRequest
        from gradexplain.app.plot import plot as plot_use_case
        from gradexplain.render.figures import have_matplotlib

        if output is not None and not have_matplotlib():
            from gradexplain.explain.catalogue_ui import phrase
            from gradexplain.render.escapes import escape_controls

            typer.echo(escape_controls(phrase("cli.needs_matplotlib", lang, path=output)),
                       err=True)
            raise typer.Exit(int(ExitStatus.BAD_INPUT))
        if calls and scenario is None:
            raise typer.BadParameter("--calls draws a scenario's training loop; give a "
                                     "scenario file or bundled example", param_hint="--calls")
        plot_use_case(PlotRequest(expression, scenario, value_range, steps, output, width,
                                  limits, lang, calls))


# schema ---------------------------------------------------------------------------------------

@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of scenario files, for editors and CI.

    Every key with its type, allowed values and a description; unknown keys are refused.
    The bundled scenarios name a copy of it in their first line, a modeline of the YAML
    language server (VS Code's YAML extension, Neovim, Helix...).

    Examples:

      gradexplain schema > scenario.schema.json

      # yaml-language-server: $schema=scenario.schema.json   (a scenario's first line)
    """
    from gradexplain.scenario.schema import schema_text

    sys.stdout.write(schema_text())


def _list_bundled(width: int | None, lang: str) -> None:
    from gradexplain.render import make_console, print_bundled
    from gradexplain.scenario.bundled import bundled_descriptions, bundled_dir, bundled_names

    print_bundled(make_console(sys.stdout, width=width), bundled_names(), bundled_dir(), lang,
                  bundled_descriptions(lang))


def main() -> NoReturn:
    """Console-script entry point: the command, then the process ends at once."""
    end_process(run_command())


def run_command() -> int:
    """Run the command line in `sys.argv`; its exit status."""
    from gradexplain.language.budget import mark_command_line

    mark_command_line()  # workers forked from here may use torch's thread pools
    try:
        app()  # standalone: ends by raising SystemExit
    except SystemExit as done:
        return exit_status(done.code)
    return 0


def exit_status(code: object) -> int:
    """SystemExit's code as Python turns it into a status (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def end_process(status: int) -> NoReturn:
    """Write what stdout and stderr hold, then end without Python's teardown: once torch is
    imported, unloading its modules and objects takes 0.1-0.4 s at every exit (measured),
    and nothing needs it: the output is written, every file the command wrote is closed, the
    workers were reaped or see their pipes close."""
    for stream in (sys.stdout, sys.stderr):
        # OSError: a reader that left (`| head`); ValueError: a stream already closed
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
