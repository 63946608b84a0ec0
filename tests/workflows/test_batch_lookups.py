"""The outbox draws a claimed batch's messages with lookups read for the whole batch
(`BatchLookups`): every line must be what the per-message reads (`SessionLookups`) give,
including a recommendation's own decisions left out of its history, scopes by supplier,
customer and item at site, and a site that is empty. Both databases."""

from __future__ import annotations

from sqlalchemy import event, select

from storage.models import Recommendation
from tests.support.data import make_rec
from workflows.chat.inbox import queue_page
from workflows.decisions.service import record_accept, record_override
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import Services
from workflows.views.lookups import BatchLookups, SessionLookups
from workflows.views.message import recommendation_message
from workflows.views.queries import open_queue


def test_batch_lookups_give_what_each_message_reads_alone(services: Services) -> None:
    raw = [make_rec(sku="SKU-1", site="DC-NORTH") for _ in range(8)]
    raw += [make_rec(sku="SKU-2", site="DC-NORTH", supplier="ACME") for _ in range(4)]
    raw += [make_rec(sku="SKU-3", site="DC-NORTH", customer="BIGCO") for _ in range(3)]
    raw += [make_rec(sku="SKU-4", site=None) for _ in range(3)]
    results = ingest(services, items=validate_batch(config=services.config, raw_items=raw))
    ids = [r.id for r in results]
    for n, rec_id in enumerate(ids):
        if n % 3 == 0:
            record_accept(services, recommendation_id=rec_id, actor_id="ana", channel="api")
        elif n % 3 == 1:
            record_override(
                services,
                recommendation_id=rec_id,
                actor_id="ana",
                channel="api",
                reason_code="SUPPLIER_PATTERN" if n % 2 else "INFO_NOT_IN_MODEL",
                note="seen before",
            )
    with services.database.transaction() as session:
        recs = list(session.scalars(select(Recommendation).where(Recommendation.id.in_(ids))))
        batch = BatchLookups(session, config=services.config, recs=recs)
        alone = SessionLookups(session, config=services.config)
        histories = [alone.history(rec) for rec in recs]
        assert any(h and "overridden" in h for h in histories)  # the test sees history
        for rec, history in zip(recs, histories, strict=True):
            assert batch.history(rec) == history, rec.id
            assert batch.rules(rec) == alone.rules(rec)
            assert batch.track_record(rec) == alone.track_record(rec)


def test_a_queue_page_reads_its_lookups_once_and_draws_what_each_message_reads_alone(
    services: Services,
) -> None:
    """The Home tab draws a page after every change to a person's queue: its history and
    rules are read for the page at once, so a longer page costs no more statements."""
    raw = [make_rec(sku=f"SKU-{n % 4}", site="DC-NORTH") for n in range(16)]
    results = ingest(services, items=validate_batch(config=services.config, raw_items=raw))
    for result in results[:4]:  # decided: the open ones have a history to show
        record_override(
            services,
            recommendation_id=result.id,
            actor_id="ana",
            channel="api",
            reason_code="SUPPLIER_PATTERN",
            note="seen before",
        )
    with services.database.read() as session:
        owner = session.scalar(
            select(Recommendation.owner_id).where(Recommendation.id == results[5].id)
        )
    assert owner is not None
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    queue_page(services, person_id=owner, per_page=1)  # what is read once and kept
    event.listen(services.database.engine, "before_cursor_execute", count)
    try:
        short = queue_page(services, person_id=owner, per_page=3)
        read_short = len(statements)
        statements.clear()
        long = queue_page(services, person_id=owner, per_page=12)
        read_long = len(statements)
    finally:
        event.remove(services.database.engine, "before_cursor_execute", count)
    assert len(short.items) == 3 and len(long.items) == 12
    assert read_long == read_short
    now = services.clock.now()
    with services.database.read() as session:
        alone = [
            recommendation_message(
                session, config=services.config, rec=rec, reader_id=owner, now=now
            )
            for rec in open_queue(session, person_id=owner, limit=12)
        ]
    assert long.items == alone
    assert any(s.title == "History" for m in alone for s in m.sections)
