"""What a person reads names reasons by their label: the History line of a similar
recommendation says "Known supplier pattern", not SUPPLIER_PATTERN. Both databases."""

from __future__ import annotations

from core.chat import InMemoryChat
from tests.support.data import make_rec
from workflows.decisions.service import record_override
from workflows.delivery.worker import OutboxWorker
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import Services


def test_the_history_line_names_the_reason_by_its_label(
    services: Services, outbox: OutboxWorker, chat: InMemoryChat
) -> None:
    [first] = ingest(
        services,
        items=validate_batch(config=services.config, raw_items=[make_rec(supplier="SKF-DE")]),
    )
    record_override(
        services,
        recommendation_id=first.id,
        actor_id="ana",
        channel="api",
        reason_code="SUPPLIER_PATTERN",
        note="They over-promise in Q4",
    )
    [second] = ingest(
        services,
        items=validate_batch(config=services.config, raw_items=[make_rec(supplier="SKF-DE")]),
    )
    outbox.drain()
    [message] = [s.message for s in chat.sent if s.message.recommendation_id == second.id]
    [history] = [s for s in message.sections if s.title == "History"]
    assert history.lines == [
        "Similar recommendations: 1 of the last 1 overridden (Known supplier pattern)"
    ]
