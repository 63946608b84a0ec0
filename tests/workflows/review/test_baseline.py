"""`baseline_value`: what the plan said before the AI, taken in like every other field."""

from __future__ import annotations

import pytest

from core.domain import IngestStatus
from tests.support.data import make_rec
from workflows.intake.ingestion import ingest
from workflows.intake.validation import BatchRejected, validate_batch
from workflows.service import Services
from workflows.views.queries import recommendation_detail


def test_baseline_is_stored_shown_and_idempotent(services: Services) -> None:
    payload = make_rec(baseline_value=210)
    items = validate_batch(config=services.config, raw_items=[payload])
    [first] = ingest(services, items=items)
    [again] = ingest(services, items=validate_batch(config=services.config, raw_items=[payload]))
    assert again.status == IngestStatus.DUPLICATE and again.id == first.id
    with services.database.transaction() as session:
        view = recommendation_detail(session, first.id)
    assert view is not None and view.baseline_value == 210


def test_a_bad_baseline_is_refused_naming_the_field(services: Services) -> None:
    with pytest.raises(BatchRejected) as rejected:
        validate_batch(config=services.config, raw_items=[make_rec(baseline_value="lots")])
    assert [(e.index, e.field) for e in rejected.value.errors] == [(0, "baseline_value")]
