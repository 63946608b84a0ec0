"""The change feed paging 1,000,000 events, as a ratio to a bare indexed
`SELECT position, type, at, data FROM feed_events WHERE position > ? ORDER BY position
LIMIT ?` over the same rows, measured in the same run.

Rows: decision.recorded bodies as the sequencer writes them (a recommendation ref, a
note naming a planner, person fields). Ours: `read_page` as GET /api/v1/events runs it
(cursor check, retention check, privacy in the default pseudonymous mode, public
bodies), pages of 1000 read from pages spread over the feed. Floor: the same pages by the
bare query through the driver, rows fetched. Target: ours at >= 0.5 of the floor's rate."""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bench.stores import each_database
from core.config import load_config
from storage import migrate
from storage.db import Database
from workflows.events import event_people, read_page
from workflows.events.feed import encode_cursor

ROWS = int(os.environ.get("SOPBOT_BENCH_FEED_ROWS", "1000000"))
PAGE, PAGES, RUNS = 1000, 50, 5
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CONFIG = Path(__file__).resolve().parents[1] / "core" / "data" / "demo.yml"
_DATA = (
    '{"recommendation": {"id": 1, "source": "planner-ai", "external_id": "r1", "revision": 1, '
    '"type": "stockout_risk", "sku": "SKU-1", "site": "DC-NORTH", "supplier": null, '
    '"customer": null, "product_family": null}, "action": "override", "ai_value": 240, '
    '"final_value": 120, "unit": "pcs", "reason_code": "DATA_ERROR", "reason_label": '
    '"Input data is wrong", "note": "Ana Lopez checked the ghost stock", "decided_by": "ana", '
    '"on_behalf_of": null, "role": "planner", "channel": "slack", "decided_at": null}'
)
_PG_LOAD = """INSERT INTO feed_events (position, audit_event_id, type, recommendation_id, at, data)
    SELECT n, n, 'decision.recorded', n, :now - (:rows - n) * interval '1 second',
      CAST(:data AS jsonb) FROM generate_series(1, :rows) AS n"""
_SQLITE_LOAD = """WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq
    WHERE n < :rows) INSERT INTO feed_events
    (position, audit_event_id, type, recommendation_id, at, data)
    SELECT n, n, 'decision.recorded', n,
      datetime(:now, '-' || (:rows - n) || ' seconds') || '.000000', :data FROM seq"""
# The head position the cursor check reads comes from the audit rows' stamps.
_PG_HEAD = """INSERT INTO events (kind, at, data, feed_position)
    VALUES ('accepted', :now, '{}'::jsonb, :rows)"""
_SQLITE_HEAD = """INSERT INTO events (kind, at, data, feed_position)
    VALUES ('accepted', :now, '{}', :rows)"""


def load(database: Database) -> float:
    began = time.perf_counter()
    pg = database.is_postgres
    now = NOW if pg else NOW.strftime("%Y-%m-%d %H:%M:%S")
    with database.engine.begin() as connection:
        args = {"rows": ROWS, "now": now, "data": _DATA}
        connection.execute(text(_PG_LOAD if pg else _SQLITE_LOAD), args)
        head_now = now if pg else NOW.strftime("%Y-%m-%d %H:%M:%S.000000")
        connection.execute(text(_PG_HEAD if pg else _SQLITE_HEAD), {"rows": ROWS, "now": head_now})
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE feed_events" if pg else "ANALYZE")
    return time.perf_counter() - began


def starts() -> list[int]:
    step = max(1, (ROWS - PAGE) // PAGES)
    return [i * step for i in range(PAGES)]


def floor(database: Database) -> float:
    sql = (
        "SELECT position, type, at, data FROM feed_events WHERE position > %s "
        "ORDER BY position LIMIT %s"
        if database.is_postgres
        else "SELECT position, type, at, data FROM feed_events WHERE position > ? "
        "ORDER BY position LIMIT ?"
    )
    began = time.perf_counter()
    with database.engine.connect() as connection:
        for after in starts():
            rows = connection.exec_driver_sql(sql, (after, PAGE)).all()
            assert len(rows) == PAGE
    return time.perf_counter() - began


def bench_database(label: str, database: Database) -> None:
    migrate.upgrade(database)
    config = load_config(CONFIG)
    loaded = load(database)
    print(f"{label}: loaded {ROWS:,} events in {loaded:.1f} s", flush=True)
    people = event_people(database, config=config, now=NOW)
    assert people.mode == "pseudonymous"

    def ours() -> float:
        began = time.perf_counter()
        for after in starts():
            with database.read() as session:
                cursor = encode_cursor(after) if after else None
                page = read_page(session, cursor=cursor, types=None, limit=PAGE, people=people)
            assert len(page.events) == PAGE
            assert page.events[0]["data"]["decided_by"].startswith("person-")
        return time.perf_counter() - began

    ours()  # warm
    floors, mine = [], []
    for _ in range(RUNS):
        floors.append(floor(database))
        mine.append(ours())
    low, us = statistics.median(floors), statistics.median(mine)
    rate = low / us if us else 0.0
    print(
        f"{label:<10} ours {us * 1000:8.1f} ms   floor {low * 1000:8.1f} ms   "
        f"({PAGES} pages of {PAGE})   ours at {rate:4.2f} of the floor's rate   "
        f"(target >= 0.5: {'met' if rate >= 0.5 else 'MISSED'})",
        flush=True,
    )


def run() -> None:
    print(
        f"Feed: {PAGES} pages of {PAGE} over {ROWS:,} events, pseudonymous; floor = the bare "
        f"indexed SELECT; median of {RUNS} alternating runs",
        flush=True,
    )
    for label, database in each_database("sopbot_bench_feed"):
        bench_database(label, database)


if __name__ == "__main__":
    run()
