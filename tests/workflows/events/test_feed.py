"""Public events from the audit trail: one per fact, positions in commit order, a feed
read with a saved cursor sees each event once, in order."""

from __future__ import annotations

import threading

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import insert

from core.domain import EventKind
from storage.db import Database
from storage.models import Event
from storage.models.feed import PUBLISHED_KINDS
from tests.support.data import make_rec
from tests.workflows.events.helpers import accept, ingest, override, read_all, stamp
from workflows.events import BadCursor, EventPeople, read_page
from workflows.events.catalogue import PUBLIC_TYPE
from workflows.events.schemas import event_schema
from workflows.service import Services


def test_each_fact_becomes_one_public_event_with_its_details(services: Services) -> None:
    first, second = ingest(services, make_rec(), make_rec(quantity=-5, unit="pcs"))
    override(services, first.id)
    accept(services, second.id)
    assert stamp(services) == 4
    events, _ = read_all(services)
    assert [e["type"] for e in events] == [
        "recommendation.received",
        "recommendation.received",
        "decision.recorded",
        "decision.recorded",
    ]
    assert [e["id"] for e in events] == ["evt_1", "evt_2", "evt_3", "evt_4"]
    decided = events[2]["data"]
    assert decided["recommendation"]["id"] == first.id
    assert decided["action"] == "override"
    assert (decided["ai_value"], decided["final_value"], decided["unit"]) == (240, 120.0, "pcs")
    assert (decided["reason_code"], decided["reason_label"]) == (
        "DATA_ERROR",
        "Input data is wrong",
    )
    assert decided["note"] == "ghost stock at DC-NORTH"
    # people_in_events defaults to pseudonymous: the review's stable pseudonym, not "ana"
    assert decided["decided_by"].startswith("person-") and decided["decided_at"].startswith(
        "2026-11-30T08:00"
    )
    accepted = events[3]["data"]
    assert (accepted["action"], accepted["ai_value"], accepted["final_value"]) == ("accept", -5, -5)
    for event in events:  # the documented JSON Schema holds for every body
        Draft202012Validator(event_schema()).validate(event)
    assert stamp(services) == 0  # stamped once


def test_a_cursor_not_ours_is_refused(services: Services) -> None:
    ingest(services, make_rec())
    stamp(services)
    with services.database.read() as session:
        for bad in ("nonsense", "sb1.1.0000000000", "sb1.x.y", "sb1.99"):
            with pytest.raises(BadCursor):
                read_page(session, cursor=bad, types=None, limit=10, people=EventPeople())
        page = read_page(session, cursor=None, types=None, limit=10, people=EventPeople())
        assert len(page.events) == 1
        # a well-formed cursor past this database's end was issued by someone else
        from workflows.events.feed import encode_cursor

        with pytest.raises(BadCursor):
            read_page(session, cursor=encode_cursor(50), types=None, limit=10, people=EventPeople())


def test_types_filter_and_an_idle_feed_keeps_the_cursor(services: Services) -> None:
    [rec] = ingest(services, make_rec())
    accept(services, rec.id)
    stamp(services)
    decisions, cursor = read_all(services, types=["decision.recorded"])
    assert [e["type"] for e in decisions] == ["decision.recorded"]
    again, same = read_all(services, cursor)
    assert again == [] and same == cursor


def test_catalogue_lists_what_the_partial_index_names() -> None:
    assert tuple(PUBLIC_TYPE) == PUBLISHED_KINDS
    assert EventKind.DELIVERED.value not in PUBLISHED_KINDS


@pytest.mark.postgres_only
def test_late_commit_of_a_lower_id_is_not_skipped(services: Services) -> None:
    """Two transactions: A takes the lower id and commits after B. A reader that paged
    past B must still see A: positions follow commit order, not ids."""
    database: Database = services.database
    if not database.is_postgres:
        pytest.skip("SQLite has one writer: ids are commit-ordered there")
    [rec] = ingest(services, make_rec())
    stamp(services)
    _, cursor = read_all(services)
    a_inserted, b_done = threading.Event(), threading.Event()

    def write(label: str) -> None:
        with database.transaction() as session:
            session.execute(
                insert(Event).values(
                    recommendation_id=rec.id,
                    kind="revised",
                    at=services.clock.now(),
                    data={"revision": label},
                )
            )
            if label == "A":
                a_inserted.set()
                assert b_done.wait(30)  # A commits only after B has committed

    a = threading.Thread(target=write, args=("A",))
    a.start()
    assert a_inserted.wait(30)
    write("B")  # B: the higher id, committed first
    assert stamp(services) == 1
    seen, cursor = read_all(services, cursor)
    assert [e["data"]["revision"] for e in seen] == ["B"]
    b_done.set()
    a.join()
    assert stamp(services) == 1
    later, _ = read_all(services, cursor)
    assert [e["data"]["revision"] for e in later] == ["A"]
