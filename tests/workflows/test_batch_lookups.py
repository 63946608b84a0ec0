"""The outbox draws a claimed batch's messages with lookups read for the whole batch
(`BatchLookups`): every line must be what the per-message reads (`SessionLookups`) give,
including a recommendation's own decisions left out of its history, scopes by supplier,
customer and item at site, and a site that is empty. Both databases."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Recommendation
from tests.conftest import make_rec
from workflows.ingestion import validate_batch
from workflows.lookups import BatchLookups, SessionLookups
from workflows.service import Services


def test_batch_lookups_give_what_each_message_reads_alone(services: Services) -> None:
    raw = [make_rec(sku="SKU-1", site="DC-NORTH") for _ in range(8)]
    raw += [make_rec(sku="SKU-2", site="DC-NORTH", supplier="ACME") for _ in range(4)]
    raw += [make_rec(sku="SKU-3", site="DC-NORTH", customer="BIGCO") for _ in range(3)]
    raw += [make_rec(sku="SKU-4", site=None) for _ in range(3)]
    results = services.ingestor.ingest(items=validate_batch(config=services.config,
                                                            raw_items=raw))  # fmt: skip
    ids = [r.id for r in results]
    for n, rec_id in enumerate(ids):
        if n % 3 == 0:
            services.decisions.record_accept(recommendation_id=rec_id, actor_id="ana",
                                             channel="api")  # fmt: skip
        elif n % 3 == 1:
            services.decisions.record_override(
                recommendation_id=rec_id, actor_id="ana", channel="api",
                reason_code="SUPPLIER_PATTERN" if n % 2 else "INFO_NOT_IN_MODEL",
                note="seen before")  # fmt: skip
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
