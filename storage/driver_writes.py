"""Writing one SLA sweep batch (and outbox rows) at driver speed: after an outage tens
of thousands of steps can be due at once, and SQLAlchemy's per-value bind processing
would cost more than the database. Values are converted once per column; inserts are
driver `executemany`, the progress update one `unnest` statement on PostgreSQL. Same
rows, same constraints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.types import NEVER

SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DATETIME stores

OUTBOX_COLUMNS = (
    "kind",
    "dedupe_key",
    "recommendation_id",
    "person_id",
    "payload",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
)
_OUTBOX_PG_TYPES = (
    "text",
    "text",
    "int",
    "text",
    "jsonb",
    "text",
    "int",
    "timestamptz",
    "timestamptz",
)
EVENT_COLUMNS = ("recommendation_id", "kind", "actor_id", "at", "data")
_EVENT_PG_TYPES = ("int", "text", "text", "timestamptz", "jsonb")
CLOCK_COLUMNS = (
    "next_action_at",
    "reminders_sent",
    "escalation_level",
    "snoozed_until",
    "digest_on",
)
_CLOCK_PG_TYPES = ("timestamptz", "int", "int", "timestamptz", "date")


def sqlite_time(value: datetime | None) -> str | None:
    """As SQLAlchemy stores it (SQLITE_DATETIME); isoformat is the faster spelling."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_driver(value: object) -> datetime | None:
    """A UTC column's value as the driver returns it (SQLite: SQLITE_DATETIME text;
    PostgreSQL: an aware datetime), as UTCDateTime would hand it back."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError(f"not a date-time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _is_pg(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _unnest(types: Sequence[str]) -> str:
    return ", ".join(f"%s::{t}[]" for t in types)


def _columns(
    rows: Sequence[dict[str, Any]], names: Sequence[str], types: Sequence[str], sqlite: bool
) -> list[list[Any]]:
    """Per column, its values as the driver takes them."""
    out = []
    for name, kind in zip(names, types, strict=True):
        values = [row[name] for row in rows]
        if kind == "jsonb":  # one text per object: a sweep shares payloads; rows keep ids live
            texts: dict[int, str] = {}
            values = [
                None
                if v is None
                else texts[id(v)]
                if id(v) in texts
                else texts.setdefault(id(v), _json(v))
                for v in values
            ]
        elif kind == "timestamptz" and name == "next_action_at":  # None: nothing left
            values = [NEVER if v is None else v for v in values]
            if sqlite:
                values = _sqlite_times(values)
        elif kind == "timestamptz" and sqlite:
            values = _sqlite_times(values)
        elif kind == "date" and sqlite:  # as SQLAlchemy's SQLite DATE stores it
            values = [None if v is None else v.isoformat() for v in values]
        elif kind == "text":  # psycopg would send an Enum's name, not its value
            values = [v.value if isinstance(v, Enum) else v for v in values]
        out.append(values)
    return out


def _sqlite_times(values: list[Any]) -> list[Any]:
    seen: dict[datetime | None, str | None] = {}  # a batch shares a few instants
    return [seen[v] if v in seen else seen.setdefault(v, sqlite_time(v)) for v in values]


def insert_ignoring_duplicates(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Outbox rows; a `dedupe_key` that exists already is skipped, the rest go in.
    PostgreSQL: one JSON array (the server parses it in C) instead of an `executemany`,
    whose per-row pipeline bookkeeping in Python cost more than the inserts (10,000 rows
    in 10 batches: 341 ms executemany, 281 ms JSON, 382 ms SQLAlchemy's insertmanyvalues).
    SQLite: an `executemany`, which stays in C."""
    if rows:
        connection.exec_driver_sql(*_outbox_statement(rows, pg=_is_pg(connection)))


# Each outbox column read from the JSON array element `e` as its PostgreSQL type.
_OUTBOX_FROM_JSON = ", ".join(
    f"e->{i}" if kind == "jsonb" else f"e->>{i}" if kind == "text" else f"(e->>{i})::{kind}"
    for i, kind in enumerate(_OUTBOX_PG_TYPES)
)


def _outbox_statement(rows: Sequence[dict[str, Any]], *, pg: bool) -> tuple[str, Any]:
    insert = f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) "
    if pg:
        return (
            f"{insert}SELECT {_OUTBOX_FROM_JSON} FROM jsonb_array_elements(%s::jsonb) AS e "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            (_json_table([[row[n] for row in rows] for n in OUTBOX_COLUMNS], _OUTBOX_PG_TYPES),),
        )
    columns = _columns(rows, OUTBOX_COLUMNS, _OUTBOX_PG_TYPES, sqlite=True)
    return (
        f"{insert}VALUES ({', '.join('?' for _ in OUTBOX_COLUMNS)}) "
        "ON CONFLICT (dedupe_key) DO NOTHING",
        list(zip(*columns, strict=True)),
    )


def _json_table(columns: Sequence[list[Any]], types: Sequence[str]) -> str:
    """Columns as one JSON array of rows (arrays), for `jsonb_array_elements` to read:
    date-times and dates as ISO text, each distinct value formatted once (a batch shares
    a handful of instants), column by column so no value goes through a Python callback;
    enums (str) as their values, JSON columns nested."""
    out = []
    for values, kind in zip(columns, types, strict=True):
        if kind in ("timestamptz", "date"):
            iso: dict[Any, str | None] = {v: v.isoformat() for v in set(values) if v is not None}
            iso[None] = None
            values = [iso[v] for v in values]
        out.append(values)
    return json.dumps(list(zip(*out, strict=True)), separators=(",", ":"))


