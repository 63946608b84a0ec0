"""With outcomes: were the overrides right, which way do AI and people lean, and what
did each step add (naive -> AI -> final decision)?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflows.review.history import ReviewRow
from workflows.review.stats import Rate, mean, rate, wape

LARGE_CHANGE = 0.2  # an override changing the AI's value by 20% or more is "large"


def direction(row: ReviewRow) -> str | None:
    if row.override_value is None or row.ai_value is None or row.override_value == row.ai_value:
        return None
    return "up" if row.override_value > row.ai_value else "down"


def size(row: ReviewRow) -> str | None:
    if row.override_value is None or not row.ai_value:
        return None
    change = abs(row.override_value - row.ai_value) / abs(row.ai_value)
    return "large" if change >= LARGE_CHANGE else "small"


def _won(rows: Sequence[ReviewRow], min_n: int) -> Rate:
    judged = [r.override_won for r in rows if r.override_won is not None]
    return rate(sum(judged), len(judged), min_n)


def override_wins(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    overrides = [r for r in rows if r.overridden]
    return {
        "win_rate": _won(overrides, min_n),
        "by_direction": {
            d: {"win_rate": _won([r for r in overrides if direction(r) == d], min_n)}
            for d in ("up", "down")
        },
        "by_size": {
            s: {"win_rate": _won([r for r in overrides if size(r) == s], min_n)}
            for s in ("small", "large")
        },
    }


def bias(rows: Sequence[ReviewRow]) -> dict[str, Any]:
    """Mean signed error (forecast minus actual): positive means too high."""
    judged = [
        r
        for r in rows
        if r.actual is not None and r.ai_value is not None and r.final_value is not None
    ]
    return {
        "n": len(judged),
        "ai_mean_error": mean([r.ai_value - r.actual for r in judged]),  # type: ignore[operator]
        "final_mean_error": mean([r.final_value - r.actual for r in judged]),  # type: ignore[operator]
    }


def stairstep(rows: Sequence[ReviewRow]) -> dict[str, Any]:
    """Forecast value added on the rows that have all three steps and an actual."""
    full = [
        r
        for r in rows
        if r.actual is not None
        and r.naive_value is not None
        and r.ai_value is not None
        and r.final_value is not None
    ]
    naive = wape([(r.naive_value, r.actual) for r in full])  # type: ignore[misc]
    ai = wape([(r.ai_value, r.actual) for r in full])  # type: ignore[misc]
    final = wape([(r.final_value, r.actual) for r in full])  # type: ignore[misc]
    return {
        "n": len(full),
        "steps": [
            {"step": "naive", "wape": naive, "value_added": None},
            {
                "step": "ai",
                "wape": ai,
                "value_added": None if naive is None or ai is None else naive - ai,
            },
            {
                "step": "final",
                "wape": final,
                "value_added": None if ai is None or final is None else ai - final,
            },
        ],
    }


def reasons_ranked(rows: Sequence[ReviewRow], *, min_n: int) -> list[dict[str, Any]]:
    """Reason codes by how often their overrides were right; too-small samples last."""
    groups: dict[str, list[ReviewRow]] = {}
    for row in rows:
        if row.overridden and row.override_won is not None:
            groups.setdefault(row.reason_code or "(none)", []).append(row)
    ranked = [
        {"reason_code": code, "win_rate": _won(group, min_n)} for code, group in groups.items()
    ]
    ranked.sort(
        key=lambda r: (
            r["win_rate"].fraction is None,
            -(r["win_rate"].fraction or 0),
            -r["win_rate"].n,
            r["reason_code"],
        )
    )
    return ranked
