"""With outcomes: were the overrides right, which way do AI and people lean, and what
did each step add (naive -> AI -> final decision)? Withdrawn items are out of every
figure here; every figure carries its n and reads "n too small" below the minimum."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflows.review.history import ReviewRow
from workflows.review.stats import Measure, Rate, mean, rate, wape


def accuracy_rows(rows: Sequence[ReviewRow]) -> list[ReviewRow]:
    """The rows accuracy figures are computed on: everything but withdrawn items."""
    return [r for r in rows if not r.withdrawn]


def _won(rows: Sequence[ReviewRow], min_n: int) -> Rate:
    judged = [r.override_won for r in rows if r.override_won is not None]
    return rate(sum(judged), len(judged), min_n)


def _tied(rows: Sequence[ReviewRow], min_n: int) -> Rate:
    verdicts = [r.override_verdict for r in rows if r.override_verdict is not None]
    return rate(sum(v == "tie" for v in verdicts), len(verdicts), min_n)


def override_wins(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    """Win: the final value strictly closer to the actual than the AI's; a tie (equally
    close) is reported apart and is not a win. Both over the overrides judged."""
    overrides = [r for r in accuracy_rows(rows) if r.overridden]
    return {"win_rate": _won(overrides, min_n), "tie_rate": _tied(overrides, min_n)}


def _signed_errors(
    rows: Sequence[ReviewRow],
) -> list[tuple[ReviewRow, float, float]]:
    out = []
    for r in accuracy_rows(rows):
        if r.actual is not None and r.ai_value is not None and r.final_value is not None:
            out.append((r, r.ai_value - r.actual, r.final_value - r.actual))
    return out


def bias(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any]:
    """Mean signed error (forecast minus actual; positive means too high), per type and
    unit: days are never added to pieces, so there is no all-types figure."""
    groups: dict[str, list[tuple[ReviewRow, float, float]]] = {}
    for entry in _signed_errors(rows):
        groups.setdefault(f"{entry[0].type} ({entry[0].unit})", []).append(entry)
    return {
        key: {
            "type": group[0][0].type,
            "unit": group[0][0].unit,
            "n": len(group),
            "ai_mean_error": Measure(mean([e[1] for e in group]), len(group), min_n, "number"),
            "final_mean_error": Measure(mean([e[2] for e in group]), len(group), min_n, "number"),
        }
        for key, group in sorted(groups.items())
    }


def full_rows(rows: Sequence[ReviewRow]) -> list[ReviewRow]:
    """Rows with all three steps (naive, AI, final) and an actual."""
    return [
        r
        for r in accuracy_rows(rows)
        if r.actual is not None
        and r.naive_value is not None
        and r.ai_value is not None
        and r.final_value is not None
    ]


def stairstep(rows: Sequence[ReviewRow], *, min_n: int) -> dict[str, Any] | None:
    """Forecast value added (FVA) per step: each step's WAPE = sum |f - a| / sum |a| over
    the same rows, and the value it added = the previous step's WAPE minus its own
    (positive: the step made the forecast better). One type's rows only (units differ
    between types): None for a mix of types."""
    if len({r.type for r in rows}) > 1:
        return None
    full = full_rows(rows)
    naive = wape([(r.naive_value, r.actual) for r in full])  # type: ignore[misc]
    ai = wape([(r.ai_value, r.actual) for r in full])  # type: ignore[misc]
    final = wape([(r.final_value, r.actual) for r in full])  # type: ignore[misc]
    return steps_section(naive=naive, ai=ai, final=final, n=len(full), min_n=min_n)


def steps_section(
    *, naive: float | None, ai: float | None, final: float | None, n: int, min_n: int
) -> dict[str, Any]:
    """The FVA section from the three steps' WAPE over the same n rows; shared by the
    row-by-row path and the SQL aggregates so both say it the same way."""

    def added(before: float | None, after: float | None) -> Measure:
        value = None if before is None or after is None else before - after
        return Measure(value, n, min_n, "points")

    return {
        "n": n,
        "steps": [
            {"step": "naive", "wape": Measure(naive, n, min_n), "value_added": None},
            {"step": "ai", "wape": Measure(ai, n, min_n), "value_added": added(naive, ai)},
            {
                "step": "final",
                "wape": Measure(final, n, min_n),
                "value_added": added(ai, final),
            },
        ],
    }


def reasons_ranked(rows: Sequence[ReviewRow], *, min_n: int) -> list[dict[str, Any]]:
    """Reason codes by how often their overrides were right; too-small samples last."""
    groups: dict[str, list[ReviewRow]] = {}
    for row in accuracy_rows(rows):
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
