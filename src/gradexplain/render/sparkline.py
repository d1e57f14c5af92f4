"""Sparklines: a series as a row of Unicode block characters (no rich, no torch)."""

from __future__ import annotations

import math

BLOCKS = "▁▂▃▄▅▆▇█"
ASCII_BLOCKS = "_.-:=+*#"
NON_FINITE = "!"  # a point that is inf or nan
WIDTH = 24


def resample(points: list[float], width: int) -> list[float]:
    """At most `width` points: the mean of each of `width` equal runs (non-finite wins)."""
    if len(points) <= width:
        return list(points)
    result = []
    for i in range(width):
        run = points[i * len(points) // width:(i + 1) * len(points) // width]
        result.append(sum(run) / len(run))
    return result


def sparkline(points: list[float], width: int = WIDTH, *, ascii_only: bool = False) -> str:
    """One character per point (resampled to `width`), lowest block for the minimum."""
    blocks = ASCII_BLOCKS if ascii_only else BLOCKS
    values = resample(points, width)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return NON_FINITE * len(values)
    low, high = min(finite), max(finite)
    span = high - low
    marks = []
    for value in values:
        if not math.isfinite(value):
            marks.append(NON_FINITE)
        elif span <= 0:
            marks.append(blocks[len(blocks) // 2] if value else blocks[0])
        else:
            marks.append(blocks[min(int((value - low) / span * len(blocks)), len(blocks) - 1)])
    return "".join(marks)
