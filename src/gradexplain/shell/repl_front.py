"""The REPL's front end when the session runs in a worker process (shell/repl_worker.py).

What needs the terminal or the user's files stays here: `:help`, `:save` (with its questions)
and `:quit`. Every other entry goes to the worker, and what it printed is written out as it
came. When the worker is stopped (a budget, a crash, or a statement that did not stop after
Ctrl-C), the error is shown, a fresh worker is forked, and the entries that had changed the
session without an error are run again in it, silently and in order (torch is seeded as
before, so rand* give the same values): the session survives, and a note says so. `:reset`
is simply a fresh worker.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from gradexplain.render import make_console, print_input_error
from gradexplain.shell.repl import Talk, resolve_command
from gradexplain.shell.repl_commands import (
    Front,
    cmd_help,
    cmd_quit,
    cmd_save,
    cmd_save_over,
)
from gradexplain.shell.repl_worker import SessionWorker, Stopped

if TYPE_CHECKING:
    from gradexplain.options import ReplOptions
    from gradexplain.render.console import Console
    from gradexplain.shell.repl import _TorchLoader

# Run here, in the process that owns the terminal and writes files.
LOCAL_COMMANDS: dict[str, Callable[[Front, str], None]] = {
    ":help": cmd_help, ":save": cmd_save, ":save!": cmd_save_over,
    ":quit": cmd_quit, ":exit": cmd_quit, ":q": cmd_quit}


class FrontRepl(Talk):
    """The REPL as the user sees it; the session itself lives in a SessionWorker."""

    def __init__(self, settings: ReplOptions, console: Console | None = None,
                 loader: _TorchLoader | None = None) -> None:
        self.settings = settings
        self.console = console or make_console(sys.stdout)
        self.loader = loader
        self.statements: list[str] = []  # what ran without error, for :save
        self.loaded_tensors: list[str] = []  # tensors declared by :load-ed YAML files
        self.done = False
        self._worker: SessionWorker | None = None
        self._names: list[str] = []
        self._counter = 0  # lines entered so far, as the worker numbers them
        self._replay: list[str] = []  # the entries that changed the session, in order

    def names(self) -> list[str]:
        """The names bound so far (for completion), as of the last answer."""
        return self._names

    def handle(self, text: str) -> None:
        """One entry: a meta-command, or a statement (possibly a multi-line block)."""
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return
        if stripped.startswith(":"):
            command, argument = resolve_command(stripped)
            if command in LOCAL_COMMANDS:
                LOCAL_COMMANDS[command](self, argument)
                return
            if command == ":reset":
                self.reset()
        self._send(text)

    def reset(self) -> None:
        """Forget everything: the next entry starts a fresh worker."""
        self.close()
        self.statements.clear()
        self.loaded_tensors.clear()
        self._replay.clear()
        self._names = []
        self._counter = 0

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    # the worker ----------------------------------------------------------------------------

    def _started(self) -> SessionWorker:
        if self._worker is None:
            if self.loader is not None:
                self.loader.wait()  # fork only once torch has been imported
            self._worker = SessionWorker.start(self.settings, self.console)
        return self._worker

    def _send(self, text: str) -> None:
        worker = self._started()
        try:
            answer = worker.ask({"op": "entry", "text": text, "counter": self._counter},
                                self.settings.limits.max_seconds)
        except Stopped as stop:
            self._worker = None
            if not text.lstrip().startswith(":"):  # its lines were numbered before it ran
                self._counter += text.rstrip().count("\n") + 1
            if stop.error is not None:
                print_input_error(self.console, stop.error, self.settings.lang)
            else:
                self.say("interrupted", error=True)
            self._rebuild()
            return
        output = answer["output"]
        if output:
            self.console.file.write(output)
            self.console.file.flush()
        self.statements += answer["statements"]
        self.loaded_tensors += answer["loaded"]
        self._names = answer["names"]
        self._counter = answer["counter"]
        if answer["changed"]:
            self._replay.append(text)
        if answer.get("rebuild"):
            self.close()
            self._rebuild()

    def _rebuild(self) -> None:
        """A fresh worker with the entries that had run without error run again in it."""
        worker = self._started()
        entries = list(self._replay)
        limits = self.settings.limits
        try:
            answer = worker.ask({"op": "replay", "entries": entries},
                                limits.max_seconds * max(1, len(entries)))
        except Stopped as stop:  # the replay itself overran: start empty
            self._worker = None
            if stop.error is not None:
                print_input_error(self.console, stop.error, self.settings.lang)
            counter = self._counter
            self.reset()
            self._counter = counter  # later entries go on numbering the lines typed
            self.say("rebuild_failed", error=True)
            return
        self._names = answer["names"]
        if answer["failed"]:
            self.say("rebuilt_partly", error=True, count=answer["replayed"],
                     failed=answer["failed"])
        else:
            self.say("rebuilt", count=answer["replayed"])
