"""The same batch sent by several writers at once is stored exactly once, with one
audit event and one first delivery per recommendation (the unique key decides)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from core.domain import EventKind, IngestStatus, OutboxKind
from storage.models import Event, OutboxItem, Recommendation
from tests.support.data import make_rec
from workflows.intake.ingestion import ingest
from workflows.intake.validation import IngestResult, validate_batch
from workflows.service import Services

WRITERS = 4


def test_concurrent_writers_of_one_batch_store_it_once(services: Services) -> None:
    raw = [make_rec(site="PLANT-2" if n % 2 else "DC-NORTH") for n in range(60)]
    items = validate_batch(config=services.config, raw_items=raw)
    barrier = threading.Barrier(WRITERS)
    results: list[list[IngestResult]] = []
    failures: list[BaseException] = []

    def write() -> None:
        barrier.wait()
        try:
            results.append(ingest(services, items=items))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures and len(results) == WRITERS
    statuses = Counter(result.status for batch in results for result in batch)
    assert statuses == {IngestStatus.CREATED: 60, IngestStatus.DUPLICATE: 60 * (WRITERS - 1)}
    ids = {result.external_id: result.id for result in results[0]}
    assert all({r.external_id: r.id for r in batch} == ids for batch in results)
    with services.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Recommendation)) == 60
        received = session.scalars(
            select(Event.recommendation_id).where(Event.kind == EventKind.RECEIVED)
        ).all()
        first = session.scalars(
            select(OutboxItem.recommendation_id).where(OutboxItem.kind == OutboxKind.DELIVER)
        ).all()
    assert sorted(received) == sorted(ids.values()) == sorted(first)
