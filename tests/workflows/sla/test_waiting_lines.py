"""The escalation channel's daily line per person of what waits on them (issue 27,
"Channel copies"): counted by the queue's own rule, posted at the opening of each
person's business day, once per person and day for good (the outbox key is unique in
the database), through the normal delivery path. Both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxItem
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.base import WorkflowContext
from workflows.chat.inbox import queue_count
from workflows.decisions.service import record_accept
from workflows.digest.waiting import (
    Waiting,
    post_waiting_lines,
    waiting_line,
    waiting_now,
)


def post(world: World, settled: set[str] | None = None, database: Database | None = None) -> int:
    services = world.services
    return post_waiting_lines(
        WorkflowContext.of(
            database=database or services.database, config=services.config, clock=world.clock
        ),
        settled=settled,
    )


def lines(world: World) -> list[str]:
    """The channel's daily lines (the channel also holds one entry per escalated item)."""
    posted = [s.message.header for s in world.chat.sent if s.to == "#sop-decisions"]
    return [header for header in posted if header.startswith("Waiting on")]


def late_day(world: World) -> dict[str, int]:
    """Monday 09:00: three stock-out risks for Ana (due Mon 17:00, escalate to Ben at
    17:00 and to Greta Tue 12:00) and a supplier delay for Carl (due Mon 13:00; Ben at
    13:00, Greta Tue 12:00); Ben accepts one of Ana's at once; Tuesday 08:30 a fresh one
    for Ana (due Tue 16:30). The sweep runs at Tuesday 09:00."""
    ana = [r.id for r in world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(3)])]
    [carl] = world.ingest(make_rec(type="supplier_delay", supplier="SKF-DE", sku="SKU-9"))
    record_accept(world.services, recommendation_id=ana[0], actor_id="ana", channel="api")
    world.clock.set(berlin(2026, 12, 1, 8, 30))
    [fresh] = world.ingest(make_rec(sku="SKU-NEW"))
    world.at(berlin(2026, 12, 1, 9, 0))
    return {"carl": carl.id, "fresh": fresh.id}


def test_counts_by_hand(world: World) -> None:
    late_day(world)
    now = world.clock.now()
    counts = waiting_now(world.services.database, config=world.services.config, now=now)
    # Ana: two old ones past due (escalated away, still hers) + the fresh one not yet due.
    # Carl: his supplier delay, past due. Ben: three escalations to him, none his own.
    # Greta: nothing yet (level 2 comes at 12:00). The accepted one counts nowhere.
    assert counts == {
        "ana": Waiting(items=3, overdue=2, escalations=0),
        "carl": Waiting(items=1, overdue=1, escalations=0),
        "ben": Waiting(items=3, overdue=0, escalations=3),
    }
    for person, waiting in counts.items():  # the queue's own count agrees
        assert queue_count(world.services, person_id=person) == waiting.items
    world.at(berlin(2026, 12, 1, 12, 0))  # level 2: Greta gets the three too
    counts = waiting_now(world.services.database, config=world.services.config, now=now)
    assert counts["greta"] == Waiting(items=3, overdue=0, escalations=3)
    assert queue_count(world.services, person_id="greta") == 3


def test_an_item_due_this_very_moment_is_not_overdue(world: World) -> None:
    [rec] = world.ingest(make_rec())
    due = world.rec(rec.id).due_at
    counts = waiting_now(world.services.database, config=world.services.config, now=due)
    assert counts["ana"] == Waiting(items=1, overdue=0)
    later = due + timedelta(seconds=1)
    counts = waiting_now(world.services.database, config=world.services.config, now=later)
    assert counts["ana"] == Waiting(items=1, overdue=1)


def test_the_line_reads_short() -> None:
    assert waiting_line("Carl", Waiting(items=3, overdue=1, escalations=2)) == (
        "Waiting on Carl: 3 items (1 overdue, 2 escalations)"
    )
    assert waiting_line("Ana", Waiting(items=1)) == "Waiting on Ana: 1 item"
    assert (
        waiting_line("Ben", Waiting(items=1, escalations=1))
        == "Waiting on Ben: 1 item (1 escalation)"
    )


def test_once_per_person_and_business_day_across_restarts_and_replicas(
    world: World, db_url: str
) -> None:
    late_day(world)
    assert post(world) == 3  # Ana, Carl, Ben; nobody else has anything waiting
    world.outbox.drain()
    assert sorted(lines(world)) == [
        "Waiting on Ana Lopez: 3 items (2 overdue)",
        "Waiting on Ben Okafor: 3 items (3 escalations)",
        "Waiting on Carl Brandt: 1 item (1 overdue)",
    ]
    # The same process, a restarted one (nothing remembered), another replica: nothing more.
    settled: set[str] = set()
    assert post(world, settled) == 0 and post(world, settled) == 0
    replica = Database(db_url)
    try:
        assert post(world, set(), replica) == 0
    finally:
        replica.dispose()
    world.clock.set(berlin(2026, 12, 1, 16, 0))
    assert post(world, set()) == 0
    world.outbox.drain()
    assert len(lines(world)) == 3
    with world.services.database.read() as session:
        keys = session.scalars(
            select(OutboxItem.dedupe_key).where(OutboxItem.dedupe_key.like("waiting:%"))
        )
        assert sorted(keys) == [
            "waiting:ana:2026-12-01",
            "waiting:ben:2026-12-01",
            "waiting:carl:2026-12-01",
        ]


def test_at_the_opening_of_each_business_day_only(world: World) -> None:
    world.ingest(make_rec())
    world.clock.set(berlin(2026, 12, 1, 7, 59))  # Tuesday before opening
    assert post(world) == 0
    world.clock.set(berlin(2026, 12, 1, 8, 0))
    assert post(world) == 1
    world.clock.set(berlin(2026, 12, 5, 10, 0))  # Saturday: no business day
    assert post(world) == 0
    world.clock.set(berlin(2026, 12, 7, 8, 0))  # Monday: the next line
    assert post(world) == 1
    world.outbox.drain()
    assert lines(world) == ["Waiting on Ana Lopez: 1 item (1 overdue)"] * 2


def test_no_channel_no_lines(world: World) -> None:
    world.ingest(make_rec())
    services = world.services
    config = services.config.model_copy(update={"channel": None})
    world.clock.set(berlin(2026, 12, 1, 9, 0))
    queued = post_waiting_lines(
        WorkflowContext.of(database=services.database, config=config, clock=world.clock)
    )
    assert queued == 0
