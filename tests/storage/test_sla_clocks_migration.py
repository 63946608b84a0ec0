"""Migration h20_sla_clocks: a database at 0014 with open and closed items keeps its SLA
state (every item gets its `sla_clocks` row with its counters, snooze and digest day; an
open item's next action moves there, a closed item's is NEVER), the sweep then finds
what is due through the new table, and the downgrade puts it all back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.clock import Calendars
from core.config import Config
from storage import migrate
from storage.db import Database
from storage.driver_writes import sqlite_time
from storage.types import NEVER
from tests.support.pg import pg_admin_url, scratch_database
from workflows.sla.sweep import sweep

RECEIVED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
REMINDER = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 50%
LATER = datetime(2026, 11, 30, 15, 12, tzinfo=UTC)  # 90%
SNOOZED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# external id, status, next_action_at, reminders_sent, escalation_level, snoozed_until,
# digest_on at 0014
ROWS = [
    ("open-due", "open", REMINDER, 0, 0, None, None),
    ("open-later", "open", LATER, 1, 0, SNOOZED, None),
    ("open-none", "open", None, 2, 2, None, None),  # e.g. every step taken
    ("decided", "decided", None, 2, 1, None, "2026-11-30"),
    ("withdrawn-stale", "withdrawn", REMINDER, 0, 0, None, None),  # the old index skipped it
]
STATE = "reminders_sent, escalation_level, snoozed_until, digest_on"


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.db'}")
        yield database
        database.dispose()
        return
    with scratch_database(pg_admin_url(), "sopbot_h20_clocks") as url:
        database = Database(url)
        yield database
        database.dispose()


def _at(database: Database, value: datetime | None) -> object:
    return value if database.is_postgres or value is None else sqlite_time(value)


def _clocks(database: Database) -> dict[str, datetime]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.external_id, c.next_action_at FROM sla_clocks c "
                "JOIN recommendations r ON r.id = c.recommendation_id"
            )
        )
        return {external_id: _utc(at) for external_id, at in rows}


def _state(database: Database, table: str, key: str) -> set[tuple[object, ...]]:
    """(external id, reminders, level, snoozed until, digest day) of every row."""
    join = "" if table == "recommendations" else " JOIN recommendations r ON r.id = t." + key
    name = "t.external_id" if table == "recommendations" else "r.external_id"
    columns = ", ".join(f"t.{c.strip()}" for c in STATE.split(","))
    with database.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {name}, {columns} FROM {table} t{join}"))
        return {
            (ext, sent, level, None if snoozed is None else _utc(snoozed), str(day or "") or None)
            for ext, sent, level, snoozed, day in rows
        }


EXPECTED_STATE = {(ext, *rest) for ext, _status, _next, *rest in ROWS}


def _utc(value: object) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


def test_open_items_keep_their_clock_and_the_sweep_finds_them(
    unmigrated: Database, config: Config
) -> None:
    migrate.upgrade(unmigrated, "0014")
    with unmigrated.engine.begin() as connection:
        for external_id, status, next_action, sent, level, snoozed, day in ROWS:
            connection.execute(
                text(
                    "INSERT INTO recommendations (source, external_id, revision, content_hash, "
                    "type, title, action, drivers, links, received_at, status, tier, owner_id, "
                    f"due_at, next_action_at, {STATE}) VALUES ('erp', "
                    ":ext, 1, 'x', 'stockout_risk', 't', 'a', '[]', '[]', :received, :status, "
                    "'direct', 'ana', :due, :next, :sent, :level, :snoozed, :day)"
                ),
                {
                    "ext": external_id,
                    "status": status,
                    "received": _at(unmigrated, RECEIVED),
                    "due": _at(unmigrated, DUE),
                    "next": _at(unmigrated, next_action),
                    "sent": sent,
                    "level": level,
                    "snoozed": _at(unmigrated, snoozed),
                    "day": day if day is None or not unmigrated.is_postgres else date(2026, 11, 30),
                },
            )
    migrate.upgrade(unmigrated)
    assert _clocks(unmigrated) == {
        "open-due": REMINDER,
        "open-later": LATER,
        "open-none": NEVER,
        "decided": NEVER,
        "withdrawn-stale": NEVER,
    }
    assert _state(unmigrated, "sla_clocks", "recommendation_id") == EXPECTED_STATE
    columns = {c["name"] for c in inspect(unmigrated.engine).get_columns("recommendations")}
    assert not columns & {"next_action_at", *(c.strip() for c in STATE.split(","))}

    report = sweep(
        database=unmigrated,
        config=config,
        calendars=Calendars(config),
        now=REMINDER.replace(second=30),
    )
    assert [(s.kind, s.person_id) for s in report.steps] == [("reminder", "ana")]
    assert _clocks(unmigrated)["open-due"] == LATER  # moved on

    cfg = migrate.alembic_config()
    with unmigrated.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0014")
    with unmigrated.engine.connect() as connection:
        rows = connection.execute(text("SELECT external_id, next_action_at FROM recommendations"))
        back = {external_id: at for external_id, at in rows}
    assert {k: _utc(v) for k, v in back.items() if v is not None} == {
        "open-due": LATER,
        "open-later": LATER,
    }
    swept = ("open-due", 1, 0, None, None)  # the sweep sent its reminder
    assert _state(unmigrated, "recommendations", "id") == EXPECTED_STATE - {
        ("open-due", 0, 0, None, None)
    } | {swept}
