"""`gradexplain repl`: statements typed one at a time into one Session, showing what changed.

torch and prompt_toolkit are imported inside functions (never at module level): the prompt
appears while torch is still being imported in a background thread, and the first
statement waits for it. When stdin is not a terminal, statements are read line by line,
with no prompt, so a file of statements can be piped in.
"""

from __future__ import annotations

import difflib
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gradexplain.errors import BAD_INPUT_KINDS, GradexplainError
from gradexplain.explain import explain_run
from gradexplain.explain.catalogue_repl import PHRASES
from gradexplain.language import allowlists as allow
from gradexplain.language.budget import Budget
from gradexplain.options import ReplOptions, RunOptions
from gradexplain.record import RunRecord, TensorRow
from gradexplain.render import make_console, print_input_error
from gradexplain.render.console import Console, Text, symbols
from gradexplain.render.loops import interleaved
from gradexplain.render.tables import error_panel, notes_block, tensors_block
from gradexplain.scenario.model import Code
from gradexplain.shell.repl_commands import HANDLERS, META_COMMANDS

if TYPE_CHECKING:
    from gradexplain.engine.runner import Session

PROMPT = ">>> "
CONTINUATION = "... "


def history_path() -> Path:
    """The user's state folder, by platformdirs: $XDG_STATE_HOME/gradexplain/history on
    Linux (default ~/.local/state), the per-user application data folder on macOS/Windows."""
    from platformdirs import user_state_path

    return user_state_path("gradexplain", appauthor=False) / "history"


# torch in the background -------------------------------------------------------------------

class _TorchLoader:
    """Imports torch (and the engine) in a daemon thread; `wait()` waits for it."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.loaded = threading.Event()
        self.thread = threading.Thread(target=self._load, name="import-torch", daemon=True)
        self.thread.start()

    def _load(self) -> None:
        try:
            import gradexplain.engine.interactive  # noqa: F401
        except BaseException as exc:
            self.error = exc
        finally:
            self.loaded.set()

    def wait(self) -> None:
        # An Event, not Thread.join(): a join interrupted by Ctrl-C can later return while
        # the import still runs (and holds its module locks), and the REPL forks its worker
        # right after this returns: a child forked then would wait on those locks forever.
        while not self.loaded.wait(0.1):
            pass
        self.thread.join()  # the thread only returns now; holds no lock
        if self.error is not None:
            raise self.error


class Talk:
    """How a REPL talks: its phrases in the session's language, and yes/no questions."""

    settings: ReplOptions
    console: Console

    def text(self, key: str, **facts: Any) -> str:
        """A REPL phrase (explain/catalogue_repl) in the session's language."""
        return PHRASES[self.settings.lang][key].format(**facts)

    def say(self, key: str, *, error: bool = False, **facts: Any) -> None:
        self.console.print(Text(self.text(key, **facts), style="gx.error" if error else ""))

    def confirm(self, question: str) -> bool:
        """Ask the person at the terminal; anything but y/yes is no."""
        try:
            answer = input(f"{question} [y/N] ")
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in {"y", "yes"}


# the session -------------------------------------------------------------------------------

class Repl(Talk):
    """One engine session, fed one statement (or block) at a time (in this process; the
    command line runs it in a worker process, shell/repl_worker.py)."""

    def __init__(self, settings: ReplOptions, console: Console | None = None,
                 loader: _TorchLoader | None = None, budget: Budget | None = None) -> None:
        self.settings = settings
        # The session's time and memory budget (the worker's, with its status page): each
        # entry has --max-seconds of its own.
        self.budget = budget if budget is not None else Budget()
        self.console = console or make_console(sys.stdout)
        self.loader = loader
        self._session: Session | None = None
        self.statements: list[str] = []  # what ran without error, for :save
        self.loaded_tensors: list[str] = []  # tensors declared by :load-ed YAML files
        self.counter = 0  # lines entered so far: entry N starts at <repl>:counter+1
        self._entry = ""  # the last entry run, stripped
        self.done = False
        self.failure: GradexplainError | None = None  # what stopped the last statement

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


def resolve_command(line: str) -> tuple[str, str]:
    """A meta-command line as (command, argument); a unique prefix stands for its command
    (`:gra` is `:graph`, `:q` is `:quit`)."""
    command, _, argument = line.partition(" ")
    matches = [name for name in META_COMMANDS if name.startswith(command)]
    if command not in META_COMMANDS and len(matches) == 1:
        command = matches[0]
    return command, argument.strip()


_HABITS = {word: key for key, words in (
    ("how_to_leave", ("exit", "exit()", "quit", "quit()", "q")),
    ("help_hint", ("help", "help()", "?")),
    ("clear_hint", ("clear", "cls", "clear()")),
) for word in words}


class Entries(Protocol):
    """What the input loops drive: the in-process Repl, or the worker's front end
    (shell/repl_front.py)."""

    console: Console
    done: bool

    def handle(self, text: str) -> None: ...

    def names(self) -> list[str]: ...

    def text(self, key: str, **facts: Any) -> str: ...

    def say(self, key: str, *, error: bool = False, **facts: Any) -> None: ...

    def close(self) -> None: ...


