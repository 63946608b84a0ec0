"""A step is sent once: the same sweep twice, sweeps racing in threads, and a row whose
progress was lost all leave exactly one outbox row per (recommendation, step). Both
databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, update

from core.domain import OutboxKind
from storage.db import Database
from storage.models import OutboxItem, SlaClock
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.sla.sweep import sweep


def reminder_rows(world: World) -> int:
    with world.services.database.transaction() as session:
        query = (
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.kind == OutboxKind.DELIVER, OutboxItem.dedupe_key.like("sla:%"))
        )
        return session.scalar(query) or 0


def test_sweep_twice_at_the_same_time_sends_nothing_twice(world: World) -> None:
    world.ingest(*[make_rec() for _ in range(5)])
    moment = berlin(2026, 11, 30, 13, 0)
    first = world.at(moment)
    second = world.at(moment)
    assert len(first.steps) == 5 and second.steps == []
    assert reminder_rows(world) == 5
    assert len(world.received("ana")) == 5  # 5 cards, each with its reminder under it
    assert len(world.follow_ups("ana")) == 5


def test_lost_progress_cannot_resend_a_step(world: World) -> None:
    """If a row's progress were rolled back (a restore, a bug), the unique key on the
    outbox still refuses the step it already wrote."""
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0))
    with world.services.database.transaction() as session:
        session.execute(
            update(SlaClock)
            .where(SlaClock.recommendation_id == rec.id)
            .values(reminders_sent=0, next_action_at=berlin(2026, 11, 30, 13, 0))
        )
    report = world.at(berlin(2026, 11, 30, 13, 0))
    assert len(report.steps) == 1  # the sweep believed it was due ...
    assert reminder_rows(world) == 1  # ... the database did not take it twice
    assert len(world.received("ana")) == 1 and len(world.follow_ups("ana")) == 1


def test_racing_sweeps_claim_each_step_once(world: World, db_url: str) -> None:
    world.ingest(*[make_rec() for _ in range(120)], deliver=False)  # under the daily cap
    moment = berlin(2026, 11, 30, 13, 0)
    services = world.services

    def one_sweep(_: int) -> int:
        database = Database(db_url)  # its own engine, like another replica
        try:
            report = sweep(
                database=database,
                config=services.config,
                calendars=services.calendars,
                now=moment,
                batch=25,
            )
            return len(report.steps)
        finally:
            database.dispose()

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(one_sweep, range(4)))
    assert sum(counts) == 120
    assert reminder_rows(world) == 120
