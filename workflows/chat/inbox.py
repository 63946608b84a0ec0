"""What a person sees on demand: their queue, one recommendation as they should see it
now, and help. Adapters call these instead of touching the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.messages import Message
from storage.models import Recommendation
from workflows.digest.compose import PAGE_ITEMS
from workflows.digest.send import digest_part_again, stored_digest_part
from workflows.errors import NotFound
from workflows.service import Services
from workflows.views.lookups import BatchLookups
from workflows.views.message import Purpose, message_for_purpose, recommendation_message
from workflows.views.queries import count_open_for, open_queue


def queue_messages(services: Services, *, person_id: str, limit: int = 20) -> list[Message]:
    """The person's open recommendations, each with its buttons, soonest due first."""
    now = services.clock.now()
    with services.database.read() as session:
        rows = open_queue(session, person_id=person_id, limit=limit, config=services.config)
        return _drawn(session, services=services, rows=rows, person_id=person_id, now=now)


def _drawn(
    session: Session,
    *,
    services: Services,
    rows: list[Recommendation],
    person_id: str,
    now: datetime,
) -> list[Message]:
    """Each of `rows` as `person_id` sees it, with the history and rules of all of them
    read in one go (BatchLookups): the Home tab draws a page after every change to a
    person's queue."""
    if not rows:
        return []
    lookups = BatchLookups(session, config=services.config, recs=rows)
    return [
        recommendation_message(
            session, config=services.config, rec=rec, reader_id=person_id, now=now, lookups=lookups
        )
        for rec in rows
    ]


@dataclass(frozen=True)
class QueuePage:
    """One page of a person's queue: every open item is on some page, each with its own
    buttons, a page small enough for any platform (the size of a digest part)."""

    items: list[Message]
    page: int  # 1-based, clamped to the pages there are
    pages: int
    total: int


def queue_page(
    services: Services, *, person_id: str, page: int = 1, per_page: int = PAGE_ITEMS
) -> QueuePage:
    """Page `page` of the person's open recommendations, soonest due first. A page past
    the end (the list got shorter since it was drawn) is the last page."""
    now = services.clock.now()
    with services.database.read() as session:
        total = count_open_for(session, person_id=person_id, config=services.config)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        rows = open_queue(
            session,
            person_id=person_id,
            limit=per_page,
            offset=(page - 1) * per_page,
            config=services.config,
        )
        items = _drawn(session, services=services, rows=rows, person_id=person_id, now=now)
    return QueuePage(items=items, page=page, pages=pages, total=total)


def queue_count(services: Services, *, person_id: str) -> int:
    """How many recommendations wait for `person_id` (a tab's counter), without drawing them."""
    with services.database.read() as session:
        return count_open_for(session, person_id=person_id, config=services.config)


def digest_part_for(
    services: Services, *, platform: str, channel: str, message_id: str
) -> Message | None:
    """The digest part sent as (`channel`, `message_id`) as it reads now, to redraw it in
    place after one of its entries was decided; None when that message is no digest."""
    with services.database.read() as session:
        stored = stored_digest_part(
            session, platform=platform, channel=channel, message_id=message_id
        )
        if stored is None:
            return None
        return digest_part_again(
            session, config=services.config, stored=stored, now=services.clock.now()
        )


def recommendation_for(
    services: Services,
    *,
    recommendation_id: int,
    reader_id: str,
    purpose: Purpose = Purpose.OWNER,
) -> Message:
    """One recommendation rendered for `reader_id` as of now (e.g. right after a click),
    drawn for `purpose` as the outbox draws it: a reminder keeps its Snooze buttons and
    "Due in" line, an escalation its Extend SLA form (for those who may extend), so a
    card redrawn in place is the message the outbox would send."""
    with services.database.read() as session:
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise NotFound(f"Recommendation {recommendation_id} does not exist.")
        return message_for_purpose(
            session,
            config=services.config,
            rec=rec,
            reader_id=reader_id,
            now=services.clock.now(),
            purpose=purpose,
        )
