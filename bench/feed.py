"""The change feed paging 1,000,000 events, as a ratio to a bare indexed
`SELECT ... FROM feed_events WHERE position > ? ORDER BY position LIMIT ?` over the same
rows, measured in the same run.

Rows: decision.recorded events as the sequencer writes them (a recommendation ref, a
note naming a planner, person fields; `data` with ids, `body` the public text rewritten
for the default pseudonymous mode under its key; a sample is checked against
`render_entry`). Ours: `read_page` as GET /api/v1/events runs it (cursor check, retention
check, the stored bodies under the reader's privacy key) and the response text assembled
(`Page.json_text`), pages of 1000 spread over the feed. Floors, through the driver, rows
fetched: `SELECT position, body` (the stored text: what the feed serves, the stricter
floor and the one the target is judged on) and `SELECT position, type, at, data` (the
columns of the earlier figures; psycopg decodes jsonb there). Each floor and ours
alternate, median of RUNS. Target: ours at >= 0.5 of the floor's rate.
Then the rewrite after a privacy change: STALE rows marked as written under another key,
rewritten by `Sequencer.refresh` batches (rows/s)."""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text, update

from bench.stores import each_database
from core.config import load_config
from storage import migrate
from storage.db import Database
from storage.models import FeedEvent
from workflows.events import EventPeople, event_people, read_page
from workflows.events.bodies import refresh_bodies, render_entry
from workflows.events.feed import encode_cursor

ROWS = int(os.environ.get("SOPBOT_BENCH_FEED_ROWS", "1000000"))
PAGE, PAGES, RUNS = 1000, 50, 5
STALE = int(os.environ.get("SOPBOT_BENCH_FEED_STALE", "20000"))
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
# `body`: the rendered entry around its position and timestamp (spelt as isoformat()).
_PG_LOAD = """INSERT INTO feed_events
    (position, audit_event_id, type, recommendation_id, at, data, body, body_key)
    SELECT n, n, 'decision.recorded', n, t, CAST(:data AS jsonb),
      :p0 || n || :p1 || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00'
        || :p2,
      :key
    FROM generate_series(1, :rows) AS n,
      LATERAL (SELECT CAST(:now AS timestamptz) - (:rows - n) * interval '1 second' AS t) AS s"""
_SQLITE_LOAD = """WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq
    WHERE n < :rows), stamped(n, t) AS (
      SELECT n, datetime(:now, '-' || (:rows - n) || ' seconds') FROM seq)
    INSERT INTO feed_events
    (position, audit_event_id, type, recommendation_id, at, data, body, body_key)
    SELECT n, n, 'decision.recorded', n, t || '.000000', :data,
      :p0 || n || :p1 || replace(t, ' ', 'T') || '+00:00' || :p2, :key FROM stamped"""
# The head position the cursor check reads comes from the audit rows' stamps.
_PG_HEAD = """INSERT INTO events (kind, at, data, feed_position)
    VALUES ('accepted', :now, '{}'::jsonb, :rows)"""
_SQLITE_HEAD = """INSERT INTO events (kind, at, data, feed_position)
    VALUES ('accepted', :now, '{}', :rows)"""


def load(database: Database, people: EventPeople) -> float:
    began = time.perf_counter()
    pg = database.is_postgres
    now = NOW if pg else NOW.strftime("%Y-%m-%d %H:%M:%S")
    mark = 987654321  # a position no row has: where the row's own goes in
    rendered = render_entry(mark, "decision.recorded", NOW, json.loads(_DATA), people)
    p0, rest = rendered.split(str(mark), 1)
    p1, p2 = rest.split(NOW.isoformat())
    with database.engine.begin() as connection:
        args = {"rows": ROWS, "now": now, "data": _DATA, "p0": p0, "p1": p1, "p2": p2}
        args["key"] = people.key
        connection.execute(text(_PG_LOAD if pg else _SQLITE_LOAD), args)
        head_now = now if pg else NOW.strftime("%Y-%m-%d %H:%M:%S.000000")
        connection.execute(text(_PG_HEAD if pg else _SQLITE_HEAD), {"rows": ROWS, "now": head_now})
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE feed_events" if pg else "ANALYZE")
    return time.perf_counter() - began


