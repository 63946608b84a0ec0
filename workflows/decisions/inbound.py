"""Inbound de-duplication: a platform delivery (a Slack retry, a Teams activity sent
twice) is handled once only, whichever replica sees it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock
from storage.db import Database
from storage.models import ProcessedDelivery


def first_delivery(*, database: Database, clock: Clock, platform: str, delivery_id: str) -> bool:
    """True the first time a platform delivery id is seen, False for every repeat
    (Slack retries, a Teams activity sent twice), whichever replica sees it."""
    try:
        with database.transaction() as session:
            session.add(
                ProcessedDelivery(platform=platform, delivery_id=delivery_id[:300], at=clock.now())
            )
        return True
    except IntegrityError:
        return False


def claim_deliveries(
    session: Session, *, platform: str, delivery_ids: tuple[str, ...], at: datetime
) -> None:
    """Mark deliveries handled inside the caller's transaction, so they count as handled
    only when its work commits (a failed turn leaves the click to be tried again). A
    repeat raises IntegrityError here, before the work."""
    if not delivery_ids:
        return
    session.add_all(
        ProcessedDelivery(platform=platform, delivery_id=key[:300], at=at) for key in delivery_ids
    )
    session.flush()


def any_delivered(*, database: Database, platform: str, delivery_ids: tuple[str, ...]) -> bool:
    """Whether any of these deliveries was handled already (no lock, no claim)."""
    if not delivery_ids:
        return False
    keys = [key[:300] for key in delivery_ids]
    with database.read() as session:
        found = session.scalar(
            select(ProcessedDelivery.id)
            .where(ProcessedDelivery.platform == platform, ProcessedDelivery.delivery_id.in_(keys))
            .limit(1)
        )
    return found is not None
