"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back timezone-aware UTC datetimes on every backend.

    SQLite has no time zones; without this, values come back naive and comparisons
    with aware datetimes fail at run time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# "No next action": the SLA clock's key cannot be NULL, so a row with nothing left to do
# sorts after every real moment (storage.models.SlaClock).
NEVER = datetime(9999, 12, 31, tzinfo=UTC)

JSONType = JSON().with_variant(JSONB(), "postgresql")

# A 64-bit integer on every backend: BIGINT on PostgreSQL; SQLite's INTEGER already
# holds 64 bits (and a type change there would copy the table for nothing).
BigInt = BigInteger().with_variant(Integer(), "sqlite")
