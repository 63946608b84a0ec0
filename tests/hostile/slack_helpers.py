"""What the hostile Slack tests read back: decisions and audit events of a
recommendation, straight from the database the real Bolt app wrote to."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Decision, Event
from tests.support.slack import SlackWorld


def decisions(world: SlackWorld, rec_id: int) -> list[Decision]:
    with world.runtime.database.transaction() as session:
        rows = session.scalars(select(Decision).where(Decision.recommendation_id == rec_id))
        found = list(rows)
        session.expunge_all()
        return found


def event_kinds(world: SlackWorld, rec_id: int) -> list[str]:
    with world.runtime.database.transaction() as session:
        query = select(Event.kind).where(Event.recommendation_id == rec_id).order_by(Event.id)
        return list(session.scalars(query))


def quiet(world: SlackWorld) -> None:
    """Wait until every listener Bolt started (one that should not have, too) has run
    and the work after every ack is done."""
    world.settled()


def effects(world: SlackWorld) -> list[str]:
    """The Web API methods called since the last reset, but Bolt's own `auth.test` (it
    asks who the token is before the first listener runs)."""
    return [method for method, _params in world.fake.calls if method != "auth.test"]
