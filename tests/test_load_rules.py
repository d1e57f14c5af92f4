"""The REPL's `:load` and `repl --load` (issue 30, family 1): the file rules of `run` (no
symbolic link, device or special file), piped statements load only from the working
directory unless --allow-load, and a file that does not load as a scenario is refused
without a line of it, so that `:load` cannot print what a settings file or a key holds."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradexplain.app.repl_session import Repl
from gradexplain.options import ReplOptions
from gradexplain.render import make_console

SECRET = "hunter2-7f3a9c"  # must never reach the output
SETTINGS = f'DEBUG = True\nDB_PASSWORD = "{SECRET}"\nimport ctypes\nKEY = ctypes.CDLL("k")\n'
PLAIN_SETTINGS = f'DB_PASSWORD = "{SECRET}"\n'


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _repl(**settings: object) -> tuple[Repl, io.StringIO]:
    stream = io.StringIO()
    console = make_console(stream, width=120, force_plain=True)
    return Repl(ReplOptions(**settings), console), stream  # type: ignore[arg-type]


def _session(lines: list[str], **settings: object) -> str:
    repl, box = _repl(**settings)
    try:
        for line in lines:
            repl.handle(line)
    finally:
        repl.close()
    return box.getvalue()


def test_the_red_teams_case_piped_through_the_command(tmp_path: Path) -> None:
    """`printf ':load /path/settings.py\\nprint(DB_PASSWORD)\\n' | gradexplain repl`."""
    outside = tmp_path / "project"
    outside.mkdir()
    (outside / "settings.py").write_text(PLAIN_SETTINGS, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120", HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "gradexplain", "repl"],
        input=f":load {outside / 'settings.py'}\nprint(DB_PASSWORD)\n", capture_output=True,
        text=True, cwd=work, env=env, timeout=120, check=False)
    assert SECRET not in result.stdout + result.stderr
    assert "outside the working directory" in result.stdout
    assert "--allow-load" in result.stdout


def test_piped_load_reads_only_under_the_working_directory(in_tmp: Path) -> None:
    outside = in_tmp.parent / "settings.py"
    outside.write_text(PLAIN_SETTINGS, encoding="utf-8")
    said = _session([f":load {outside}", ":load ../settings.py", "print(DB_PASSWORD)"])
    assert SECRET not in said
    assert said.count("outside the working directory") == 2
    # inside the working directory, a plain scenario loads as before
    (in_tmp / "sub").mkdir()
    (in_tmp / "sub" / "mine.py").write_text("a = 2\n", encoding="utf-8")
    assert "loaded sub/mine.py" in _session([":load sub/mine.py", "print(a)"])


def test_a_directory_link_out_of_the_working_directory_is_outside(in_tmp: Path) -> None:
    (in_tmp.parent / "away").mkdir()
    (in_tmp.parent / "away" / "settings.py").write_text(PLAIN_SETTINGS, encoding="utf-8")
    (in_tmp / "away").symlink_to(in_tmp.parent / "away")
    said = _session([":load away/settings.py", "print(DB_PASSWORD)"])
    assert SECRET not in said and "outside the working directory" in said


@pytest.mark.parametrize("settings", [{"allow_load": True}, {"interactive": True}],
                         ids=["allow-load", "terminal"])
def test_allow_load_and_a_terminal_load_from_anywhere(in_tmp: Path,
                                                     settings: dict[str, bool]) -> None:
    outside = in_tmp.parent / "lesson.py"
    outside.write_text("w = 3\n", encoding="utf-8")
    said = _session([f":load {outside}", "print(w * 2)"], **settings)
    assert f"loaded {outside}" in said and "6" in said


def test_the_load_file_of_the_command_line_loads_from_anywhere(in_tmp: Path) -> None:
    outside = in_tmp.parent / "lesson.py"
    outside.write_text("w = 3\n", encoding="utf-8")
    said = _session([f":load {outside}"], load=str(outside))
    assert f"loaded {outside}" in said


def test_a_yaml_link_to_a_secret_is_refused_unread(in_tmp: Path) -> None:
    """The red team's `:load` of a `.yaml` symbolic link to a secret file, even one inside the
    working directory, even with --allow-load."""
    (in_tmp / "secret.txt").write_text(f"token: {SECRET}\n  broken: indent\n",
                                       encoding="utf-8")
    (in_tmp / "link.yaml").symlink_to(in_tmp / "secret.txt")
    for settings in ({}, {"allow_load": True}, {"interactive": True}):
        said = _session([":load link.yaml"], **settings)
        assert SECRET not in said and "token" not in said
        assert "is a symbolic link" in said


@pytest.mark.parametrize(("name", "content"), [
    ("settings.py", SETTINGS),  # refused by the checker (the import)
    ("old.py", f'print "{SECRET}"\n'),  # a Python syntax error
    ("broken.yaml", f"password: {SECRET}\n  nested: [1\n"),  # a YAML syntax error
    ("indent.yaml", f"name: x\nsteps: |\n  y = 1\n password: {SECRET}\n"),  # misindented
    ("config.yaml", f"database:\n  password: {SECRET}\n"),  # YAML, but no scenario
    ("tagged.yaml", f"password: !vault {SECRET}\n"),  # a refused tag
    ("bad.py", f"x = 1\ny = x +\n# {SECRET}\n"),
    ("binary.py", b"\xff\xfe" + SECRET.encode()),
], ids=["checker", "python-syntax", "yaml-syntax", "indentation", "not-a-scenario", "tag",
        "python-syntax-2", "not-utf8"])
def test_a_file_that_is_no_scenario_is_refused_without_its_lines(
        in_tmp: Path, name: str, content: str | bytes) -> None:
    target = in_tmp / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    for settings in ({}, {"interactive": True}):
        said = _session([f":load {name}", "print(DB_PASSWORD)"], **settings)
        assert SECRET not in said
        assert "password" not in said.lower().replace("db_password", "")
        assert "import ctypes" not in said
        assert f"{name} did not load as a scenario" in said
        assert f"gradexplain run {name}" in said  # where to see what is wrong


def test_a_scenario_with_a_mistake_still_gets_its_diagnosis(in_tmp: Path) -> None:
    """A file shaped like a scenario is the user's own: its mistakes are shown in full."""
    (in_tmp / "lesson.yaml").write_text(
        "tensors:\n  x: {ones: [2]}\ndtype: float128\nsteps: |\n  y = x * 2\n",
        encoding="utf-8")
    said = _session([":load lesson.yaml"])
    assert "'dtype' must be one of" in said and "float128" in said
    (in_tmp / "refused.yaml").write_text("steps: |\n  import ctypes\n", encoding="utf-8")
    said = _session([":load refused.yaml"])
    assert "importing 'ctypes' is not allowed" in said


def test_load_refusals_in_chinese(in_tmp: Path) -> None:
    (in_tmp / "config.yaml").write_text(f"password: {SECRET}\n", encoding="utf-8")
    (in_tmp / "link.yaml").symlink_to(in_tmp / "config.yaml")
    said = _session([":load config.yaml", ":load link.yaml", f":load {in_tmp.parent}/x.py"],
                    lang="zh")
    assert SECRET not in said
    assert "无法作为场景加载" in said and "符号链接" in said and "不在当前工作目录中" in said


def test_piped_load_learns_nothing_of_files_elsewhere(in_tmp: Path) -> None:
    """Outside the working directory a file, a link and nothing at all are refused alike."""
    away = in_tmp.parent
    (away / "real.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    (away / "link.yaml").symlink_to(away / "real.yaml")
    said = [_session([f":load {away / name}"]).replace(name, "NAME")
            for name in ("real.yaml", "link.yaml", "gone.yaml")]
    assert said[0] == said[1] == said[2]
    assert "outside the working directory" in said[0]
