"""`sopbot readiness` over 1,000,000 stored recommendations, as a ratio to a floor of the
same aggregates written as plain SQL over the same rows, measured in the same run.

Rows: spread over the 60 days before the check (so the data gate's window of five
business days holds about a tenth of them), five types, three sites, two sources.
Floor: what the data gate must know, straight from the driver: the window's counts per
type, site, source and unit with the missing required fields, the first receipt, and
the p95 of both lags per type (PostgreSQL's percentile_disc; on SQLite the lags fetched
and sorted). Ours: the whole check of all five gates (`check_readiness`), as the CLI,
the API and chat run it. Target: ours within 3x the floor."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import bindparam, text

from bench.stores import each_database
from core.clock import Calendars
from storage import migrate
from storage.db import Database
from storage.types import UTCDateTime
from tests.workflows.review.readiness_world import demo_config
from workflows.readiness.data_gate import window_start
from workflows.readiness.gates import check_readiness

ROWS = int(os.environ.get("SOPBOT_BENCH_READINESS_ROWS", "1000000"))
RUNS = 5
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin

_COLUMNS = """source, external_id, revision, content_hash, type, title, action, sku, site,
    unit, confidence, drivers, links, event_time, recorded_time, received_at, status, tier,
    owner_id, due_at"""
_TYPES = "(ARRAY['stockout_risk','supplier_delay','demand_revision','capacity_warning','expedite'])"
_PG_LOAD = f"""INSERT INTO recommendations ({_COLUMNS})
    SELECT CASE WHEN n % 7 = 0 THEN 'erp' ELSE 'planner-ai' END, 'r' || n, 1, 'x',
      {_TYPES}[1 + n % 5], 'SKU', 'Move stock', 'SKU-' || (n % 977),
      (ARRAY['DC-NORTH','DC-SOUTH','PLANT-2'])[1 + n % 3], 'pcs', 0.8, '[]'::jsonb,
      '[]'::jsonb, t - interval '5 minutes' - (n % 11) * interval '1 minute',
      t - interval '4 minutes' - (n % 13) * interval '1 second', t, 'decided', 'direct', 'ana',
      t
    FROM (SELECT n, :now - (n % 60) * interval '1 day' - (n % 600) * interval '1 second' AS t
          FROM generate_series(1, :rows) AS n) AS s"""
_SQLITE_LOAD = f"""WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq
    WHERE n < :rows), s AS (SELECT n, datetime(:now, '-' || (n % 60) || ' days',
    '-' || (n % 600) || ' seconds') AS t FROM seq)
    INSERT INTO recommendations ({_COLUMNS})
    SELECT CASE WHEN n % 7 = 0 THEN 'erp' ELSE 'planner-ai' END, 'r' || n, 1, 'x',
      CASE n % 5 WHEN 0 THEN 'stockout_risk' WHEN 1 THEN 'supplier_delay'
        WHEN 2 THEN 'demand_revision' WHEN 3 THEN 'capacity_warning' ELSE 'expedite' END,
      'SKU', 'Move stock', 'SKU-' || (n % 977),
      CASE n % 3 WHEN 0 THEN 'DC-NORTH' WHEN 1 THEN 'DC-SOUTH' ELSE 'PLANT-2' END, 'pcs', 0.8,
      '[]', '[]', datetime(t, '-' || (5 + n % 11) || ' minutes') || '.000000',
      datetime(t, '-240 seconds', '-' || (n % 13) || ' seconds') || '.000000',
      t || '.000000', 'decided', 'direct', 'ana', t || '.000000'
    FROM s"""


def load(database: Database) -> float:
    start = time.perf_counter()
    statement = _PG_LOAD if database.is_postgres else _SQLITE_LOAD
    now = NOW if database.is_postgres else NOW.strftime("%Y-%m-%d %H:%M:%S")
    query = text(statement)
    if database.is_postgres:
        query = query.bindparams(bindparam("now", type_=UTCDateTime()))
    with database.engine.begin() as connection:
        connection.execute(query, {"rows": ROWS, "now": now})
    if database.is_postgres:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE recommendations"))
    else:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - start


def _nearest_rank(values: list[float]) -> float | None:
    if not values:
        return None
    values.sort()
    return values[max(0, math.ceil(0.95 * len(values)) - 1)]


def floor(database: Database, start: datetime) -> float:
    began = time.perf_counter()
    pg = database.is_postgres
    since = start if pg else start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with database.engine.connect() as connection:
        connection.exec_driver_sql(
            "SELECT type, site, source, unit, count(*), "
            "sum(CASE WHEN event_time IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN recorded_time IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN confidence IS NULL THEN 1 ELSE 0 END) "
            "FROM recommendations WHERE received_at >= %(s)s GROUP BY type, site, source, unit"
            if pg
            else "SELECT type, site, source, unit, count(*), "
            "sum(CASE WHEN event_time IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN recorded_time IS NULL THEN 1 ELSE 0 END), "
            "sum(CASE WHEN confidence IS NULL THEN 1 ELSE 0 END) "
            "FROM recommendations WHERE received_at >= ? GROUP BY type, site, source, unit",
            {"s": since} if pg else (since,),
        ).all()
        connection.exec_driver_sql("SELECT min(received_at) FROM recommendations").all()
        if pg:
            connection.exec_driver_sql(
                "SELECT type, percentile_disc(0.95) WITHIN GROUP (ORDER BY "
                "extract(epoch FROM received_at - recorded_time)), "
                "percentile_disc(0.95) WITHIN GROUP (ORDER BY "
                "extract(epoch FROM recorded_time - event_time)) FROM recommendations "
                "WHERE received_at >= %(s)s AND recorded_time IS NOT NULL GROUP BY type",
                {"s": since},
            ).all()
        else:
            lags: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
            for type_, d, e in connection.exec_driver_sql(
                "SELECT type, (julianday(received_at) - julianday(recorded_time)) * 86400.0, "
                "(julianday(recorded_time) - julianday(event_time)) * 86400.0 "
                "FROM recommendations WHERE received_at >= ? AND recorded_time IS NOT NULL",
                (since,),
            ):
                lags[type_][0].append(d)
                lags[type_][1].append(e)
            for d, e in lags.values():
                _nearest_rank(d), _nearest_rank(e)
    return time.perf_counter() - began


def bench_database(label: str, database: Database) -> None:
    migrate.upgrade(database)
    config = demo_config()
    calendars = Calendars(config)
    loaded = load(database)
    print(f"{label}: loaded {ROWS:,} recommendations in {loaded:.1f} s", flush=True)
    start = window_start(config, calendars, NOW)

    def ours() -> float:
        began = time.perf_counter()
        with database.read() as session:
            result = check_readiness(session, config=config, now=NOW, calendars=calendars)
        elapsed = time.perf_counter() - began
        assert len(result.gates) == 5
        return elapsed

    ours()  # warm: templates, calendars, statement caches
    floors, mine = [], []
    for _ in range(RUNS):  # alternating, so a busy machine slows both alike
        floors.append(floor(database, start))
        mine.append(ours())
    low, us = statistics.median(floors), statistics.median(mine)
    ratio = us / low if low else float("inf")
    print(
        f"{label:<10} ours {us * 1000:8.1f} ms   floor {low * 1000:8.1f} ms   ratio "
        f"{ratio:5.2f}   (target <= 3x: {'met' if ratio <= 3 else 'MISSED'})",
        flush=True,
    )


def run() -> None:
    print(
        f"Readiness: the five gates over {ROWS:,} stored recommendations; floor = the data "
        f"gate's aggregates as plain SQL; median of {RUNS} alternating runs",
        flush=True,
    )
    for label, database in each_database("sopbot_bench_ready"):
        bench_database(label, database)


if __name__ == "__main__":
    run()
