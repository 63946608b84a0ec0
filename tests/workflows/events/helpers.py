"""Shared steps of the events tests: ingest, decide, stamp, page the feed."""

from __future__ import annotations

from typing import Any

from core.domain import Action
from workflows.decisions.service import DecisionRequest, decide
from workflows.events import Sequencer, event_people, read_page
from workflows.intake import ingestion as ingestion
from workflows.intake.validation import validate_batch
from workflows.service import Services


def ingest(services: Services, *raw: dict[str, Any]) -> list[Any]:
    items = validate_batch(config=services.config, raw_items=list(raw))
    return ingestion.ingest(services, items=items)


def override(services: Services, rec_id: int, **extra: Any) -> None:
    decide(
        services,
        DecisionRequest(
            rec_id,
            "ana",
            Action.OVERRIDE,
            "api",
            reason_code=extra.pop("reason_code", "DATA_ERROR"),
            note=extra.pop("note", "ghost stock at DC-NORTH"),
            value=extra.pop("value", 120.0),
            **extra,
        ),
    )


def accept(services: Services, rec_id: int) -> None:
    decide(services, DecisionRequest(rec_id, "ana", Action.ACCEPT, "api"))


def stamp(services: Services) -> int:
    sequencer = Sequencer(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        clock=services.clock,
    )
    return sequencer.run_once().count


def read_all(
    services: Services, cursor: str | None = None, *, limit: int = 3, types: list[str] | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Page to the end with `limit`-sized pages; the events and the cursor to save."""
    events: list[dict[str, Any]] = []
    people = event_people(services.database, config=services.config, now=services.clock.now())
    while True:
        with services.database.read() as session:
            page = read_page(session, cursor=cursor, types=types, limit=limit, people=people)
        events += page.events
        cursor = page.next_cursor
        if len(page.events) < limit:
            return events, cursor
