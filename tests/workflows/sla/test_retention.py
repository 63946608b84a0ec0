"""Pruning: delivered outbox rows of recommendations no longer open and old inbound
de-duplication keys go after the configured time; open recommendations' rows, failed
rows and the audit trail stay. Both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.domain import OutboxState
from storage.models import Event, OutboxItem, ProcessedDelivery
from tests.support.data import make_rec
from tests.support.sla import World
from workflows.decisions.service import record_accept
from workflows.delivery.retention import Pruner, PruneReport


def count(world: World, model: type, *where: object) -> int:
    with world.services.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_delivered_rows_and_old_keys_are_pruned_the_audit_trail_stays(world: World) -> None:
    decided, still_open = world.ingest(make_rec(), make_rec(sku="SKU-2"))
    record_accept(world.services, recommendation_id=decided.id, actor_id="ana", channel="api")
    world.outbox.drain()
    now = world.clock.now()
    with world.services.database.transaction() as session:
        session.add_all(
            [
                ProcessedDelivery(platform="slack", delivery_id="old", at=now - timedelta(days=8)),
                ProcessedDelivery(platform="slack", delivery_id="new", at=now - timedelta(days=1)),
            ]
        )
    events = count(world, Event)
    retention = world.services.config.retention
    pruner = Pruner(
        database=world.services.database,
        config=world.services.config,
        calendars=world.services.calendars,
        clock=world.clock,
    )
    assert pruner.prune(now=now) == PruneReport(outbox_rows=0, deduplication_keys=1)
    report = pruner.prune(now=now + retention.delivered_outbox + timedelta(minutes=1))
    assert report.outbox_rows == 2  # the decided one's delivery and its refresh
    assert count(world, OutboxItem, OutboxItem.recommendation_id == decided.id) == 0
    assert (
        count(
            world,
            OutboxItem,
            OutboxItem.recommendation_id == still_open.id,
            OutboxItem.state == OutboxState.SENT,
        )
        == 1
    )
    assert report.deduplication_keys == 1  # the newer key is older than 7 days by then
    assert count(world, Event) == events


def test_only_keys_past_their_retention_are_pruned(world: World) -> None:
    now = world.clock.now()
    with world.services.database.transaction() as session:
        session.add_all(
            [
                ProcessedDelivery(platform="teams", delivery_id="old", at=now - timedelta(days=8)),
                ProcessedDelivery(platform="teams", delivery_id="new", at=now - timedelta(days=1)),
            ]
        )
    pruner = Pruner(
        database=world.services.database,
        config=world.services.config,
        calendars=world.services.calendars,
        clock=world.clock,
    )
    assert pruner.run_once().deduplication_keys == 1
    assert count(world, ProcessedDelivery) == 1
