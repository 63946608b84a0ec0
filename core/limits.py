"""What the stores and the calendar can hold, checked where values come in.

Each bound exists because something downstream breaks past it: SQLite's datetime text
before year 1000 and the business-hours arithmetic far out (a day-by-day walk to a due
time in year 9000 takes seconds; year 1 minus an offset overflows), PostgreSQL's INTEGER
ids past 2^31 - 1 and BIGINT past 2^63 - 1, PostgreSQL's time zone offsets past 15:59,
PostgreSQL text with a NUL, UTF-8 with a lone surrogate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

FIRST_YEAR, LAST_YEAR = 1001, 2998  # as written: any UTC offset stays within 1000..2999
# The OpenAPI pattern of the same rule, so generated clients and fuzzers know it.
YEAR_PATTERN = r"^(100[1-9]|10[1-9][0-9]|1[1-9][0-9]{2}|2[0-8][0-9]{2}|29[0-8][0-9]|299[0-8])-"
MAX_BIGINT = 2**63 - 1
# Row ids are INTEGER columns (4 bytes on PostgreSQL): no row can have a larger id, so
# the API refuses one (422) instead of asking the database (a 500 on PostgreSQL).
MAX_ID = 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _within_range(value: datetime) -> datetime:
    """The year as written, then the instant in UTC: ISO 8601 and the schema allow
    offsets up to +-23:59, PostgreSQL only up to +-15:59, and no store needs the
    sender's offset (every stored time is UTC)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value.astimezone(UTC)


def _iso_text(value: Any) -> Any:
    # Numbers are not times (lax parsing would read 0 as 1970-01-01).
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 time with a UTC offset, as a string")
    return value


# A time zone-aware moment the stores and the business calendar can hold, in UTC;
# parsed from ISO text even in strict models.
Moment = Annotated[
    AwareDatetime, Field(strict=False), BeforeValidator(_iso_text), AfterValidator(_within_range)
]


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 3.0 is the integer 3 (as in JSON Schema); "3" and true
    # are not numbers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


# A whole number as JSON writes it, in strict models.
WholeNumber = Annotated[int, Field(strict=False), BeforeValidator(_whole_number)]
# The id of a stored row (an INTEGER column).
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


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
