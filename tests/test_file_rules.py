"""The file rules (scenario/files.py): only regular files are read, size checked first;
directory mode follows no link out of the directory; :save writes only a new regular file in
or under the working directory, never through a link, and not at all from piped input unless
--allow-save."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from gradexplain.app.repl_session import Repl
from gradexplain.errors import GradexplainError
from gradexplain.limits import Limits
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from gradexplain.scenario.bundled import expand_paths
from gradexplain.scenario.files import write_new_file
from gradexplain.scenario.loader import load_scenario
from gradexplain.shell.repl import confirm_at_terminal
from waiting import WAIT_SECONDS

ROOT = Path(__file__).resolve().parents[1]
OK = "import torch\nx = torch.ones(2, requires_grad=True)\nx.sum().backward()\n"


def _without_blocking(action: Callable[[], object]) -> None:
    """Run `action`; fail, rather than hang, if it blocks (opening a FIFO to read waits for
    a writer forever, reading /dev/zero never ends)."""
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "blocked"


def _refused(path: Path) -> GradexplainError:
    caught: list[GradexplainError] = []

    def load() -> None:
        try:
            load_scenario(path, Limits())
        except GradexplainError as error:
            caught.append(error)

    _without_blocking(load)
    assert caught, "loaded"
    return caught[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.py"
    os.mkfifo(fifo)
    error = _refused(fifo)
    assert error.kind == "invalid_scenario" and "FIFO" in error.message


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero", "/proc/self/cmdline"])
def test_system_files_are_refused_even_through_links(target: str, tmp_path: Path) -> None:
    if not Path(target).exists():
        pytest.skip(f"no {target} here")
    link = tmp_path / "lesson01.py"
    link.symlink_to(target)
    error = _refused(link)
    assert error.kind == "invalid_scenario"
    assert "PATH=" not in error.message and "HOME=" not in str(error.location)


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with big.open("wb") as stream:
        stream.truncate(50 * 2**20)  # sparse: huge size, nothing written
    error = _refused(big)
    assert error.kind == "limit_exceeded" and error.facts["limit"] == "max_file_bytes"


def test_directory_mode_refuses_links_that_leave_it(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "a.py").write_text(OK, encoding="utf-8")
    (lessons / "b.py").symlink_to(lessons / "a.py")  # stays inside: fine
    secret = tmp_path / "secret.py"
    secret.write_text("token = 1\n", encoding="utf-8")
    assert [p.name for p in expand_paths([str(lessons)])] == ["a.py", "b.py"]
    (lessons / "c.py").symlink_to(secret)
    with pytest.raises(GradexplainError, match="leads out of"):
        expand_paths([str(lessons)])


def test_run_of_a_directory_with_an_environ_link_prints_no_secret(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "lesson01.py").symlink_to("/proc/self/environ")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SECRET_TOKEN": "hunter2"}
    result = subprocess.run([sys.executable, "-m", "gradexplain", "run", str(lessons)],
                            capture_output=True, text=True, timeout=120, env=env,
                            check=False)
    assert result.returncode == 2
    assert "hunter2" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# writing ---------------------------------------------------------------------------------

@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_write_new_file_rules(in_tmp: Path) -> None:
    assert write_new_file(Path("new.py"), "a\n") == in_tmp / "new.py"
    with pytest.raises(GradexplainError, match="already exists"):
        write_new_file(Path("new.py"), "b\n")
    write_new_file(Path("new.py"), "b\n", overwrite=True)
    assert (in_tmp / "new.py").read_text() == "b\n"
    (in_tmp / "sub").mkdir()
    write_new_file(Path("sub/inner.py"), "c\n")
    outside = in_tmp.parent / f"outside-{os.getpid()}.py"
    with pytest.raises(GradexplainError, match="outside the working directory"):
        write_new_file(outside, "d\n")
    with pytest.raises(GradexplainError, match="outside the working directory"):
        write_new_file(Path("../escape.py"), "d\n")
    assert not outside.exists() and not (in_tmp.parent / "escape.py").exists()


def test_no_write_through_links(in_tmp: Path) -> None:
    target = in_tmp / "target.txt"
    target.write_text("keep\n")
    (in_tmp / "link.py").symlink_to(target)
    for overwrite in (False, True):
        with pytest.raises(GradexplainError, match="symbolic link"):
            write_new_file(Path("link.py"), "x\n", overwrite=overwrite)
    assert target.read_text() == "keep\n"
    (in_tmp / "away").symlink_to(in_tmp.parent)  # a directory link out of the cwd
    with pytest.raises(GradexplainError, match="outside"):
        write_new_file(Path("away/escaped.py"), "x\n")


def _repl(**settings: object) -> tuple[Repl, io.StringIO]:
    stream = io.StringIO()
    console = make_console(stream, width=120, force_plain=True)
    return Repl(ReplOptions(**settings), console), stream  # type: ignore[arg-type]


def _said(stream: io.StringIO) -> str:
    return stream.getvalue()


def test_piped_save_is_refused_without_allow_save(in_tmp: Path) -> None:
    repl, box = _repl()
    repl.handle("x = torch.ones(2)")
    repl.handle(':save out.py')
    assert not (in_tmp / "out.py").exists()
    assert "--allow-save" in _said(box)


def test_save_rules_in_the_repl(in_tmp: Path) -> None:
    repl, box = _repl(allow_save=True)
    repl.handle("x = torch.ones(2)")
    repl.handle(":save out.py")
    assert (in_tmp / "out.py").read_text().endswith("x = torch.ones(2)\n")
    repl.handle("y = x * 2")
    repl.handle(":save out.py")
    assert "y = x * 2" not in (in_tmp / "out.py").read_text()
    assert ":save! out.py" in _said(box)
    repl.handle(":save! out.py")
    assert "y = x * 2" in (in_tmp / "out.py").read_text()
    repl.handle(":save ~/gx-should-not-exist.py")
    assert not Path("~/gx-should-not-exist.py").expanduser().exists()
    repl.handle(f":save {in_tmp.parent / 'gx-outside.py'}")
    assert not (in_tmp.parent / "gx-outside.py").exists()
    assert "outside the working directory" in _said(box)


def test_interactive_save_elsewhere_asks_first(in_tmp: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    outside = in_tmp.parent / f"gx-asked-{os.getpid()}.py"
    repl, _ = _repl(interactive=True)
    asked: list[str] = []
    repl.handle("x = torch.ones(2)")
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    repl.ask = confirm_at_terminal  # as the shell asks
    repl.handle(f":save {outside}")
    assert not outside.exists()
    assert asked and str(outside.parent) in asked[0] and asked[0].endswith("[y/N] ")
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    repl.handle(f":save {outside}")
    try:
        assert outside.read_text().endswith("x = torch.ones(2)\n")
    finally:
        outside.unlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_obeys_the_file_rules(in_tmp: Path) -> None:
    os.mkfifo(in_tmp / "pipe.py")
    repl, box = _repl()
    _without_blocking(lambda: repl.handle(":load pipe.py"))
    assert "not a regular file" in _said(box)
