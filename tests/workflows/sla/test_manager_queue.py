"""The manager's queue lists the escalations waiting on them: the demo's stock-out risks
(owner Ana, 8 business hours) escalate at Monday 17:00 to her manager Ben and four
business hours later to Greta. Before that Ben's queue does not hold them; once
escalated, his queue (and its count, the tab's header) does; level 2 adds them to
Greta's; a decision takes them off every queue. Both databases."""

from __future__ import annotations

from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.chat.inbox import queue_count, queue_page
from workflows.decisions.service import record_accept


def ids(world: World, person: str) -> set[int]:
    page = queue_page(world.services, person_id=person, per_page=50)
    assert page.total == queue_count(world.services, person_id=person) == len(page.items)
    return {m.recommendation_id for m in page.items if m.recommendation_id is not None}


def test_escalations_wait_in_the_managers_queue(world: World) -> None:
    late = [r.id for r in world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(3)])]
    assert {world.rec(i).owner_id for i in late} == {"ana"}
    assert ids(world, "ben") == set() and ids(world, "greta") == set()

    world.at(berlin(2026, 11, 30, 18, 0))  # past due: level 1, to Ben
    assert {world.rec(i).escalation_level for i in late} == {1}
    fresh = world.ingest(make_rec(sku="SKU-NEW"))[0].id  # not escalated: Ana's alone
    assert ids(world, "ben") == set(late)
    assert ids(world, "greta") == set()
    assert ids(world, "ana") == {*late, fresh}

    world.at(berlin(2026, 12, 1, 13, 0))  # four business hours on: level 2, to Greta
    assert ids(world, "greta") >= set(late)
    assert ids(world, "ben") >= set(late)

    record_accept(world.services, recommendation_id=late[0], actor_id="ben", channel="api")
    assert late[0] not in ids(world, "ben") | ids(world, "greta") | ids(world, "ana")
