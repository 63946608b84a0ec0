"""The override-pattern trigger: one reason code for one entity three times within 30
days offers the override reviewer a rule, exactly at the threshold, once per pattern,
also when two replicas record the deciding overrides at the same moment."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import workflows.context.rules.decision_hooks as hooks
from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config
from storage.db import Database
from storage.models import ContextRule, OutboxItem, OverridePattern
from tests.support.data import make_rec
from tests.support.interviews import say, text_of
from workflows.decisions.service import record_override
from workflows.delivery.worker import OutboxWorker
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import Services, build_services

NOTES = [
    "ACME always confirms late in Q4",
    "Q4 again: ships on time",
    "Same as last month",
    "Still the Q4 habit",
]


def supplier_recs(services: Services, count: int, supplier: str = "ACME") -> list[int]:
    raw = [
        make_rec(type="supplier_delay", supplier=supplier, site="DC-NORTH") for _ in range(count)
    ]
    return [
        r.id for r in ingest(services, items=validate_batch(config=services.config, raw_items=raw))
    ]


def override(services: Services, rec_id: int, note: str, reason: str = "SUPPLIER_PATTERN"):
    return record_override(
        services,
        recommendation_id=rec_id,
        actor_id="carl",
        channel="memory",
        reason_code=reason,
        note=note,
    )


def patterns(database: Database) -> tuple[list[tuple[str, str, int]], list[str]]:
    """(entity kind, value, decisions counted) per pattern; the offers' outbox keys."""
    with database.transaction() as session:
        found = [
            (p.entity_kind, p.entity_value, len(p.decision_ids))
            for p in session.scalars(select(OverridePattern).order_by(OverridePattern.id))
        ]
        offers = list(
            session.scalars(
                select(OutboxItem.dedupe_key).where(
                    OutboxItem.dedupe_key.like("override-pattern:%")
                )
            )
        )
    return found, offers


def test_fires_exactly_at_the_threshold_once_and_offers_a_draft_with_the_notes(
    services: Services,
    database: Database,
    clock: AdjustableClock,
    outbox: OutboxWorker,
    chat: InMemoryChat,
) -> None:
    ids = supplier_recs(services, 5)
    override(services, ids[0], NOTES[0])
    override(services, ids[1], NOTES[1], reason="COST_TRADEOFF")  # another reason: not counted
    clock.advance(timedelta(hours=1))
    override(services, ids[2], NOTES[2])
    assert patterns(database) == ([], [])
    override(services, ids[3], NOTES[3])  # the third SUPPLIER_PATTERN for ACME
    found, offers = patterns(database)
    assert found == [("supplier", "ACME", 3), ("sku", "SKU-4711", 3), ("site", "DC-NORTH", 3)]
    assert len(offers) == 1  # one offer, naming the other entities too
    override(services, ids[4], "fourth")
    assert patterns(database) == (found, offers)  # once per pattern
    with database.transaction() as session:
        pattern = session.scalars(select(OverridePattern).order_by(OverridePattern.id)).first()

    outbox.drain()
    offer = next(m for m in chat.to("greta") if "supplier ACME" in m.header)
    assert offer.header == "Override pattern: Known supplier pattern for supplier ACME"
    assert any(NOTES[0] in line for line in offer.sections[0].lines)
    assert f"`rules draft {pattern.id}`" in text_of(offer)
    assert "`interview @carl suppliers`" in text_of(offer)
    assert "also repeats for site DC-NORTH" in text_of(offer)

    drafted = say(services, "greta", f"rules draft {pattern.id}")
    assert "Context rule: acme-supplier-pattern" in text_of(drafted)
    assert say(services, "greta", f"rules draft {pattern.id}") == drafted  # the same draft
    with database.transaction() as session:
        rule = session.scalars(select(ContextRule)).one()
    assert rule.status == "draft" and rule.entity_value == "ACME"
    assert NOTES[0] in rule.effect and NOTES[3] in rule.effect and rule.owner_id == "carl"
    assert "Only a facilitator" in text_of(say(services, "carl", f"rules draft {pattern.id}"))


def test_overrides_older_than_the_window_do_not_count(
    services: Services, database: Database, clock: AdjustableClock
) -> None:
    ids = supplier_recs(services, 3)
    override(services, ids[0], "old news")
    clock.advance(timedelta(days=31))
    override(services, ids[1], NOTES[1])
    override(services, ids[2], NOTES[2])
    assert patterns(database) == ([], [])


@pytest.mark.parametrize("committed_before", [1, 2])
def test_two_replicas_deciding_together_offer_the_pattern_once(
    database: Database,
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    committed_before: int,
) -> None:
    """Two decisions in flight at once, each in its own process-like service: with one
    override committed before, neither alone sees three (the count must wait for the
    other); with two, both see three (the unique key must keep one)."""
    ids = supplier_recs(services, committed_before + 2)
    for i in range(committed_before):
        override(services, ids[i], NOTES[i])
    replicas = [
        build_services(database=Database(db_url), config=config, clock=clock) for _ in range(2)
    ]
    barrier = threading.Barrier(2, timeout=1.5)
    original = hooks.detect_override_pattern

    def both_in_flight(*args: Any, **kwargs: Any) -> list[int]:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()  # SQLite queues writers, so there the barrier just times out
        return original(*args, **kwargs)

    monkeypatch.setattr(hooks, "detect_override_pattern", both_in_flight)
    threads = [
        threading.Thread(target=override, args=(replica, rec_id, "together"))
        for replica, rec_id in zip(replicas, ids[committed_before:], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found, offers = patterns(database)
    assert [(kind, value) for kind, value, _ in found] == [
        ("supplier", "ACME"),
        ("sku", "SKU-4711"),
        ("site", "DC-NORTH"),
    ]
    assert len(offers) == 1
    for replica in replicas:
        replica.database.dispose()
