"""Safe YAML: plain data plus the file position of every key and value.

The document is built from PyYAML's event stream (never its constructor), so nothing in
the file can name a Python object. Explicit tags, anchors, aliases, merge keys, duplicate
keys, several documents and nesting deeper than `limits.max_depth` are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import yaml
from yaml import events as ev

from gradexplain.errors import GradexplainError, SourceLocation, invalid
from gradexplain.limits import Limits, check, exceeded
from gradexplain.scenario.model import Code

Key: TypeAlias = str | int | float | bool | None  # a mapping key: only scalars are accepted
KeyPath: TypeAlias = tuple[Key, ...]  # mapping keys and list indexes from the document root

# The line breaks PyYAML counts (str.splitlines also splits on \v, \f, ... which YAML refuses).
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# Numbers YAML 1.1 leaves as strings but every later YAML and every user reads as numbers:
# `1e-6`, `2E5`, `-3e+2` (1.1 needs a dot in the mantissa).
_EXPONENT_FLOAT = re.compile(
    r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$")
_WORD = re.compile(r"\S+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CORE_TAG = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# libyaml parses about 25 times faster; its events carry the same marks (in characters).
# Any error is re-parsed by the pure-Python parser so messages are the same everywhere.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)
_REJECT_HINT = "scenario values are plain numbers, strings, lists and mappings"


@dataclass(frozen=True)
class Span:
    """A 1-based position; `end_col` is exclusive and only known on one line."""

    line: int
    col: int
    end_col: int | None = None


@dataclass(frozen=True)
class TextStart:
    """Where the characters of a string value begin in the file."""

    line: int
    col: int
    block: bool = False  # a `|` or `>` block scalar: every line is indented by col - 1


@dataclass(frozen=True)
class Positioned:
    """A parsed document and where each part of it is. Paths index `data` from the root."""

    data: Any
    path: str | None
    lines: tuple[str, ...]
    values: dict[KeyPath, Span] = field(default_factory=dict)
    keys: dict[KeyPath, Span] = field(default_factory=dict)
    texts: dict[KeyPath, TextStart] = field(default_factory=dict)

    def where(self, path: KeyPath) -> SourceLocation:
        """The location of the value at `path` (or of its nearest parent that has one)."""
        for end in range(len(path), -1, -1):
            span = self.values.get(path[:end])
            if span is not None:
                return self.locate(span)
        return self.locate(Span(1, 1))

    def key_where(self, path: KeyPath) -> SourceLocation:
        """The location of the mapping key that leads to `path`, else of its value."""
        span = self.keys.get(path)
        return self.locate(span) if span is not None else self.where(path)

    def locate(self, span: Span) -> SourceLocation:
        """A SourceLocation for a span, with the text of its line for carets."""
        source = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else None
        return SourceLocation(self.path, span.line, span.col, span.end_col, source)


def split_lines(text: str) -> tuple[str, ...]:
    """The lines of `text`, split where YAML sees line breaks."""
    return tuple(_LINE_BREAK.split(text))


def decode_source(data: bytes, path: str | None) -> str:
    """UTF-8 bytes to text (a leading BOM dropped); invalid_scenario pointing at a bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise invalid(
            f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})",
            SourceLocation(path, line, col),
            hint="save the scenario as UTF-8 text; binary files cannot be scenarios",
        ) from None
    return text.removeprefix("\ufeff")


def refuse_lone_surrogates(code: Code) -> None:
    """Code with a lone surrogate in it (a YAML "\\ud800" escape, an API string, a byte of
    piped input that is not UTF-8) is refused where it is: Python source cannot hold one,
    and its parser would fail with an encoding error instead of a located message."""
    found = _SURROGATE.search(code.text)
    if found is None:
        return
    before = code.text[:found.start()]
    lines = before.count("\n")
    col = found.start() - (before.rfind("\n") + 1) + (code.col if lines == 0 else 1)
    raise invalid(f"the code holds a lone surrogate (U+{ord(found.group()):04X}), which Python "
                  "source cannot hold", SourceLocation(code.path, code.line + lines, col),
                  hint="inside a string, write it as an escape (\"\\ud800\"); save code as "
                       "UTF-8 text")


