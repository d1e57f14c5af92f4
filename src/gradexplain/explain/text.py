"""Helpers shared by the error and note explainers: catalogue look-up bound to one kind and
language, fact accessors that tolerate missing or malformed facts, and final tidying."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from gradexplain.explain import catalogue
from gradexplain.explain.values import format_shape, format_value


def check_lang(lang: str) -> str:
    """`lang` itself when the catalogue has it, else ValueError."""
    if lang not in catalogue.LANGUAGES:
        known = ", ".join(catalogue.LANGUAGES)
        raise ValueError(f"unknown language {lang!r}; choose one of: {known}")
    return lang


def label(key: str, lang: str) -> str:
    """A UI label ("Tensors", "before", "Fix", ...) in `lang`; KeyError for an unknown key."""
    labels = catalogue.LABELS[check_lang(lang)]
    if key not in labels:
        raise KeyError(f"no label {key!r} in the catalogue")
    return labels[key]


def note_name(kind: str, lang: str) -> str:
    """A note's kind as the reader sees it: the key in English, `梯度累加（accumulated）` in
    Chinese (the key after the name, as `expect: notes:` and the JSON spell it)."""
    name = catalogue.LABELS[check_lang(lang)].get(f"note.{kind}", kind)
    return label("note_named", lang).format(name=name, kind=kind)


class Text:
    """The catalogue entry of one kind in one language, with formatting helpers."""

    def __init__(self, section: Mapping[str, Mapping[str, Mapping[str, str]]], kind: str,
                 lang: str) -> None:
        self.lang = check_lang(lang)
        self.entry = section[lang][kind]
        self.common = catalogue.COMMON[lang]

    def __call__(self, key: str, **fields: Any) -> str:
        return self.entry[key].format(**fields)

    def phrase(self, key: str, **fields: Any) -> str:
        return self.common[key].format(**fields)

    def name(self, label: str | None, fallback: str = "the_tensor") -> str:
        """A tensor's label in backticks, or a phrase ("the output") when unknown."""
        return f"`{label}`" if label else self.common[fallback]

    def join(self, items: Iterable[str]) -> str:
        """`a, b and c` / `a、b 和 c`."""
        parts = list(items)
        if len(parts) <= 1:
            return "".join(parts)
        return self.common["list_sep"].join(parts[:-1]) + self.common["list_last"] + parts[-1]

    def clauses(self, items: Iterable[str]) -> str:
        """`a has shape [2], b has shape [3]`: like join, for whole clauses."""
        parts = list(items)
        if len(parts) <= 1:
            return "".join(parts)
        return (self.common["clause_sep"].join(parts[:-1]) + self.common["clause_last"]
                + parts[-1])

    def names(self, labels: Iterable[str]) -> str:
        return self.join(f"`{label}`" for label in labels)

    def value(self, value: Any) -> str:
        return format_value(value, self.common["summary"])

    def shape_phrase(self, shape: list[int] | None) -> str:
        """"shape [2, 2]", or "the same shape" when unknown."""
        if shape is None:
            return self.common["its_shape"]
        return self.phrase("shape_phrase", shape=format_shape(shape))

    def sentences(self, *parts: str) -> str:
        return self.common["sentence_sep"].join(p for p in parts if p)


# Facts come from the runner as plain data; read them defensively so that a missing or
# odd fact degrades the text instead of crashing the explanation.

def fact_str(facts: Mapping[str, Any], key: str) -> str | None:
    value = facts.get(key)
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def fact_int(facts: Mapping[str, Any], key: str) -> int | None:
    value = facts.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def fact_strs(facts: Mapping[str, Any], key: str) -> list[str]:
    value = facts.get(key)
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v)]
    if isinstance(value, str) and value:
        return [value]
    return []


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_FULLWIDTH_PUNCT = "，。：；、（）！？“”"
_AROUND_PUNCT = re.compile(rf" +(?=[{_FULLWIDTH_PUNCT}])|(?<=[{_FULLWIDTH_PUNCT}]) +")
_INNER_SPACES = re.compile(r"(?<=\S)  +")
# A fallback phrase ("the output", "operand 1") that ended up opening a sentence.
_SENTENCE_START = re.compile(r"(?:^|(?<=\. ))(the|operand) ")


def tidy(text: str, lang: str) -> str:
    """Collapse the spaces left by missing fragments; in Chinese, no spaces between CJK
    characters or around full-width punctuation. Indented code lines keep their indent."""
    lines = []
    for raw in text.split("\n"):
        # Runs of spaces inside `code` are part of it (`    value: [1.]` shows an indent).
        kept = _CODE_SPAN.sub(lambda m: _RUN_OF_SPACES.sub(
            lambda run: _KEPT_SPACE * len(run.group(0)), m.group(0)), raw)
        line = _INNER_SPACES.sub(" ", kept).rstrip()
        if lang == "zh" and not line.startswith("    "):
            line = _AROUND_PUNCT.sub("", _BETWEEN_CJK.sub("", line))
        if lang == "en" and not line.startswith("    "):
            line = _SENTENCE_START.sub(lambda m: m.group(0).capitalize(), line.lstrip())
        lines.append(line if line.startswith("    ") else line.lstrip())
    return "\n".join(line for line in lines if line).strip("\n").replace(_KEPT_SPACE, " ")


_CODE_SPAN = re.compile(r"`[^`\n]*`")
_RUN_OF_SPACES = re.compile(r" {2,}")
_KEPT_SPACE = "\ue000"  # a private-use character: no message contains it
