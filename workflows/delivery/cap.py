"""The daily cap on direct messages, decided where an outbox row is claimed.

A count per (person, local day) is taken with one conditional increment
(`sent = sent + 1 ... WHERE sent < cap`): the database serialises it, so N replicas
claiming at the same instant hand out at most `cap` slots. A slot is taken when a row is
claimed, not when Slack answers; a worker that dies mid-send has used its slot (the cap
errs on the side of fewer interruptions, never more)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import OutboxKind, OutboxState, Status, Tier
from storage.driver_writes import insert_if_absent
from storage.models import DirectMessageCount, OutboxItem, Recommendation
from workflows.delivery.claims import write_if_held
from workflows.digest.compose import move_to_digest
from workflows.outbox import channel_of, sent_in_stead


def local_day(*, config: Config, person_id: str, now: datetime) -> date:
    return now.astimezone(config.person_tz(person_id)).date()


def _ensure_row(session: Session, *, person_id: str, day: date) -> None:
    insert_if_absent(session, DirectMessageCount, {"person_id": person_id, "day": day, "sent": 0})


def take_direct_slot(
    session: Session, *, config: Config, person_id: str, now: datetime, capped: bool
) -> bool:
    """Count one direct message for the person today; False (and nothing counted) when
    `capped` and the day's cap is already reached. Uncapped messages (a hand-over, a
    fallback) are counted without being refused: they still fill the day."""
    day = local_day(config=config, person_id=person_id, now=now)
    _ensure_row(session, person_id=person_id, day=day)
    statement = (
        update(DirectMessageCount)
        .where(DirectMessageCount.person_id == person_id, DirectMessageCount.day == day)
        .values(sent=DirectMessageCount.sent + 1)
    )
    cap = config.digest.daily_direct_cap
    if capped and cap is not None:
        statement = statement.where(DirectMessageCount.sent < cap)
    return session.execute(statement).rowcount == 1


def direct_messages_today(
    session: Session, *, config: Config, person_id: str, now: datetime
) -> int:
    day = local_day(config=config, person_id=person_id, now=now)
    query = select(DirectMessageCount.sent).where(
        DirectMessageCount.person_id == person_id, DirectMessageCount.day == day
    )
    return session.scalar(query) or 0


def overflow_to_digest(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    items: list[OutboxItem],
    now: datetime,
) -> set[int]:
    """Count the claimed direct deliveries; first deliveries beyond the owner's cap go to
    the digest instead (marked done here). Returns the ids not to send."""
    deliveries = [
        i
        for i in items
        if i.kind == OutboxKind.DELIVER
        and i.person_id
        and channel_of(i.person_id) is None
        and i.payload.get("purpose", "owner") == "owner"
    ]
    if not deliveries:
        return set()
    ids = {i.recommendation_id for i in deliveries}
    recs = {
        r.id: r for r in session.scalars(select(Recommendation).where(Recommendation.id.in_(ids)))
    }
    overflow: set[int] = set()
    # One person's counter at a time, in a fixed order: two replicas claiming for the
    # same people never wait for each other in a circle.
    for item in sorted(deliveries, key=lambda i: (i.person_id or "", i.id)):
        rec = recs.get(item.recommendation_id or 0)
        assert item.person_id is not None
        if (
            rec is None
            or rec.status != Status.OPEN
            or (
                rec.owner_id != item.person_id
                and not sent_in_stead(item.payload, owner_id=rec.owner_id)
            )
        ):
            continue  # not sent at all (see the outbox worker)
        first = not item.payload and rec.tier == Tier.DIRECT
        if take_direct_slot(
            session, config=config, person_id=item.person_id, now=now, capped=first
        ):
            continue
        move_to_digest(session, config=config, calendars=calendars, rec=rec, now=now)
        write_if_held(
            session,
            item=item,
            state=OutboxState.SENT,
            sent_at=now,
            last_error="over the daily cap: listed in the digest",
        )
        overflow.add(item.id)
    return overflow
