"""Defects the lifecycle state machine found, each pinned by a plain example test so it
stays fixed even if Hypothesis stops drawing the sequence that showed it."""

from __future__ import annotations

from core.domain import EventKind, Status
from tests.support.data import make_rec
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import Services
from workflows.views.queries import recommendation_detail


def test_a_recommendation_withdrawn_on_arrival_is_audited_as_withdrawn(
    services: Services,
) -> None:
    """The planning system's first word about an item may be its withdrawal (the create
    was lost upstream): the row is stored withdrawn, and the audit trail must say so, or
    it replays to an open recommendation that nobody was ever asked to decide."""
    payload = make_rec(withdrawn=True)
    [stored] = ingest(services, items=validate_batch(config=services.config, raw_items=[payload]))
    with services.database.read() as session:
        detail = recommendation_detail(session, stored.id)
    assert detail is not None and detail.status == Status.WITHDRAWN
    assert [e.kind for e in detail.events] == [EventKind.RECEIVED, EventKind.WITHDRAWN]
