"""The journal of acked work: each click acked by a chat adapter is written here before
its work starts and deleted when the work is done, so a click acked by a process that
died before doing it is done by the next process instead of being lost.

Times here are wall-clock (the caller passes `now`), never the business clock: a lease
is about whether a process is still alive, and the demo's clock jumps by days. Who
holds a row and since when is its claim; a claim older than `LEASE` belongs to a
process that is gone (no job waits that long in a live one), and another process takes
it over, at most `MAX_ATTEMPTS` times (a click whose work keeps failing is dropped, and
logged, rather than retried forever). Work taken over may have been half done: the
decision is exactly once by its own unique key whatever happens here.

A live process never takes over its own work in flight: it renews the claims of the
clicks it is still working on (`renew`, well within the lease), and `take_abandoned`
skips the keys its caller names as in flight, so a click queued behind a long burst is
not done a second time by its own process (a snooze set twice, an "already decided"
told to the person who just decided)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.driver_writes import insert_if_absent
from storage.models import PendingAction

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 3
KEY_MAX = 300


@dataclass(frozen=True)
class Pending:
    key: str
    kind: str
    payload: dict[str, Any]


def journal(
    *, database: Database, platform: str, owner: str, now: datetime, entries: Sequence[Pending]
) -> None:
    """One insert for a batch of acked clicks; a key already there (a platform retry of
    the same delivery) keeps its row."""
    if not entries:
        return
    rows = [
        {
            "platform": platform,
            "key": e.key[:KEY_MAX],
            "kind": e.kind,
            "payload": e.payload,
            "claimed_by": owner,
            "claimed_at": now,
            "attempts": 1,
        }
        for e in entries
    ]
    with database.transaction() as session:
        insert_if_absent(session, PendingAction, rows, conflict=["platform", "key"])


def finish(*, database: Database, platform: str, key: str) -> None:
    """The work of this click is done (or told as refused): nothing to take over."""
    with database.transaction() as session:
        session.execute(
            delete(PendingAction).where(
                PendingAction.platform == platform, PendingAction.key == key[:KEY_MAX]
            )
        )


def take_abandoned(
    *,
    database: Database,
    platform: str,
    owner: str,
    now: datetime,
    lease: timedelta = LEASE,
    limit: int = 100,
    in_flight: frozenset[str] = frozenset(),
) -> list[Pending]:
    """Claim the clicks of processes gone (claims older than `lease`), oldest first;
    replicas taking over at once each get different rows (SKIP LOCKED on PostgreSQL, one
    writer at a time on SQLite). Rows `owner` claimed whose keys are `in_flight` (its
    work is queued or running in this very process) are left alone however old."""
    taken: list[Pending] = []
    with database.transaction() as session:
        query = (
            select(PendingAction)
            .where(PendingAction.platform == platform, PendingAction.claimed_at < now - lease)
            .order_by(PendingAction.id)
            .limit(limit)
        )
        if database.is_postgres:
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            if row.claimed_by == owner and row.key in in_flight:
                continue
            if row.attempts >= MAX_ATTEMPTS:
                log.error("dropped %s work %s after %d attempts", platform, row.kind, row.attempts)
                session.delete(row)
                continue
            row.claimed_by, row.claimed_at, row.attempts = owner, now, row.attempts + 1
            taken.append(Pending(key=row.key, kind=row.kind, payload=row.payload))
    return taken


def renew(
    *, database: Database, platform: str, owner: str, keys: frozenset[str], now: datetime
) -> int:
    """Renew `owner`'s claims on `keys` (the work it still has in flight): a slow queue
    in a live process is not taken for a dead one by the others. How many rows."""
    if not keys:
        return 0
    with database.transaction() as session:
        result = session.execute(
            update(PendingAction)
            .where(
                PendingAction.platform == platform,
                PendingAction.claimed_by == owner,
                PendingAction.key.in_([k[:KEY_MAX] for k in keys]),
            )
            .values(claimed_at=now)
        )
        return result.rowcount or 0


def unfinished(*, database: Database, platform: str) -> list[Pending]:
    """Every click not done yet (tests, diagnostics)."""
    with database.read() as session:
        rows = session.scalars(
            select(PendingAction)
            .where(PendingAction.platform == platform)
            .order_by(PendingAction.id)
        )
        return [Pending(key=r.key, kind=r.kind, payload=r.payload) for r in rows]
