"""Which language to explain in: `--lang`, else GRADEXPLAIN_LANG, else the locale.

Only the standard library, so the CLI can call it before anything heavy is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

# Accepted spellings (compared lower-cased, `_` and `-` alike) -> catalogue language.
ALIASES: dict[str, str] = {
    "en": "en", "english": "en", "c": "en", "posix": "en",
    "zh": "zh", "cn": "zh", "chinese": "zh", "zh-cn": "zh", "zh-hans": "zh",
    "zh-sg": "zh", "zh-hans-cn": "zh", "中文": "zh",
}
ACCEPTED = ("en", "zh", "zh-CN", "zh_CN", "zh-Hans", "cn")
# The locale variables, most specific first, as POSIX consults them for messages.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def normalize(value: str) -> str | None:
    """`zh_CN.UTF-8`, `zh-Hans`, `CN`, `en_US` ... -> "zh" / "en"; None when unknown."""
    text = value.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
    if text in ALIASES:
        return ALIASES[text]
    if text.startswith("zh-") or text == "zh":
        return "zh"
    if text.startswith("en-"):
        return "en"
    return None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """GRADEXPLAIN_LANG, then LC_ALL / LC_MESSAGES / LANG (`zh_*` -> zh); else en.

    The first variable that is set and not empty decides, as in POSIX: LC_ALL=C with a
    Chinese LANG means English. A locale that names neither language means English.
    """
    env = os.environ if environ is None else environ
    chosen = env.get("GRADEXPLAIN_LANG", "").strip()
    if chosen:
        return normalize(chosen) or "en"
    for variable in LOCALE_VARIABLES:
        value = env.get(variable, "").strip()
        if value:
            return normalize(value) or "en"
    return "en"


def choose(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language for `--lang OPTION` (None: not given). ValueError for an unknown one."""
    if option is None:
        return from_environment(environ)
    lang = normalize(option)
    if lang is None:
        raise ValueError(f"unknown language {option!r}; use one of: {', '.join(ACCEPTED)}")
    return lang


def from_words(words: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of `--lang X` / `--lang=X` among a command line's `words` where X names
    one, else the environment's: what to speak before the options are parsed (a bad flag is
    reported before `--lang` would be)."""
    for i, word in enumerate(words):
        if word == "--":
            break
        value = (words[i + 1] if word == "--lang" and i + 1 < len(words)
                 else word.removeprefix("--lang=") if word.startswith("--lang=") else None)
        chosen = normalize(value) if value is not None else None
        if chosen is not None:
            return chosen
    return from_environment(environ)
