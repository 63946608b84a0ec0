"""Reading the change feed: pages of stamped events after a cursor, in position order.

A cursor is opaque to clients but checkable by us: `sb1.<position>.<check>`. A cursor
that does not parse, fails its check, or points past this database's head was not
issued here (another installation, a typo, a restored backup ahead of the data) and is
refused rather than silently answering from somewhere else."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import FeedEvent
from workflows.events.privacy import EventPeople
from workflows.events.sequencer import head_position

CURSOR_PREFIX = "sb1"
MAX_LIMIT = 1000


class BadCursor(ValueError):
    """A cursor this installation did not issue."""


class CursorExpired(ValueError):
    """A cursor of ours, but events after it were pruned (`event_feed.retention`): the
    client would silently miss them, so it is told (410) rather than answered."""


def _check(position: int) -> str:
    return hashlib.sha256(f"sopbot-feed:{position}".encode()).hexdigest()[:10]


def encode_cursor(position: int) -> str:
    return f"{CURSOR_PREFIX}.{position}.{_check(position)}"


def decode_cursor(cursor: str | None) -> int:
    """Position after which to read; None or empty: from the beginning."""
    if not cursor:
        return 0
    parts = cursor.split(".")
    if len(parts) != 3 or parts[0] != CURSOR_PREFIX or not parts[1].isdigit():
        raise BadCursor(f"'{cursor[:80]}' is not a cursor of this feed")
    position = int(parts[1])
    if parts[2] != _check(position):
        raise BadCursor(f"'{cursor[:80]}' is not a cursor of this feed")
    return position


def event_id(position: int) -> str:
    """The public id: the same in the feed, in every webhook attempt and in replays."""
    return f"evt_{position}"


def public_event(row: Any, people: EventPeople) -> dict[str, Any]:
    return {
        "id": event_id(row.position),
        "type": row.type,
        "timestamp": row.at.isoformat(),
        "data": people.event_data(row.type, row.data),
    }


def webhook_body(row: Any, people: EventPeople) -> bytes:
    """Standard Webhooks body: {"type", "timestamp", "data"}; the id travels in a header."""
    data = people.event_data(row.type, row.data)
    body = {"type": row.type, "timestamp": row.at.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    next_cursor: str


def rows_after(session: Session, *, after: int, types: list[str] | None, limit: int) -> list[Any]:
    query = (
        select(FeedEvent.position, FeedEvent.type, FeedEvent.at, FeedEvent.data)
        .where(FeedEvent.position > after)
        .order_by(FeedEvent.position)
        .limit(limit)
    )
    if types:
        query = query.where(FeedEvent.type.in_(types))
    return list(session.execute(query))


def read_page(
    session: Session,
    *,
    cursor: str | None,
    types: list[str] | None,
    limit: int,
    people: EventPeople,
) -> Page:
    """One page after `cursor`; `next_cursor` is the cursor to save (unchanged when the
    page is empty, so a client polling an idle feed keeps its place)."""
    after = decode_cursor(cursor)
    if after:
        head = head_position(session)
        if after > head:
            raise BadCursor(f"'{cursor}' points past the end of this feed")
        oldest = session.scalar(select(func.min(FeedEvent.position)))
        if after < head and (oldest is None or oldest > after + 1):
            raise CursorExpired(
                f"'{cursor}' is older than the feed's retention: events after it were "
                "dropped; read again from the start and reconcile from an export"
            )
    rows = rows_after(session, after=after, types=types, limit=min(limit, MAX_LIMIT))
    last = rows[-1].position if rows else after
    return Page([public_event(row, people) for row in rows], encode_cursor(last))
