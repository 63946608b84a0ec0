"""How platforms reach people, stored: Slack ids looked up by email, Teams conversation
references. And inbound de-duplication: a platform delivery handled once only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import Clock
from storage.db import Database
from storage.models import PersonLink, ProcessedDelivery


def get_link(*, database: Database, platform: str, person_id: str) -> PersonLink | None:
    with database.read() as session:
        link = session.scalars(
            select(PersonLink).where(PersonLink.platform == platform,
                                     PersonLink.person_id == person_id)
        ).first()  # fmt: skip
        if link is not None:
            session.expunge(link)
        return link


def find_person_by_external_id(
    *, database: Database, platform: str, external_id: str
) -> str | None:
    with database.read() as session:
        return session.scalar(
            select(PersonLink.person_id).where(PersonLink.platform == platform,
                                               PersonLink.external_id == external_id)
        )  # fmt: skip


def save_link(
    *, database: Database, clock: Clock, platform: str, person_id: str,
    external_id: str | None, data: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """Insert or replace the person's link for a platform (last writer wins)."""
    for _attempt in range(2):
        try:
            with database.transaction() as session:
                link = session.scalars(
                    select(PersonLink).where(PersonLink.platform == platform,
                                             PersonLink.person_id == person_id)
                ).first()  # fmt: skip
                if link is None:
                    link = PersonLink(platform=platform, person_id=person_id)
                    session.add(link)
                link.external_id = external_id
                link.data = data or {}
                link.updated_at = clock.now()
            return
        except IntegrityError:
            continue  # a concurrent first insert won; update it on the second pass


def first_delivery(*, database: Database, clock: Clock, platform: str, delivery_id: str) -> bool:
    """True the first time a platform delivery id is seen, False for every repeat
    (Slack retries, a Teams activity sent twice), whichever replica sees it."""
    try:
        with database.transaction() as session:
            session.add(ProcessedDelivery(platform=platform, delivery_id=delivery_id[:300],
                                          at=clock.now()))  # fmt: skip
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
    session.add_all(ProcessedDelivery(platform=platform, delivery_id=key[:300], at=at)
                    for key in delivery_ids)  # fmt: skip
    session.flush()


def any_delivered(*, database: Database, platform: str, delivery_ids: tuple[str, ...]) -> bool:
    """Whether any of these deliveries was handled already (no lock, no claim)."""
    if not delivery_ids:
        return False
    keys = [key[:300] for key in delivery_ids]
    with database.read() as session:
        found = session.scalar(
            select(ProcessedDelivery.id).where(ProcessedDelivery.platform == platform,
                                               ProcessedDelivery.delivery_id.in_(keys)).limit(1)
        )  # fmt: skip
    return found is not None
