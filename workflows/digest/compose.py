"""The digest tier, against recommendation fatigue: low-confidence signals, and direct
messages beyond an owner's daily cap, are listed once a day in one message at the start
of the owner's business day instead of interrupting them one by one.

The sweep marks each due digest row with the owner's local date and queues one outbox
row keyed (owner, date); the message is rendered when sent, from the rows marked with
that date that are still open. Every item is listed, with its own buttons: a long digest
is sent as several messages of `PAGE_ITEMS` entries ("part 2 of 3"), each within every
platform's size limits (Slack's 50 blocks, Teams' 28 KB card; measured in
tests/workflows/sla/test_digest_pages.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import EventKind, OutboxKind, Status
from core.messages import Message, Tone
from storage.models import Recommendation
from workflows.audit import record_event
from workflows.outbox import enqueue_many, outbox_row
from workflows.ownership.routing import next_digest_at
from workflows.views.message import recommendation_message

PAGE_ITEMS = 10  # entries per message: a digest entry is 3 Slack blocks, ~1.7 KB of card


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
    enqueue_many(
        session,
        [
            outbox_row(
                kind=OutboxKind.DIGEST,
                key=f"digest:{rec.owner_id}:{day}",
                now=at,
                person_id=rec.owner_id,
                payload={"day": day.isoformat()},
            )
        ],
    )
    record_event(
        session,
        kind=EventKind.DIGESTED,
        at=now,
        recommendation_id=rec.id,
        reason="daily_direct_cap",
        cap=config.digest.daily_direct_cap,
        digest_at=at.isoformat(),
    )
    return at


def digest_rows(session: Session, *, person_id: str, day: date) -> list[Recommendation]:
    return list(
        session.scalars(
            select(Recommendation)
            .where(
                Recommendation.owner_id == person_id,
                Recommendation.status == Status.OPEN,
                Recommendation.digest_on == day,
            )
            .order_by(Recommendation.due_at, Recommendation.id)
        )
    )


def digest_message(
    session: Session,
    *,
    config: Config,
    person_id: str,
    day: date,
    now: datetime,
    rows: list[Recommendation] | None = None,
    part: tuple[int, int] = (1, 1),
    total: int | None = None,
) -> Message | None:
    """One message of the day's digest for one owner, each item with its own buttons;
    None if nothing is left open (all decided or withdrawn since). `rows`: the items of
    this part, or re-render the items a sent part listed (decided ones then show who
    decided, without buttons). `part`: (number, of); `total`: items in all parts."""
    rows = digest_rows(session, person_id=person_id, day=day) if rows is None else rows
    if not rows:
        return None
    items = [
        recommendation_message(session, config=config, rec=rec, reader_id=person_id, now=now)
        for rec in rows
    ]
    count = total if total is not None else len(rows)
    context = [f"Digest for {day:%a %d %b}"]
    if part[1] > 1:
        context.append(f"Part {part[0]} of {part[1]}")
    return Message(
        header=f"Your daily digest: {count} recommendation{'s' if count != 1 else ''}",
        text="Low-confidence signals and recommendations beyond your daily limit of direct "
        "messages, listed once a day.",
        context=context,
        items=items,
        tone=Tone.INFO,
    )


def digest_pages(
    session: Session,
    *,
    config: Config,
    person_id: str,
    day: date,
    now: datetime,
    rows: list[Recommendation],
) -> list[tuple[list[Recommendation], Message]]:
    """The day's digest as messages of at most PAGE_ITEMS entries, with the rows each lists."""
    chunks = [rows[start : start + PAGE_ITEMS] for start in range(0, len(rows), PAGE_ITEMS)]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        message = digest_message(
            session,
            config=config,
            person_id=person_id,
            day=day,
            now=now,
            rows=chunk,
            part=(number, len(chunks)),
            total=len(rows),
        )
        if message is not None:
            pages.append((chunk, message))
    return pages
