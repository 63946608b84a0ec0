"""Recommendations in through the real intake path (validation, then the ingestor), the
way the API and file import bring them, without going over HTTP."""

from __future__ import annotations

from typing import Any

from tests.support.data import make_rec
from workflows.delivery.worker import OutboxWorker
from workflows.intake import ingestion as ingestion
from workflows.intake.validation import IngestResult, validate_batch
from workflows.service import Services


def ingest(services: Services, *raw: dict[str, Any]) -> list[IngestResult]:
    """Validate and ingest `raw` payloads as one batch; the result of each."""
    items = validate_batch(config=services.config, raw_items=list(raw))
    return ingestion.ingest(services, items=items)


def ingest_one(services: Services, *, outbox: OutboxWorker | None = None, **overrides: Any) -> int:
    """Ingest one recommendation (make_rec with `overrides`), deliver what it queued when
    an outbox is given; its id."""
    [result] = ingest(services, make_rec(**overrides))
    if outbox is not None:
        outbox.drain()
    return result.id
