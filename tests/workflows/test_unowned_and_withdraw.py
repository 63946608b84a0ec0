"""A type nobody owns goes to the override reviewer, visibly; a withdrawn recommendation
leaves the owner's queue and its message says so."""

from __future__ import annotations

import pytest

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, parse_config
from core.domain import IngestStatus, Status
from storage.db import Database
from tests.support.data import make_rec
from workflows.decisions.service import record_accept
from workflows.delivery.worker import OutboxWorker
from workflows.errors import Withdrawn
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import Services, build_services
from workflows.views.queries import recommendation_detail


def test_unowned_type_goes_to_override_reviewer_with_event(
    database: Database, clock: AdjustableClock
) -> None:
    text = DEMO_CONFIG_PATH.read_text().replace(
        "  capacity_warning:\n    label: Capacity warning\n    owner: eve\n",
        "  capacity_warning:\n    label: Capacity warning\n",
        1,
    )
    services = build_services(database=database, config=parse_config(text), clock=clock)
    items = validate_batch(config=services.config, raw_items=[make_rec(type="capacity_warning")])
    [result] = ingest(services, items=items)
    assert result.owner == "greta" and result.note and "unowned" in result.note
    with database.transaction() as session:
        detail = recommendation_detail(session, result.id)
    assert detail and [e.kind for e in detail.events] == ["received", "unowned"]


def test_withdrawn_recommendation_cannot_be_decided(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    payload = make_rec()
    [created] = ingest(services, items=validate_batch(config=services.config, raw_items=[payload]))
    outbox.drain()
    [withdrawn] = ingest(
        services,
        items=validate_batch(config=services.config, raw_items=[{**payload, "withdrawn": True}]),
    )
    assert withdrawn.status == IngestStatus.WITHDRAWN
    outbox.drain()
    [sent] = chat.sent
    assert sent.message.status == "Withdrawn by the planning system" and sent.message.buttons == []
    with pytest.raises(Withdrawn):
        record_accept(services, recommendation_id=created.id, actor_id="ana", channel="local")
    with services.database.transaction() as session:
        detail = recommendation_detail(session, created.id)
    assert detail and detail.status == Status.WITHDRAWN
