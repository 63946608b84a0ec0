"""What the stores and the calendar can hold, checked where values come in.

Each bound exists because something downstream breaks past it: SQLite's datetime text
and the business-hours arithmetic outside years 1000..2999 (a day-by-day walk to a due
time in year 9000 takes seconds; year 1 minus an offset overflows), PostgreSQL's BIGINT
past 2^63 - 1, PostgreSQL text with a NUL, UTF-8 with a lone surrogate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
MAX_BIGINT = 2**63 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _within_range(value: datetime) -> datetime:
    offset = value.utcoffset()
    message = f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)"
    if offset is None or not (1000 <= value.year <= 2999):
        raise ValueError(message)
    if not EARLIEST <= value.astimezone(UTC) <= LATEST:  # years 1000/2999 are safe to shift
        raise ValueError(message)
    return value


# A time zone-aware moment the stores and the business calendar can hold.
Moment = Annotated[AwareDatetime, AfterValidator(_within_range)]
# An id or counter that fits a BIGINT column.
BigInt = Annotated[int, Field(ge=1, le=MAX_BIGINT)]


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters"
    return "must be valid Unicode (a lone UTF-16 surrogate is not)"


def unstorable_strings(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string (object keys too) in decoded JSON that no store can take, with its
    path. Iterative: the data may be nested deeper than the recursion limit."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                yield path, problem
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = text_problem(key) if isinstance(key, str) else None
                if key_problem:
                    yield (*path, "(key)"), key_problem
                    continue
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
