"""Public bodies as stored JSON text: written once, streamed many times.

The feed and every webhook attempt send the same body (`{"type", "timestamp", "data"}`,
people rewritten for `privacy.people_in_events`). Decoding each row's JSON and rewriting
its people on every read cost ten times the bare indexed read (bench/README.md), so the
sequencer writes the finished text beside the data when it stamps a position, and a read
is an indexed range of (position, type, key, text) through SQLAlchemy Core, the page
assembled from the stored strings.

The text depends on the privacy settings (mode, secret, people), so each stored body
carries the reader-independent `EventPeople.key` it was rewritten under. A reader serves
a stored body only under its own key; any other row (written before this column, or
under another mode) is rendered again from `data` in the same read, so a pseudonymous
feed never sends a body rewritten for `ids`. The `events` job then rewrites those rows
(`refresh_bodies`), which is also the backfill of rows stamped before the column."""

from __future__ import annotations

import json
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


def render_body(type_: str, at: datetime, data: dict[str, Any], people: EventPeople) -> str:
    """The Standard Webhooks body as it leaves: compact, UTF-8, people rewritten. The
    keys of `data` are sorted: PostgreSQL's jsonb hands a body back in its own key order,
    so a body rendered again from the stored data (after a privacy change) reads
    byte for byte as the one the sequencer wrote from the audit row."""
    data = people.event_data(type_, data)
    return (
        f'{{"type":{json.dumps(type_)},"timestamp":"{at.isoformat()}","data":'
        f"{json.dumps(data, separators=(',', ':'), ensure_ascii=False, sort_keys=True)}}}"
    )


def event_id(position: int) -> str:
    """The public id: the same in the feed, in every webhook attempt and in replays."""
    return f"evt_{position}"


def feed_text(position: int, body: str) -> str:
    """A feed entry `{"id", "type", "timestamp", "data"}`: the id spliced in front of the
    stored body, which starts with `{"type"`."""
    return f'{{"id":"{event_id(position)}",{body[1:]}'


def _stale(people: EventPeople) -> Any:
    # Three ranges rather than `<>`, so both databases can answer it from the index.
    key = FEED.c.body_key
    return or_(key.is_(None), key < people.key, key > people.key)


def bodies_after(
    session: Session, *, after: int, types: list[str] | None, limit: int, people: EventPeople
) -> list[tuple[int, str, str]]:
    """(position, type, body text) of up to `limit` events after `after`, in position
    order, each body as `people` may read it."""
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
    if not stale:
        return [(row[0], row[1], row[3]) for row in rows]
    rendered = _render(session, stale, people)
    return [(p, t, rendered.get(p, b)) for p, t, _, b in rows]


def _render(session: Session, positions: list[int], people: EventPeople) -> dict[int, str]:
    query = select(FEED.c.position, FEED.c.type, FEED.c.at, FEED.c.data).where(
        FEED.c.position.in_(positions)
    )
    return {
        position: render_body(type_, at, data, people)
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
        {"b_position": p, "b_body": render_body(t, at, data, people), "b_key": people.key}
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
