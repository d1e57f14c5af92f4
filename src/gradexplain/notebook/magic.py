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
import base64
import shlex
import struct
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
from gradexplain.explain.catalogue_cli import HELP, WORDS
from gradexplain.explain.catalogue_ui import phrase
from gradexplain.explain.input_errors import translate_message
from gradexplain.explain.languages import choose, from_environment, from_words
from gradexplain.limits import Limits
from gradexplain.options import why_target
from gradexplain.record import RunRecord
from gradexplain.render.cjk import cells, definition_list, wrap

DEFAULT_WIDTH = 100  # columns: wide enough for the ledger, narrow enough for a notebook


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad option as IPython's UsageError instead of exiting, in the
    reader's language (argparse's own words through catalogue_cli, as the CLI's Click's)."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> NoReturn:
        said = translate_message(message, self.lang) or message
        raise UsageError(f"{self.prog}: {said}\n\n{self.format_usage()}")

    def format_usage(self) -> str:
        return usage(self.lang)


# The magics' options: (flags, argparse settings, help, metavar shown in --help, which
# magic takes it: "cell" %%gradexplain, "line" %gradexplain, "" both). One list builds the
# parsers and the help (argparse's own help would align Chinese by characters, not cells).
_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any], str, str, str], ...] = (
    (("scenario",), {"nargs": "?"},
     "a bundled lesson's name (e.g. accumulation) or a scenario file; none lists the lessons",
     "SCENARIO", "line"),
    (("--lang",), {}, "language of explanations", "LANG", ""),
    (("--device",), {}, "cpu, cuda, cuda:N, mps or auto", "DEVICE", ""),
    (("--dtype",), {"choices": ("float32", "float64", "float16", "bfloat16")},
     "default floating dtype of created tensors", "{float32,float64,float16,bfloat16}", ""),
    (("--graph",), {"action": "store_true"},
     "the backward graph under each call, with each node's gradients", "", ""),
    (("--jacobian",), {"action": "store_true"}, "each call's Jacobian of outputs by leaves", "",
     ""),
    (("--jacobian-limit",), {"type": int, "default": 64},
     "largest Jacobian shown, in elements per side", "N", ""),
    (("--check-numeric",), {"action": "store_true"},
     "compare autograd's grads with finite differences", "", ""),
    (("--why",), {"action": "append", "default": []},
     "the chain rule written out for NAME (or NAME[i,j]) under each call that reaches it; "
     "may be given more than once", "NAME", ""),
    (("--full",), {"action": "store_true"}, "show every element", "", ""),
    (("--max-seconds",), {"type": int},
     "wall-clock budget of the run, and again of showing it; past it the run is stopped "
     "[default: 60]", "SECONDS", ""),
    (("--width",), {"type": int, "default": DEFAULT_WIDTH}, "columns of the tables", "N", ""),
    (("--record",), {}, "also store the run record in this notebook variable", "NAME", ""),
    (("--yaml",), {"action": "store_true"},
     "the cell is a whole YAML scenario, not just statements", "", "cell"),
    (("--compare",), {"choices": ("zero-grad", "retain-graph")},
     "run it as written and as this variant, side by side", "{zero-grad,retain-graph}",
     "cell"),
    (("-h", "--help"), {"action": "store_true"}, "show this help", "", ""),
)
_BOTH = ("%%gradexplain runs the code of its cell; %gradexplain runs a bundled lesson or a "
         "scenario file.")


def _parser(prog: str, lesson: bool, lang: str = "en") -> _Parser:
    parser = _Parser(prog=prog, add_help=False, lang=lang)
    for flags, settings, help_en, metavar, where in _OPTIONS:
        if where in ("", "line" if lesson else "cell"):
            named: dict[str, Any] = ({"metavar": metavar}
                                     if metavar and "choices" not in settings else {})
            parser.add_argument(*flags, **settings, **named, help=help_en)
    return parser


def usage(lang: str) -> str:
    """How both magics are written, in `lang`."""
    prefix = "usage: " if lang == "en" else WORDS["usage:"]
    options = "options" if lang == "en" else WORDS["options"]
    return (f"{prefix}%%gradexplain [{options}]\n"
            f"{' ' * cells(prefix)}%gradexplain [SCENARIO] [{options}]\n")


def help_text(lang: str, width: int = 80) -> str:
    """`%gradexplain --help`: both magics' usage and every option, in `lang` (IPython
    refuses `%%gradexplain --help` with an empty cell before the magic is called)."""
    def said(text: str) -> str:
        return text if lang == "en" else HELP.get(text, text)

    rows = []
    for flags, _, help_en, metavar, where in _OPTIONS:
        term = ", ".join(flags) + (f" {metavar}" if metavar and flags[0][0] == "-" else
                                   metavar if metavar else "")
        magic = "%%gradexplain" if where == "cell" else "%gradexplain"
        only = (WORDS["only {magic}"] if lang != "en" else " ({magic} only)").format(
            magic=magic) if where else ""
        rows.append((term if flags[0][0] == "-" else metavar, said(help_en) + only))
    heading = "options:" if lang == "en" else WORDS["options"] + "："
    return "\n".join([*wrap(said(_BOTH), width), "", usage(lang), heading,
                      *definition_list(rows, width)]) + "\n"


