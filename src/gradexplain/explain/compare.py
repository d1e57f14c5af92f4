"""A Comparison in words: the variants' names and why each tensor's grads differ.

Reads gradexplain.analysis.compare's plain data; every text comes from catalogue_compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradexplain.analysis.compare import Comparison, TensorDiff
from gradexplain.explain.catalogue_compare import PHRASES


def compare_text(key: str, lang: str, **facts: Any) -> str:
    """A catalogue entry in `lang`, filled with `facts`. A missing key is a bug: KeyError."""
    template = PHRASES[lang][key]
    return template.format(**facts) if facts else template


def why_sentence(row: TensorDiff, lang: str) -> str | None:
    """The one sentence that says why `row` differs, in `lang`."""
    if row.why is None:
        return None
    facts = dict(row.facts)
    facts.setdefault("a", "A")
    facts.setdefault("b", "B")
    if facts.get("value", "") is None:  # both variants stopped: no value to quote
        facts["value"] = compare_text("stopped", lang)
    return compare_text(row.why, lang, **facts)


@dataclass
class ExplainedComparison:
    """A Comparison with the reason for each difference in words, in one language."""

    comparison: Comparison
    lang: str
    reasons: dict[tuple[int, str], str] = field(default_factory=dict)  # (call, tensor) -> why

    def reason(self, row: TensorDiff) -> str | None:
        return self.reasons.get((row.call, row.tensor))


def explain_comparison(comparison: Comparison, lang: str) -> ExplainedComparison:
    """Word the reason of every difference (the renderers only lay them out)."""
    reasons = {(row.call, row.tensor): sentence for row in comparison.differences
               if (sentence := why_sentence(row, lang)) is not None}
    return ExplainedComparison(comparison, lang, reasons)


def variant_names(mode: str, lang: str, devices: list[str] | None = None,
                  paths: list[str] | None = None) -> tuple[str, str]:
    """What A and B stand for, in words."""
    if mode == "device" and devices:
        return devices[0], devices[1]
    if mode == "paths" and paths:
        return Path(paths[0]).stem, Path(paths[1]).stem
    return compare_text("as written", lang), compare_text(mode, lang)
