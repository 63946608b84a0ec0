"""Reads take no write lock: on SQLite a read-only transaction opens with a deferred
BEGIN, so it reads while another connection holds the write lock (ingestion, the SLA
sweep) instead of queuing behind it; writes keep BEGIN IMMEDIATE. On both databases a
write inside `Database.read` is refused rather than silently taking the lock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError

from storage.db import Database
from storage.models import ProcessedDelivery

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def impatient(db_url: str) -> Iterator[Database]:
    """The database with a 200 ms busy timeout on SQLite, so a read that waited for the
    write lock fails at once instead of after the usual 30 s."""
    database = Database(db_url)
    if not database.is_postgres:

        @event.listens_for(database.engine, "connect")
        def _short_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=200")

    yield database
    database.dispose()


def test_a_read_does_not_wait_for_an_open_write(impatient: Database) -> None:
    with impatient.transaction() as writer:
        writer.add(ProcessedDelivery(platform="slack", delivery_id="held", at=AT))
        writer.flush()  # the write lock is now held until this transaction ends
        with impatient.read() as reader:
            seen = reader.scalar(select(func.count()).select_from(ProcessedDelivery))
        assert seen == 0, "a read sees the last committed state, not the open write"
    with impatient.read() as reader:
        assert reader.scalar(select(func.count()).select_from(ProcessedDelivery)) == 1


def test_a_second_writer_still_queues_for_the_lock(impatient: Database) -> None:
    """Writes keep BEGIN IMMEDIATE: with a writer holding the lock, a second writer
    waits (here: gives up after the short busy timeout) before reading anything."""
    if impatient.is_postgres:
        pytest.skip("PostgreSQL has row locks, not one database write lock")
    with impatient.transaction() as writer:
        writer.add(ProcessedDelivery(platform="slack", delivery_id="held", at=AT))
        writer.flush()
        with pytest.raises(DBAPIError, match="locked"), impatient.transaction() as second:
            second.scalar(select(func.count()).select_from(ProcessedDelivery))


def test_a_write_inside_a_read_is_refused(database: Database) -> None:
    with pytest.raises(DBAPIError), database.read() as reader:
        reader.add(ProcessedDelivery(platform="slack", delivery_id="sneaky", at=AT))
        reader.flush()
    with database.read() as reader:
        assert reader.scalar(select(func.count()).select_from(ProcessedDelivery)) == 0
