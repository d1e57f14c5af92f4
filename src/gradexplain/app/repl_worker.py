"""The REPL's session in a child of the process supervisor (app/supervisor.py), under budgets
the operating system enforces; what the shell's input loops drive on the command line.

The child is forked once torch has been imported (and before any operation has run in the
parent, so it may use torch's thread pools). It builds the same `Repl` the in-process REPL is
(app/repl_session.py), its console capturing what it prints (rich renders it exactly as on
the terminal: same width, colours and language), and answers each entry with the rendered
output and the few facts the parent keeps: statements for `:save`, names for completion,
whether the entry changed the session.

What needs the terminal or the user's files stays in the parent: `:help`, `:save` (with its
questions) and `:quit`. While an entry runs, the supervisor watches the child's time (per
entry) and memory; Ctrl-C is passed on to the child, which is killed if the statement does
not stop soon after. When the child is gone (a budget, a crash, or such a Ctrl-C), the error
is shown, a fresh child is forked, and the entries that had changed the session without an
error are run again in it, silently and in order (torch is seeded as before, so rand* give
the same values): the session survives, and a note says so. An entry refused for memory
that left the child holding what it made before the refusal is rebuilt the same way.
`:reset` is simply a fresh child.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradexplain.app import supervisor
from gradexplain.app.repl_commands import (
    Front,
    cmd_help,
    cmd_quit,
    cmd_save,
    cmd_save_over,
    resolve_command,
)
from gradexplain.app.repl_session import Loader, Repl, Talk, never_confirm
from gradexplain.app.supervisor import Child, Gone, Handler, Terms
from gradexplain.errors import GradexplainError
from gradexplain.language.budget import Budget, resident_bytes
from gradexplain.render import print_input_error

if TYPE_CHECKING:
    from gradexplain.options import ReplOptions
    from gradexplain.render.console import Console

REBUILD_AFTER_GROWTH = 16 * 2**20  # bytes a refused entry may leave behind without a rebuild

# Run here, in the process that owns the terminal and writes files.
LOCAL_COMMANDS: dict[str, Callable[[Front, str], None]] = {
    ":help": cmd_help, ":save": cmd_save, ":save!": cmd_save_over,
    ":quit": cmd_quit, ":exit": cmd_quit, ":q": cmd_quit}


class WorkerRepl(Talk):
    """The REPL as the user sees it; the session itself lives in a supervised child."""

    def __init__(self, settings: ReplOptions, console: Console, loader: Loader | None = None,
                 ask: Callable[[str], bool] = never_confirm) -> None:
        self.settings = settings
        self.console = console
        self.loader = loader
        self.ask = ask
        self.statements: list[str] = []  # what ran without error, for :save
        self.loaded_tensors: list[str] = []  # tensors declared by :load-ed YAML files
        self.done = False
        self._child: Child | None = None
        self._names: list[str] = []
        self._counter = 0  # lines entered so far, as the child numbers them
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
        """Forget everything: the next entry starts a fresh child."""
        self.close()
        self.statements.clear()
        self.loaded_tensors.clear()
        self._replay.clear()
        self._names = []
        self._counter = 0

    def close(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None

    # the child -----------------------------------------------------------------------------

    def _started(self) -> Child:
        if self._child is None:
            if self.loader is not None:
                self.loader.wait()  # fork only once torch has been imported
            self._child = supervisor.start(_session(self.settings, self.console),
                                           Terms(self.settings.limits, session=True))
        return self._child

    def _ask(self, request: dict[str, Any], seconds: float) -> dict[str, Any]:
        """The child's answer; Gone when it is gone (a reply that is an error comes from a
        child that could not serve, and is leaving)."""
        child = self._started()
        try:
            answer = child.ask(request, seconds=seconds)
        except Gone:
            self._child = None
            raise
        if isinstance(answer, GradexplainError):
            self.close()
            raise Gone(answer)
        return answer  # type: ignore[no-any-return]

    def _send(self, text: str) -> None:
        try:
            answer = self._ask({"op": "entry", "text": text, "counter": self._counter},
                               self.settings.limits.max_seconds)
        except Gone as gone:
            if not text.lstrip().startswith(":"):  # its lines were numbered before it ran
                self._counter += text.rstrip().count("\n") + 1
            self._said_gone(gone)
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

    def _said_gone(self, gone: Gone) -> None:
        if gone.error is not None:
            print_input_error(self.console, gone.error, self.settings.lang)
        else:
            self.say("interrupted", error=True)

    def _rebuild(self) -> None:
        """A fresh child with the entries that had run without error run again in it."""
        entries = list(self._replay)
        try:
            answer = self._ask({"op": "replay", "entries": entries},
                               self.settings.limits.max_seconds * max(1, len(entries)))
        except Gone as gone:  # the replay itself overran: start empty
            if gone.error is not None:
                print_input_error(self.console, gone.error, self.settings.lang)
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


# in the child --------------------------------------------------------------------------------

def _session(settings: ReplOptions, console: Console) -> Callable[[Budget], Handler]:
    """What the child sets up: the session under its Budget, and how it answers a request."""
    def setup(budget: Budget) -> Handler:
        repl = Repl(settings, console, budget=budget)
        return lambda request, _: _answer(repl, request)

    return setup


def _answer(repl: Repl, request: dict[str, Any]) -> dict[str, Any]:
    """Run one request in the session; what to show and what the parent keeps."""
    console = repl.console
    statements, loaded = len(repl.statements), len(repl.loaded_tensors)
    answer: dict[str, Any] = {"changed": False, "replayed": 0, "failed": 0}
    console.begin_capture()
    try:
        if request["op"] == "replay":  # rebuilding after a kill: silently, in order
            for entry in request["entries"]:
                answer["replayed" if _run_entry(repl, entry) else "failed"] += 1
        else:
            repl.counter = request["counter"]  # lines typed so far, rebuilt sessions too
            before = resident_bytes()
            answer["changed"] = _run_entry(repl, request["text"])
            # Refused for memory, but holding what it made before the refusal (a list
            # half-filled by a loop): the parent rebuilds the session without it.
            failure = repl.failure
            answer["rebuild"] = failure is not None and \
                failure.facts.get("limit") == "max_memory" and \
                resident_bytes() > before + REBUILD_AFTER_GROWTH
    except KeyboardInterrupt:
        repl.say("interrupted", error=True)
    finally:
        output = console.end_capture()
    answer.update(output="" if request["op"] == "replay" else output,
                  statements=repl.statements[statements:],
                  loaded=repl.loaded_tensors[loaded:], names=repl.names(),
                  counter=repl.counter)
    return answer


def _run_entry(repl: Repl, text: str) -> bool:
    """Handle one entry; whether it changed the session without an error (such entries are
    run again, in order, to rebuild the session after a kill)."""
    statements, loaded = len(repl.statements), len(repl.loaded_tensors)
    try:
        repl.handle(text)
    except Exception:  # --debug lets internal errors through: show them, keep serving
        repl.console.print(traceback.format_exc())
        return False
    stripped = text.strip()
    if stripped.startswith(":") and resolve_command(stripped)[0] == ":zero":
        return True  # also zeroes unnamed leaves, which no statement can name
    return len(repl.statements) > statements or len(repl.loaded_tensors) > loaded
