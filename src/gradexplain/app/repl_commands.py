"""The REPL's meta-commands (:help, :tensors, :grads, :graph, :why, :zero, :reset, :save,
:load, :quit), as functions of the session they act on (app/repl_session.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.explain.catalogue_repl import PHRASES
from gradexplain.explain.input_errors import translate_message
from gradexplain.render import print_input_error
from gradexplain.render.blocks import table, tr, value_text
from gradexplain.render.console import Text
from gradexplain.render.tables import tensors_block
from gradexplain.scenario.files import refuse_unsafe_load, write_new_file

if TYPE_CHECKING:
    from gradexplain.engine.runner import Session
    from gradexplain.options import ReplOptions
    from gradexplain.render.console import Console


class Front(Protocol):
    """What the commands that need no session (:help, :save, :quit) use: when the session
    runs in a child (app/repl_worker.py), its parent runs them itself, in the process that
    owns the terminal and the user's files."""

    console: Console
    settings: ReplOptions
    statements: list[str]  # what ran without error, for :save
    loaded_tensors: list[str]
    done: bool

    def text(self, key: str, **facts: Any) -> str: ...

    def say(self, key: str, *, error: bool = False, **facts: Any) -> None: ...

    def confirm(self, question: str) -> bool: ...


class Repl(Front, Protocol):
    """What a meta-command may use of the REPL (gradexplain.app.repl_session.Repl)."""

    @property
    def session(self) -> Session: ...

    def reset(self) -> None: ...

    def execute(self, text: str, *, record: bool, show: bool = True) -> bool: ...

    def changes(self, action: Callable[[], None], text: str | None, *,
                show: bool = True) -> bool: ...


# The meta-commands, in the order :help lists them (their texts: explain/catalogue_repl).
META_COMMANDS = (":help", ":tensors", ":grads", ":graph", ":why", ":zero", ":reset", ":save",
                 ":load", ":quit")


def resolve_command(line: str) -> tuple[str, str]:
    """A meta-command line as (command, argument); a unique prefix stands for its command
    (`:gra` is `:graph`, `:q` is `:quit`)."""
    command, _, argument = line.partition(" ")
    matches = [name for name in META_COMMANDS if name.startswith(command)]
    if command not in META_COMMANDS and len(matches) == 1:
        command = matches[0]
    return command, argument.strip()



def cmd_help(repl: Front, _: str) -> None:
    grid = table(repl.text("help.command"), repl.text("help.what"))
    for name in META_COMMANDS:
        grid.add_row(Text(name, style="gx.code"), Text(repl.text(f"help.{name}")))
    repl.console.print(Text(repl.text("help.intro")))
    repl.console.print(grid)


def cmd_tensors(repl: Repl, _: str) -> None:
    rows = repl.session.tensor_rows()
    if not rows:
        repl.say("no_tensors")
        return
    repl.console.print(tensors_block(repl.console, rows, repl.settings.lang))


def cmd_grads(repl: Repl, _: str) -> None:
    rows = [row for row in repl.session.tensor_rows()
            if row.requires_grad and (row.is_leaf or row.retains_grad)]
    if not rows:
        repl.say("no_leaves")
        return
    grid = table(tr("name", repl.settings.lang), tr("grad", repl.settings.lang))
    for row in rows:
        grid.add_row(Text(row.name, style="gx.name"),
                     value_text(row.grad, lang=repl.settings.lang))
    repl.console.print(grid)


def cmd_graph(repl: Repl, argument: str) -> None:
    """The backward graph behind NAME as it stands now: the same tree `run --graph` shows."""
    from gradexplain.engine.interactive import graph_of, last_output
    from gradexplain.explain.deeper_text import explain_tree
    from gradexplain.render.deeper import tree_block

    session = repl.session
    name = argument or last_output(session)
    if not name:
        repl.say("no_call_yet", error=True)
        return
    found, tree = graph_of(session, name)
    if found == "not_a_tensor":
        repl.say("not_a_tensor", error=True, name=name)
    elif tree is None:
        repl.say("no_grad_fn", name=name, kind=repl.text(f"kind.{found}"))
    else:
        repl.console.print(tree_block(explain_tree(tree, repl.settings.lang), repl.settings.lang))


