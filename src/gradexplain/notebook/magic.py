"""`%%gradexplain` runs a cell through the safe interpreter and shows the explanation inline;
`%gradexplain NAME` runs a bundled lesson (or a scenario file).

    %load_ext gradexplain

    %%gradexplain --lang zh
    x = torch.ones(2, 2, requires_grad=True)
    ...

The cell is statement-language code (as a .py scenario), or a whole YAML scenario with
`--yaml`. It runs through the Python API (`gradexplain.app.api`), so exactly as
`gradexplain run` runs it: same interpreter, allowlists and limits; the cell never reaches
the kernel's Python. Output is a display object: HTML drawn by rich (as rich renders in
Jupyter) with the plain table as its text/plain, and a PNG of the scenario's plot when
matplotlib is installed. Input errors show as the CLI shows them.
"""

from __future__ import annotations

import argparse
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

from gradexplain.app import api
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.options import why_target
from gradexplain.record import RunRecord

DEFAULT_WIDTH = 100  # columns: wide enough for the ledger, narrow enough for a notebook


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as IPython's UsageError instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}\n\n{self.format_usage()}")


def _parser(prog: str, lesson: bool) -> _Parser:
    parser = _Parser(prog=prog, add_help=False,
                     description="Run autograd code through gradexplain and show what "
                                 "backward() did, and why.")
    if lesson:
        parser.add_argument("scenario", nargs="?",
                            help="a bundled lesson's name (e.g. accumulation) or a scenario "
                                 "file; none lists the lessons")
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of explanations")
    parser.add_argument("--device", help="cpu, cuda, cuda:N, mps or auto")
    parser.add_argument("--dtype", choices=("float32", "float64", "float16", "bfloat16"),
                        help="default floating dtype of created tensors")
    parser.add_argument("--graph", action="store_true",
                        help="the backward graph under each call, with each node's gradients")
    parser.add_argument("--jacobian", action="store_true",
                        help="each call's Jacobian of outputs by leaves")
    parser.add_argument("--jacobian-limit", type=int, default=64, metavar="N",
                        help="largest Jacobian shown, in elements per side")
    parser.add_argument("--check-numeric", action="store_true",
                        help="compare autograd's grads with finite differences")
    parser.add_argument("--why", action="append", default=[], metavar="NAME",
                        help="the chain rule written out for NAME (or NAME[i,j]) under each "
                             "call that reaches it; may be given more than once")
    parser.add_argument("--full", action="store_true", help="show every element")
    parser.add_argument("--max-seconds", type=int, metavar="SECONDS",
                        help="wall-clock budget of the run; past it the run is stopped "
                             "[default: 60]")
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH, help="columns of the tables")
    parser.add_argument("--record", metavar="NAME",
                        help="also store the run record in this notebook variable")
    if not lesson:
        parser.add_argument("--yaml", action="store_true",
                            help="the cell is a whole YAML scenario, not just statements")
        parser.add_argument("--compare", choices=("zero-grad", "retain-graph"),
                            help="run it as written and as this variant, side by side")
    parser.add_argument("-h", "--help", action="store_true", help="show this help")
    return parser


@dataclass
class Shown:
    """What a magic displays: rich's HTML, the plain text, and a PNG of the plot if any."""

    html: str
    text: str
    png: bytes | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "text/plain": self.text}


@dataclass
class Picture:
    png: bytes

    def _repr_png_(self) -> bytes:
        return self.png


def shown_record(record: RunRecord | api.ComparedRuns, *, width: int, full: bool) -> Shown:
    """A run's report (or a comparison) as HTML and text, and the scenario's plot as a PNG
    where possible."""
    return Shown(api.render(record, "html", width=width, full=full),
                 api.render(record, "table", width=width, full=full),
                 _plot_png(record) if isinstance(record, RunRecord) else None)


def shown_error(error: GradexplainError, *, lang: str, width: int) -> Shown:
    return Shown(api.render(error, "html", lang=lang, width=width),
                 api.render(error, "table", lang=lang, width=width))


