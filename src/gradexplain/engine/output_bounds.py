"""The record's texts bounded before it leaves the worker, so that showing it stays cheap.

A few lines of a scenario can make strings of millions of characters (`"a" * 16_000_000`,
`print(x.tolist())`, a KeyError naming a huge key); shown whole, they would cost the parent
minutes of rendering, JSON of hundreds of megabytes, and the worker as much again to send.
So, at the source, in the worker:

- a print or a shown value longer than `--max-output-chars` keeps only its first HEAD_CHARS
  characters, and its `length` says how long it was (the renderers say so, in words, and
  JSON carries `length`); once a record's prints and shown values hold TOTAL_FACTOR times
  the limit, every later one longer than HEAD_CHARS is cut the same way, so a thousand long
  prints cannot add up either;
- every other text of the record (error messages, expectation and note facts, plot titles
  and labels) longer than the limit keeps its first HEAD_CHARS characters and ends in its
  length, written into the text.

Expectations are checked before this (runner.record), against the whole texts.
"""

from __future__ import annotations

from typing import Any

from gradexplain.limits import Limits
from gradexplain.record import ErrorInfo, PrintRecord, RunRecord, ShownValue

HEAD_CHARS = 1000  # characters kept of a text cut short (fewer if the limit is lower)
TOTAL_FACTOR = 10  # the prints and shown values of a record, together, in limits


def bound_output(record: RunRecord, limits: Limits) -> RunRecord:
    """`record` with every text bounded (changed in place, and returned)."""
    limit = limits.max_output_chars
    head = min(HEAD_CHARS, limit)
    total = 0
    shown: list[PrintRecord | ShownValue] = [*record.prints, *record.shown]
    for item in sorted(shown, key=lambda item: item.seq):
        over = len(item.text) > limit or (total > TOTAL_FACTOR * limit and
                                          len(item.text) > head)
        if over and item.length is None:
            item.length = len(item.text)
            item.text = item.text[:head]
        total += len(item.text)
    for error in _errors(record):
        error.message = bounded_text(error.message, limit)
        error.hint = None if error.hint is None else bounded_text(error.hint, limit)
        error.facts = _bounded(error.facts, limit)
    for expectation in record.expectations:
        expectation.text = bounded_text(expectation.text, limit)
        expectation.facts = _bounded(expectation.facts, limit)
    for note in record.notes:
        note.facts = _bounded(note.facts, limit)
    plot = record.plot
    if plot is not None:
        plot.title, plot.xlabel, plot.ylabel = (bounded_text(text, limit) for text in
                                                (plot.title, plot.xlabel, plot.ylabel))
        plot.texts = _bounded(plot.texts, limit)
        for line in [*([plot.x] if plot.x is not None else []), *plot.series]:
            line.label = bounded_text(line.label, limit)
        for problem in plot.problems:
            problem.series = bounded_text(problem.series, limit)
            problem.message = bounded_text(problem.message, limit)
    return record


def bounded_text(text: str, limit: int) -> str:
    """`text`, or its first characters and its length when it is longer than `limit`."""
    if len(text) <= limit:
        return text
    return f"{text[:min(HEAD_CHARS, limit)]}… ({len(text):,} characters)"


def _errors(record: RunRecord) -> list[ErrorInfo]:
    found = [call.error for call in record.calls if call.error is not None]
    return [record.error, *found] if record.error is not None else found


def _bounded(value: Any, limit: int) -> Any:
    """Facts (plain data) with every string in them bounded."""
    if isinstance(value, str):
        return bounded_text(value, limit)
    if isinstance(value, dict):
        return {key: _bounded(item, limit) for key, item in value.items()}
    if isinstance(value, list):
        return [_bounded(item, limit) for item in value]
    if isinstance(value, tuple):
        return tuple(_bounded(item, limit) for item in value)
    return value
