"""The explanation catalogue: every error and note kind, in every language. Pure data.

Texts live in catalogue_en / catalogue_zh; this module only gathers them by language.
`str.format` templates; see catalogue_en for the conventions.
"""

from __future__ import annotations

from gradexplain.explain import (
    catalogue_deeper,
    catalogue_en,
    catalogue_language,
    catalogue_loops,
    catalogue_why,
    catalogue_zh,
)

LANGUAGES = ("en", "zh")

# Every error kind has these keys, every note kind has NOTE_KEYS.
ERROR_KEYS = ("title", "explanation", "fix")
NOTE_KEYS = ("text",)

ERRORS: dict[str, dict[str, dict[str, str]]] = {
    "en": catalogue_en.ERRORS,
    "zh": catalogue_zh.ERRORS,
}
NOTES: dict[str, dict[str, dict[str, str]]] = {
    "en": {**catalogue_en.NOTES, **catalogue_language.NOTES_EN},
    "zh": {**catalogue_zh.NOTES, **catalogue_language.NOTES_ZH},
}
LABELS: dict[str, dict[str, str]] = {
    "en": {**catalogue_en.LABELS, **catalogue_deeper.LABELS_EN, **catalogue_loops.LABELS_EN,
           **catalogue_why.LABELS_EN},
    "zh": {**catalogue_zh.LABELS, **catalogue_deeper.LABELS_ZH, **catalogue_loops.LABELS_ZH,
           **catalogue_why.LABELS_ZH},
}
COMMON: dict[str, dict[str, str]] = {
    "en": catalogue_en.COMMON,
    "zh": catalogue_zh.COMMON,
}
LIMITS: dict[str, dict[str, str]] = {
    "en": catalogue_en.LIMITS,
    "zh": catalogue_zh.LIMITS,
}
