"""Gate 3, override logging and review: reasons are required for every override (reason
codes exist, and every override on record has one), a reviewer is named and reachable,
and the last due review of each type was acknowledged in chat by that reviewer and
covered at least the minimum sample. The latest completed period's review counts, and
so does the one before it while the latest is still being read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import DecisionKind
from storage.models import Decision, ReviewAcknowledgement
from workflows.readiness.evidence import Found, reachable_on
from workflows.review.acknowledgements import last_completed
from workflows.review.cadence import previous_start


def review_gate(session: Session, *, config: Config, now: datetime) -> Found:
    found = Found()
    if not config.reason_codes:
        found.missing.append(
            "no reason codes configured: list them under reason_codes (an override always "
            "requires one)"
        )
    unexplained = session.scalar(
        select(func.count(Decision.id)).where(
            Decision.kind == DecisionKind.OVERRIDE, Decision.reason_code.is_(None)
        )
    )
    if unexplained:
        found.missing.append(f"{unexplained} overrides on record carry no reason code")
    reviewer = config.override_reviewer
    if reviewer is None:
        found.missing.append("no override reviewer named: set override_reviewer")
        return found
    if reachable_on(config.people_by_id.get(reviewer)) is None:
        found.missing.append(
            f"the override reviewer {reviewer} cannot be reached in chat: give them a slack "
            "or teams account"
        )
    today = now.astimezone(config.person_tz(reviewer)).date()
    minimum = config.review.min_sample
    for name, rtype in config.recommendation_types.items():
        last = last_completed(config, type_name=name, today=today)
        earlier = previous_start(rtype.review_cadence, last.start)
        acks = session.scalars(
            select(ReviewAcknowledgement)
            .where(
                ReviewAcknowledgement.type == name,
                ReviewAcknowledgement.period_start.in_((last.start, earlier)),
            )
            .order_by(ReviewAcknowledgement.period_start.desc())
        ).all()
        held = [a for a in acks if a.sample >= minimum and a.reviewer_id == reviewer]
        if held:
            ack = held[0]
            last_day = ack.period_end - timedelta(days=1)
            found.evidence.append(
                f"{name}: {config.display_name(ack.reviewer_id)} acknowledged the review of "
                f"{ack.period_start} to {last_day} ({ack.sample} decisions) on "
                f"{ack.acknowledged_at:%Y-%m-%d %H:%M} UTC in {ack.channel}"
                + (f': "{ack.note}"' if ack.note else "")
            )
            continue
        if acks:
            found.missing.append(
                f"{name}: the acknowledged review of {acks[0].period_start} covered "
                f"{acks[0].sample} decisions, below the minimum sample of {minimum} "
                "(review.min_sample): a review needs enough decisions to mean something"
            )
        else:
            found.missing.append(
                f"{name}: the {rtype.review_cadence} override review of {last.start} to "
                f"{last.last_day} is not acknowledged: {config.display_name(reviewer)} reads "
                f"it and types `reviewed {name} [note]` to sopbot in chat"
            )
    return found
