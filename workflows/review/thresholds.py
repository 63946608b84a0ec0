"""Threshold advice: when the direct messages below some confidence are mostly
overridden or left undecided, raising `actionable_confidence` to it would have sent them
to the digest instead. Says by how much it would have cut overrides and messages."""

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


def _unhelpful(row: ReviewRow, now: datetime) -> bool | None:
    """Overridden, or never acted on (open past its due time); None while undecided."""
    if row.overridden:
        return True
    if row.status == Status.DECIDED:
        return False
    if row.status == Status.OPEN and now > row.due_at:
        return True
    return None


def advice(
    rows: Sequence[ReviewRow], *, rtype: RecommendationType, now: datetime, min_n: int
) -> dict[str, Any]:
    current = rtype.actionable_confidence
    direct = [r for r in rows if r.tier == Tier.DIRECT and r.confidence is not None]
    overrides = [r for r in direct if r.overridden]
    suggestion: dict[str, Any] = {"actionable_confidence": current, "suggested": None}
    candidate = round(current + STEP, 2)
    while candidate < 1.0:
        band = [r for r in direct if r.confidence < candidate]  # type: ignore[operator]
        verdicts = [v for v in (_unhelpful(r, now) for r in band) if v is not None]
        if len(verdicts) >= min_n and sum(verdicts) / len(verdicts) > MOSTLY:
            suggestion = {
                "actionable_confidence": current,
                "suggested": candidate,
                "below_suggested": len(verdicts),
                "unhelpful_rate": rate(sum(verdicts), len(verdicts), min_n),
                "overrides_moved_rate": rate(
                    sum(r.overridden for r in band), len(overrides), min_n
                ),
                "direct_messages_moved_rate": rate(len(band), len(direct), min_n),
            }
        candidate = round(candidate + STEP, 2)
    return suggestion


def advice_sentence(type_name: str, found: dict[str, Any]) -> str:
    if found["suggested"] is None:
        return (
            f"{type_name}: keep actionable_confidence at {found['actionable_confidence']:.2f} "
            "(no confidence band below which most direct messages were overridden or "
            "ignored)"
        )
    return (
        f"{type_name}: raise actionable_confidence from {found['actionable_confidence']:.2f} to "
        f"{found['suggested']:.2f}: below it {found['unhelpful_rate'].text()} of "
        f"{found['below_suggested']} direct messages were overridden or never acted on; the "
        f"digest would have taken {found['overrides_moved_rate'].text()} of the overrides and "
        f"{found['direct_messages_moved_rate'].text()} of the direct messages"
    )