# reading input -----------------------------------------------------------------------------

def piped_entries(lines: Iterable[str]) -> Iterator[str]:
    """Statements from non-terminal input: indented lines continue the previous block."""
    block: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n").rstrip("\r")
        if block and line[:1] in (" ", "\t") and line.strip():
            block.append(line)
            continue
        if block:
            yield "\n".join(block)
            block = []
        if line.strip():
            block.append(line)
    if block:
        yield "\n".join(block)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*$|:[a-z]*$")


def completions(text: str, names: Iterable[str]) -> list[str]:
    """Candidates for the word at the end of `text` (names, methods, torch functions)."""
    match = _WORD.search(text)
    if match is None:
        return []
    word = match.group()
    if word.startswith(":"):
        return sorted(c for c in META_COMMANDS if c.startswith(word)) \
            if text.lstrip() == word else []
    if "." in word:
        prefix, partial = word.rsplit(".", 1)
        if prefix == "torch":
            pool = allow.TORCH_FUNCTIONS | allow.TORCH_DTYPES | {"autograd", "nn"}
        elif prefix in ("F", "torch.nn.functional"):
            pool = allow.FUNCTIONAL
        elif prefix == "torch.nn":
            pool = frozenset({"functional"})
        elif prefix == "torch.autograd":
            pool = allow.AUTOGRAD_FUNCTIONS
        else:
            pool = allow.TENSOR_METHODS | allow.TENSOR_ATTRIBUTES
        return sorted(p for p in pool if p.startswith(partial))
    known = set(names) | {"torch", "F", "print", "len", "range", "for", "with", "import"}
    return sorted(p for p in known if p.startswith(word) and p != word)


def _word_length(text: str) -> int:
    match = _WORD.search(text)
    if match is None:
        return 0
    word = match.group()
    return len(word) - (word.rfind(".") + 1)


def block_complete(text: str) -> bool:
    """Whether Enter runs the entry: a one-line statement or meta-command does; a line
    ending in `:` starts a block, which an empty last line ends."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text.lstrip().startswith(":") or not text.rstrip().endswith(":")
    return not lines[-1].strip()


def next_indent(text: str) -> str:
    """The indentation of a block's next line: the last line's, one level deeper after a
    line ending in `:` (as Python's own REPL would need it typed)."""
    last = text.rsplit("\n", maxsplit=1)[-1]
    indent = last[:len(last) - len(last.lstrip())]
    return indent + "    " if last.rstrip().endswith(":") else indent


def run_terminal(repl: Entries) -> None:
    """The interactive loop: prompt_toolkit line editing, history and completion."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    class ReplCompleter(Completer):
        def get_completions(self, document: Document,
                            complete_event: CompleteEvent) -> Iterator[Completion]:
            before = document.text_before_cursor
            back = _word_length(before)
            for candidate in completions(before, repl.names()):
                yield Completion(candidate, start_position=-back)

    history: History
    try:
        path = history_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        history = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()
    # A block is one multi-line entry: history recalls it whole, and Enter inside it opens
    # the next line already indented.
    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if block_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n" + next_indent(buffer.document.text_before_cursor))

    @keys.add("tab")
    def _tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        before = buffer.document.current_line_before_cursor
        if not before.strip():  # at the start of a block line: indent
            buffer.insert_text("    ")
        elif buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(insert_common_part=True)

    prompt: PromptSession[str] = PromptSession(
        history=history, completer=ReplCompleter(), complete_while_typing=False,
        multiline=True, key_bindings=keys,
        prompt_continuation=lambda width, line, soft: CONTINUATION)
    repl.console.print(Text(repl.text("banner"), style="gx.muted"))
    while not repl.done:
        try:
            text = prompt.prompt(PROMPT).rstrip()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            repl.handle(text)
        except KeyboardInterrupt:  # between statements, or while showing what one did
            repl.say("interrupted", error=True)


def run_piped(repl: Entries, stream: Iterable[str]) -> None:
    for entry in piped_entries(stream):
        repl.handle(entry)
        if repl.done:
            break


def main(settings: ReplOptions, load: str | None = None) -> None:
    """Start the REPL: torch loads in the background while the prompt is shown. The session
    runs in a worker process under the OS-enforced budgets (shell/repl_front.py); without
    fork (Windows) it runs here, under the interpreter's own checks only."""
    from gradexplain.app.worker import forking_available

    loader = _TorchLoader()
    repl: Entries
    if forking_available():
        from gradexplain.shell.repl_front import FrontRepl

        repl = FrontRepl(settings, loader=loader)
    else:
        repl = Repl(settings, loader=loader)
    try:
        if load:
            repl.handle(f":load {load}")
        if sys.stdin.isatty():
            run_terminal(repl)
        else:
            run_piped(repl, sys.stdin)
    finally:
        repl.close()
