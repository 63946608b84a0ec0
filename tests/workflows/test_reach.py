"""The reach router on its own: a transient failure stays on its platform (the outbox
retries it there; trying the next platform could deliver twice), a permanent one
moves on, and a person known on a later platform is sent there first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.chat import DeliveryError, InMemoryChat
from core.clock import AdjustableClock
from core.config import Config, Person
from core.messages import Message
from storage.db import Database
from storage.models import Event
from workflows.delivery.reach import Reach


class KnowingChat(InMemoryChat):
    """An in-memory platform that has an address for some people only."""

    def __init__(self, platform: str, *, known: set[str]) -> None:
        super().__init__(platform)
        self.known = known

    def knows(self, person: Person) -> bool:
        return person.id in self.known


def test_transient_failure_is_not_sent_elsewhere(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    first, second = InMemoryChat("one"), InMemoryChat("two")
    reach = Reach([first, second], database=database, clock=clock)
    first.fail_next(transient=True)
    with pytest.raises(DeliveryError) as raised:
        reach.send(person=config.person("ana"), message=Message(header="Hi"))
    assert raised.value.transient and second.sent == []


def test_known_platform_first_then_a_permanent_miss_moves_on(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    guess = InMemoryChat("guess")
    known = KnowingChat("known", known={"ana"})
    reach = Reach([guess, known], database=database, clock=clock)
    ana = config.person("ana")
    assert reach.send(person=ana, message=Message(header="Hi")).platform == "known"
    assert guess.sent == []
    known.fail_next(transient=False)
    ref = reach.send(person=ana, message=Message(header="Again", recommendation_id=None))
    assert ref.platform == "guess"
    with database.read() as session:
        [event] = session.scalars(select(Event).where(Event.kind == "platform_missed")).all()
        assert event.data["platform"] == "known" and event.data["next"] == "guess"
