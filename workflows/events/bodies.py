"""Public events as stored JSON text: written once, streamed many times.

The feed sends each event as `{"id", "type", "timestamp", "data"}` and every webhook
attempt sends the same without the id (which travels in the `webhook-id` header),
people rewritten for `privacy.people_in_events`. Decoding each row's JSON and rewriting
its people on every read cost twenty times the bare indexed read (bench/README.md), so
the sequencer writes the finished feed entry (`feed_events.body`) beside the data when
it stamps a position. A feed page is then one indexed range read through the driver,
(position, stored text) per row, joined into the answer as it is (`feed_entries`); a
webhook body is the stored text with its id cut off (`bodies_after`, through SQLAlchemy
Core: a webhook costs an HTTP round trip per event anyway).

The text depends on the privacy settings (mode, secret, people), so each stored body
carries the `EventPeople.key` it was rewritten under. A reader serves a stored body only
under its own key; any other row (written before this column, or under another mode) is
rendered again from `data` in the same read, so a pseudonymous feed never sends a body
rewritten for `ids`. The `events` job then rewrites those rows (`refresh_bodies`), which
is also the backfill of rows stamped before the column."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import FeedEvent
from workflows.events.privacy import EventPeople

FEED = FeedEvent.__table__
REFRESH_BATCH = 2000
REFRESH_SECONDS = 2.0  # per `events` tick: a mode change on a big feed spreads over ticks


def event_id(position: int) -> str:
    """The public id: the same in the feed, in every webhook attempt and in replays."""
    return f"evt_{position}"


def _id_prefix(position: int) -> str:
    return f'{{"id":"{event_id(position)}",'


def render_entry(
    position: int, type_: str, at: datetime, data: dict[str, Any], people: EventPeople
) -> str:
    """The feed entry as it leaves: compact, UTF-8, people rewritten. The keys of `data`
    are sorted: PostgreSQL's jsonb hands data back in its own key order, so an entry
    rendered again from the stored data (after a privacy change) reads byte for byte as
    the one the sequencer wrote from the audit row."""
    data = people.event_data(type_, data)
    return (
        f'{_id_prefix(position)}"type":{json.dumps(type_)},"timestamp":"{at.isoformat()}",'
        f'"data":{json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)}}}'
    )


def webhook_text(position: int, entry: str) -> str:
    """The Standard Webhooks body `{"type", "timestamp", "data"}`: the entry without its
    id, otherwise the same characters."""
    prefix = _id_prefix(position)
    if not entry.startswith(prefix):
        raise ValueError(f"stored entry of position {position} does not start with its id")
    return "{" + entry[len(prefix) :]


def _driver_sql(session: Session, template: str) -> str:
    """`:name` placeholders in the driver's own style (psycopg: `%(name)s`)."""
    if session.get_bind().dialect.name == "postgresql":
        return re.sub(r":(\w+)", r"%(\1)s", template)
    return template


_BOUNDS = "SELECT (SELECT max(feed_position) FROM events), (SELECT min(position) FROM feed_events)"
# The stored entry, or NULL where it was written under another key (or not yet): those
# are rendered in Python. The comparison is the database's; the text is copied once.
_ENTRIES = """SELECT position, CASE WHEN body_key = :key THEN body END
    FROM feed_events WHERE position > :after{types} ORDER BY position LIMIT :limit"""


def feed_bounds(session: Session) -> tuple[int, int | None]:
    """(head position, oldest kept position) in one round trip, through the driver."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_BOUNDS)
        head, oldest = cursor.fetchone()
    finally:
        cursor.close()
    return head or 0, oldest


def feed_entries(
    session: Session, *, after: int, types: list[str] | None, limit: int, people: EventPeople
) -> list[tuple[int, str]]:
    """(position, feed entry text) of up to `limit` events after `after`, in position
    order, each as `people` may read it: one indexed range read through the driver (no
    ORM, no result processing, nothing decoded)."""
    params: dict[str, Any] = {"key": people.key, "after": after, "limit": limit}
    filtered = ""
    if types:
        names = [f"type{i}" for i in range(len(types))]
        params.update(zip(names, types, strict=True))
        filtered = " AND type IN ({})".format(", ".join(f":{name}" for name in names))
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_driver_sql(session, _ENTRIES.replace("{types}", filtered)), params)
        rows: list[tuple[int, str | None]] = cursor.fetchall()
    finally:
        cursor.close()
    stale = [position for position, entry in rows if entry is None]
    if not stale:
        return rows  # type: ignore[return-value]
    rendered = _render(session, stale, people)
    return [(p, e if e is not None else rendered[p]) for p, e in rows]


def _stale(people: EventPeople) -> Any:
    # Three ranges rather than `<>`, so both databases can answer it from the index.
    key = FEED.c.body_key
    return or_(key.is_(None), key < people.key, key > people.key)


def bodies_after(
    session: Session, *, after: int, types: list[str] | None, limit: int, people: EventPeople
) -> list[tuple[int, str, str]]:
    """(position, type, webhook body text) of up to `limit` events after `after`, in
    position order, each body as `people` may read it (the feed's entry without its id)."""
    query = (
        select(FEED.c.position, FEED.c.type, FEED.c.body_key, FEED.c.body)
        .where(FEED.c.position > after)
        .order_by(FEED.c.position)
        .limit(limit)
    )
    if types:
        query = query.where(FEED.c.type.in_(types))
    rows = session.connection().execute(query).all()
    key = people.key
    stale = [row[0] for row in rows if row[2] != key or row[3] is None]
    rendered = _render(session, stale, people) if stale else {}
    return [(p, t, webhook_text(p, rendered.get(p) or b)) for p, t, _, b in rows]


def _render(session: Session, positions: list[int], people: EventPeople) -> dict[int, str]:
    query = select(FEED.c.position, FEED.c.type, FEED.c.at, FEED.c.data).where(
        FEED.c.position.in_(positions)
    )
    return {
        position: render_entry(position, type_, at, data, people)
        for position, type_, at, data in session.connection().execute(query)
    }


def refresh_bodies(session: Session, *, people: EventPeople, limit: int = REFRESH_BATCH) -> int:
    """Rewrite up to `limit` stored bodies not written under `people.key` (rows stamped
    before the column, or under another privacy setting); the caller commits. Writes
    are idempotent (the same data and key give the same text), so replicas may overlap."""
    query = select(FEED.c.position, FEED.c.type, FEED.c.at, FEED.c.data).where(_stale(people))
    rows = session.connection().execute(query.limit(limit)).all()
    if not rows:
        return 0
    statement = (
        update(FEED)
        .where(FEED.c.position == bindparam("b_position"))
        .values(body=bindparam("b_body"), body_key=bindparam("b_key"))
    )
    values = [
        {"b_position": p, "b_body": render_entry(p, t, at, data, people), "b_key": people.key}
        for p, t, at, data in rows
    ]
    session.connection().execute(statement, values)
    return len(rows)


def refresh_for_a_while(database: Database, *, people: EventPeople) -> int:
    """Batches of `refresh_bodies` until none is left or `REFRESH_SECONDS` passed."""
    began, total = time.monotonic(), 0
    while time.monotonic() - began < REFRESH_SECONDS:
        with database.transaction() as session:
            done = refresh_bodies(session, people=people)
        total += done
        if done < REFRESH_BATCH:
            break
    return total
