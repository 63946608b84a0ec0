"""Reminder delivery through the outbox: transient failures back off (honouring
Retry-After) up to a bound, then the delivery-failed event and the fallback person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.domain import OutboxState
from storage.models import OutboxItem
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.delivery.failures import MAX_ATTEMPTS


def test_reminder_retries_then_gives_up_and_reaches_the_backup(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0), deliver=False)
    world.chat.fail_next(MAX_ATTEMPTS, retry_after=30)
    for attempt in range(MAX_ATTEMPTS):
        report = world.outbox.run_once()
        assert (report.retried, report.failed) == ((1, 0) if attempt < MAX_ATTEMPTS - 1 else (0, 1))
        world.clock.advance(timedelta(minutes=30))  # past any backoff
    with world.services.database.transaction() as session:
        row = session.scalars(
            select(OutboxItem).where(
                OutboxItem.dedupe_key.like("sla:%"), OutboxItem.dedupe_key.not_like("%:fallback:%")
            )
        ).one()
    assert row.state == OutboxState.FAILED and row.attempts == MAX_ATTEMPTS
    assert "delivery_failed" in [e.kind for e in world.events(rec.id)]
    world.outbox.drain()
    [to_backup] = world.received("dora")
    assert to_backup.context[0] == "Could not reach Ana Lopez; sent to you instead."


def test_retry_after_is_honoured_for_a_reminder(world: World) -> None:
    world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0), deliver=False)
    world.chat.fail_next(1, retry_after=120)
    assert world.outbox.run_once().retried == 1
    world.clock.advance(timedelta(seconds=100))
    assert world.outbox.run_once().sent == 0
    world.clock.advance(timedelta(seconds=30))
    assert world.outbox.run_once().sent == 1
