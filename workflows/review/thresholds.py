"""Threshold advice: raising `actionable_confidence` sends every direct message below the
new value to the digest instead. It is advised only over confidence bands (each judged
on its own, never cumulatively) where the direct messages were mostly unhelpful: an
override that turned out wrong (or, without an outcome, any override: the AI was not
taken), or a message never acted on (open past its due time). An accepted message, or an
override that was right, was worth the interruption: a band that was mostly those is
never moved. The advice says what share of the direct messages it would move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.config import RecommendationType
from core.domain import Status, Tier
from workflows.review.history import ReviewRow
from workflows.review.stats import rate

STEP = 0.05
MOSTLY = 0.5


def unhelpful(row: ReviewRow, now: datetime) -> bool | None:
    """Was this direct message not worth sending? None while it cannot be told."""
    if row.withdrawn:
        return None
    if row.overridden:
        won = row.override_won
        return True if won is None else not won
    if row.status == Status.DECIDED:
        return False
    if row.status == Status.OPEN and now > row.due_at:
        return True
    return None


def bands(current: float) -> list[tuple[float, float]]:
    """[current, current + 0.05), ... up to 1.0 (the last band includes 1.0)."""
    edges, edge = [], current
    while edge < 1.0:
        edges.append(round(edge, 2))
        edge = round(edge + STEP, 2)
    return [(low, min(round(low + STEP, 2), 1.0)) for low in edges]


def _in(row: ReviewRow, low: float, high: float) -> bool:
    confidence = row.confidence or 0.0
    return low <= confidence and (confidence < high or (high >= 1.0 and confidence <= 1.0))


def advice(
    rows: Sequence[ReviewRow], *, rtype: RecommendationType, now: datetime, min_n: int
) -> dict[str, Any]:
    current = rtype.actionable_confidence
    direct = [
        r for r in rows if r.tier == Tier.DIRECT and r.confidence is not None and not r.withdrawn
    ]
    counts = []
    for low, high in bands(current):
        band = [r for r in direct if _in(r, low, high)]
        verdicts = [v for v in (unhelpful(r, now) for r in band) if v is not None]
        counts.append((len(band), sum(verdicts), len(verdicts)))
    return advice_from(counts, current=current, direct=len(direct), min_n=min_n)


def advice_from(
    counts: Sequence[tuple[int, int, int]], *, current: float, direct: int, min_n: int
) -> dict[str, Any]:
    """The advice from each band's (direct messages, unhelpful, judged), in `bands`
    order, and the number of direct messages: rows or SQL counts give the same table."""
    table = []
    for (low, high), (messages, unhelpful_count, judged) in zip(
        bands(current), counts, strict=True
    ):
        table.append(
            {
                "band": f"{low:.2f}-{high:.2f}",
                "low": low,
                "high": high,
                "direct_messages": messages,
                "unhelpful_rate": rate(unhelpful_count, judged, min_n),
            }
        )
    # Raising the threshold moves every band below it: only the run of bands from the
    # current threshold up that were each mostly unhelpful (empty bands move nothing).
    suggested, moved = None, 0
    for band in table:
        found = band["unhelpful_rate"]
        if band["direct_messages"] == 0:
            continue
        if found.too_small or found.fraction is None or found.fraction <= MOSTLY:
            break
        suggested, moved = band["high"], moved + band["direct_messages"]
    below = [b for b in table if suggested is not None and b["high"] <= suggested]
    return {
        "actionable_confidence": current,
        "suggested": suggested,
        "bands": table,
        "bands_moved": [b["band"] for b in below if b["direct_messages"]],
        "direct_messages_moved_rate": rate(moved, direct, min_n),
    }


def advice_sentence(type_name: str, found: dict[str, Any]) -> str:
    if found["suggested"] is None:
        return (
            f"{type_name}: keep actionable_confidence at {found['actionable_confidence']:.2f} "
            "(no band just above it where most direct messages were wrongly overridden or "
            "never acted on)"
        )
    return (
        f"{type_name}: raise actionable_confidence from {found['actionable_confidence']:.2f} to "
        f"{found['suggested']:.2f}: in each band below it ({', '.join(found['bands_moved'])}) "
        "most direct messages were wrongly overridden or never acted on; the digest would "
        f"take {found['direct_messages_moved_rate'].text()} of the direct messages"
    )
