"""Escalations skip an absent contact to the next level up (issue 24), audited with
"skipped X: away until ...", and whoever gets it instead may decide.

Hand-checked: an item received Mon 30 Nov 09:00 Berlin with respond_by 16:00 UTC (17:00
Berlin) escalates at 16:00 UTC. Ana's, Carl's and Eve's manager is Ben; Ben's manager is
Greta, who has none and is the override reviewer; Finn's manager is Greta."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from core.config import Config
from core.domain import EventKind, OutboxKind
from storage.models import Event, OutboxItem
from tests.support.data import MONDAY_9, make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept
from workflows.errors import NotPermitted
from workflows.ownership import set_absence
from workflows.ownership.absences import Away, next_level

DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
LEVEL_2 = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # stockout: 4 business hours later


def away(world: World, person: str, until: date = date(2026, 12, 18)) -> None:
    with world.services.database.transaction() as session:
        set_absence(
            session,
            config=world.services.config,
            now=MONDAY_9,
            actor_id=None,
            person_id=person,
            until=until,
            delegate_id=None,
        )


def escalations(world: World, rec_id: int) -> list[dict]:
    return [e.data for e in world.events(rec_id) if e.kind == EventKind.ESCALATED]


def escalation_rows(world: World, rec_id: int) -> list[tuple[str, str]]:
    with world.services.database.transaction() as session:
        rows = session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.recommendation_id == rec_id,
                OutboxItem.kind == OutboxKind.DELIVER,
                OutboxItem.dedupe_key.like("%:e_"),
            )
            .order_by(OutboxItem.id)
        )
        return [(r.dedupe_key[-2:], r.person_id) for r in rows]


def test_an_absent_manager_is_skipped_to_their_manager(world: World) -> None:
    [rec] = world.ingest(make_rec(respond_by=DUE.isoformat()))
    away(world, "ben")
    world.at(DUE)
    assert escalations(world, rec.id) == [
        {"to": "greta", "level": 1, "skipped": "skipped ben: away until 2026-12-18"}
    ]
    assert escalation_rows(world, rec.id) == [("e1", "greta")]
    assert [h.split(":")[0] for h in world.headers("greta")] == ["Escalated"]
    assert world.received("ben") == []
    # Level 2 is Greta's own (no skip); Ben never got anything.
    world.at(LEVEL_2)
    assert escalations(world, rec.id)[1] == {"to": "greta", "level": 2}
    assert world.received("ben") == []


def test_the_skip_target_may_decide_though_the_chain_does_not_name_them(
    world: World,
) -> None:
    """A capacity warning escalates only to the manager (Ben): Greta is on nobody's chain
    for it, so without the skip she could not decide the card she is sent."""
    [rec] = world.ingest(make_rec(type="capacity_warning", respond_by=DUE.isoformat()))
    with pytest.raises(NotPermitted):
        record_accept(world.services, recommendation_id=rec.id, actor_id="greta", channel="api")
    away(world, "ben")
    world.at(DUE)
    [escalated] = escalations(world, rec.id)
    assert escalated["to"] == "greta"
    [fallback] = [e for e in world.events(rec.id) if e.kind == EventKind.FALLBACK]
    assert fallback.data == {
        "to": "greta",
        "instead_of": "ben",
        "owner": "eve",
        "reason": "skipped ben: away until 2026-12-18",
    }
    [card] = world.received("greta")
    assert [b.label for b in card.buttons][:2] == ["Accept", "Override"]
    record_accept(world.services, recommendation_id=rec.id, actor_id="greta", channel="api")
    with world.services.database.transaction() as session:
        accepted = session.scalars(
            select(Event).where(Event.kind == EventKind.ACCEPTED, Event.recommendation_id == rec.id)
        ).one()
    assert (accepted.actor_id, accepted.data["on_behalf_of"]) == ("greta", "eve")


def test_nobody_left_above_means_it_still_goes_to_the_absent_contact(world: World) -> None:
    """Finn's demand revision escalates to Greta; away, she has no manager and is the
    override reviewer herself: an escalation must reach somebody, so it goes to her."""
    [rec] = world.ingest(make_rec(type="demand_revision", respond_by=DUE.isoformat()))
    away(world, "greta")
    world.at(DUE)
    assert escalations(world, rec.id) == [{"to": "greta", "level": 1}]


def test_after_the_absence_the_manager_gets_it_again(world: World) -> None:
    [rec] = world.ingest(make_rec(respond_by=DUE.isoformat()))
    away(world, "ben", until=date(2026, 11, 30))
    # Ben's absence ends Tue 1 Dec 00:00 Berlin; a second item due after it reaches him.
    later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    [other] = world.ingest(make_rec(respond_by=later.isoformat()))
    world.at(DUE)
    assert escalations(world, rec.id)[0]["to"] == "greta"
    world.at(later)
    assert escalations(world, other.id)[0] == {"to": "ben", "level": 1}


def test_next_level_walks_up_past_everyone_away(config: Config) -> None:
    def gone(*people: str) -> dict[str, Away]:
        until = date(2026, 12, 18)
        end = datetime(2026, 12, 18, 23, 0, tzinfo=UTC)
        return {p: Away(p, until, end, None, p) for p in people}

    assert next_level(config, {}, target="ben", owner_id="ana") == ("ben", [])
    assert next_level(config, gone("ben"), target="ben", owner_id="ana") == ("greta", ["ben"])
    # Ben's manager is Greta; when Greta owns the item she is never its escalation.
    assert next_level(config, gone("ben"), target="ben", owner_id="greta") == ("ben", [])
    # Greta away too: nobody above, the reviewer is Greta: back to Ben.
    assert next_level(config, gone("ben", "greta"), target="ben", owner_id="ana") == ("ben", [])
