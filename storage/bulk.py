"""Bulk inserts at driver speed for the hot paths (ingestion, the SLA sweep).

SQLAlchemy's per-value bind processors (our UTC datetimes, JSON) cost more than SQLite
itself on large batches. Here each column is converted once, by type, to what the
driver takes, and the rows go to the driver's executemany directly."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Table

from storage.types import UTCDateTime

_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DATETIME stores


@lru_cache(maxsize=1024)
def _sqlite_datetime_text(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.strftime(_SQLITE_DATETIME)


def _sqlite_datetime(value: datetime | None) -> str | None:
    # Rows of one batch share a handful of instants (arrival, due times): cached.
    return None if value is None else _sqlite_datetime_text(value)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def _is_json(column_type: Any, dialect: str) -> bool:
    variant = getattr(column_type, "_variant_mapping", {}).get(dialect)
    return isinstance(variant if variant is not None else column_type, JSON)


def _converter(column_type: Any, dialect: str) -> Callable[[Any], Any] | None:
    if _is_json(column_type, dialect):
        return _json
    if isinstance(column_type, UTCDateTime) and dialect == "sqlite":
        return _sqlite_datetime
    return None


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row (all rows must have the same keys) in one driver executemany."""
    if not rows:
        return
    dialect = connection.dialect.name
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    values = [
        f"CAST({placeholder} AS JSONB)"
        if dialect == "postgresql" and _is_json(column.type, dialect)
        else placeholder
        for column in columns
    ]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(values)})"
    converted = [
        (index, conv)
        for index, column in enumerate(columns)
        if (conv := _converter(column.type, dialect)) is not None
    ]
    params = []
    for row in rows:
        record = [row[name] for name in names]
        for index, conv in converted:
            record[index] = conv(record[index])
        params.append(tuple(record))
    connection.exec_driver_sql(sql, params)


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """PostgreSQL: `count` ids from the table's own sequence in one round trip, so the
    new rows and the rows that point at them can go in together (RowBatch) instead of
    a per-batch INSERT ... RETURNING (whose long multi-row text psycopg parses anew on
    every batch: half the time of a batch). The sequence hands each id out once."""
    sql = (
        f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %s)"
    )
    return [row[0] for row in connection.exec_driver_sql(sql, (count,))]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class RowBatch:
    """New rows of several tables, written together when `write()` is called.

    PostgreSQL: one statement, whatever the number of tables and rows: each table's
    rows travel as one JSON parameter and go in through a data-modifying CTE
    (`INSERT ... SELECT ... FROM jsonb_populate_recordset`), so a batch costs one round
    trip and one parse; the foreign keys are checked at the end of the statement, so a
    child table may reference rows of a parent added before it. SQLite: one driver
    executemany per table, in the order added."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.tables: list[tuple[Table, Sequence[dict[str, Any]]]] = []

    def add(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.tables.append((table, rows))

    def write(self) -> None:
        tables, self.tables = self.tables, []
        if self.connection.dialect.name != "postgresql":
            for table, rows in tables:
                insert_rows(self.connection, table, rows)
            return
        if not tables:
            return
        parts, params = [], []
        for number, (table, rows) in enumerate(tables):
            names = ", ".join(rows[0])
            source = f"jsonb_populate_recordset(NULL::{table.name}, %s::jsonb)"
            parts.append(
                f"t{number} AS (INSERT INTO {table.name} ({names}) SELECT {names} FROM {source})"
            )
            params.append(json.dumps(rows, separators=(",", ":"), default=_json_value))
        self.connection.exec_driver_sql(f"WITH {', '.join(parts)} SELECT 1", tuple(params))
