"""A send that failed: retried with backoff while the failure is transient and the bound
allows, otherwise recorded as failed and handed to a fallback person, so no
recommendation is left with nobody told."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from core.chat import DeliveryError
from core.domain import EventKind, OutboxKind, OutboxState
from storage.models import OutboxItem
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.delivery.claims import write_if_held
from workflows.delivery.fallback import queue_fallback
from workflows.digest.send import DigestDelivery
from workflows.outbox import channel_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=2)


def retry_or_fail(
    ctx: WorkflowContext,
    *,
    digests: DigestDelivery,
    item: OutboxItem,
    exc: DeliveryError,
    unexpected: bool = False,
) -> bool:
    """Back off and retry transient failures; after the bound, or at once for permanent
    ones, record delivery_failed and hand the recommendation to a fallback person.
    Nothing is written for a row whose claim another worker has taken over."""
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        if unexpected:
            record_event(
                session,
                kind=EventKind.DELIVERY_ERROR,
                at=now,
                recommendation_id=item.recommendation_id,
                to=item.person_id,
                kind_of_message=item.kind,
                attempt=item.attempts,
                error=str(exc),
            )
        if exc.transient and item.attempts < MAX_ATTEMPTS:
            backoff = BASE_BACKOFF * (2 ** (item.attempts - 1))
            delay = max(backoff * random.uniform(0.8, 1.2), timedelta(seconds=exc.retry_after or 0))
            write_if_held(session, item=item, next_attempt_at=now + delay, last_error=str(exc))
            return True
        if not write_if_held(session, item=item, state=OutboxState.FAILED, last_error=str(exc)):
            return True
        log.warning("delivery failed for outbox item %s: %s", item.id, exc)
        if item.recommendation_id is not None:
            record_event(
                session,
                kind=EventKind.DELIVERY_FAILED,
                at=now,
                recommendation_id=item.recommendation_id,
                to=item.person_id,
                kind_of_message=item.kind,
                error=str(exc),
            )
            # A person who cannot be reached hands over to a fallback; a channel copy
            # is only a copy: its failure is recorded, nobody else gets it.
            if item.kind == OutboxKind.DELIVER and channel_of(item.person_id) is None:
                queue_fallback(
                    session,
                    item=item,
                    config=ctx.config,
                    now=now,
                    rec_id=item.recommendation_id,
                )
        elif item.kind == OutboxKind.DIGEST:
            # Every entry no part has listed is audited and goes to a fallback person.
            for rec in digests.unlisted(session, item):
                record_event(
                    session,
                    kind=EventKind.DELIVERY_FAILED,
                    at=now,
                    recommendation_id=rec.id,
                    to=item.person_id,
                    kind_of_message=item.kind,
                    error=str(exc),
                )
                queue_fallback(session, item=item, config=ctx.config, now=now, rec_id=rec.id)
    return False
