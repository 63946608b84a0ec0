"""The append-only audit trail: one helper so every step records itself the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.domain import EventKind
from storage.models import Event


def record_event(
    session: Session,
    *,
    kind: EventKind,
    at: datetime,
    recommendation_id: int | None = None,
    actor_id: str | None = None,
    **data: Any,
) -> Event:
    event = Event(
        recommendation_id=recommendation_id,
        kind=kind.value,
        actor_id=actor_id,
        at=at,
        data={k: v for k, v in data.items() if v is not None},
    )
    session.add(event)
    return event
