"""Loading a recommendation to act on it: the refusals every action shares, worded once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.domain import Status
from storage.models import Recommendation
from workflows.errors import NotFound, NotPermitted, Withdrawn


def load_open_for_update(
    session: Session, *, recommendation_id: int, nothing_left: str
) -> Recommendation:
    """The row, locked for this transaction (PostgreSQL), if it still waits for a
    decision; `nothing_left` finishes the refusal, e.g. "nothing to snooze"."""
    rec = session.get(Recommendation, recommendation_id, with_for_update=True)
    if rec is None:
        raise NotFound(f"Recommendation {recommendation_id} does not exist.")
    if rec.status == Status.WITHDRAWN:
        raise Withdrawn(f"The planning system withdrew this recommendation; {nothing_left}.")
    if rec.status != Status.OPEN:
        raise NotPermitted(f"It is already decided: {nothing_left}.")
    return rec
