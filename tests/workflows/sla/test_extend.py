"""Extend SLA: the escalation contact gives the owner more time, with a reason."""

from __future__ import annotations

import pytest

from core.messages import ButtonAction, InputKind
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.errors import InvalidInput, NotPermitted
from workflows.sla.extension import extend_sla


def extend(world: World, rec_id: int, due: str, actor: str = "ben", reason: str = "Supplier call"):
    return extend_sla(
        world.services,
        recommendation_id=rec_id,
        actor_id=actor,
        new_due=due,
        reason=reason,
        channel="local",
    )


def test_manager_extends_after_escalation(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 17, 0))
    [escalation] = world.received("ben")
    form = escalation.form_for(ButtonAction.EXTEND)
    assert form and [(i.name, i.kind) for i in form.inputs] == [
        ("due_at", InputKind.DATETIME),
        ("reason", InputKind.TEXT),
    ]
    world.clock.set(berlin(2026, 11, 30, 17, 30))
    extended = extend(world, rec.id, "2026-12-02T12:00")  # Ben's local time
    assert extended.due_at == berlin(2026, 12, 2, 12, 0)
    assert extended.summary.startswith("SLA extended to Wed 02 Dec 12:00 CET by Ben Okafor")
    stored = world.rec(rec.id)
    assert (stored.due_at, stored.escalation_level) == (berlin(2026, 12, 2, 12, 0), 0)
    world.outbox.drain()
    notice = world.received("ana")[-1]
    assert notice.text == "Ben Okafor extended the SLA to Wed 02 Dec 12:00 CET: Supplier call"
    assert "Due in 13 business hours (Wed 02 Dec 12:00 CET)" in world.received("ben")[0].state
    [event] = [e for e in world.events(rec.id) if e.kind == "sla_extended"]
    assert event.actor_id == "ben" and event.data["reason"] == "Supplier call"
    # Greta's step (Tue 12:00 under the old SLA) does not fire; the new clock runs instead:
    # a reminder at 50% of the new window (Tue 10:30), escalation at the new due time.
    assert [s.kind for s in world.at(berlin(2026, 12, 1, 12, 0)).steps] == ["reminder"]
    world.at(berlin(2026, 12, 2, 12, 0))
    # Ben's card is escalated again, with a follow-up under it (one card per person)
    assert len(world.received("ben")) == 1 and world.received("greta") == []
    [again] = world.follow_ups("ben")
    assert again.header.startswith("Escalated to you (level 1)")


def test_only_the_escalation_chain_may_extend_and_only_forward(world: World) -> None:
    [rec] = world.ingest(make_rec())
    with pytest.raises(NotPermitted):
        extend(world, rec.id, "2026-12-02T12:00", actor="ana")  # not one's own SLA
    with pytest.raises(NotPermitted):
        extend(world, rec.id, "2026-12-02T12:00", actor="dora")  # the backup neither
    with pytest.raises(InvalidInput) as no_reason:
        extend(world, rec.id, "2026-12-02T12:00", reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as earlier:
        extend(world, rec.id, "2026-11-30T16:00")
    assert earlier.value.field == "due_at"
    with pytest.raises(InvalidInput):
        extend(world, rec.id, "next week")
    assert extend(world, rec.id, "2026-12-01T17:00+01:00", actor="greta").due_at == berlin(
        2026, 12, 1, 17, 0
    )
