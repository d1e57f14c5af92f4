"""Issue 16, the REPL: habits from Python and shells, :zero on unnamed leaves, :save as
YAML or Python without overwriting, a block as one history entry with auto-indent."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from gradexplain.app.repl_session import Repl
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from gradexplain.shell.repl import block_complete, next_indent


def make_repl(lang: str = "en", allow_save: bool = False) -> tuple[Repl, io.StringIO]:
    stream = io.StringIO()
    repl = Repl(ReplOptions(lang=lang, allow_save=allow_save),
                console=make_console(stream, width=100, force_plain=True))
    return repl, stream


def said(repl: Repl, stream: io.StringIO, *lines: str) -> str:
    start = len(stream.getvalue())
    for line in lines:
        repl.handle(line)
    return " ".join(stream.getvalue()[start:].split())


def test_exit_help_clear_say_what_works() -> None:
    repl, stream = make_repl()
    for word in ("exit", "quit()", "quit", "exit()"):
        assert said(repl, stream, word) == "to leave, type :quit or press Ctrl-D"
    assert said(repl, stream, "help").startswith("type :help for the commands")
    assert said(repl, stream, "clear") == \
        "to clear the screen press Ctrl-L; :reset forgets every tensor"
    assert "Error" not in stream.getvalue() and "assign" not in stream.getvalue()
    assert not repl.done
    zh, zh_stream = make_repl("zh")
    assert said(zh, zh_stream, "exit") == "要退出，请输入 :quit 或按 Ctrl-D"


def test_a_users_own_name_wins_over_the_habit() -> None:
    repl, stream = make_repl()
    out = said(repl, stream, "clear = torch.ones(2)", "clear")
    assert "Ctrl-L" not in out


def test_misspelled_meta_command_gets_did_you_mean() -> None:
    repl, stream = make_repl()
    assert said(repl, stream, ":hlep") == \
        "unknown command :hlep; did you mean :help? (:help lists them)"
    assert said(repl, stream, ":zreo") == \
        "unknown command :zreo; did you mean :zero? (:help lists them)"


def test_zero_covers_unnamed_leaves() -> None:
    repl, stream = make_repl()
    said(repl, stream, "x = torch.tensor([2., 1.], requires_grad=True).view(1, 2)",
         "y = torch.ones(2, 2, requires_grad=True)", "torch.mm(x, y).sum().backward()")
    out = said(repl, stream, ":zero")
    assert "zeroed the grad of y" in out
    assert "zeroed the grad of the unnamed leaf torch.tensor([2., 1.], requires_grad=True)" \
        in out
    grads = said(repl, stream, ":grads")
    assert "[0., 0.]" in grads and "[[0., 0.]," in grads
    assert "requires_grad=True).grad.zero_()" not in stream.getvalue()


def test_accumulated_note_on_an_unnamed_leaf_suggests_valid_code() -> None:
    repl, stream = make_repl()
    out = said(repl, stream, "x = torch.tensor([2., 1.], requires_grad=True).view(1, 2)",
               "x.sum().backward()", "x.sum().backward()")
    assert "accumulated" in out
    assert "requires_grad=True).grad.zero_()" not in out
    assert "`base = torch.tensor([2., 1.], requires_grad=True)`" in out
    assert "`base.grad.zero_()`" in out


@pytest.mark.slow  # a new gradexplain process
def test_save_yaml_is_a_scenario_that_run_reproduces(tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # :save writes in or under the working directory
    repl, stream = make_repl(allow_save=True)  # piped-style settings: saving allowed
    said(repl, stream, "x = torch.ones(2, 2, requires_grad=True)", "out = (x * x).sum()",
         "for i in range(2):\n    out = (x * x).sum()\n    out.backward()")
    target = tmp_path / "session.yaml"
    assert said(repl, stream, f":save {target}") == f"saved 3 statement(s) to {target}"
    text = target.read_text(encoding="utf-8")
    assert text.startswith('name: "session"\n') and "steps: |\n" in text
    assert "  for i in range(2):\n      out = (x * x).sum()\n      out.backward()\n" in text
    run = subprocess.run([sys.executable, "-m", "gradexplain", "run", str(target), "--format",
                          "json"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert '"after": {"x": [[4.0, 4.0], [4.0, 4.0]]}' in run.stdout  # 2 + 2, as in the REPL


def test_save_never_overwrites_without_the_bang(tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # :save writes in or under the working directory
    repl, stream = make_repl(allow_save=True)  # piped-style settings: saving allowed
    said(repl, stream, "x = torch.ones(2)")
    target = tmp_path / "kept.py"
    target.write_text("# mine\n", encoding="utf-8")
    assert said(repl, stream, f":save {target}") == \
        f"{target} exists and was left as it is; to replace it, type :save! {target}"
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert said(repl, stream, f":save! {target}") == f"saved 1 statement(s) to {target}"
    assert "x = torch.ones(2)" in target.read_text(encoding="utf-8")


def test_block_entry_rules() -> None:
    assert block_complete("x = 1") and block_complete(":save a.py")
    assert not block_complete("for i in range(2):")
    assert not block_complete("for i in range(2):\n    y = i")
    assert block_complete("for i in range(2):\n    y = i\n    ")
    assert next_indent("for i in range(2):") == "    "
    assert next_indent("for i in range(2):\n    with torch.no_grad():") == "        "
    assert next_indent("for i in range(2):\n    y = i") == "    "
