"""The REPL's session, the use case beside run, compare and plot: statements typed one at a
time into one engine Session, each entry under its own deadline, showing what changed.

The command line runs it in a child of the process supervisor (app/repl_worker.py); here it
runs in the calling process. torch is imported only when the first statement needs the
session (after `loader.wait()`, the shell's import of torch in the background).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from gradexplain.app.repl_commands import HANDLERS, META_COMMANDS, resolve_command
from gradexplain.errors import BAD_INPUT_KINDS, GradexplainError
from gradexplain.explain import explain_run
from gradexplain.explain.catalogue_repl import PHRASES
from gradexplain.language.budget import Budget
from gradexplain.options import ReplOptions, RunOptions
from gradexplain.record import RunRecord, TensorRow
from gradexplain.render import print_input_error
from gradexplain.render.console import Console, Text, symbols
from gradexplain.render.loops import interleaved
from gradexplain.render.tables import error_panel, notes_block, tensors_block
from gradexplain.scenario.model import Code

if TYPE_CHECKING:
    from gradexplain.engine.runner import Session


class Loader(Protocol):
    """torch being imported in the background (the shell's); `wait()` until it is."""

    def wait(self) -> None: ...


def never_confirm(question: str) -> bool:
    """Where no one can be asked (a test, piped input): the answer is no."""
    return False


class Talk:
    """How a REPL talks: its phrases in the session's language, and yes/no questions (put
    by `ask`: the shell asks the person at the terminal)."""

    settings: ReplOptions
    console: Console
    ask: Callable[[str], bool]

    def text(self, key: str, **facts: Any) -> str:
        """A REPL phrase (explain/catalogue_repl) in the session's language."""
        return PHRASES[self.settings.lang][key].format(**facts)

    def say(self, key: str, *, error: bool = False, **facts: Any) -> None:
        self.console.print(Text(self.text(key, **facts), style="gx.error" if error else ""))

    def confirm(self, question: str) -> bool:
        return self.ask(question)


# the session -------------------------------------------------------------------------------

class Repl(Talk):
    """One engine session, fed one statement (or block) at a time (in this process; the
    command line runs it in a child process, app/repl_worker.py)."""

    def __init__(self, settings: ReplOptions, console: Console, loader: Loader | None = None,
                 budget: Budget | None = None,
                 ask: Callable[[str], bool] = never_confirm) -> None:
        self.settings = settings
        # The session's time and memory budget (its child's, with its status page): each
        # entry has --max-seconds of its own.
        self.budget = budget if budget is not None else Budget()
        self.console = console
        self.loader = loader
        self.ask = ask
        self._session: Session | None = None
        self.statements: list[str] = []  # what ran without error, for :save
        self.loaded_tensors: list[str] = []  # tensors declared by :load-ed YAML files
        self.counter = 0  # lines entered so far: entry N starts at <repl>:counter+1
        self._entry = ""  # the last entry run, stripped
        self.done = False
        self.failure: GradexplainError | None = None  # what stopped the last entry

    # engine ------------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            if self.loader is not None:
                self.loader.wait()
            from gradexplain.engine.interactive import fresh_session

            self._session = fresh_session(
                RunOptions(device=self.settings.device, dtype=self.settings.dtype,
                           limits=self.settings.limits, views=self.settings.views),
                self.budget)
        return self._session

    def reset(self) -> None:
        """Forget everything: the next use of `session` starts a fresh one."""
        if self._session is not None:
            self._session.close()  # a deep graph is let go of one node at a time
        self._session = None
        self.statements.clear()
        self.loaded_tensors.clear()
        self.counter = 0

    def close(self) -> None:
        """At the end: let go of deep graphs one node at a time, not in one recursive
        teardown."""
        self.reset()

    def names(self) -> list[str]:
        """The names bound so far (for completion); none before torch has loaded."""
        if self._session is None:
            return []
        return list(self._session.interpreter.env)

    def _rows(self) -> dict[str, TensorRow]:
        return {row.name: row for row in self.session.tensor_rows()}

    # input -------------------------------------------------------------------------------

    def handle(self, text: str) -> None:
        """One entry: a meta-command, or a statement (possibly a multi-line block)."""
        self.failure = None
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return
        if stripped.startswith(":"):
            self.meta(stripped)
            return
        # Words a Python or shell habit types: say what works here instead of an error box
        # (unless the session has such a name of its own).
        habit = _HABITS.get(stripped)
        if habit is not None and stripped.split("(")[0] not in self.names():
            self.say(habit)
            return
        self.execute(text.rstrip() + "\n", record=True)

    def execute(self, text: str, *, record: bool, show: bool = True) -> bool:
        """Check and run `text`; show what changed. True when it ran without an error."""
        from gradexplain.language.checker import parse_program
        from gradexplain.scenario.yamlsafe import refuse_lone_surrogates

        session = self.session
        start = self.counter + 1
        self.counter += text.count("\n") or 1
        self._entry = text.strip()
        try:
            code = Code(text, "<repl>", start)
            refuse_lone_surrogates(code)  # piped bytes that are not UTF-8 arrive as these
            # Steps number the session's lines, so "step 3" is the third line typed.
            program = parse_program(code, self.settings.limits, line_steps=True)
        except GradexplainError as err:
            print_input_error(self.console, err, self.settings.lang)
            return False
        return self.changes(lambda: session.interpreter.run(program), text if record else None,
                             show=show)

    def changes(self, action: Callable[[], None], text: str | None, *,
                 show: bool = True) -> bool:
        """Run `action` inside the session and show the new rows, calls, output and notes."""
        session = self.session
        before = self._rows()
        mark = session.mark()
        failure: GradexplainError | None = None
        ok = True
        # --max-executed and --max-seconds count per entry, not over the whole session; time
        # is checked before each statement (a single long operation is not interrupted).
        session.interpreter.executed = 0
        self.budget.start(time.monotonic() + self.settings.limits.max_seconds)
        try:
            with session.active():
                action()
        except GradexplainError as err:
            failure, ok = err, False
        except KeyboardInterrupt:
            self.say("interrupted", error=True)
            ok = False
        except Exception as exc:
            if self.settings.debug:
                raise
            self.console.print(Text(self.text("internal", error=f"{type(exc).__name__}: {exc}"),
                                    style="gx.error"))
            ok = False
        self.budget.deadline = None
        self.failure = failure
        if ok and text is not None:
            self.statements.append(text.rstrip("\n"))
        if not show and ok:
            return ok
        changed = [row for name, row in self._rows().items() if before.get(name) != row]
        record = session.recorded_since(mark, "repl")
        record.tensors = changed
        if failure is not None and failure.kind not in BAD_INPUT_KINDS:
            session.stop(failure)
            record.error, session.error = session.error, None
        self._show(record)
        if failure is not None and failure.kind in BAD_INPUT_KINDS:
            print_input_error(self.console, failure, self.settings.lang)
        return ok

    def _show(self, record: RunRecord) -> None:
        lang, console = self.settings.lang, self.console
        report = explain_run(record, lang)
        parts: list[Any] = []
        if record.tensors:
            parts.append(tensors_block(console, record.tensors, lang))
        # At a terminal the line just typed is on the screen: a value shown for an entry that
        # is that one expression needs no `>>> x` above it (piped input is not on screen).
        typed = self.settings.interactive and [s.expression for s in record.shown] == [
            self._entry]
        parts += interleaved(console, report, echo=not typed)  # in the order they ran
        parts += [notes_block(console, report, symbols(console)), error_panel(report)]
        for part in parts:
            if part is not None:
                console.print(part)

    # meta-commands -----------------------------------------------------------------------

    def meta(self, line: str) -> None:
        command, argument = resolve_command(line)
        handler = HANDLERS.get(command)
        if handler is None:
            close = difflib.get_close_matches(command, META_COMMANDS, n=1, cutoff=0.6)
            if close:
                self.say("unknown_command_close", error=True, command=command, close=close[0])
            else:
                self.say("unknown_command", error=True, command=command)
            return
        handler(self, argument)


_HABITS = {word: key for key, words in (
    ("how_to_leave", ("exit", "exit()", "quit", "quit()", "q")),
    ("help_hint", ("help", "help()", "?")),
    ("clear_hint", ("clear", "cls", "clear()")),
) for word in words}


