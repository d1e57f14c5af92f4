"""Input-error messages and hints in the reader's language (see catalogue_input).

The code that finds a problem writes one English sentence; here that sentence is matched
against the English templates of the catalogue and rewritten from the Chinese one, with the
user's code, keys and numbers carried over untouched.
"""

from __future__ import annotations

import re
from functools import cache

from gradexplain.explain import catalogue_input
from gradexplain.explain.text import tidy

# Templates are str.format templates: `{name}` a placeholder, `{{` and `}}` literal braces.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_0-9]+)\}")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
# A placeholder right next to a Chinese character gets a space there; `tidy` takes it out
# again when the value itself starts (or ends) with a Chinese character.
_SPACE_BEFORE = re.compile(rf"(?<=[{_CJK}])(?=\{{[a-z_0-9]+\}})")
_SPACE_AFTER = re.compile(rf"(?<=\}})(?=[{_CJK}])")
# `tensors.x: ...`, `steps[2]: ...`, `expect.error: ...`: a key path the message starts with.
_KEY_PREFIX = re.compile(r"^([A-Za-z_][\w.\[\]]*): (?=\S)")


@cache
def _compiled(table_name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English template as a regular expression, longest (most specific) first."""
    table: dict[str, str] = getattr(catalogue_input, table_name)
    compiled = []
    for english, chinese in sorted(table.items(), key=lambda item: -len(item[0])):
        pattern, position = "", 0
        for match in _PLACEHOLDER.finditer(english):
            pattern += re.escape(english[position:match.start()])
            if match.group(1) is None:  # a doubled brace stands for one
                pattern += re.escape(match.group(0)[0])
            elif match.group(1) in _WHOLE:  # a message of its own, "; " and all
                pattern += f"(?P<{match.group(1)}>.+?)"
            else:  # a placeholder never spans "; ": that joins two messages (see _translate)
                pattern += f"(?P<{match.group(1)}>(?:(?!; ).)+?)"
            position = match.end()
        pattern += re.escape(english[position:])
        spaced = _SPACE_AFTER.sub(" ", _SPACE_BEFORE.sub(" ", chinese))
        compiled.append((re.compile(pattern, re.DOTALL), spaced))
    return tuple(compiled)


def _fill(chinese: str, match: re.Match[str]) -> str:
    facts = {name: _fragment(name, value) for name, value in match.groupdict().items()}
    return tidy(chinese.format(**facts), "zh")


_USER_TEXT = frozenset({"close", "key", "name", "path", "value", "series", "module", "node", "spec",
                        "tag", "suffix", "real", "number", "first", "second", "bracket",
                        "other", "char", "code", "keyword", "name2", "type"})
# Placeholders that hold what another program said: Python's parser, PyYAML, the system.
_FOREIGN: dict[str, tuple[str, ...]] = {
    "reason": ("PYTHON", "YAML"), "problem": ("YAML", "PYTHON"), "context": ("YAML",),
    "why": (), "message": ()}
# Placeholders that hold a list ("en, zh"): the items stay, the separator is Chinese.
_LISTS = frozenset({"choices", "possibilities", "keys", "kinds", "sources", "dtypes", "names",
                    "available", "options", "args", "chosen"})
# Placeholders that hold a whole message of their own (Click's "Invalid value for X: {message}").
_WHOLE = frozenset({"message"})


def _foreign(name: str, value: str) -> str:
    """Python's, PyYAML's or the system's words in Chinese; a parser's own words follow in
    quotes (`原文：“invalid syntax”`), so that the message can still be looked up. Words no
    table knows are quoted as they are, and so is PyTorch's message (a `reason` too)."""
    for table in _FOREIGN[name]:
        chinese = _one(value, table)
        if chinese is not None:
            return chinese if name == "context" else f"{chinese}（原文：“{value}”）"
    known = _one(value, "SYSTEM") or _translate(value, "MESSAGES")
    return known if known is not None else f"“{value}”"


def _fragment(name: str, value: str) -> str:
    """A placeholder's text: value descriptions and fixed words in Chinese, code as is."""
    if name in _FOREIGN:
        return _foreign(name, value)
    if name == "target":  # what Python cannot assign to ("function call")
        return catalogue_input.TARGETS.get(value, f" {value} ")
    if name == "token":  # what PyYAML found instead: '<stream end>', or a character
        return catalogue_input.YAML_TOKENS.get(value, f" '{value}'")
    if name.endswith("kind") and name != "kind":
        for pattern, chinese in _compiled("KIND_FRAGMENTS"):
            match = pattern.fullmatch(value)
            if match:
                return _fill(chinese, match)
    if name in _LISTS:  # a list of keys, kinds or choices: Chinese separates items with 、
        return value.replace(", ", "、")
    # A key, name or path the user wrote stays as written, even when it is also a word that has
    # a translation ("did you mean 'expression'?" must not become '表达式').
    if name not in _USER_TEXT and value in catalogue_input.WORDS:
        return catalogue_input.WORDS[value]
    # "the keys {what} are": "of plot.title" names a key path, which stays as written
    return value[3:] if name == "what" and value.startswith("of ") else value


def _one(text: str, table_name: str) -> str | None:
    for pattern, chinese in _compiled(table_name):
        match = pattern.fullmatch(text)
        if match:
            return _fill(chinese, match)
    return None


def _translate(text: str, table_name: str) -> str | None:
    """The whole text, else its `; ` parts one by one, else with its key prefix kept."""
    text = text.strip()
    whole = _one(text, table_name)
    if whole is not None:
        return whole
    prefix = _KEY_PREFIX.match(text)
    if prefix:
        rest = _translate(text[prefix.end():], table_name)
        if rest is not None:
            return f"{prefix.group(1)}：{rest}"
    parts = text.split("; ")
    if len(parts) > 1:
        done = [_translate(part, table_name) or _translate(part, _other(table_name))
                for part in parts]
        if all(part is not None for part in done):
            return "；".join(part for part in done if part is not None)
    return None


def _other(table_name: str) -> str:
    return "HINTS" if table_name == "MESSAGES" else "MESSAGES"


def translate_message(message: str, lang: str) -> str | None:
    """The input error's message in `lang`; None when the catalogue has no such sentence."""
    if lang == "en":
        return message
    return _translate(message, "MESSAGES")


def translate_hint(hint: str, lang: str) -> str | None:
    """The input error's hint in `lang`; None when the catalogue has no such sentence."""
    if lang == "en":
        return hint
    return _translate(hint, "HINTS") or _translate(hint, "MESSAGES")


def translate_what(what: str, lang: str) -> str:
    """What the safe interpreter refused ("attribute 'foo'"), or why, for the explanation."""
    if lang == "en":
        return what
    if what in catalogue_input.WORDS:
        return catalogue_input.WORDS[what]
    for pattern, chinese in _compiled("REFUSED"):
        match = pattern.fullmatch(what)
        if match:
            return _fill(chinese, match)
    return translate_message(what, lang) or what
