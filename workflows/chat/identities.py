"""How platforms reach people, stored: Slack ids looked up by email, Teams conversation
references."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from storage.db import Database
from storage.models import PersonLink


def get_link(*, database: Database, platform: str, person_id: str) -> PersonLink | None:
    with database.read() as session:
        link = session.scalars(
            select(PersonLink).where(
                PersonLink.platform == platform, PersonLink.person_id == person_id
            )
        ).first()
        if link is not None:
            session.expunge(link)
        return link


def find_person_by_external_id(
    *, database: Database, platform: str, external_id: str
) -> str | None:
    with database.read() as session:
        return session.scalar(
            select(PersonLink.person_id).where(
                PersonLink.platform == platform, PersonLink.external_id == external_id
            )
        )


def save_link(
    *,
    database: Database,
    clock: Clock,
    platform: str,
    person_id: str,
    external_id: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Insert or replace the person's link for a platform (last writer wins)."""
    for _attempt in range(2):
        try:
            with database.transaction() as session:
                link = session.scalars(
                    select(PersonLink).where(
                        PersonLink.platform == platform, PersonLink.person_id == person_id
                    )
                ).first()
                if link is None:
                    link = PersonLink(platform=platform, person_id=person_id)
                    session.add(link)
                link.external_id = external_id
                link.data = data or {}
                link.updated_at = clock.now()
            return
        except IntegrityError:
            continue  # a concurrent first insert won; update it on the second pass
