"""What a person sees on demand: their queue, one recommendation as they should see it
now, and help. Adapters call these instead of touching the database."""

from __future__ import annotations

from core.messages import Message
from storage.models import Recommendation
from workflows.errors import NotFound
from workflows.queries import open_queue
from workflows.service import Services
from workflows.views import Purpose, message_for_purpose, recommendation_message


def queue_messages(services: Services, *, person_id: str, limit: int = 20) -> list[Message]:
    """The person's open recommendations, each with its buttons, soonest due first."""
    now = services.clock.now()
    with services.database.read() as session:
        return [
            recommendation_message(session, config=services.config, rec=rec, reader_id=person_id,
                                   now=now)
            for rec in open_queue(session, person_id=person_id, limit=limit)
        ]  # fmt: skip


def recommendation_for(
    services: Services, *, recommendation_id: int, reader_id: str,
    purpose: Purpose = Purpose.OWNER,
) -> Message:  # fmt: skip
    """One recommendation rendered for `reader_id` as of now (e.g. right after a click),
    drawn for `purpose` as the outbox draws it: a reminder keeps its Snooze buttons and
    "Due in" line, an escalation its Extend SLA form (for those who may extend), so a
    card redrawn in place is the message the outbox would send."""
    with services.database.read() as session:
        rec = session.get(Recommendation, recommendation_id)
        if rec is None:
            raise NotFound(f"Recommendation {recommendation_id} does not exist.")
        return message_for_purpose(session, config=services.config, rec=rec,
                                   reader_id=reader_id, now=services.clock.now(),
                                   purpose=purpose)  # fmt: skip
