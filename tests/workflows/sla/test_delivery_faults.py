"""Faults that are not the platform's: the database failing after a successful send is an
attempt like any other (counted, audited, bounded) and does not stop the rest of the
batch; and the daily cap holds with two replicas claiming at once. Both databases."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from core.chat import InMemoryChat, MessageRef, SendKey
from core.config import Person
from core.domain import OutboxState
from core.messages import Message
from storage.db import Database
from storage.models import OutboxItem
from tests.support.data import make_rec
from tests.support.sla import World
from workflows.delivery.failures import MAX_ATTEMPTS
from workflows.delivery.worker import OutboxWorker


def test_a_database_failure_after_the_send_is_counted_audited_and_bounded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = world.ingest(
        *[make_rec(sku=f"SKU-{n}") for n in range(3)], deliver=False
    )
    original = world.outbox._ref_row

    def failing_for_the_first(item: OutboxItem, ref: MessageRef, purpose: str) -> Any:
        if item.recommendation_id == first.id and item.person_id == "ana":
            raise OperationalError("INSERT INTO chat_messages", {}, Exception("disk I/O error"))
        return original(item, ref, purpose)

    monkeypatch.setattr(world.outbox, "_ref_row", failing_for_the_first)
    report = world.outbox.run_once()
    assert (report.sent, report.retried, report.failed) == (2, 1, 0)  # the batch went on
    errors = [e for e in world.events(first.id) if e.kind == "delivery_error"]
    assert len(errors) == 1 and "disk I/O error" in errors[0].data["error"]
    assert errors[0].data["attempt"] == 1
    for _ in range(MAX_ATTEMPTS):
        world.clock.advance(timedelta(minutes=30))  # past any backoff
        world.outbox.run_once()
    with world.services.database.transaction() as session:
        row = session.scalars(
            select(OutboxItem).where(
                OutboxItem.recommendation_id == first.id, OutboxItem.person_id == "ana"
            )
        ).one()
    assert row.state == OutboxState.FAILED and row.attempts == MAX_ATTEMPTS
    kinds = [e.kind for e in world.events(first.id)]
    assert kinds.count("delivery_error") == MAX_ATTEMPTS and "delivery_failed" in kinds
    assert [m.context[0] for m in world.received("dora")] == [
        "Could not reach Ana Lopez; sent to you instead."
    ]
    assert {e.kind for e in world.events(second.id)} >= {"delivered"}
    assert {e.kind for e in world.events(third.id)} >= {"delivered"}


def test_sends_made_while_the_database_is_away_are_recorded_once_it_is_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    recs = world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(3)], deliver=False)
    away = {"record": True, "polls": 0}
    original = world.outbox._ref_row
    database = world.outbox.database

    def refused_while_away(item: OutboxItem, ref: MessageRef, purpose: str) -> Any:
        if away["record"]:
            raise OperationalError("INSERT INTO chat_messages", {}, Exception("server closed"))
        return original(item, ref, purpose)

    def ping() -> bool:
        away["polls"] += 1
        if away["polls"] < 3:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        away["record"] = False  # the server is back
        return True

    monkeypatch.setattr(world.outbox, "_ref_row", refused_while_away)
    monkeypatch.setattr(database, "ping", ping)
    report = world.outbox.run_once()
    # The first send was recorded once the database answered; the rest were sent after it,
    # in the same run (not held back until their lease ran out); nothing counted as failed.
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert away["polls"] == 3
    assert len(world.received("ana")) == 3
    for rec in recs:
        kinds = [e.kind for e in world.events(rec.id)]
        assert kinds.count("delivered") == 1 and "delivery_error" not in kinds


class SlowChat(InMemoryChat):
    """Each send takes a while, so two workers' checks and sends interleave."""

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        time.sleep(0.05)
        return super().send(person=person, message=message, key=key)


def test_two_replicas_together_stay_within_the_daily_cap(world: World, db_url: str) -> None:
    cap = world.services.config.digest.daily_direct_cap
    assert cap == 15
    results = world.ingest(*[make_rec(sku=f"SKU-{n}") for n in range(cap + 9)], deliver=False)
    chat = SlowChat()
    databases = [Database(db_url) for _ in range(2)]
    workers = [
        OutboxWorker(database=d, config=world.services.config, chat=chat, clock=world.clock)
        for d in databases
    ]

    def deliver(worker: OutboxWorker) -> None:
        while sum(vars(worker.run_once(limit=2)).values()):
            pass

    threads = [threading.Thread(target=deliver, args=(w,)) for w in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for database in databases:
            database.dispose()
    assert len(chat.to("ana")) == cap
    digested = [r for r in results if world.rec(r.id).digest_on is not None]
    assert len(digested) == 9
