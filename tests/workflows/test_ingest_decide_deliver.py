"""The core loop on both databases: in, routed, delivered, decided, updated in place."""

from __future__ import annotations

import pytest

from core.chat import InMemoryChat
from core.domain import Action, IngestStatus, Status, Tier
from tests.support.data import make_rec
from tests.support.intake import ingest
from workflows.decisions.service import (
    DecisionRequest,
    decide,
    record_accept,
    record_override,
    record_reassign,
)
from workflows.delivery.worker import OutboxWorker
from workflows.errors import AlreadyDecided, InvalidInput, NotPermitted
from workflows.intake.validation import BatchRejected, validate_batch
from workflows.service import Services
from workflows.views.queries import recommendation_detail


def test_ingest_routes_to_default_owner_and_delivers(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [result] = ingest(services, make_rec())
    assert result.status == IngestStatus.CREATED
    assert result.owner == "ana"
    assert result.tier == Tier.DIRECT
    outbox.drain()
    [message] = chat.to("ana")
    assert message.header.startswith("Stockout risk")
    assert [b.label for b in message.buttons] == ["Accept", "Override", "Reassign"]
    why = next(s for s in message.sections if s.title == "Why")
    assert any("Confidence 82%, interval 180-310 pcs" in line for line in why.lines)
    assert any("entry lag" in line for line in why.lines)


def test_routing_by_scope_first_match_wins(services: Services) -> None:
    results = ingest(
        services,
        make_rec(site="PLANT-2"),
        make_rec(type="supplier_delay", supplier="SKF-DE", site="PLANT-2"),
        make_rec(type="supplier_delay", supplier="OTHER", site="PLANT-2"),
        make_rec(type="supplier_delay", supplier="OTHER", site="DC-NORTH"),
    )
    assert [r.owner for r in results] == ["dora", "carl", "dora", "carl"]


def test_repeat_is_duplicate_and_changes_nothing(services: Services) -> None:
    payload = make_rec()
    [first] = ingest(services, payload)
    [again] = ingest(services, payload)
    assert again.status == IngestStatus.DUPLICATE and again.id == first.id
    with services.database.transaction() as session:
        detail = recommendation_detail(session, first.id)
    assert detail is not None and [e.kind for e in detail.events] == ["received"]


def test_revision_updates_open_recommendation_and_refreshes_message(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    payload = make_rec()
    [first] = ingest(services, payload)
    outbox.drain()
    [revised] = ingest(services, {**payload, "revision": 2, "quantity": 300})
    assert revised.status == IngestStatus.REVISED
    outbox.drain()
    assert chat.sent[0].versions == 2
    assert any(f.value == "300 pcs" for f in chat.sent[0].message.fields)
    [stale] = ingest(services, {**payload, "revision": 1, "quantity": 5})
    assert stale.status == IngestStatus.DUPLICATE


def test_low_confidence_goes_to_digest_tier_not_a_message(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [result] = ingest(services, make_rec(confidence=0.3))
    assert result.tier == Tier.DIGEST
    outbox.drain()
    assert chat.sent == []


def test_auto_accept_tells_owner_and_leaves_override_open(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [result] = ingest(services, make_rec(type="expedite", confidence=0.99))
    assert result.tier == Tier.AUTO
    outbox.drain()
    [message] = chat.to("carl")
    assert message.status and "automatically" in message.status
    assert [b.label for b in message.buttons] == ["Override"]
    with pytest.raises(AlreadyDecided):
        decide(services, DecisionRequest(result.id, "carl", Action.ACCEPT, "api"))
    decide(
        services,
        DecisionRequest(result.id, "carl", Action.OVERRIDE, "api", reason_code="COST_TRADEOFF"),
    )


def test_batch_with_a_bad_item_names_every_problem(services: Services) -> None:
    with pytest.raises(BatchRejected) as caught:
        validate_batch(
            config=services.config,
            raw_items=[make_rec(), make_rec(confidence=3), make_rec(type="nope"), {"title": "x"}],
        )
    fields = {(e.index, e.field) for e in caught.value.errors}
    assert (1, "confidence") in fields and (2, "type") in fields
    assert (3, "external_id") in fields and (3, "action") in fields


def test_accept_updates_message_in_place(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [result] = ingest(services, make_rec())
    outbox.drain()
    recorded = record_accept(services, recommendation_id=result.id, actor_id="ana", channel="local")
    assert recorded.summary.startswith("Accepted by Ana Lopez at")
    outbox.drain()
    [sent] = chat.sent
    assert sent.versions == 2
    assert sent.message.buttons == [] and sent.message.status.startswith("Accepted by Ana Lopez")
    with pytest.raises(AlreadyDecided, match="Already decided .accept. by Ana Lopez"):
        record_override(
            services,
            recommendation_id=result.id,
            actor_id="ana",
            channel="local",
            reason_code="COST_TRADEOFF",
        )


def test_override_needs_reason_and_note_where_the_code_says(services: Services) -> None:
    [result] = ingest(services, make_rec())
    with pytest.raises(InvalidInput) as missing_reason:
        record_override(
            services, recommendation_id=result.id, actor_id="ana", channel="local", reason_code=None
        )
    assert missing_reason.value.field == "reason_code"
    with pytest.raises(InvalidInput) as missing_note:
        record_override(
            services,
            recommendation_id=result.id,
            actor_id="ana",
            channel="local",
            reason_code="SUPPLIER_PATTERN",
        )
    assert missing_note.value.field == "note"
    record_override(
        services,
        recommendation_id=result.id,
        actor_id="ana",
        channel="local",
        reason_code="SUPPLIER_PATTERN",
        note="Q4 lead times",
        value=150,
    )
    with services.database.transaction() as session:
        detail = recommendation_detail(session, result.id)
    assert detail and detail.status == Status.DECIDED
    assert detail.decision and detail.decision.reason_code == "SUPPLIER_PATTERN"
    assert detail.decision.value == 150


def test_only_owner_backup_or_escalation_may_decide(services: Services) -> None:
    [result] = ingest(services, make_rec())  # owner ana, backup dora, manager ben, then greta
    with pytest.raises(NotPermitted):
        record_accept(services, recommendation_id=result.id, actor_id="finn", channel="local")
    recorded = record_accept(services, recommendation_id=result.id, actor_id="ben", channel="local")
    assert recorded.role == "escalation"
    with services.database.transaction() as session:
        detail = recommendation_detail(session, result.id)
    assert detail and "decision_refused" in [e.kind for e in detail.events]
    assert detail.decision and detail.decision.on_behalf_of == "ana"


def test_reassign_keeps_owner_history_and_delivers_to_new_owner(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [result] = ingest(services, make_rec())
    outbox.drain()
    with pytest.raises(InvalidInput):
        record_reassign(
            services,
            recommendation_id=result.id,
            actor_id="ana",
            channel="local",
            to="dora",
            note="",
        )
    record_reassign(
        services,
        recommendation_id=result.id,
        actor_id="ana",
        channel="local",
        to="dora",
        note="PLANT-2 stock, Dora's call",
    )
    outbox.drain()
    [to_dora] = chat.to("dora")
    assert any("Handed over to you by Ana Lopez" in line for line in to_dora.state)
    ana_view = chat.to("ana")[0]  # updated in place: Dora owns it, Ana is now the backup
    assert {"label": "Owner", "value": "Dora Novak"} in [f.model_dump() for f in ana_view.fields]
    with services.database.transaction() as session:
        detail = recommendation_detail(session, result.id)
    assert detail and [o.owner for o in detail.owners] == ["ana", "dora"]
    record_accept(services, recommendation_id=result.id, actor_id="dora", channel="local")


def test_permanent_delivery_failure_falls_back_to_backup(services: Services) -> None:
    chat = InMemoryChat(unreachable=["ana"])
    worker = OutboxWorker(
        database=services.database, config=services.config, chat=chat, clock=services.clock
    )
    [result] = ingest(services, make_rec())
    worker.drain()
    [message] = chat.to("dora")
    assert "Could not reach Ana Lopez" in message.context[0]
    with services.database.transaction() as session:
        detail = recommendation_detail(session, result.id)
    assert detail and "delivery_failed" in [e.kind for e in detail.events]


def test_transient_failure_is_retried_after_backoff(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat, clock
) -> None:
    from datetime import timedelta

    ingest(services, make_rec())
    chat.fail_next(1, retry_after=30)
    report = outbox.run_once()
    assert report.retried == 1 and chat.sent == []
    clock.advance(timedelta(seconds=10))
    assert outbox.run_once().sent == 0
    clock.advance(timedelta(seconds=25))
    assert outbox.run_once().sent == 1