def cmd_why(repl: Repl, argument: str) -> None:
    """`:why NAME` or `:why NAME[i, j]`: from now on, the chain rule written out for that
    element under each backward call that reaches it, and at once for the last call while
    its graph is still there; `:why` alone stops."""
    from dataclasses import replace

    from gradexplain.engine.interactive import why_from_now, why_last_call
    from gradexplain.explain.derivation_text import why_lines
    from gradexplain.options import why_target
    from gradexplain.render.console import symbols
    from gradexplain.render.derivation import why_block

    session = repl.session
    if not argument:
        if not repl.settings.views.why:
            repl.say("why_usage", error=True)
            return
        why_from_now(session, None)
        repl.settings.views = replace(repl.settings.views, why=())
        repl.say("why_off")
        return
    try:
        why_target(argument)
    except ValueError:
        repl.say("why_usage", error=True)
        return
    why_from_now(session, argument)
    repl.settings.views = replace(repl.settings.views, why=(argument,))  # :reset keeps it
    found, entry = why_last_call(session, argument)
    if entry is not None:
        calls = session.recorder.calls
        lines = why_lines(entry, calls[-1].function, repl.settings.lang)
        repl.console.print(why_block([lines], symbols(repl.console)))
    elif found != "no_call":
        repl.say(f"why_{found}", target=argument)
    repl.say("why_on", target=argument)


def cmd_zero(repl: Repl, _: str) -> None:
    from gradexplain.engine.interactive import leaves_with_grad, zero_unnamed

    names = leaves_with_grad(repl.session)
    # Unnamed leaves (`torch.tensor(..., requires_grad=True).view(1, 2)`'s base) have no
    # name to write `.grad.zero_()` on: zeroed directly, and :save cannot replay that.
    unnamed = zero_unnamed(repl.session)
    if not names and not unnamed:
        repl.say("nothing_to_zero")
        return
    # As statements, so that `:save` keeps them and `run` reproduces the session.
    text = "\n".join(f"{n}.grad.zero_()" for n in names) + "\n"
    if names and repl.execute(text, record=True, show=False):
        repl.say("zeroed", names=repl.text("list_sep").join(names))
    if unnamed:
        repl.say("zeroed_unnamed", labels=repl.text("list_sep").join(unnamed))


def cmd_reset(repl: Repl, _: str) -> None:
    repl.reset()
    repl.say("reset", device=repl.session.device)


def cmd_save(repl: Front, argument: str, *, overwrite: bool = False) -> None:
    """`:save FILE.py` or `:save FILE.yaml`: the statements run so far, as a scenario that
    `gradexplain run` reproduces. Only a new regular file in or under the working directory
    (scenario/files.py); `:save!` replaces one; elsewhere only after asking at a terminal;
    piped input needs --allow-save."""
    if not argument:
        repl.say("save_usage", error=True)
        return
    settings = repl.settings
    if not settings.interactive and not settings.allow_save:
        repl.say("save_piped", error=True)
        return
    path = Path(argument)  # as typed: no ~ expansion
    if path.suffix.lower() in (".yaml", ".yml"):
        body = yaml_scenario(path.stem, repl.statements, settings.dtype, settings.device)
    else:
        header = ["import torch"]
        flags = [f"--dtype {settings.dtype}" if settings.dtype else "",
                 f"--device {settings.device}" if settings.device else ""]
        flags = [f for f in flags if f]
        if flags:
            header.insert(0, repl.text("saved_header", flags=" ".join(flags)))
        body = "\n".join([*header, *repl.statements]) + "\n"
    _write(repl, path, argument, body, overwrite)


def cmd_save_over(repl: Front, argument: str) -> None:
    """`:save! FILE`: the same rules, but an existing regular file is replaced."""
    cmd_save(repl, argument, overwrite=True)


def _write(repl: Front, path: Path, argument: str, body: str, overwrite: bool) -> None:
    try:
        written = write_new_file(path, body, overwrite=overwrite)
    except GradexplainError as err:
        reason = err.facts.get("reason")
        if reason == "outside" and repl.settings.interactive and repl.confirm(
                repl.text("save_confirm_outside", path=err.facts["path"])):
            try:
                written = write_new_file(path, body, overwrite=overwrite, anywhere=True)
            except GradexplainError as again:
                repl.say("cannot_save", error=True, message=_said(again, repl))
                return
        elif reason == "exists":
            repl.say("save_exists", error=True, path=path, argument=argument)
            return
        else:
            repl.say("cannot_save", error=True, message=_said(err, repl))
            return
    repl.say("saved", count=len(repl.statements), path=written)
    if repl.loaded_tensors:
        repl.say("saved_without_tensors", error=True,
                 names=repl.text("list_sep").join(repl.loaded_tensors))


