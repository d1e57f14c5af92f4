"""Click's and Typer's own words (usage, `--help`, option errors) in the reader's language.

Through Click's hooks for it: the application's group class (`typer.Typer(cls=...)`)
gives every command a Context whose `formatter_class` writes the help in Chinese, and its
`main` shows a usage error the way Click does, with Chinese words; the English side is
Click's own, untouched. The language is `--lang` where the command line names one, else
GRADEXPLAIN_LANG and the locale, read before Click parses anything (a bad flag is reported
before `--lang` would be). The Chinese texts are data: explain/catalogue_cli.py.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import typer
from typer.core import TyperGroup

from gradexplain.explain.catalogue_cli import HELP, WORDS
from gradexplain.explain.languages import from_words
from gradexplain.render.cjk import definition_list, wrap

# Click's exceptions, from the copy of Click that Typer uses (Typer 0.28 ships its own).
_CLICK = importlib.import_module(typer.BadParameter.__module__)
# `gradexplain` alone: Click's error whose message is the help itself (Click 8.2 and later).
_NO_ARGS: Any = getattr(_CLICK, "NoArgsIsHelpError", ())
_LANGUAGE: ContextVar[str] = ContextVar("gradexplain_cli_language", default="en")


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Click's words in `lang` for what runs inside (the help formatter reads it)."""
    token = _LANGUAGE.set(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def help_text(text: str) -> str:
    """One help text (an option's, or a command's description) in the current language:
    each paragraph from catalogue_cli.HELP, code lines as they are, and what Click adds
    after an option's help (`[default: 64; x>=1]`, `[env var: ...]`) in words."""
    if _LANGUAGE.get() == "en":
        return text
    help_part, extras = _EXTRAS.match(text).groups()  # type: ignore[union-attr]
    paragraphs = []
    for paragraph in help_part.split("\n\n"):
        indent = paragraph[:len(paragraph) - len(paragraph.lstrip(" "))]
        paragraphs.append(indent + HELP.get(" ".join(paragraph.split()), paragraph.strip()))
    translated = "\n\n".join(paragraphs)
    for extra in re.findall(r"\[([^\]]*)\]", extras):
        translated += "  [" + "；".join(_word(part.strip()) for part in extra.split(";")) + "]"
    return translated


# An option's help, then what Click appended, two spaces apart: `  [default: 64; x>=1]`.
_EXTRAS = re.compile(r"(.*?)((?:  \[(?:default|env var|required)[^\]]*\])*)\Z", re.DOTALL)


def _word(text: str) -> str:
    name, colon, value = text.partition(": ")
    if colon and f"{name}: {{value}}" in WORDS:
        return WORDS[f"{name}: {{value}}"].format(value=value)
    return WORDS.get(text, text)


def _usage_words(text: str) -> str:
    return " ".join(WORDS.get(piece, piece) for piece in text.split(" "))


# Click's help formatter, from the copy of Click that Typer uses (see _CLICK).
_HelpFormatter: Any = typer.Context.formatter_class


class _Formatter(_HelpFormatter):  # type: ignore[misc]
    """Click's help formatter; in Chinese, its words from the catalogue and Chinese lines
    wrapped by their cells (Click counts characters and breaks only at spaces)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if _LANGUAGE.get() == "en":
            super().write_usage(prog, args, prefix)
            return
        self.write(f"{WORDS['Usage:']}{prog} {_usage_words(args)}\n")

    def write_heading(self, heading: str) -> None:
        if _LANGUAGE.get() == "en":
            super().write_heading(heading)
            return
        self.write(f"{'':>{self.current_indent}}{WORDS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        if _LANGUAGE.get() == "en":
            super().write_text(text)
            return
        indent = " " * self.current_indent
        blocks = []
        for paragraph in help_text(text).split("\n\n"):
            inner = paragraph[:len(paragraph) - len(paragraph.lstrip(" "))]
            blocks.append("\n".join(wrap(paragraph, self.width, indent=indent + inner)))
        self.write("\n\n".join(blocks) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        if _LANGUAGE.get() == "en":
            super().write_dl(rows, col_max, col_spacing)
            return
        rows = [(_usage_words(first), help_text(second)) for first, second in rows]
        lines = definition_list(rows, self.width, indent=self.current_indent,
                                col_max=col_max, spacing=col_spacing)
        self.write("".join(f"{line}\n" for line in lines))


class _Context(typer.Context):
    formatter_class = _Formatter


class LocalizedGroup(TyperGroup):
    """The application: its commands use the formatter above, and in Chinese a usage error
    is shown as Click shows it, in Chinese (in English Click shows it itself)."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            command.context_class = _Context

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        lang = from_words(words)
        with speaking(lang):
            if lang == "en" or not standalone_mode:
                return super().main(args, prog_name, complete_var, standalone_mode,
                                    windows_expand_args, **extra)
            try:
                done = super().main(words, prog_name, complete_var, False,
                                    windows_expand_args, **extra)
            except _CLICK.ClickException as error:
                _show(error)
                sys.exit(error.exit_code)
            except typer.Abort:
                typer.echo(_said("Aborted!"), err=True)
                sys.exit(1)
            # Not standalone, Click returns what a command returned, or an exit's status.
            sys.exit(done if isinstance(done, int) else 0)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands and the first sentence of each one's description."""
        if _LANGUAGE.get() == "en":
            super().format_commands(ctx, formatter)
            return
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden and command.help:
                first = help_text(command.help.split("\n\n")[0])
                rows.append((name, first.split("。")[0] + "。"))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _said(message: str) -> str:
    # Only in Chinese, after a mistake: the input-error tables load then, not for --help.
    from gradexplain.explain.input_errors import translate_message

    return translate_message(message, _LANGUAGE.get()) or f"“{message}”"


def _show(error: Any) -> None:
    """A Click error as Click shows it: the usage and how to get help, then the message."""
    ctx = getattr(error, "ctx", None)
    if isinstance(error, _NO_ARGS):
        typer.echo(error.format_message(), err=True)  # the help itself: already in Chinese
        return
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        help_option = ctx.command.get_help_option(ctx)
        if help_option is not None:
            option = max(ctx.command.get_help_option_names(ctx), key=len)
            typer.echo(WORDS["Try '{command} {option}' for help."].format(
                command=ctx.command_path, option=option) + "\n", err=True)
    typer.echo(WORDS["Error: {message}"].format(message=_said(error.format_message())),
               err=True)
