"""User-supplied text never steers the terminal: control characters (ESC, OSC, CSI, BEL,
C1, bidirectional overrides) are shown escaped and rich markup is shown literally, in prints,
names, descriptions and error echoes, on a colour terminal and in plain output alike."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradexplain.explain import explain_run
from gradexplain.limits import Limits
from gradexplain.render import make_console, print_input_error, print_report
from gradexplain.render.console import escape_controls
from gradexplain.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = [
    ("esc_clear", "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    ("osc_title", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    ("c1_csi", "\x9b31m", "\\x9b31m"),
    ("carriage_return", "safe\roverwritten", "safe\\x0doverwritten"),
    ("bidi_override", "\u202eevil", "\\u202eevil"),
    ("backspace", "ab\x08\x08", "ab\\x08\\x08"),
]


@pytest.mark.parametrize(("name", "raw", "shown"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_escape_controls(name: str, raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown
    assert escape_controls("tab\tand\nnewline 中文 [bold]") == "tab\tand\nnewline 中文 [bold]"


def _report_output(path: Path, colour: bool) -> str:
    from gradexplain.engine.runner import run_scenario

    stream = io.StringIO()
    console = make_console(stream, width=200, force_plain=not colour)
    if colour:
        console.force_terminal = True  # a colour terminal: rich writes its own escapes
    print_report(console, explain_run(run_scenario(load_scenario(path, Limits())), "en"))
    return stream.getvalue()


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize(("name", "raw", "shown"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_prints_names_and_descriptions_are_escaped(name: str, raw: str, shown: str,
                                                    colour: bool, tmp_path: Path) -> None:
    literal = raw.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    path = tmp_path / "s.yaml"
    path.write_text(f'name: "title{literal}"\ndescription: "about{literal} [bold]b[/bold]"\n'
                    f'steps:\n  - \'print("out{literal} [red]r[/red]")\'\n', encoding="utf-8")
    out = _report_output(path, colour)
    for prefix in ("title", "about", "out"):
        assert prefix + shown in out
    assert "[bold]b[/bold]" in out and "[red]r[/red]" in out
    assert raw not in out
    if not colour:
        assert "\x1b" not in out and "\x07" not in out


def test_error_echo_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text('import torch\nx = "\x1b]0;pwned\x07" + 1\n', encoding="utf-8")
    from gradexplain.errors import GradexplainError

    stream = io.StringIO()
    console = make_console(stream, width=200, force_plain=True)
    try:
        from gradexplain.engine.runner import run_scenario

        record = run_scenario(load_scenario(path, Limits()))
        print_report(console, explain_run(record, "en"))
    except GradexplainError as err:
        print_input_error(console, err, "en")
    out = stream.getvalue()
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out


HOSTILE_NAME = "a\x1b[2J\x1b]0;t\x07[bold]b"
HOSTILE_SHOWN = "a\\x1b[2J\\x1b]0;t\\x07[bold]b"


def _gradexplain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "gradexplain", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=180, check=False, env=env)


@pytest.mark.parametrize("command", ["run", "compare", "plot"])
@pytest.mark.slow  # a new gradexplain process
def test_paths_in_the_tools_own_messages_are_escaped(tmp_path: Path, command: str) -> None:
    """"wrote PATH" after --export, --dot and plot --output, with a path holding ESC, OSC,
    BEL and rich markup: the escapes are shown as text, the markup literally."""
    scenario = tmp_path / f"{HOSTILE_NAME}.py"
    scenario.write_text("import torch\nx = torch.ones(2, requires_grad=True)\n"
                        "y = (x * x).sum()\ny.backward()\n", encoding="utf-8")
    if command == "run":
        done = _gradexplain("run", scenario.name, "--export", f"{HOSTILE_NAME}.txt",
                            "--dot", f"{HOSTILE_NAME}.dot", cwd=tmp_path)
        written = [f"{HOSTILE_NAME}.txt", f"{HOSTILE_NAME}.dot"]
    elif command == "compare":
        done = _gradexplain("compare", scenario.name, "--zero-grad", "--export",
                            f"{HOSTILE_NAME}.txt", cwd=tmp_path)
        written = [f"{HOSTILE_NAME}.txt"]
    else:
        pytest.importorskip("matplotlib")
        done = _gradexplain("plot", "x * x", "--output", f"{HOSTILE_NAME}.svg", cwd=tmp_path)
        written = [f"{HOSTILE_NAME}.svg"]
    assert done.returncode == 0, done.stdout + done.stderr
    for name in written:
        assert (tmp_path / name).is_file()
        assert name.replace(HOSTILE_NAME, HOSTILE_SHOWN) in done.stderr, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
