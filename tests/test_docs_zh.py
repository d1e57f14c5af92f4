"""The Chinese user guide (README.zh-CN.md) keeps in step with README.md: both name the same
commands, options (of the command line and of the notebook magic), REPL meta-commands and
scenario keys, so a flag added to one and not the other fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from gradexplain.app.repl_commands import HANDLERS
from gradexplain.notebook.magic import _OPTIONS
from gradexplain.scenario.schema import schema_text
from gradexplain.shell.cli import app

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = (ROOT / "README.md").read_text(encoding="utf-8")
CHINESE = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
GROUP: Any = typer.main.get_command(app)


def _names() -> set[str]:
    """Everything a user types that the guides document."""
    names = {f"gradexplain {name}" for name in GROUP.commands}
    for command in GROUP.commands.values():
        for param in command.params:
            names |= {flag for flag in param.opts if flag.startswith("--")}
    names |= {flag for flags, *_ in _OPTIONS for flag in flags if flag.startswith("--")}
    names |= {"%%gradexplain", "%gradexplain", "%load_ext gradexplain"}
    names |= {command for command in HANDLERS if command not in (":exit", ":q")}
    schema = json.loads(schema_text())
    names |= {f"`{key}`" for key in schema["properties"]}
    return names


NAMES = sorted(_names())


def _mentions(text: str, name: str) -> bool:
    return re.search(re.escape(name) + r"(?![\w-])", text) is not None


def test_the_names_are_found() -> None:
    assert len(NAMES) > 50
    assert "--lang" in NAMES and ":save" in NAMES and "`expect`" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_both_guides_name_it(name: str) -> None:
    assert _mentions(ENGLISH, name) == _mentions(CHINESE, name), (
        f"{name!r} is in {'README.md' if _mentions(ENGLISH, name) else 'README.zh-CN.md'} "
        "only: keep the two guides in step")


def test_the_chinese_guide_links_the_english_one_and_the_glossary() -> None:
    assert "(README.md)" in CHINESE and "docs/glossary.zh.md" in CHINESE
    assert "README.zh-CN.md" in ENGLISH
    assert (ROOT / "docs" / "glossary.zh.md").is_file()
