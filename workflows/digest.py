"""The digest tier, against recommendation fatigue: low-confidence signals, and direct
messages beyond an owner's daily cap, are listed once a day in one message at the start
of the owner's business day instead of interrupting them one by one.

The sweep marks each due digest row with the owner's local date and queues one outbox
row keyed (owner, date); the message is rendered when sent, from the rows marked with
that date that are still open. A digest lists at most `MAX_ITEMS`; the rest are counted
("N more in your queue") and roll into the owner's next digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import EventKind, OutboxKind, Status
from core.messages import Message, Tone
from storage.models import Recommendation
from workflows.audit import record_event
from workflows.outbox import enqueue_many, outbox_row
from workflows.routing import next_digest_at
from workflows.views import recommendation_message

MAX_ITEMS = 20  # chat platforms limit a message's size; the rest is in the queue


def move_to_digest(
    session: Session, *, config: Config, calendars: Calendars, rec: Recommendation, now: datetime
) -> datetime:
    """Overflow: the recommendation is announced in the owner's next digest instead of a
    direct message. Its SLA is untouched (tier, reminders, escalation): being over the
    cap changes how it is announced, never whether it escalates."""
    calendar = calendars.for_person(rec.owner_id)
    at = next_digest_at(calendar=calendar, moment=now, send_at=config.digest.send_at)
    day = at.astimezone(calendar.tz).date()
    rec.digest_on = day
    enqueue_many(session, [outbox_row(kind=OutboxKind.DIGEST, key=f"digest:{rec.owner_id}:{day}",
                                      now=at, person_id=rec.owner_id,
                                      payload={"day": day.isoformat()})])  # fmt: skip
    record_event(session, kind=EventKind.DIGESTED, at=now, recommendation_id=rec.id,
                 reason="daily_direct_cap", cap=config.digest.daily_direct_cap,
                 digest_at=at.isoformat())  # fmt: skip
    return at


def digest_rows(session: Session, *, person_id: str, day: date) -> list[Recommendation]:
    return list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.owner_id == person_id, Recommendation.status == Status.OPEN,
                   Recommendation.digest_on == day)
            .order_by(Recommendation.due_at, Recommendation.id)
        )
    )  # fmt: skip


def carry_over(
    session: Session, *, config: Config, calendars: Calendars, person_id: str, day: date,
    ids: list[int], now: datetime,
) -> datetime | None:  # fmt: skip
    """Items a sent digest had no room for (beyond `MAX_ITEMS`) wait for the owner's next
    digest, which is keyed by its own date: each digest is still sent once."""
    if not ids:
        return None
    at = next_digest_at(
        calendar=calendars.for_person(person_id), moment=now, send_at=config.digest.send_at
    )
    session.execute(
        update(Recommendation)
        .where(Recommendation.id.in_(ids), Recommendation.status == Status.OPEN,
               Recommendation.digest_on == day)
        .values(digest_on=None, next_action_at=at)
    )  # fmt: skip
    return at


def digest_message(
    session: Session, *, config: Config, person_id: str, day: date, now: datetime,
    rows: list[Recommendation] | None = None,
) -> Message | None:  # fmt: skip
    """The day's digest for one owner, each item with its own buttons; None if nothing
    is left open (all decided or withdrawn since). `rows`: re-render the items a sent
    digest listed (decided ones then show who decided, without buttons)."""
    rows = digest_rows(session, person_id=person_id, day=day) if rows is None else rows
    if not rows:
        return None
    items = [
        recommendation_message(session, config=config, rec=rec, reader_id=person_id, now=now)
        for rec in rows[:MAX_ITEMS]
    ]
    count = len(rows)
    context = [f"Digest for {day:%a %d %b}"]
    if count > MAX_ITEMS:
        context.append(f"{count - MAX_ITEMS} more in your queue")
    return Message(
        header=f"Your daily digest: {count} recommendation{'s' if count != 1 else ''}",
        text="Low-confidence signals and recommendations beyond your daily limit of direct "
        "messages, listed once a day.",
        context=context, items=items, tone=Tone.INFO,
    )  # fmt: skip