def check_sample(database: Database, people: EventPeople) -> None:
    """The loaded bodies are what the sequencer would have written for their rows."""
    with database.read() as session:
        for position in (1, ROWS // 3, ROWS):
            row = session.scalars(select(FeedEvent).where(FeedEvent.position == position)).one()
            expected = render_entry(position, row.type, row.at, row.data, people)
            assert row.body == expected, position
            assert row.body_key == people.key


def starts() -> list[int]:
    step = max(1, (ROWS - PAGE) // PAGES)
    return [i * step for i in range(PAGES)]


def floor(database: Database, columns: str) -> float:
    mark = "%s" if database.is_postgres else "?"
    sql = (
        f"SELECT {columns} FROM feed_events WHERE position > {mark} ORDER BY position LIMIT {mark}"
    )
    began = time.perf_counter()
    with database.engine.connect() as connection:
        for after in starts():
            rows = connection.exec_driver_sql(sql, (after, PAGE)).all()
            assert len(rows) == PAGE
    return time.perf_counter() - began


def refresh_rate(database: Database, people: EventPeople) -> float:
    """Rows/s rewritten after a privacy change: STALE rows marked with another key."""
    with database.transaction() as session:
        session.execute(update(FeedEvent).where(FeedEvent.position <= STALE).values(body_key="old"))
    began, done = time.perf_counter(), 0
    while True:
        with database.transaction() as session:
            found = refresh_bodies(session, people=people)
        done += found
        if not found:
            break
    took = time.perf_counter() - began
    assert done == min(STALE, ROWS)
    check_sample(database, people)
    return done / took


def bench_database(label: str, database: Database) -> None:
    migrate.upgrade(database)
    config = load_config(CONFIG)
    people = event_people(database, config=config, now=NOW)
    assert people.mode == "pseudonymous"
    loaded = load(database, people)
    check_sample(database, people)
    print(f"{label}: loaded {ROWS:,} events in {loaded:.1f} s", flush=True)

    def ours() -> float:
        began = time.perf_counter()
        for after in starts():
            with database.read() as session:
                cursor = encode_cursor(after) if after else None
                page = read_page(session, cursor=cursor, types=None, limit=PAGE, people=people)
            answer = page.json_text()
            assert len(page.texts) == PAGE and answer.endswith('"}')
            assert json.loads(page.texts[0])["data"]["decided_by"].startswith("person-")
        return time.perf_counter() - began

    ours()  # warm
    for columns, name in (("position, body", "stored text"), ("position, type, at, data", "data")):
        floors, mine = [], []
        for _ in range(RUNS):
            floors.append(floor(database, columns))
            mine.append(ours())
        low, us = statistics.median(floors), statistics.median(mine)
        rate = low / us if us else 0.0
        print(
            f"{label:<10} ours {us * 1000:8.1f} ms   floor ({name}) {low * 1000:8.1f} ms   "
            f"({PAGES} pages of {PAGE})   ours at {rate:4.2f} of the floor's rate   "
            f"(target >= 0.5: {'met' if rate >= 0.5 else 'MISSED'})",
            flush=True,
        )
    print(
        f"{label:<10} after a privacy change: {min(STALE, ROWS):,} bodies rewritten at "
        f"{refresh_rate(database, people):,.0f} rows/s",
        flush=True,
    )


def run() -> None:
    print(
        f"Feed: {PAGES} pages of {PAGE} over {ROWS:,} events, pseudonymous; floors = the bare "
        f"indexed SELECT of the stored text, then of the data; median of {RUNS} alternating "
        "runs each",
        flush=True,
    )
    for label, database in each_database("sopbot_bench_feed"):
        bench_database(label, database)


if __name__ == "__main__":
    run()