def write_sweep(
    connection: Connection,
    *,
    outbox: Sequence[dict[str, Any]],
    events: Sequence[dict[str, Any]],
    progress: Sequence[dict[str, Any]],
) -> None:
    """One sweep batch's writes: outbox rows (insert_ignoring_duplicates), audit events
    (insert_events) and the clocks' progress (update_progress). Measured and not kept:
    the three in one psycopg pipeline (no gain: the server is the bound)."""
    insert_ignoring_duplicates(connection, outbox)
    insert_events(connection, events)
    update_progress(connection, progress)


def insert_events(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names = ", ".join(EVENT_COLUMNS)
    if _is_pg(connection):
        connection.exec_driver_sql(*_events_statement_pg(rows))
        return
    columns = _columns(rows, EVENT_COLUMNS, _EVENT_PG_TYPES, sqlite=True)
    marks = ", ".join("?" for _ in EVENT_COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO events ({names}) VALUES ({marks})", list(zip(*columns, strict=True))
    )


def _events_statement_pg(rows: Sequence[dict[str, Any]]) -> tuple[str, tuple[Any, ...]]:
    return (
        f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
        f"SELECT * FROM unnest({_unnest(_EVENT_PG_TYPES)})",
        tuple(_columns(rows, EVENT_COLUMNS, _EVENT_PG_TYPES, sqlite=False)),
    )


def update_progress(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Each row's SLA progress (`id` plus CLOCK_COLUMNS) written to its `sla_clocks` row,
    one statement: the sweep never writes `recommendations`. `next_action_at` None is
    NEVER (nothing left to do); `digest_on` None keeps the stored day (a direct item over
    the daily cap keeps its digest day while its reminders go on)."""
    if not rows:
        return
    if _is_pg(connection):
        connection.exec_driver_sql(*_progress_statement_pg(rows))
        return
    rows = sorted(rows, key=_by_id)
    values = _columns(rows, CLOCK_COLUMNS, _CLOCK_PG_TYPES, sqlite=True)
    connection.exec_driver_sql(
        "UPDATE sla_clocks SET next_action_at = ?, reminders_sent = ?, escalation_level = ?, "
        "snoozed_until = ?, digest_on = COALESCE(?, digest_on) WHERE recommendation_id = ?",
        list(zip(*values, [row["id"] for row in rows], strict=True)),
    )


def _progress_statement_pg(rows: Sequence[dict[str, Any]]) -> tuple[str, tuple[str]]:
    """One JSON text, not six typed arrays: psycopg dumps an array item by item in
    Python (measured: most of the update's time), the server parses JSON in C."""
    rows = sorted(rows, key=_by_id)
    values = _columns(rows, CLOCK_COLUMNS, _CLOCK_PG_TYPES, sqlite=False)
    return (
        "UPDATE sla_clocks SET next_action_at = (e->>1)::timestamptz, "
        "reminders_sent = (e->>2)::int, escalation_level = (e->>3)::int, "
        "snoozed_until = (e->>4)::timestamptz, "
        "digest_on = COALESCE((e->>5)::date, sla_clocks.digest_on) "
        "FROM jsonb_array_elements(%s::jsonb) AS e "
        "WHERE sla_clocks.recommendation_id = (e->>0)::int",
        (_json_table([[row["id"] for row in rows], *values], ("int", *_CLOCK_PG_TYPES)),),
    )


def reschedule(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Clocks (`id`, `next_action_at`) moved to a later look with their digest day
    cleared: rows that missed an already-sent digest wait for the owner's next one."""
    rows = sorted(rows, key=_by_id)
    pg = _is_pg(connection)
    [at] = _columns(rows, ("next_action_at",), ("timestamptz",), sqlite=not pg)
    ids = [row["id"] for row in rows]
    if pg:
        connection.exec_driver_sql(
            "UPDATE sla_clocks SET next_action_at = v.at, digest_on = NULL FROM unnest("
            "%s::int[], %s::timestamptz[]) AS v(id, at) WHERE sla_clocks.recommendation_id = v.id",
            (ids, at),
        )
    else:
        connection.exec_driver_sql(
            "UPDATE sla_clocks SET next_action_at = ?, digest_on = NULL "
            "WHERE recommendation_id = ?",
            list(zip(at, ids, strict=True)),
        )


def _by_id(row: dict[str, Any]) -> int:
    return row["id"]


_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def insert_if_absent(
    session: Session,
    model: type[Any],
    rows: dict[str, Any] | Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] | None = None,
) -> list[Any]:
    """Insert rows unless their key is taken (INSERT ... ON CONFLICT DO NOTHING, which
    waits for a concurrent insert of the same key to commit); the primary keys of the
    rows this call inserted (a tuple per row when the key has several columns), empty
    when every key was taken. `conflict` names the unique key's columns (the conflict
    target): a clash on any other key is an error then, not skipped; None skips a clash
    on any key. For "create the row, then lock it" under concurrent first writers, and
    the once-only records (a review posted, a pattern detected, a click journaled)."""
    values = [rows] if isinstance(rows, dict) else list(rows)
    if not values:
        return []
    # storage.db.make_engine opens only these two stores.
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = (
        insert(model)
        .values(values)
        .on_conflict_do_nothing(index_elements=list(conflict) if conflict is not None else None)
    )
    # RETURNING answers a row only for an insert that happened (rowcount is not reliable
    # through the ORM's insert path on every driver).
    key = list(model.__table__.primary_key.columns)
    found = session.execute(statement.returning(*key)).all()
    return [row[0] if len(key) == 1 else tuple(row) for row in found]