def _said(error: GradexplainError, repl: Front) -> str:
    """An input error's message in the session's language."""
    return translate_message(error.message, repl.settings.lang) or error.message


def yaml_scenario(name: str, statements: list[str], dtype: str | None,
                  device: str | None) -> str:
    """A YAML scenario whose `steps:` block holds the statements as typed (JSON strings are
    YAML strings, so names and options need no escaping rules of their own)."""
    # In every language, so that `run --lang` shows the reader's (see catalogue_repl).
    descriptions = {lang: PHRASES[lang]["saved_description"] for lang in PHRASES}
    lines = [f"name: {json.dumps(name)}",
             f"description: {json.dumps(descriptions, ensure_ascii=False)}"]
    if dtype:
        lines.append(f"dtype: {json.dumps(dtype)}")
    if device:
        lines.append(f"device: {json.dumps(device)}")
    code = "\n".join(statements).splitlines()
    if not code:
        return "\n".join([*lines, "steps: []"]) + "\n"
    lines.append("steps: |")
    lines += [f"  {line}" if line.strip() else "" for line in code]
    return "\n".join(lines) + "\n"


def cmd_load(repl: Repl, argument: str) -> None:
    if not argument:
        repl.say("load_usage", error=True)
        return
    load(repl, argument)


def load(repl: Repl, argument: str) -> None:
    """`:load FILE` (and `repl --load FILE`): run a scenario file's tensors and statements.

    The file rules of `run` (files.py; no symbolic link, device or special file, the size
    checked first) and, for piped statements, only a file in or under the working directory
    unless --allow-load or it is the --load file. What a file says is shown only once it is
    a scenario: a file that does not load as one is refused without a line of it, so that
    `:load` of a settings file or a key cannot print what it holds."""
    from gradexplain.engine.runner import check_scenario
    from gradexplain.scenario.loader import (
        is_scenario_document,
        load_scenario_text,
        read_scenario_file,
    )
    from gradexplain.scenario.yamlsafe import decode_source

    path = Path(argument).expanduser()
    settings = repl.settings
    limits = settings.limits
    try:
        refuse_unsafe_load(path, anywhere=settings.interactive or settings.allow_load
                           or argument == settings.load)
        data, kind = read_scenario_file(path, limits)
    except GradexplainError as err:
        print_input_error(repl.console, err, settings.lang)
        return
    text: str | None = None
    try:
        text = decode_source(data, str(path))
        scenario = load_scenario_text(text, str(path), kind, limits, name=path.stem)
        checked = check_scenario(scenario, limits)
    except GradexplainError as err:
        if kind == "py" or text is None or not is_scenario_document(text, limits):
            err = unshown(path, err)
        print_input_error(repl.console, err, settings.lang)
        return

    session = repl.session
    if repl.changes(lambda: session.run_loaded(checked), None):
        repl.loaded_tensors += [spec.name for spec in scenario.tensors]
        if checked.expression is not None:
            repl.say("short_form_loaded", error=True, path=path)
        else:
            repl.statements += [code.text.rstrip("\n") for code in scenario.steps or ()]
        repl.say("loaded", path=path)


def unshown(path: Path, error: GradexplainError) -> GradexplainError:
    """The refusal of a file that did not load as a scenario: where, but none of its text
    (neither the line nor a message or hint that quotes it)."""
    line = error.location.line if error.location is not None else None
    return invalid(f"{path} did not load as a scenario, so :load shows none of its lines",
                   SourceLocation(str(path), line),
                   hint=f"if it is your scenario, `gradexplain run {path}` shows what is wrong "
                        "with it")


def cmd_quit(repl: Front, _: str) -> None:
    repl.done = True


HANDLERS: dict[str, Callable[[Repl, str], None]] = {
    ":help": cmd_help, ":tensors": cmd_tensors, ":grads": cmd_grads, ":graph": cmd_graph,
    ":why": cmd_why,
    ":zero": cmd_zero, ":reset": cmd_reset, ":save": cmd_save, ":save!": cmd_save_over,
    ":load": cmd_load,
    ":quit": cmd_quit, ":exit": cmd_quit, ":q": cmd_quit,
}
