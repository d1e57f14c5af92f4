"""Reading the `expect:` section of a scenario: grads, calls, values, error, notes, prints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gradexplain.errors import BAD_INPUT_KINDS, ERROR_KINDS, NOTE_KINDS, SourceLocation
from gradexplain.scenario.fields import _closest, _is_int, _kind, _ReaderBase, _show
from gradexplain.scenario.model import Expect, ExpectedError
from gradexplain.scenario.yamlsafe import KeyPath

EXPECT_KEYS = ("grads", "calls", "values", "error", "notes", "prints")
EXPECTED_ERROR_KEYS = ("kind", "step", "call")
EXPECTABLE = tuple(k for k in ERROR_KINDS if k not in BAD_INPUT_KINDS)


class _ExpectReader(_ReaderBase):
    """The `expect:` mapping, as an Expect with the file position of each part."""

    def expect(self, value: Any, path: KeyPath) -> Expect:
        mapping = self.mapping(value, path, "e.g. `expect: {grads: {x: [1.0, 1.0]}}`")
        parts: dict[str, Any] = {}
        locations: dict[str, SourceLocation] = {}
        for key, item in mapping.items():
            self.known(key, path, EXPECT_KEYS, "of expect")
            locations[key] = self.doc.key_where((*path, key))
            if item is not None:
                parts[key] = _EXPECT[key](self, item, (*path, key), locations)
        return Expect(**parts, locations=locations)

    def expect_named(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> dict[str, Any]:
        """{tensor: VALUE or null}, for grads, values and each call."""
        mapping = self.mapping(value, path, "e.g. {x: [1.0, 2.0]}")
        found: dict[str, Any] = {}
        prefix = ".".join(str(p) for p in path[1:])
        for name, item in mapping.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise self.fail((*path, name), f"{self.dotted(path)}: {_show(name)} is not a "
                                "tensor name", "use the names from tensors: or the steps",
                                at_key=True)
            locations[f"{prefix}.{name}"] = self.doc.key_where((*path, name))
            allow_bool = path[-1] == "values"
            found[name] = None if item is None else self.array(item, (*path, name), allow_bool)
        return found

    def expect_calls(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> dict[int, dict[str, Any]]:
        mapping = self.mapping(value, path, "e.g. {1: {x: [1.0]}, 2: {x: [2.0]}}")
        calls: dict[int, dict[str, Any]] = {}
        for key, item in mapping.items():
            number = int(key) if isinstance(key, str) and key.isdigit() else key
            if not _is_int(number) or number < 1:
                raise self.fail((*path, key), f"expect.calls: keys are backward call numbers "
                                f"(1, 2, ...), got {_show(key)}",
                                "e.g. calls: {1: {x: [1.0]}}", at_key=True)
            locations[f"calls.{number}"] = self.doc.key_where((*path, key))
            calls[number] = self.expect_named(item, (*path, key), locations)
        return calls

    def expect_error(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> ExpectedError:
        step = call = None
        kind_path = path
        if isinstance(value, dict):
            for key in value:
                self.known(key, path, EXPECTED_ERROR_KEYS, "of expect.error")
            if value.get("kind") is None:
                raise self.fail(path, "expect.error needs a 'kind'",
                                "e.g. error: {kind: freed_graph, call: 2}")
            kind_path = (*path, "kind")
            if value.get("step") is not None:
                step = self.integer(value["step"], (*path, "step"), 1)
            if value.get("call") is not None:
                call = self.integer(value["call"], (*path, "call"), 1)
            value = value["kind"]
        if not isinstance(value, str):
            raise self.fail(path, "expect.error must be an error kind or a mapping "
                            f"{{kind, step, call}}, got {_kind(value)}", "e.g. error: freed_graph")
        self.error_kind(value, kind_path)
        return ExpectedError(value, step, call, self.doc.where(path))

    def error_kind(self, kind: str, path: KeyPath) -> None:
        if kind in BAD_INPUT_KINDS:
            raise self.fail(path, f"expect.error: '{kind}' cannot be expected: it means the "
                            "scenario cannot be used at all, so it never runs (exit 2)",
                            f"fix the input instead; expectable kinds: {', '.join(EXPECTABLE)}")
        if kind not in ERROR_KINDS:
            close = _closest(kind, EXPECTABLE)
            raise self.fail(path, f"expect.error: unknown error kind '{kind}'"
                            + (f"; did you mean '{close}'?" if close else ""),
                            f"expectable kinds: {', '.join(EXPECTABLE)}")

    def expect_notes(self, value: Any, path: KeyPath,
                     locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        notes = self.string_list(value, path, locations)
        for i, note in enumerate(notes):
            if note not in NOTE_KINDS:
                close = _closest(note, NOTE_KINDS)
                raise self.fail((*path, i) if isinstance(value, list) else path,
                                f"expect.notes: unknown note kind '{note}'"
                                + (f"; did you mean '{close}'?" if close else ""),
                                f"note kinds: {', '.join(NOTE_KINDS)}")
        return notes

    def expect_prints(self, value: Any, path: KeyPath,
                      locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        return self.string_list(value, path, locations)

    def string_list(self, value: Any, path: KeyPath,
                    locations: dict[str, SourceLocation]) -> tuple[str, ...]:
        """A list of strings (one string is a list of one); records each item's location."""
        items = value if isinstance(value, list) else [value]
        paths = [(*path, i) for i in range(len(items))] if isinstance(value, list) else [path]
        for i, (item, item_path) in enumerate(zip(items, paths, strict=True)):
            self.string(item, item_path, "put the text in quotes, exactly as print() shows it")
            locations[f"{path[-1]}.{i}"] = self.doc.where(item_path)
        return tuple(items)


_ExpectHandler = Callable[[_ExpectReader, Any, KeyPath, dict[str, SourceLocation]], Any]
_EXPECT: dict[str, _ExpectHandler] = {
    "grads": _ExpectReader.expect_named, "values": _ExpectReader.expect_named,
    "calls": _ExpectReader.expect_calls, "error": _ExpectReader.expect_error,
    "notes": _ExpectReader.expect_notes, "prints": _ExpectReader.expect_prints,
}
