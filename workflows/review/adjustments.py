"""Overrides by direction and size, the cross-check against Fildes, Goodwin, Lawrence &
Nikolopoulos (2009, IJF 25(1)): over 60,000+ forecasts, large adjustments improved
accuracy more often than small ones and upward adjustments were much less likely to help.

Direction: the override above the AI value is `up`, below it `down`. Size: the change
relative to the AI value, |override - AI| / |AI|, is `large` at 20% or more, else
`small` (an AI value of 0 has no relative size). Per cell: the win rate (strictly closer
to the actual than the AI) and the FVA of the adjustment = WAPE(AI) - WAPE(final) over
the cell's overrides with an actual (positive: the adjustment helped)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflows.review.history import ReviewRow
from workflows.review.outcomes import accuracy_rows
from workflows.review.stats import Measure, rate, wape

LARGE_CHANGE = 0.2  # |override - AI| / |AI| at or above this is a large adjustment
DIRECTIONS = ("up", "down")
SIZES = ("small", "large")


def direction(row: ReviewRow) -> str | None:
    if row.override_value is None or row.ai_value is None or row.override_value == row.ai_value:
        return None
    return "up" if row.override_value > row.ai_value else "down"


def size(row: ReviewRow) -> str | None:
    if row.override_value is None or not row.ai_value:
        return None
    change = abs(row.override_value - row.ai_value) / abs(row.ai_value)
    return "large" if change >= LARGE_CHANGE else "small"


def cell(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    judged = [r.override_won for r in rows if r.override_won is not None]
    valued = [r for r in rows if r.actual is not None and r.ai_value is not None]
    ai = wape([(r.ai_value, r.actual) for r in valued])  # type: ignore[misc]
    final = wape([(r.override_value, r.actual) for r in valued])  # type: ignore[misc]
    fva = None if ai is None or final is None else ai - final
    return {
        "overrides": len(rows),
        "win_rate": rate(sum(judged), len(judged), min_n),
        "value_added": Measure(fva, len(valued), min_n, "points"),
    }


def by_direction_and_size(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any] | None:
    """The 2 x 2 grid plus each margin. FVA needs one unit: None for a mix of types."""
    if len({r.type for r in rows}) > 1:
        return None
    overrides = [r for r in accuracy_rows(rows) if r.overridden and direction(r) is not None]
    grid: dict[str, Any] = {"large_change": LARGE_CHANGE}
    for d in DIRECTIONS:
        grid[d] = cell([r for r in overrides if direction(r) == d], min_n=min_n)
    for s in SIZES:
        grid[s] = cell([r for r in overrides if size(r) == s], min_n=min_n)
    for d in DIRECTIONS:
        for s in SIZES:
            picked = [r for r in overrides if direction(r) == d and size(r) == s]
            grid[f"{d}_{s}"] = cell(picked, min_n=min_n)
    return grid
