"""A decision and a withdrawal (or revision) racing each other: the decision that
committed wins and the recommendation never changes after it, on both databases."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import workflows.decisions.service as decisions_module
from core.chat import InMemoryChat
from core.domain import IngestStatus, Status
from tests.support.data import make_rec
from tests.support.locks import LockWait
from workflows.decisions.service import record_accept, record_reassign
from workflows.delivery.worker import OutboxWorker
from workflows.errors import NotPermitted
from workflows.intake import ingestion as ingestion
from workflows.intake.validation import validate_batch
from workflows.service import Services
from workflows.views.queries import recommendation_detail


@pytest.mark.parametrize("change", [{"withdrawn": True}, {"revision": 2, "quantity": 1}])
def test_decision_in_flight_wins_over_a_withdrawal_or_revision(
    services: Services, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    payload = make_rec()
    [created] = ingestion.ingest(
        services, items=validate_batch(config=services.config, raw_items=[payload])
    )
    row_updated = threading.Event()
    original = decisions_module.enqueue_refresh
    ingest = LockWait(services.database)

    def hold_the_transaction_open(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        row_updated.set()  # the decision's row is written, not yet committed
        ingest.until_blocked()  # commit only once the change waits on it

    monkeypatch.setattr(decisions_module, "enqueue_refresh", hold_the_transaction_open)
    decide = threading.Thread(
        target=lambda: record_accept(
            services, recommendation_id=created.id, actor_id="ana", channel="api"
        )
    )
    with ingest:
        decide.start()
        assert row_updated.wait(30)
        [answer] = ingestion.ingest(
            services,
            items=validate_batch(config=services.config, raw_items=[{**payload, **change}]),
        )
    decide.join()
    assert answer.status == IngestStatus.DUPLICATE
    with services.database.transaction() as session:
        detail = recommendation_detail(session, created.id)
    assert detail and detail.status == Status.DECIDED and detail.quantity == 240
    assert [d.kind for d in detail.decisions] == ["accept"]


def test_one_message_gone_for_good_does_not_stop_the_others_updating(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [created] = ingestion.ingest(
        services, items=validate_batch(config=services.config, raw_items=[make_rec()])
    )
    outbox.drain()
    record_reassign(
        services,
        recommendation_id=created.id,
        actor_id="ana",
        channel="api",
        to="dora",
        note="PLANT-2 stock",
    )
    outbox.drain()
    assert [s.to for s in chat.sent] == ["ana", "dora"]
    del chat.sent[0]  # Ana deleted her copy: updating it fails for good
    record_accept(services, recommendation_id=created.id, actor_id="dora", channel="api")
    outbox.drain()
    [dora] = chat.sent
    assert dora.message.status and dora.message.status.startswith("Accepted by Dora Novak")
    with services.database.transaction() as session:
        detail = recommendation_detail(session, created.id)
    assert detail and [e.kind for e in detail.events][-1] == "delivery_failed"


def test_an_accept_racing_a_reassignment_is_authorised_against_the_new_owner(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ben (the manager) hands Ana's recommendation to Carl while Ana clicks Accept: her
    accept must not be recorded as the owner's after ownership moved."""
    [created] = ingestion.ingest(
        services, items=validate_batch(config=services.config, raw_items=[make_rec()])
    )
    owner_changed = threading.Event()
    original = decisions_module.enqueue
    accept = LockWait(services.database)

    def hold_the_reassignment_open(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        owner_changed.set()  # the new owner is written, not yet committed
        accept.until_blocked()  # commit only once Ana's accept waits on it

    monkeypatch.setattr(decisions_module, "enqueue", hold_the_reassignment_open)
    reassign = threading.Thread(
        target=lambda: record_reassign(
            services,
            recommendation_id=created.id,
            actor_id="ben",
            channel="api",
            to="carl",
            note="Carl buys from this supplier",
        )
    )
    with accept:
        reassign.start()
        assert owner_changed.wait(30)
        with pytest.raises(NotPermitted):
            record_accept(services, recommendation_id=created.id, actor_id="ana", channel="api")
    reassign.join()
    with services.database.transaction() as session:
        detail = recommendation_detail(session, created.id)
    assert detail and detail.status == Status.OPEN and detail.owner == "carl"
    assert detail.decisions == []
