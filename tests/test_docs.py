"""Every command and every option has help text and is documented in README.md
(sqlite-utils' test_docs.py is the model): the docs cannot silently fall behind the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from gradexplain.shell.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
GROUP: Any = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands.items())


def test_the_commands_are_found() -> None:
    assert {name for name, _ in COMMANDS} >= {"run", "compare", "plot", "repl"}


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_is_documented(name: str, command: Any) -> None:
    assert (command.help or "").strip(), f"`gradexplain {name}` has no help text"
    assert f"gradexplain {name}" in README, f"README.md never shows `gradexplain {name}`"


# One row per option definition: an option shared by several commands (--lang, the limit
# flags) is one definition with one help text, documented once.
OPTIONS = list({(tuple(param.opts), getattr(param, "help", None)): (name, param)
                for name, command in reversed(COMMANDS) for param in command.params}.values())


@pytest.mark.parametrize(("name", "param"), OPTIONS,
                         ids=[f"{n}:{p.name}" for n, p in OPTIONS])
def test_option_has_help_and_is_documented(name: str, param: Any) -> None:
    assert (getattr(param, "help", None) or "").strip(), \
        f"`gradexplain {name}`: {param.name} has no help text"
    if param.param_type_name == "option":
        flags = [flag for flag in param.opts if flag.startswith("--")]
        assert any(flag in README for flag in flags), \
            f"README.md never mentions {' / '.join(flags)} (gradexplain {name})"
