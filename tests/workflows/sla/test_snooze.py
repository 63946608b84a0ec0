"""Snooze moves reminders, never the SLA."""

from __future__ import annotations

import pytest

from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.errors import InvalidInput, NotPermitted
from workflows.sla import snooze as snoozing


def snooze(world: World, rec_id: int, choice: str, actor: str = "ana"):
    return snoozing.snooze(
        world.services, recommendation_id=rec_id, actor_id=actor, choice=choice, channel="local"
    )


def test_snooze_1h_reminds_again_and_keeps_the_due_time(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0))
    snoozed = snooze(world, rec.id, "1h")
    assert snoozed.until == berlin(2026, 11, 30, 14, 0)
    assert "still due Mon 30 Nov 17:00" in snoozed.summary
    stored = world.rec(rec.id)
    assert stored.due_at == rec.due_at and stored.next_action_at == berlin(2026, 11, 30, 14, 0)
    world.outbox.drain()
    assert "Reminders snoozed until Mon 30 Nov 14:00 CET" in world.received("ana")[-1].state
    assert world.at(berlin(2026, 11, 30, 13, 59)).steps == []
    world.at(berlin(2026, 11, 30, 14, 0))
    assert len(world.received("ana")) == 1 and world.received("ana")[-1].header.startswith(
        "Reminder:"
    )
    assert len(world.follow_ups("ana")) == 2
    world.at(berlin(2026, 11, 30, 16, 12))  # the 90% reminder still comes
    world.at(berlin(2026, 11, 30, 17, 0))  # and the escalation at the unchanged due time
    assert len(world.follow_ups("ana")) == 3 and len(world.received("ben")) == 1
    [event] = [e for e in world.events(rec.id) if e.kind == "snoozed"]
    assert event.actor_id == "ana" and event.data["choice"] == "1h"


def test_snooze_past_the_due_time_stops_at_the_due_time(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0))
    snoozed = snooze(world, rec.id, "nbd")
    assert snoozed.until == rec.due_at  # next business day would be after the SLA
    assert world.at(berlin(2026, 11, 30, 16, 12)).steps == []  # the 90% reminder waits
    report = world.at(berlin(2026, 11, 30, 17, 0))
    assert [s.kind for s in report.steps] == ["escalation"]
    assert world.rec(rec.id).due_at == rec.due_at


def test_snooze_4h_counts_business_hours(world: World) -> None:
    world.clock.set(berlin(2026, 11, 30, 8, 0))
    [rec] = world.ingest(make_rec(), make_rec(type="demand_revision"))[1:]  # Finn, 2 days
    world.clock.set(berlin(2026, 11, 30, 15, 0))
    snoozed = snooze(world, rec.id, "4h", actor="finn")
    assert snoozed.until == berlin(2026, 12, 1, 10, 0)  # 2h today, 2h tomorrow morning


def test_who_and_when_may_snooze(world: World) -> None:
    [rec] = world.ingest(make_rec())
    with pytest.raises(NotPermitted):
        snooze(world, rec.id, "1h", actor="ben")  # the manager escalates; he doesn't snooze
    with pytest.raises(InvalidInput):
        snooze(world, rec.id, "2d")
    snooze(world, rec.id, "1h", actor="dora")  # the backup may
    world.clock.set(berlin(2026, 11, 30, 17, 0))
    with pytest.raises(NotPermitted, match="never moves the SLA"):
        snooze(world, rec.id, "1h")