def load_yaml(text: str, path: str | None, limits: Limits) -> Positioned:
    """Parse one YAML document safely, keeping positions; GradexplainError on any refusal."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    check("max_file_bytes", size, limits, SourceLocation(path))
    lines = split_lines(text)
    if _FAST_LOADER is not None:
        try:
            return _build(text, _FAST_LOADER, path, lines, limits)
        except (yaml.YAMLError, UnicodeError):  # libyaml cannot even encode lone surrogates
            pass  # the pure-Python parser below gives the message
    try:
        return _build(text, yaml.SafeLoader, path, lines, limits)
    except yaml.MarkedYAMLError as err:
        raise _syntax_error(err, path, lines) from None
    except yaml.reader.ReaderError as err:
        raise _reader_error(err, text, path, lines) from None
    except yaml.YAMLError as err:  # any other PyYAML complaint: still never a traceback
        raise invalid(f"YAML error: {err}", SourceLocation(path),
                      hint="check the file is a YAML mapping of scenario keys") from None


def _build(text: str, loader: Any, path: str | None, lines: tuple[str, ...],
           limits: Limits) -> Positioned:
    builder = _Builder(path, lines, limits)
    for event in yaml.parse(text, Loader=loader):
        builder.feed(event)
    return builder.result()


def _locate(path: str | None, lines: tuple[str, ...], span: Span) -> SourceLocation:
    return Positioned(None, path, lines).locate(span)


class _Frame:
    """An open mapping or sequence while its events arrive."""

    def __init__(self, container: dict[Key, Any] | list[Any], path: KeyPath) -> None:
        self.container = container
        self.path = path
        self.key: tuple[Key, Span] | None = None  # a mapping key waiting for its value
        self.seen: dict[Key, Span] = {}  # the keys so far, for the duplicate check


class _Builder:
    """Turns PyYAML events into plain data and position tables, refusing unsafe YAML."""

    def __init__(self, path: str | None, lines: tuple[str, ...], limits: Limits) -> None:
        self.path = path
        self.lines = lines
        self.limits = limits
        self.stack: list[_Frame] = []
        self.documents = 0
        self.root: Any = None
        self.values: dict[KeyPath, Span] = {}
        self.keys: dict[KeyPath, Span] = {}
        self.texts: dict[KeyPath, TextStart] = {}

    def result(self) -> Positioned:
        return Positioned(self.root, self.path, self.lines, self.values, self.keys, self.texts)

    def located(self, span: Span) -> SourceLocation:
        return _locate(self.path, self.lines, span)

    def feed(self, event: ev.Event) -> None:
        """Take one event: build data, or refuse what a scenario must not contain."""
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise invalid("the file holds more than one YAML document (a second '---')",
                              self.located(self.span(event)),
                              hint="a scenario is one document; put each in its own file")
        elif isinstance(event, ev.AliasEvent):
            raise invalid(f"YAML aliases (*{event.anchor}) are not allowed",
                          self.located(self.word_span(event)),
                          hint="write the value out again; aliases can make a small file huge")
        elif isinstance(event, ev.ScalarEvent | ev.CollectionStartEvent):
            self.refuse_decorations(event)
            if isinstance(event, ev.ScalarEvent):
                self.scalar(event)
            else:
                self.open(event)
        elif isinstance(event, ev.CollectionEndEvent):
            self.stack.pop()

    def refuse_decorations(self, event: ev.ScalarEvent | ev.CollectionStartEvent) -> None:
        """Anchors and explicit tags (even `!!str`) are refused wherever they appear."""
        if event.anchor is not None:
            raise invalid(f"YAML anchors (&{event.anchor}) are not allowed",
                          self.located(self.word_span(event)),
                          hint="write the value out where it is needed; anchors and aliases "
                               "can make a small file expand to a huge one")
        if event.tag is not None:
            tag = event.tag
            shown = "!!" + tag[len(_CORE_TAG):] if tag.startswith(_CORE_TAG) else tag
            raise invalid(f"YAML tags such as '{shown}' are not allowed",
                          self.located(self.word_span(event)),
                          hint=f"remove the tag; {_REJECT_HINT}")

    def open(self, event: ev.CollectionStartEvent) -> None:
        """Start a mapping or sequence, within the depth limit."""
        span = self.span(event)
        depth = len(self.stack) + 1
        if depth > self.limits.max_depth:
            raise exceeded("max_depth", depth, self.limits.max_depth, self.located(span))
        container: dict[Key, Any] | list[Any]
        container = {} if isinstance(event, ev.MappingStartEvent) else []
        path = self.place(container, span, None)
        assert path is not None  # take_key refuses a collection as a key
        self.stack.append(_Frame(container, path))

    def scalar(self, event: ev.ScalarEvent) -> None:
        """Resolve a scalar as YAML 1.1's safe schema does, then place it."""
        span = self.span(event)
        plain = not event.style and event.implicit[0]  # libyaml says '' for plain, PyYAML None
        value = _resolve(event.value, span, plain, self)
        path = self.place(value, span, event.value if plain else None)
        if isinstance(value, str) and path is not None:
            self.texts[path] = self.text_start(event, span)

    def place(self, value: Any, span: Span, plain: str | None) -> KeyPath | None:
        """Put a value into the open container; returns its path (None when it is a key)."""
        if not self.stack:
            self.root = value
            self.values[()] = span
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
        elif frame.key is None:
            self.take_key(frame, value, span, plain)
            return None
        else:
            key, key_span = frame.key
            frame.key = None
            path = (*frame.path, key)
            frame.container[key] = value
            self.keys[path] = key_span
        self.values[path] = span
        return path

    def take_key(self, frame: _Frame, key: Any, span: Span, plain: str | None) -> None:
        """Check a mapping key: a scalar, not `<<`, not seen before in this mapping."""
        if isinstance(key, dict | list):
            what = "mapping" if isinstance(key, dict) else "list"
            raise invalid(f"a key must be a plain name or number, not a {what}",
                          self.located(span), hint="write `name: value` pairs")
        if plain == "<<":
            raise invalid("YAML merge keys (<<) are not allowed", self.located(span),
                          hint="write the keys out in full")
        first = frame.seen.get(key)
        if first is not None:
            raise invalid(f"duplicate key {_show_key(key)} at lines {first.line} and {span.line}",
                          self.located(span),
                          hint="give each key once; YAML would silently keep only the last")
        frame.seen[key] = span
        frame.key = (key, span)

    def span(self, event: ev.Event) -> Span:
        start, end = event.start_mark, event.end_mark
        assert start is not None and end is not None  # both parsers set marks on every event
        end_col = end.column + 1 if end.line == start.line else None
        return Span(start.line + 1, start.column + 1, end_col)

    def word_span(self, event: ev.Event) -> Span:
        """The span of the `&anchor`, `*alias` or `!tag` at the start of an event."""
        span = self.span(event)
        line = self.lines[span.line - 1] if span.line <= len(self.lines) else ""
        match = _WORD.match(line, span.col - 1)
        end = match.end() + 1 if match else span.col + 1
        return Span(span.line, span.col, end)

    def text_start(self, event: ev.ScalarEvent, span: Span) -> TextStart:
        """Where a string's own characters start (after the quote, or under a `|`)."""
        if event.style in ("|", ">"):
            return self.block_start(event.value, span.line)
        if event.style in ("'", '"'):
            return TextStart(span.line, span.col + 1)
        return TextStart(span.line, span.col)

    def block_start(self, value: str, indicator_line: int) -> TextStart:
        """Block content starts on the line after its indicator, at its indentation."""
        first_text = next((ln for ln in value.split("\n") if ln.strip()), "")
        inner = len(first_text) - len(first_text.lstrip(" "))
        for number in range(indicator_line + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if line.strip():
                outer = len(line) - len(line.lstrip(" "))
                return TextStart(indicator_line + 1, max(outer - inner, 0) + 1, block=True)
        return TextStart(indicator_line + 1, 1, block=True)


def _resolve(value: str, span: Span, plain: bool, builder: _Builder) -> Any:
    """A plain scalar's value under YAML 1.1 (safe); quoted and block scalars are strings."""
    if not plain:
        return value
    # PyYAML's own YAML 1.1 table decides the type; its stub leaves resolve() untyped.
    tag = str(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]
    node = yaml.ScalarNode(tag, value)
    try:
        if tag == _CORE_TAG + "null":
            return None
        if tag == _CORE_TAG + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _CORE_TAG + "int":
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == _CORE_TAG + "float":
            return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, OverflowError):
        # e.g. an integer of more digits than Python converts (sys.int_info.str_digits_check)
        raise invalid(f"the number {value[:20]}{'...' if len(value) > 20 else ''} is too long",
                      builder.located(span), hint="write it with fewer digits") from None
    if _EXPONENT_FLOAT.match(value):
        return float(value.replace("_", ""))
    # Timestamps stay the text the user wrote, and `=` is just a string: no objects.
    return value