def _plot_png(record: RunRecord) -> bytes | None:
    """The scenario's plot drawn with matplotlib (the "plot" extra), else None: the text
    charts in the report stand in for it."""
    from gradexplain.render.figures import have_matplotlib, save_scenario_figure

    plot = record.plot
    if plot is None or plot.x is None or not plot.series or plot.problems \
            or not have_matplotlib():
        return None  # a series that cannot be drawn is explained in the report
    with tempfile.TemporaryDirectory(prefix="gradexplain-") as folder:
        target = Path(folder) / "plot.png"
        save_scenario_figure(plot, target)
        return target.read_bytes()


class Magics:
    """%%gradexplain (a cell of code) and %gradexplain (a lesson or file) for one shell."""

    def __init__(self, user_ns: dict[str, Any]) -> None:
        self.user_ns = user_ns  # where --record stores the run record

    def cell(self, line: str, cell: str) -> None:
        """Run the cell's autograd code through gradexplain; see %%gradexplain --help."""
        options = self._options("%%gradexplain", line, lesson=False)
        if options is None:
            return
        kind: Literal["py", "yaml"] = "yaml" if options.yaml else "py"
        if options.compare:
            mode: api.CompareMode = ("zero_grad" if options.compare == "zero-grad"
                                     else "retain_graph")
            self._run(options, lambda settings: api.compare_code(
                cell, mode, kind=kind, name="cell", **settings))
            return
        self._run(options, lambda settings: api.run_code(
            cell, kind=kind, name="cell", **settings))

    def line(self, line: str) -> None:
        """Run a bundled lesson or a scenario file: %gradexplain accumulation --lang zh."""
        options = self._options("%gradexplain", line, lesson=True)
        if options is None:
            return
        if not options.scenario:
            from gradexplain.scenario.bundled import bundled_names

            names = bundled_names()
            _display(Shown("<pre>" + "\n".join(names) + "</pre>", "\n".join(names)))
            return
        self._run(options, lambda settings: api.run_file(options.scenario, **settings))

    def _options(self, prog: str, line: str, *, lesson: bool) -> argparse.Namespace | None:
        parser = _parser(prog, lesson)
        try:
            words = shlex.split(line)
        except ValueError as err:
            raise UsageError(f"{prog}: {err}") from None
        options = parser.parse_args(words)
        if options.help:
            help_text = parser.format_help()
            _display(Shown(f"<pre>{_escape(help_text)}</pre>", help_text))
            return None
        if options.max_seconds is not None and options.max_seconds < 1:
            raise UsageError(f"{prog}: --max-seconds must be at least 1")
        if options.width < 20:
            raise UsageError(f"{prog}: --width must be at least 20")
        if options.record and not options.record.isidentifier():
            raise UsageError(f"{prog}: --record needs a variable name, got {options.record!r}")
        for target in options.why:
            try:
                why_target(target)
            except ValueError as err:
                raise UsageError(f"{prog}: --why {err}") from None
        return options

    def _run(self, options: argparse.Namespace,
             run: Callable[[dict[str, Any]], RunRecord | api.ComparedRuns]) -> None:
        settings = {"lang": options.lang, "device": options.device, "dtype": options.dtype,
                    "full": options.full, "graph": options.graph,
                    "jacobian": options.jacobian, "jacobian_limit": options.jacobian_limit,
                    "check_numeric": options.check_numeric, "why": options.why,
                    "limits": Limits().raised(max_seconds=options.max_seconds)}
        try:
            record = run(settings)
        except GradexplainError as err:
            _display(shown_error(err, lang=options.lang, width=options.width))
            return
        if options.record:
            self.user_ns[options.record] = record
        shown = shown_record(record, width=options.width, full=options.full)
        _display(shown)
        if shown.png is not None:
            _display(Picture(shown.png))


def _display(item: object) -> None:
    """Show `item` in the notebook (IPython's display, which is untyped)."""
    display(item)  # type: ignore[no-untyped-call]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def register(ipython: Any) -> None:
    """Called by `%load_ext gradexplain`: one magic name, as a cell and as a line magic."""
    # Any: IPython types register_magic_function through a decorator mypy cannot call.
    shell: InteractiveShell = ipython
    magics = Magics(shell.user_ns)
    ipython.register_magic_function(magics.cell, magic_kind="cell", magic_name="gradexplain")
    ipython.register_magic_function(magics.line, magic_kind="line", magic_name="gradexplain")
