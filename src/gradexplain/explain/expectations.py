"""An `expect:` result (key + facts from the engine) as one line in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gradexplain.explain.catalogue_expect import PHRASES
from gradexplain.explain.text import check_lang, note_name
from gradexplain.record import ExpectationResult


def expectation_text(result: ExpectationResult, lang: str) -> str:
    """The line shown for `result`: its phrase filled in, or its fixed text when it has none."""
    phrases = PHRASES[check_lang(lang)]
    if not result.key or result.key not in phrases:
        return result.text
    facts: dict[str, Any] = dict(result.facts)
    what = facts.get("what")
    if isinstance(what, Mapping):
        facts["what"] = phrases[f"what.{what['kind']}"].format(**what)
    facts["where"] = _where(facts, phrases)  # used by the error phrases only
    if result.key in ("note_ok", "note_missing") and isinstance(facts.get("kind"), str):
        facts["kind"] = note_name(facts["kind"], lang)
    got = facts.get("got")
    if isinstance(got, Mapping):  # an error: its kind and where it happened
        where = _where(got, phrases)
        facts["got"] = phrases["got_where" if where else "got"].format(kind=got.get("kind"),
                                                                         where=where)
    try:
        return phrases[result.key].format(**facts)
    except (KeyError, IndexError, ValueError):  # facts of an unexpected form
        return result.text or result.key


def _where(facts: Mapping[str, Any], phrases: Mapping[str, str]) -> str:
    parts = []
    if facts.get("step") is not None:
        parts.append(phrases["where.step"].format(step=facts["step"]))
    if facts.get("call") is not None:
        parts.append(phrases["where.call"].format(call=facts["call"]))
    return phrases["where"].format(parts=phrases["where.join"].join(parts)) if parts else ""