@dataclass
class Shown:
    """What a magic displays: rich's HTML, the plain text, and a PNG of the plot if any."""

    html: str
    text: str
    png: bytes | None = None
    title: str = ""  # the plot's, for the PNG's text/plain

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, "text/plain": self.text}


@dataclass
class Picture:
    """A PNG in the notebook; its text/plain says what it shows (not the image's bytes,
    which a terminal would print and every saved notebook would keep)."""

    png: bytes
    title: str
    lang: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": repr(self)}

    def __repr__(self) -> str:
        width, height = struct.unpack(">II", self.png[16:24])  # the PNG's IHDR chunk
        return phrase("picture", self.lang, title=self.title, width=width, height=height)


def shown_record(record: RunRecord | api.ComparedRuns, *, width: int, full: bool,
                 limits: Limits | None = None) -> Shown:
    """A run's report (or a comparison) as HTML and text, and the scenario's plot as a PNG
    where possible; all of it within the run's time budget (limit_exceeded past it)."""
    from gradexplain.app.deadline import deadline

    limits = limits or Limits()
    with deadline(limits):
        return Shown(api.render(record, "html", width=width, full=full, limits=limits),
                     api.render(record, "table", width=width, full=full, limits=limits),
                     _plot_png(record) if isinstance(record, RunRecord) else None,
                     _plot_title(record) if isinstance(record, RunRecord) else "")


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
        save_scenario_figure(plot, target, record.lang)
        return target.read_bytes()


def _plot_title(record: RunRecord) -> str:
    return record.plot.text("title", record.lang) if record.plot is not None else ""


class Magics:
    """%%gradexplain (a cell of code) and %gradexplain (a lesson or file) for one shell."""

    def __init__(self, user_ns: dict[str, Any]) -> None:
        self.user_ns = user_ns  # where --record stores the run record

    def cell(self, line: str, cell: str) -> None:
        """Run the cell's autograd code through gradexplain; see %gradexplain --help."""
        options = self._options("%%gradexplain", line, lesson=False)
        if options is None:
            return
        kind: Literal["py", "yaml"] = "yaml" if options.yaml else "py"
        name = api.default_name("cell", options.lang)
        if options.compare:
            mode: api.CompareMode = ("zero_grad" if options.compare == "zero-grad"
                                     else "retain_graph")
            self._run(options, lambda settings: api.compare_code(
                cell, mode, kind=kind, name=name, **settings))
            return
        self._run(options, lambda settings: api.run_code(
            cell, kind=kind, name=name, **settings))

    def line(self, line: str) -> None:
        """Run a bundled lesson or a scenario file: %gradexplain accumulation --lang zh."""
        options = self._options("%gradexplain", line, lesson=True)
        if options is None:
            return
        if not options.scenario:
            _display(_lessons(options.lang, options.width))
            return
        self._run(options, lambda settings: api.run_file(options.scenario, **settings))

    def _options(self, prog: str, line: str, *, lesson: bool) -> argparse.Namespace | None:
        try:
            words = shlex.split(line)
        except ValueError as err:
            lang = from_environment()
            raise UsageError(f"{prog}: {translate_message(str(err), lang) or err}") from None
        lang = from_words(words)  # argparse's messages in the language asked for
        options = _parser(prog, lesson, lang).parse_args(words)
        if options.help:
            text = help_text(lang)
            _display(Shown(f"<pre>{_escape(text)}</pre>", text))
            return None
        try:
            options.lang = choose(options.lang)  # None: GRADEXPLAIN_LANG, else the locale
        except ValueError as err:
            raise UsageError(f"{prog}: {translate_message(str(err), lang) or err}") from None
        for problem, bad in (("--max-seconds must be at least 1",
                              options.max_seconds is not None and options.max_seconds < 1),
                             ("--width must be at least 20", options.width < 20),
                             (f"--record needs a variable name, got {options.record!r}",
                              bool(options.record) and not options.record.isidentifier())):
            if bad:
                raise UsageError(f"{prog}: {translate_message(problem, lang) or problem}")
        for target in options.why:
            try:
                why_target(target)
            except ValueError as err:
                said = "--why " + (translate_message(str(err), lang) or str(err))
                raise UsageError(f"{prog}: {said}") from None
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
            if options.record:
                self.user_ns[options.record] = record
            shown = shown_record(record, width=options.width, full=options.full,
                                 limits=settings["limits"])
        except GradexplainError as err:
            _display(shown_error(err, lang=options.lang, width=options.width))
            return
        _display(shown)
        if shown.png is not None:
            _display(Picture(shown.png, shown.title, options.lang))


def _lessons(lang: str, width: int) -> Shown:
    """`%gradexplain` alone: the bundled lessons with their descriptions, as `run` lists them."""
    from gradexplain.render import print_bundled
    from gradexplain.render.console import drawn_as
    from gradexplain.scenario.bundled import bundled_descriptions, bundled_names

    def draw(console: Any) -> None:
        print_bundled(console, bundled_names(), None, lang, bundled_descriptions(lang))

    return Shown(drawn_as(draw, "html", width=width), drawn_as(draw, "table", width=width))


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
