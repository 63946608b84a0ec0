"""The journal of acked work (workflows.decisions.journal) on SQLite and PostgreSQL: a
retried delivery keeps its one row, a claim younger than the lease stays with its
process, and two processes taking over at once each get different rows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from storage.db import Database
from workflows.decisions.journal import (
    LEASE,
    Pending,
    finish,
    journal,
    take_abandoned,
    unfinished,
)

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def entries(*keys: str) -> list[Pending]:
    return [Pending(key=k, kind="accept", payload={"body": {"n": k}}) for k in keys]


def test_a_retried_delivery_keeps_one_row_and_finish_clears_it(database: Database) -> None:
    journal(database=database, platform="slack", owner="p1", now=NOW, entries=entries("a", "b"))
    journal(database=database, platform="slack", owner="p2", now=NOW, entries=entries("a"))
    journal(database=database, platform="teams", owner="p2", now=NOW, entries=entries("a"))
    assert [p.key for p in unfinished(database=database, platform="slack")] == ["a", "b"]
    finish(database=database, platform="slack", key="a")
    assert [p.key for p in unfinished(database=database, platform="slack")] == ["b"]
    assert [p.key for p in unfinished(database=database, platform="teams")] == ["a"]


def test_only_claims_older_than_the_lease_are_taken_over(database: Database) -> None:
    journal(
        database=database,
        platform="slack",
        owner="gone",
        now=NOW - LEASE * 2,
        entries=entries("old"),
    )
    journal(
        database=database,
        platform="slack",
        owner="alive",
        now=NOW - LEASE / 2,
        entries=entries("young"),
    )
    taken = take_abandoned(database=database, platform="slack", owner="me", now=NOW)
    assert [(p.key, p.payload) for p in taken] == [("old", {"body": {"n": "old"}})]
    # Ours now, with a fresh claim: nobody takes it again before its own lease runs out.
    assert take_abandoned(database=database, platform="slack", owner="other", now=NOW) == []


def test_two_processes_taking_over_at_once_never_get_the_same_row(database: Database) -> None:
    keys = [f"k{n}" for n in range(40)]
    journal(
        database=database,
        platform="slack",
        owner="gone",
        now=NOW - LEASE * 2,
        entries=entries(*keys),
    )

    def take(owner: str) -> list[str]:
        got: list[str] = []
        while batch := take_abandoned(
            database=database, platform="slack", owner=owner, now=NOW, limit=5
        ):
            got += [p.key for p in batch]
        return got

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(take, ["p1", "p2"])
    assert sorted(first + second) == sorted(keys)
    assert not set(first) & set(second)
