"""Stored public bodies (feed_events.body): the feed and every webhook send the same
text, written once by the sequencer for the configured privacy settings; a body written
under other settings (or before the column) is never sent as stored, and the `events`
job rewrites it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text, update

from core.clock import AdjustableClock
from core.config import Config, Person
from storage import migrate
from storage.db import Database
from storage.models import FeedEvent
from tests.support.live import LOOPBACK_TLS
from tests.support.pg import pg_admin_url, scratch_database
from tests.workflows.events.helpers import read_all
from tests.workflows.events.receiver import Receiver, receiving
from tests.workflows.events.test_privacy import (
    found_in,
    history,
    identifying_words,
    with_events_mode,
)
from tests.workflows.events.test_webhooks import SECRET, deliverer, hooked
from workflows.events import EventPeople, EventsJob, Sequencer, event_people, read_page
from workflows.events.bodies import render_entry
from workflows.service import Services, build_services


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as found:
        yield found


def stored(database: Database) -> list[FeedEvent]:
    with database.read() as session:
        return list(session.scalars(select(FeedEvent).order_by(FeedEvent.position)))


def sequencer(services: Services) -> Sequencer:
    return Sequencer(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        clock=services.clock,
    )


def people_of(services: Services) -> EventPeople:
    return event_people(services.database, config=services.config, now=services.clock.now())


def page_texts(services: Services, people: EventPeople) -> list[str]:
    with services.database.read() as session:
        return read_page(session, cursor=None, types=None, limit=1000, people=people).texts


def test_feed_and_webhooks_send_the_stored_text(
    database: Database, config: Config, clock: AdjustableClock, receiver: Receiver
) -> None:
    services = build_services(database=database, config=hooked(config, receiver.url), clock=clock)
    with httpx.Client(verify=LOOPBACK_TLS) as client:
        hooks = deliverer(services, client)
        history(services)
        hooks.run_once()
    people = people_of(services)
    rows = stored(database)
    texts = page_texts(services, people)
    assert len(rows) == len(texts) == len(receiver.raw) >= 6
    for row, entry, sent in zip(rows, texts, receiver.raw, strict=True):
        assert row.body_key == people.key
        # what was stored is what the data renders to, byte for byte
        assert row.body == render_entry(row.position, row.type, row.at, row.data, people)
        # the feed entry is the stored text; the webhook body is it without the id
        assert entry == row.body
        assert entry == f'{{"id":"evt_{row.position}",{sent.decode()[1:]}'
        assert json.loads(entry) == {"id": f"evt_{row.position}", **json.loads(sent)}


def test_a_privacy_change_never_serves_a_body_of_the_old_mode(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    """Stamped under `ids`, read under `pseudonymous` (the default): the stored bodies
    carry ids, and not one of them may leave."""
    as_ids = build_services(database=database, config=with_events_mode(config, "ids"), clock=clock)
    history(as_ids)
    ids_people = people_of(as_ids)
    assert {row.body_key for row in stored(database)} == {ids_people.key}
    assert "ana" in "".join(row.body or "" for row in stored(database))

    services = build_services(database=database, config=config, clock=clock)
    people = people_of(services)
    assert people.mode == "pseudonymous" and people.key != ids_people.key
    words = identifying_words(config, with_ids=True)
    before, _ = read_all(services, limit=2)
    assert len(before) >= 6
    assert found_in(repr(before), words) == []
    assert people.person("ana") in repr(before)

    # the events job rewrites the stored bodies; the feed reads the same after it
    assert sequencer(services).refresh() == len(before)
    assert {row.body_key for row in stored(database)} == {people.key}
    after, _ = read_all(services, limit=2)
    assert after == before
    assert sequencer(services).refresh() == 0

    # and back: under `ids` again, the pseudonymous bodies are not served either
    again = [json.loads(t) for t in page_texts(as_ids, ids_people)]
    assert "person-" not in repr(again)
    assert [e["data"] for e in again] == [
        json.loads(render_entry(r.position, r.type, r.at, r.data, ids_people))["data"]
        for r in stored(database)
    ]


def test_rows_stamped_before_the_column_are_served_then_backfilled(services: Services) -> None:
    history(services)
    people = people_of(services)
    expected = page_texts(services, people)
    with services.database.transaction() as session:  # as the migration leaves them
        session.execute(update(FeedEvent).values(body=None, body_key=None))
    assert page_texts(services, people) == expected
    # webhooks read through the same path
    assert all(row.body is None for row in stored(services.database))
    assert sequencer(services).refresh() == len(expected)
    assert [row.body_key for row in stored(services.database)] == [people.key] * len(expected)
    assert page_texts(services, people) == expected


def test_the_key_names_every_setting_a_body_depends_on(services: Services) -> None:
    people = people_of(services)
    assert people_of(services).key == people.key  # the same settings: the same key
    # a person added to the configuration: their name is scrubbed from notes from now on
    newcomer = Person(id="zoe", name="Zoe Quist")
    more = services.config.model_copy(update={"people": [*services.config.people, newcomer]})
    assert event_people(services.database, config=more, now=services.clock.now()).key != people.key
    # another secret: other pseudonyms
    other = EventPeople(type(people.people)(services.config, b"another secret", "pseudonymous"))
    assert other.key != people.key
    assert EventPeople().key == "raw"


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database of each kind, for a migration test of its own."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.db'}")
        yield database
        database.dispose()
        return
    with scratch_database(pg_admin_url(), "sopbot_h19_bodies") as url:
        database = Database(url)
        yield database
        database.dispose()


def test_the_migration_keeps_old_rows_served_and_the_job_backfills_them(
    unmigrated: Database, config: Config, clock: AdjustableClock
) -> None:
    migrate.upgrade(unmigrated, "0013")
    data = {"recommendation": None, "note": "Ana Lopez checked", "decided_by": "ana"}
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with unmigrated.transaction() as session:  # a row stamped before this revision
        session.execute(
            text(
                "INSERT INTO feed_events (position, audit_event_id, type, at, data) "
                "VALUES (1, 1, 'decision.recorded', :at, :data)"
            ).bindparams(at=at if unmigrated.is_postgres else "2026-11-30 08:00:00.000000"),
            {"data": json.dumps(data)},
        )
        session.execute(
            text(
                "INSERT INTO events (kind, at, data, feed_position) VALUES ('accepted', :at, :d, 1)"
            ),
            {"at": at if unmigrated.is_postgres else "2026-11-30 08:00:00.000000", "d": "{}"},
        )
    migrate.upgrade(unmigrated)
    [row] = stored(unmigrated)
    assert (row.body, row.body_key) == (None, None)
    services = build_services(database=unmigrated, config=config, clock=clock)
    people = people_of(services)
    [served] = [json.loads(t) for t in page_texts(services, people)]
    assert served["data"]["decided_by"] == people.person("ana")
    assert "Ana" not in served["data"]["note"]
    EventsJob(
        database=unmigrated, config=config, calendars=services.calendars, clock=clock
    ).run_once()  # what `serve` runs on its timer (it also stamps a readiness.changed)
    row, *later = stored(unmigrated)
    assert [r.type for r in later] == ["readiness.changed"]
    assert row.body_key == people.key
    assert json.loads(row.body) == served
