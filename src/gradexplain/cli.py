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
    limits = make_limits(max_elements, max_file_bytes, max_statement_chars, max_depth,
                         max_statements, max_loop_iterations, max_executed, max_number_bits)
    with guarded(debug, lang.value):
        if not paths:
            _list_bundled(width)
            return
        from gradexplain.runs import RunSettings, run_many  # noqa: PLC0415

        settings = RunSettings(device=device, dtype=dtype.value if dtype else None,
                               limits=limits, full=full, lang=lang.value,
                               json=output_format is OutputFormat.json, width=width)
        status = run_many(paths, settings)
    raise typer.Exit(int(status))


def _list_bundled(width: int | None) -> None:
    from gradexplain.bundled import bundled_dir, bundled_names  # noqa: PLC0415
    from gradexplain.render import make_console, print_bundled  # noqa: PLC0415

    print_bundled(make_console(sys.stdout, width=width), bundled_names(), bundled_dir())


def main() -> None:
    """Console-script entry point."""
    app()


def run_command_help() -> Any:
    """For docs: the click command behind `run`."""
    return typer.main.get_command(app)
