"""`gradexplain repl`'s front end: the terminal (prompt_toolkit's line editing, history and
completion) or piped input, feeding each entry to the REPL's session (app/repl_worker.py, or
app/repl_session.py where there is no fork), which prints what it shows.

torch and prompt_toolkit are imported inside functions (never at module level): the prompt
appears while torch is still being imported in a background thread, and the first
statement waits for it. When stdin is not a terminal, statements are read line by line,
with no prompt, so a file of statements can be piped in.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from gradexplain.app.repl_commands import META_COMMANDS
from gradexplain.language import allowlists as allow
from gradexplain.options import ReplOptions
from gradexplain.render import make_console
from gradexplain.render.console import Console, Text

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


def confirm_at_terminal(question: str) -> bool:
    """Ask the person at the terminal; anything but y/yes is no."""
    try:
        answer = input(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in {"y", "yes"}


class Entries(Protocol):
    """What the input loops drive: the session in a child (app/repl_worker.py) or here
    (app/repl_session.py)."""

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
    runs in a child process under the OS-enforced budgets (app/repl_worker.py); without
    fork (Windows) it runs here, under the interpreter's own checks only."""
    from gradexplain.app.supervisor import forking_available

    loader = _TorchLoader()
    console = make_console(sys.stdout)
    repl: Entries
    if forking_available():
        from gradexplain.app.repl_worker import WorkerRepl

        repl = WorkerRepl(settings, console, loader, ask=confirm_at_terminal)
    else:
        from gradexplain.app.repl_session import Repl

        repl = Repl(settings, console, loader, ask=confirm_at_terminal)
    try:
        if load:
            repl.handle(f":load {load}")
        if sys.stdin.isatty():
            run_terminal(repl)
        else:
            run_piped(repl, sys.stdin)
    finally:
        repl.close()
