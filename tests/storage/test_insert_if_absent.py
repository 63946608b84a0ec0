"""storage.driver_writes.insert_if_absent, the one insert-or-ignore of both databases:
what it inserted is what it answers; a taken key is skipped; with a conflict target
only that key's clash is skipped, a clash on another unique key is still an error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.db import Database, UnsupportedStore
from storage.driver_writes import insert_if_absent
from storage.models import PendingAction, ReportSecret

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def pending(key: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "platform": "slack",
        "key": key,
        "kind": "click",
        "payload": {"key": key},
        "claimed_by": "a",
        "claimed_at": NOW,
        "attempts": 1,
    }
    return row | overrides


def test_it_answers_the_keys_of_the_rows_it_inserted_and_keeps_the_first(
    database: Database,
) -> None:
    with database.transaction() as session:
        [first] = insert_if_absent(session, PendingAction, pending("k1"))
        # A batch: the taken key keeps its row, the new ones go in and are answered.
        more = insert_if_absent(
            session,
            PendingAction,
            [pending("k1", claimed_by="b"), pending("k2"), pending("k3")],
            conflict=["platform", "key"],
        )
        assert insert_if_absent(session, PendingAction, []) == []
    assert len(more) == 2 and first not in more
    with database.read() as session:
        rows = session.scalars(select(PendingAction).order_by(PendingAction.key)).all()
    assert [(r.id, r.key, r.claimed_by) for r in rows] == [
        (first, "k1", "a"),
        *[(id_, key, "a") for id_, key in zip(sorted(more), ("k2", "k3"), strict=True)],
    ]


def test_a_conflict_target_skips_only_that_keys_clash(database: Database) -> None:
    with database.transaction() as session:
        [taken] = insert_if_absent(
            session, ReportSecret, {"name": "links", "secret": "aa", "created_at": NOW}
        )
    with database.transaction() as session:
        assert (
            insert_if_absent(
                session,
                ReportSecret,
                {"name": "links", "secret": "bb", "created_at": NOW},
                conflict=["name"],
            )
            == []
        )
        # Without a target any key's clash is skipped: here the primary key's.
        assert (
            insert_if_absent(
                session,
                ReportSecret,
                {"id": taken, "name": "other", "secret": "cc", "created_at": NOW},
            )
            == []
        )
    # With the target `name`, a clash on the primary key is an error, not skipped.
    with pytest.raises(IntegrityError), database.transaction() as session:
        insert_if_absent(
            session,
            ReportSecret,
            {"id": taken, "name": "other", "secret": "cc", "created_at": NOW},
            conflict=["name"],
        )
    with database.read() as session:
        assert session.scalars(select(ReportSecret.secret)).all() == ["aa"]


def test_a_store_other_than_sqlite_or_postgresql_is_refused_when_opened() -> None:
    """Every dialect-specific write (insert_if_absent, the sweep's driver writes) exists
    for these two stores; another URL is refused at the start, naming the variable."""
    with pytest.raises(UnsupportedStore, match="SOPBOT_DATABASE_URL.*not mysql"):
        Database("mysql+pymysql://sopbot@localhost/sopbot")
