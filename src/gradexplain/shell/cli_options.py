"""Options shared by several commands, declared once (sqlite-utils' shared option decorators
are the model). Importing this module costs no torch.

`@limit_options` adds the --max-* options (limits, and the memory and time budgets) to a
command and hands it one `Limits`;
the typed `Annotated` options below are reused by every command that takes them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from gradexplain.limits import BUDGET_ENVIRONMENT, Limits
from gradexplain.options import DEFAULT_JACOBIAN_LIMIT, ViewOptions, why_target


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class CallsMode(str, Enum):
    folded = "folded"
    all = "all"


class Dtype(str, Enum):
    float32 = "float32"
    float64 = "float64"
    float16 = "float16"
    bfloat16 = "bfloat16"


DeviceOption = Annotated[str | None, typer.Option(
    "--device", help="cpu, cuda, cuda:N, mps or auto (overrides the scenario's device:)")]
DtypeOption = Annotated[Dtype | None, typer.Option(
    "--dtype", help="default floating dtype of created tensors")]
def _language(value: str) -> str:
    from gradexplain.explain.languages import choose

    try:
        return choose(value or None)  # "" (not given): the environment decides
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None


LangOption = Annotated[str, typer.Option(
    "--lang", metavar="LANG", callback=_language, show_default=False,
    help="language of everything shown: en, or zh (Simplified Chinese; also zh-CN, zh_CN, "
         "zh-Hans, cn) [default: GRADEXPLAIN_LANG, else the locale (LC_ALL, LC_MESSAGES, "
         "LANG), else en]")]
FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", help="table for people, json for programs")]
FullOption = Annotated[bool, typer.Option("--full", help="show every element, no summaries")]
CallsOption = Annotated[CallsMode, typer.Option(
    "--calls", help="folded: a loop's repeated backward calls and prints are summarized "
                    "(first, last, each call that differs, trends); all: every one in full")]
DebugOption = Annotated[bool, typer.Option("--debug", help="show Python tracebacks of bugs")]
WidthOption = Annotated[int | None, typer.Option("--width", help="terminal width for tables")]
ExportOption = Annotated[Path | None, typer.Option(
    "--export", metavar="FILE",
    help="also save exactly what is shown, as .svg, .html or .txt (at --width)")]
DotOption = Annotated[Path | None, typer.Option(
    "--dot", metavar="FILE",
    help="save each call's backward graph as Graphviz: .dot text, or .svg/.png via `dot`")]

# The deeper views (--graph, --jacobian, --check-numeric): engine.deeper.
GraphOption = Annotated[bool, typer.Option(
    "--graph", help="for each call: the backward graph as a tree, and the gradient that "
                    "arrives at each named tensor and leaf (chain rule)")]
JacobianOption = Annotated[bool, typer.Option(
    "--jacobian", help="for each call: the Jacobian of each output w.r.t. each leaf, the "
                       "grad_tensors vector v, and v^T J next to the grad added")]
JacobianLimitOption = Annotated[int, typer.Option(
    "--jacobian-limit", metavar="N", min=1,
    help="largest output or leaf (elements) for --jacobian and --check-numeric")]
CheckNumericOption = Annotated[bool, typer.Option(
    "--check-numeric", help="central finite differences in float64 next to each grad "
                            "(short-form scenarios: expression:)")]
WhyOption = Annotated[list[str] | None, typer.Option(
    "--why", metavar="NAME",
    help="for each call that reaches NAME: the chain rule written out for one element of "
         "its gradient (NAME[i, j], or the first), with your statements and numbers, "
         "checked against autograd; may be given more than once")]

# Each limit's option, keyed by its Limits field (and flag: max_elements is --max-elements).
def _parse_bytes_later(text: str) -> int:
    return parse_bytes(text)


LIMIT_OPTIONS: dict[str, Any] = {
    "max_elements": Annotated[int | None, typer.Option(
        "--max-elements", help="elements in any one tensor [default: 16777216]")],
    "max_file_bytes": Annotated[int | None, typer.Option(
        "--max-file-bytes", help="scenario file size [default: 1048576]")],
    "max_statement_chars": Annotated[int | None, typer.Option(
        "--max-statement-chars", help="characters in one statement [default: 2000]")],
    "max_depth": Annotated[int | None, typer.Option(
        "--max-depth", help="nesting depth of code and YAML [default: 32]")],
    "max_statements": Annotated[int | None, typer.Option(
        "--max-statements", help="statements in a scenario [default: 1000]")],
    "max_loop_iterations": Annotated[int | None, typer.Option(
        "--max-loop-iterations", help="iterations of one loop or repeat [default: 100000]")],
    "max_executed": Annotated[int | None, typer.Option(
        "--max-executed", help="statements executed in one run [default: 1000000]")],
    "max_number_bits": Annotated[int | None, typer.Option(
        "--max-number-bits", help="bits in a plain integer result [default: 4096]")],
    "max_call_depth": Annotated[int | None, typer.Option(
        "--max-call-depth", help="depth of nested calls of your own functions [default: 200]")],
    "max_output_chars": Annotated[int | None, typer.Option(
        "--max-output-chars", help="characters of one print or shown value shown whole; a "
                                   "longer one is shown as its start and its length "
                                   "[default: 100000]")],
    # Budgets the operating system enforces on the worker process (app/supervisor.py).
    "max_memory": Annotated[int | None, typer.Option(
        "--max-memory", metavar="BYTES", parser=_parse_bytes_later,
        envvar=BUDGET_ENVIRONMENT["max_memory"], show_envvar=True,
        help="memory of the process running scenario code, e.g. 512M or 4G; past it the run "
             "is stopped [default: 4G]")],
    "max_seconds": Annotated[int | None, typer.Option(
        "--max-seconds", metavar="SECONDS", envvar=BUDGET_ENVIRONMENT["max_seconds"],
        show_envvar=True,
        help="wall-clock seconds per scenario (per statement in the REPL), and again for "
             "showing its result; past it the run is stopped [default: 60]")],
}


def parse_bytes(text: str) -> int:
    """`4G`, `512M`, `100K` or a plain number of bytes."""
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    cleaned = text.strip().lower().removesuffix("ib").removesuffix("b")
    factor = units.get(cleaned[-1:], 1)
    number = cleaned[:-1] if cleaned[-1:] in units else cleaned
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a size (use e.g. 512M or 4G)") from None
    return value

Command = TypeVar("Command", bound=Callable[..., Any])


def make_limits(**raised: int | None) -> Limits:
    """The defaults, with the limits given on the command line raised (or lowered)."""
    for name, value in raised.items():
        if value is not None and value < 1:
            raise typer.BadParameter(f"--{name.replace('_', '-')} must be at least 1")
    return Limits().raised(**raised)


def limit_options(command: Command) -> Command:
    """Give `command` the --max-* options; it receives them as `limits: Limits`."""
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name != "limits"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=annotation)
             for name, annotation in LIMIT_OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raised = {name: kwargs.pop(name, None) for name in LIMIT_OPTIONS}
        return command(*args, limits=make_limits(**raised), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*kept, *added]}
    return wrapper  # type: ignore[return-value]


def check_export(export: Path | None, output_format: OutputFormat) -> None:
    """--export saves the table view, so it cannot go with --format json."""
    if export is not None and output_format is OutputFormat.json:
        raise typer.BadParameter("--export saves the table view; leave out --format json "
                                 "(or redirect stdout to save the JSON)", param_hint="--export")


def view_options(graph: bool = False, jacobian: bool = False,
                 jacobian_limit: int = DEFAULT_JACOBIAN_LIMIT,
                 check_numeric: bool = False, why: list[str] | None = None) -> ViewOptions:
    """The deeper views asked for, flag by flag (a --why that is not NAME or NAME[i, j] is
    a bad parameter)."""
    for target in why or []:
        try:
            why_target(target)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--why") from None
    return ViewOptions(graph=graph, jacobian=jacobian, jacobian_limit=jacobian_limit,
                       check_numeric=check_numeric, why=tuple(why or ()))