def _show_key(key: Key) -> str:
    if isinstance(key, str):
        return repr(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _syntax_error(err: yaml.MarkedYAMLError, path: str | None,
                  lines: tuple[str, ...]) -> GradexplainError:
    """A PyYAML syntax error as invalid_scenario at its line and column."""
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "the file is not valid YAML"
    location = (_locate(path, lines, Span(mark.line + 1, mark.column + 1))
                if mark is not None else SourceLocation(path))
    plain = _plain_problem(problem)
    if plain is not None:  # PyYAML's own words (`<block mapping start>`) help nobody
        return invalid(plain[0].format(line=location.line), location, hint=plain[1])
    message = f"YAML syntax error: {problem}"
    if err.context and err.problem and err.context_mark is not None:
        message += f" ({err.context} at line {err.context_mark.line + 1})"
    return invalid(message, location, hint=_syntax_hint(problem))


# PyYAML problems that are indentation mistakes, in words: (message, hint).
_INDENTATION = ("line {line} is indented differently from the entry above it",
                "indent the entries of one mapping by the same amount: a tensor under "
                "`tensors:` by two spaces, e.g. `  y: [1., 2.]`; its keys (value:, "
                "requires_grad:) by two more")


def _plain_problem(problem: str) -> tuple[str, str] | None:
    if problem.startswith("expected <block end>") or \
            problem.startswith("did not find expected key") or \
            "could not find expected ':'" in problem:
        return _INDENTATION
    return None


def _syntax_hint(problem: str) -> str:
    if "'\\t'" in problem:
        return "indent YAML with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value that contains ': ' must be in quotes, e.g. - 'print(\"a: b\")'"
    return "check indentation and quoting near here; text with ':', '#' or quotes needs quotes"


def _reader_error(err: yaml.reader.ReaderError, text: str, path: str | None,
                  lines: tuple[str, ...]) -> GradexplainError:
    """A character YAML does not accept (control characters, lone surrogates)."""
    position = int(err.position)
    before = text[:position]
    line = len(_LINE_BREAK.findall(before)) + 1
    last_break = max((m.end() for m in _LINE_BREAK.finditer(before)), default=0)
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "?")
    return invalid(f"the file contains a character YAML does not allow (U+{code:04X})",
                   _locate(path, lines, Span(line, position - last_break + 1)),
                   hint="remove control characters; a scenario is plain text")
