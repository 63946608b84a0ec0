"""The override review is held when the named reviewer says so in chat (`reviewed TYPE
[note]`), not when the bot posts it: an unread review is no evidence. An acknowledgement
is of one type's last completed period and records how many decisions that period held,
so a review of nothing (or of three decisions) is seen for what it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Config
from core.messages import Message, Tone
from storage.driver_writes import insert_if_absent
from storage.models import Decision, Recommendation, ReviewAcknowledgement
from workflows.base import WorkflowContext
from workflows.review.cadence import period_start, previous_start

NOTE_MAX = 1000


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def last_completed(config: Config, *, type_name: str, today: date) -> Period:
    cadence = config.recommendation_types[type_name].review_cadence
    current = period_start(cadence, today)
    return Period(previous_start(cadence, current), current)


def decisions_in(session: Session, *, config: Config, type_name: str, period: Period) -> int:
    tz = config.person_tz(config.override_reviewer)
    start = datetime.combine(period.start, time(0, 0), tzinfo=tz)
    end = datetime.combine(period.end, time(0, 0), tzinfo=tz)
    return int(
        session.scalar(
            select(func.count(Decision.id))
            .join(Recommendation, Recommendation.id == Decision.recommendation_id)
            .where(
                Recommendation.type == type_name,
                Decision.decided_at >= start,
                Decision.decided_at < end,
            )
        )
        or 0
    )


def acknowledge_review(
    ctx: WorkflowContext,
    *,
    person_id: str,
    type_name: str | None,
    note: str | None,
    channel: str,
) -> Message:
    """`reviewed TYPE [note]` from the override reviewer: the last completed period's
    review of TYPE is held. Anyone else is refused; a period with nothing decided in it
    is not recorded as a review."""
    reviewer = ctx.config.override_reviewer
    if reviewer is None or person_id != reviewer:
        named = ctx.config.display_name(reviewer) if reviewer else "nobody (set override_reviewer)"
        return Message(
            header="Not the override reviewer",
            tone=Tone.WARNING,
            text=f"Reviews are acknowledged by the override reviewer: {named}.",
        )
    if type_name not in ctx.config.recommendation_types:
        known = ", ".join(ctx.config.recommendation_types)
        return Message(
            header="Which review?",
            tone=Tone.WARNING,
            text=f"Type `reviewed TYPE [note]` with one of: {known}.",
        )
    now = ctx.clock.now()
    today = now.astimezone(ctx.config.person_tz(reviewer)).date()
    period = last_completed(ctx.config, type_name=type_name, today=today)
    label = ctx.config.recommendation_types[type_name].label
    with ctx.database.transaction() as session:
        sample = decisions_in(session, config=ctx.config, type_name=type_name, period=period)
        if sample == 0:
            return Message(
                header="Nothing to review",
                tone=Tone.WARNING,
                text=f"No {label} decisions from {period.start} to {period.last_day}: there is "
                "nothing to review, so this is not recorded as a held review.",
            )
        # One per type and period: a second `reviewed` (or a hundred at once) waits for
        # the first to commit and then finds the period held.
        held = insert_if_absent(
            session,
            ReviewAcknowledgement,
            {
                "type": type_name,
                "period_start": period.start,
                "period_end": period.end,
                "reviewer_id": reviewer,
                "sample": sample,
                "note": (note or None) and note[:NOTE_MAX],
                "channel": channel,
                "acknowledged_at": now,
            },
            conflict=["type", "period_start"],
        )
        if not held:
            return Message(
                header="Already acknowledged",
                text=f"The {label} review of {period.start} to {period.last_day} is already held.",
            )
    small = sample < ctx.config.review.min_sample
    return Message(
        header="Review acknowledged",
        tone=Tone.WARNING if small else Tone.GOOD,
        text=f"{ctx.config.display_name(reviewer)} held the {label} review of {period.start} to "
        f"{period.last_day}: {sample} decisions"
        + (f", fewer than the minimum sample of {ctx.config.review.min_sample}." if small else "."),
    )
