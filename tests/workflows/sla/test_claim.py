"""The sweep reads due rows at driver level (date-times converted once per distinct
value): what it sees must be exactly what the ORM reads, on every backend."""

from __future__ import annotations

from datetime import UTC

from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.sla.schedule import SlaState
from workflows.sla.snooze import snooze
from workflows.sla.sweep import claim


def test_claim_reads_what_the_orm_reads(world: World) -> None:
    first, second = world.ingest(make_rec(), make_rec(external_id="REC-2"))
    snooze(
        world.services, recommendation_id=second.id, actor_id="ana", choice="1h", channel="local"
    )
    with world.services.database.transaction() as session:
        claimed = claim(session, berlin(2026, 12, 31, 9), limit=None, lock=False)
    expected = [SlaState.of(world.rec(rec.id)) for rec in (first, second)]
    assert sorted(claimed, key=lambda state: state.id) == expected
    for state in claimed:
        assert state.received_at.tzinfo is UTC and state.due_at.tzinfo is UTC
    assert claimed[0].received_at is claimed[1].received_at  # one object per instant
    assert [state.snoozed_until is not None for state in claimed].count(True) == 1
