"""Reading the change feed: pages of stamped events after a cursor, in position order.

A cursor is opaque to clients but checkable by us: `sb1.<position>.<check>`. A cursor
that does not parse, fails its check, or points past this database's head was not
issued here (another installation, a typo, a restored backup ahead of the data) and is
refused rather than silently answering from somewhere else."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from workflows.events.bodies import feed_bounds, feed_entries
from workflows.events.privacy import EventPeople

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


@dataclass(frozen=True)
class Page:
    """A page as stored JSON texts of `{"id", "type", "timestamp", "data"}`: the API
    sends them as they are (`json_text`); `events` decodes them, for callers that look."""

    texts: list[str]
    next_cursor: str

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.texts]

    def json_text(self) -> str:
        """`{"events": [...], "next_cursor": ...}` assembled from the stored strings."""
        cursor = json.dumps(self.next_cursor)
        return f'{{"events":[{",".join(self.texts)}],"next_cursor":{cursor}}}'


def _check_bounds(session: Session, after: int, cursor: str | None) -> None:
    head, oldest = feed_bounds(session)
    if after > head:
        raise BadCursor(f"'{cursor}' points past the end of this feed")
    if after < head and (oldest is None or oldest > after + 1):
        raise CursorExpired(
            f"'{cursor}' is older than the feed's retention: events after it were "
            "dropped; read again from the start and reconcile from an export"
        )


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
    rows = feed_entries(
        session, after=after, types=types, limit=min(limit, MAX_LIMIT), people=people
    )
    # The event right after the cursor is there: the cursor is at or before the head and
    # nothing after it was pruned, so the bounds need no second query (the usual page).
    if after and not (rows and rows[0][0] == after + 1):
        _check_bounds(session, after, cursor)
    last = rows[-1][0] if rows else after
    return Page([entry for _, entry in rows], encode_cursor(last))
