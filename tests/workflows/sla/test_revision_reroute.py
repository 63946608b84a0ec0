"""A newer revision is routed again (issue #11, "The right person"): when the routed
owner changes it is a hand-over in the owner history, the old owner's message says so,
the new owner gets the recommendation and the SLA clock restarts for them; when only
the due time changes, the due time and the SLA schedule follow. Decided and withdrawn
recommendations stay as they are. Both databases; the CSV path here, HTTP in tests/bot/api."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from core.domain import IngestStatus
from core.messages import ButtonAction
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept, record_reassign
from workflows.intake.file_import import import_recommendations
from workflows.views.queries import recommendation_detail

HANDED_OVER = "Handed over to Dora Novak after revision 2"


def _detail(world: World, rec_id: int) -> Any:
    with world.services.database.transaction() as session:
        detail = recommendation_detail(session, rec_id)
        assert detail is not None
        return detail


def _reminders(world: World, person: str) -> list[str]:
    return [h for h in world.headers(person) if h.startswith("Reminder:")]


def _escalations(world: World, person: str) -> list[str]:
    return [h for h in world.headers(person) if h.startswith("Escalated:")]


def test_a_revision_that_changes_the_site_hands_over_and_restarts_the_clock(
    world: World,
) -> None:
    payload = make_rec()  # DC-NORTH: Ana, due Mon 17:00, reminders 13:00 and 16:12
    [first] = world.ingest(payload)
    assert first.owner == "ana" and first.due_at == berlin(2026, 11, 30, 17)
    world.clock.set(berlin(2026, 11, 30, 12))
    [revised] = world.ingest({**payload, "revision": 2, "site": "DC-SOUTH"})
    assert revised.status == IngestStatus.REVISED
    # DC-SOUTH is Dora's: 8 business hours from now in her calendar (Prague, CET).
    assert (revised.owner, revised.due_at) == ("dora", berlin(2026, 12, 1, 11))
    rec = world.rec(first.id)
    assert (rec.owner_id, rec.backup_id, rec.due_at) == ("dora", "ana", berlin(2026, 12, 1, 11))

    detail = _detail(world, first.id)
    assert [o.owner for o in detail.owners] == ["ana", "dora"]
    handover = detail.owners[-1]
    assert handover.assigned_by is None and handover.reason == "re-routed by revision 2"
    [event] = [e for e in detail.events if e.kind == "reassigned"]
    assert event.data["previous_owner"] == "ana" and event.data["new_owner"] == "dora"
    assert event.data["revision"] == 2

    [to_dora] = world.received("dora")
    assert ButtonAction.ACCEPT in {b.action for b in to_dora.buttons}
    assert "Re-routed to you from Ana Lopez by revision 2" in to_dora.state
    [to_ana] = world.received("ana")  # her first message, redrawn
    assert HANDED_OVER in to_ana.state

    world.at(berlin(2026, 11, 30, 13, 30))  # Ana's old first reminder has passed
    assert _reminders(world, "ana") == [] and _reminders(world, "dora") == []
    world.at(berlin(2026, 11, 30, 16, 1))  # half of Dora's 8 business hours
    assert _reminders(world, "ana") == [] and len(_reminders(world, "dora")) == 1
    world.at(berlin(2026, 11, 30, 17, 1))  # Ana's old due time: nothing escalates
    assert _escalations(world, "ben") == []
    world.at(berlin(2026, 12, 1, 11, 1))  # Dora's due time
    assert len(_escalations(world, "ben")) == 1


def test_the_old_owners_pending_sla_steps_are_cancelled(world: World) -> None:
    payload = make_rec()
    [first] = world.ingest(payload)
    world.at(berlin(2026, 11, 30, 17, 1), deliver=False)  # escalation to Ben queued, unsent
    world.clock.set(berlin(2026, 11, 30, 17, 5))
    world.ingest({**payload, "revision": 2, "site": "DC-SOUTH"})
    assert _escalations(world, "ben") == []
    assert len(world.received("dora")) == 1
    assert world.rec(first.id).escalation_level == 0


def test_same_owner_new_respond_by_moves_the_due_time_and_the_schedule(world: World) -> None:
    payload = make_rec()
    [first] = world.ingest(payload)
    world.clock.set(berlin(2026, 11, 30, 10))
    respond_by = berlin(2026, 12, 1, 17)
    [revised] = world.ingest(
        {**payload, "revision": 2, "quantity": 300, "respond_by": respond_by.isoformat()}
    )
    assert (revised.owner, revised.due_at) == ("ana", respond_by)
    assert [o.owner for o in _detail(world, first.id).owners] == ["ana"]  # no hand-over
    # 17 business hours from Mon 09:00 (the clock did not restart): half is Tue 08:30.
    world.at(berlin(2026, 11, 30, 13, 30))
    assert _reminders(world, "ana") == []
    world.at(berlin(2026, 12, 1, 8, 31))
    assert len(_reminders(world, "ana")) == 1
    world.at(berlin(2026, 11, 30, 17, 1))
    assert _escalations(world, "ben") == []


def test_a_manual_reassignment_survives_a_revision_that_routes_the_same(world: World) -> None:
    payload = make_rec()
    [first] = world.ingest(payload)
    record_reassign(
        world.services,
        recommendation_id=first.id,
        actor_id="ana",
        channel="api",
        to="eve",
        note="Eve covers",
    )
    [same] = world.ingest({**payload, "revision": 2, "quantity": 260})
    assert same.owner == "eve"
    [moved] = world.ingest({**payload, "revision": 3, "site": "DC-SOUTH"})
    assert moved.owner == "dora"
    owners = _detail(world, first.id).owners
    assert [(o.owner, o.assigned_by, o.reason) for o in owners[1:]] == [
        ("eve", "ana", "Eve covers"),
        ("dora", None, "re-routed by revision 3"),
    ]


def test_a_decided_or_withdrawn_recommendation_is_not_reopened(world: World) -> None:
    decided, withdrawn = make_rec(), make_rec()
    [a, b] = world.ingest(decided, withdrawn)
    record_accept(world.services, recommendation_id=a.id, actor_id="ana", channel="api")
    world.ingest({**withdrawn, "revision": 2, "withdrawn": True})
    results = world.ingest(
        {**decided, "revision": 2, "site": "DC-SOUTH"},
        {**withdrawn, "revision": 3, "site": "DC-SOUTH"},
    )
    assert [(r.status, r.owner) for r in results] == [(IngestStatus.DUPLICATE, "ana")] * 2
    for rec_id in (a.id, b.id):
        assert [o.owner for o in _detail(world, rec_id).owners] == ["ana"]
    assert world.received("dora") == []


def _write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    columns = ["external_id", "source", "type", "title", "action", "site", "confidence", "revision"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def test_a_revision_from_a_csv_file_is_routed_again(world: World, tmp_path: Path) -> None:
    row: dict[str, object] = {
        "external_id": "csv-1",
        "source": "erp",
        "type": "stockout_risk",
        "title": "SKU-1 at DC-NORTH",
        "action": "Move 10",
        "site": "DC-NORTH",
        "confidence": "0.8",
        "revision": "1",
    }
    services = world.services
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    _write_csv(first, [row])
    _write_csv(second, [{**row, "site": "PLANT-2", "revision": "2"}])
    assert import_recommendations(services, path=first).created == 1
    world.outbox.drain()
    world.clock.set(berlin(2026, 11, 30, 12))
    assert import_recommendations(services, path=second).revised == 1
    world.outbox.drain()
    [rec_id] = [m.recommendation_id for m in world.received("dora")]
    assert rec_id is not None
    rec = world.rec(rec_id)
    assert (rec.owner_id, rec.due_at) == ("dora", berlin(2026, 12, 1, 11))
    assert any("after revision 2" in line for line in world.received("ana")[0].state)
