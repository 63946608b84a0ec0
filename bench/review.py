"""`sopbot report overrides` over 1,000,000 decided recommendations with outcomes, as a
ratio to a floor of the same aggregates written as plain SQL over the same rows, measured
in the same run, interleaved (floor, ours, floor, ours).

Rows (SOPBOT_BENCH_ROWS, default 1,000,000 decisions): five types, 997 skus, three sites,
seven suppliers, eleven customers, five owners over the 60 days before the report; 10%
overridden, 5% decided automatically, the rest accepted; 80% with an actual (so the
naive forecast has earlier actuals of the same type, sku and site to find), a quarter with
a baseline; 2% escalated, 1% with an SLA extension; plus 2% open or withdrawn.
Written by INSERT ... SELECT in the database (generate_series / a recursive CTE).

Floor: what the report must know, straight from the driver: per type the counts by
status and decision, overrides won and tied, the WAPE sums of the naive (a window
function over the same-type actuals observed before), AI and final steps, bias sums, the
calibration bins and breaches; the override counts per owner, site, supplier, customer
and reason; and the median and p90 time to decide (PostgreSQL's percentile_disc in wall
hours; on SQLite fetched and sorted). Ours: `review_for` as the CLI, the API and chat run
it (business hours in each owner's calendar, SLA as first set from the audit trail,
threshold bands, privacy). Target: ours within 3x the floor. Also timed in the same
interleave, as a ratio to the same floor: the report of the last week alone (the weekly
post), whose cost should follow the week's rows rather than the table's."""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, text

from bench.stores import each_database
from core.clock import AdjustableClock
from core.config import load_config
from storage import migrate
from storage.db import Database
from storage.types import UTCDateTime
from tests.support.data import ROOT
from workflows.base import WorkflowContext
from workflows.review.report import review_for

ROWS = int(os.environ.get("SOPBOT_BENCH_ROWS", "1000000"))
RUNS = int(os.environ.get("SOPBOT_BENCH_RUNS", "3"))
NOW = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
WEEK_SINCE = NOW.date() - timedelta(days=6)

_TYPES = ("stockout_risk", "supplier_delay", "demand_revision", "capacity_warning", "expedite")
_OWNERS = ("ana", "carl", "dora", "eve", "finn")
_REASONS_CODES = ("DATA_ERROR", "PROMOTION", "CUSTOMER_CALL")


def _pick(values: tuple[str, ...], expression: str) -> str:
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE ({expression}) % {len(values)} {whens} END"


def _plus_hours(pg: bool, moment: str, hours: str) -> str:
    if pg:
        return f"({moment} + ({hours}) * interval '1 hour')"
    return f"(datetime({moment}, '+' || ({hours}) || ' hours') || '.000000')"


def _statements(pg: bool) -> list[str]:
    at = _plus_hours
    if pg:
        source = (
            "SELECT n, :now - (n % 60) * interval '1 day' - (n % 600) * interval '1 minute' AS t"
            " FROM generate_series(1, :total) AS n"
        )
        empty, iso = (
            "'[]'::jsonb",
            "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS+00:00')",
        )
        obj = "jsonb_build_object"
    else:
        source = (
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :total)"
            " SELECT n, datetime(:now, '-' || (n % 60) || ' days', '-' || (n % 600) || ' minutes')"
            " || '.000000' AS t FROM seq"
        )
        empty, iso, obj = "'[]'", "strftime('%Y-%m-%dT%H:%M:%S+00:00', {})", "json_object"
    quantity = "(100 + (n * 37) % 200)"
    recs = f"""INSERT INTO recommendations (source, external_id, revision, content_hash, type,
        title, action, sku, site, supplier, customer, quantity, baseline_value, confidence,
        interval_low, interval_high, drivers, links, event_time, received_at, status, tier,
        owner_id, due_at, decided_at)
        SELECT 'planner-ai', 'r' || n, 1, 'x', {_pick(_TYPES, "n")}, 'Move stock', 'act',
          'SKU-' || (n % 997), {_pick(("DC-NORTH", "DC-SOUTH", "PLANT-2"), "n / 5")},
          'SUP-' || (n % 7), 'C-' || (n % 11), {quantity},
          CASE WHEN n % 4 = 0 THEN {quantity} - 10 END, 0.5 + (n % 50) / 100.0,
          {quantity} * 0.9, {quantity} * 1.1, {empty}, {empty}, {at(pg, "t", "-1")}, t,
          CASE WHEN n <= :rows THEN 'decided' WHEN n % 2 = 0 THEN 'open' ELSE 'withdrawn' END,
          CASE WHEN n % 3 = 0 THEN 'digest' ELSE 'direct' END, {_pick(_OWNERS, "n / 3")},
          {at(pg, "t", "8")},
          CASE WHEN n <= :rows THEN {at(pg, "t", "(n * 7) % 20")} END
        FROM ({source}) AS s"""
    decisions = f"""INSERT INTO decisions (recommendation_id, automatic, kind, actor_id, role,
        reason_code, value, channel, decided_at)
        SELECT id, id % 20 = 2, CASE WHEN id % 20 = 2 THEN 'auto' WHEN id % 10 = 1
          THEN 'override' ELSE 'accept' END, owner_id, 'owner',
          CASE WHEN id % 10 = 1 THEN {_pick(_REASONS_CODES, "id / 10")} END,
          CASE WHEN id % 10 = 1 THEN round(quantity * (0.6 + (id % 9) / 10.0)) END,
          'slack', decided_at
        FROM recommendations WHERE status = 'decided'"""
    outcomes = f"""INSERT INTO outcomes (recommendation_id, actual_value, observed_at, recorded_at)
        SELECT id, quantity + (id * 17) % 81 - 40, {at(pg, "received_at", "72")},
          {at(pg, "received_at", "73")}
        FROM recommendations WHERE id % 5 <> 4"""
    escalations = f"""INSERT INTO events (recommendation_id, kind, actor_id, at, data)
        SELECT id, 'escalated', NULL, due_at, {obj}('level', 1)
        FROM recommendations WHERE id % 50 = 0"""
    extensions = f"""INSERT INTO events (recommendation_id, kind, actor_id, at, data)
        SELECT id, 'sla_extended', 'ben', {at(pg, "due_at", "1")},
          {obj}('previous_due', {iso.format("due_at")}, 'due_at',
                {iso.format(at(pg, "due_at", "48"))})
        FROM recommendations WHERE id % 100 = 0"""
    never = "'9999-12-31 00:00:00+00'" if pg else "'9999-12-31 00:00:00.000000'"
    clocks = f"""INSERT INTO sla_clocks (next_action_at, recommendation_id, reminders_sent,
        escalation_level) SELECT {never}, id, 0, CASE WHEN id % 50 = 0 THEN 1 ELSE 0 END
        FROM recommendations"""
    return [recs, clocks, decisions, outcomes, escalations, extensions]


def load(database: Database) -> float:
    start = time.perf_counter()
    pg = database.is_postgres
    now = NOW if pg else NOW.strftime("%Y-%m-%d %H:%M:%S")
    with database.engine.begin() as connection:
        for statement in _statements(pg):
            query = text(statement)
            if pg and ":now" in statement:
                query = query.bindparams(bindparam("now", type_=UTCDateTime()))
            params = {"rows": ROWS, "total": ROWS + ROWS // 50, "now": now}
            connection.execute(query, {k: v for k, v in params.items() if f":{k}" in statement})
    if pg:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with database.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - start


_NAIVE = """WITH seen AS (
    SELECT r.type, r.sku, r.site, COALESCE(o.observed_at, o.recorded_at) AS at, 1 AS phase,
      o.id AS tb, o.actual_value AS actual, CAST(NULL AS INTEGER) AS rec_id
    FROM outcomes o JOIN recommendations r ON r.id = o.recommendation_id
    WHERE r.status <> 'withdrawn' AND o.actual_value IS NOT NULL AND r.sku IS NOT NULL
      AND r.sku <> ''),
  asked AS (
    SELECT type, sku, site, COALESCE(event_time, received_at) AS at, 0 AS phase, id AS tb,
      CAST(NULL AS REAL) AS actual, id AS rec_id
    FROM recommendations),
  runs AS (
    SELECT rec_id, actual, type, sku, site, count(actual) OVER (PARTITION BY type, sku, site
      ORDER BY at, phase, tb ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM (SELECT * FROM seen UNION ALL SELECT * FROM asked) AS b),
  nv AS (
    SELECT rec_id, max(actual) OVER (PARTITION BY type, sku, site, run) AS naive FROM runs),
  f AS (
    SELECT r.type, r.status, r.confidence, r.due_at, r.quantity AS ai, h.decided_at,
      COALESCE(h.kind, a.kind) AS kind,
      CASE WHEN h.id IS NOT NULL THEN h.value ELSE a.value END AS value,
      o.actual_value AS actual,
      CASE WHEN r.baseline_value IS NOT NULL THEN r.baseline_value
        WHEN r.sku IS NULL OR r.sku = '' THEN NULL ELSE nv.naive END AS naive,
      r.interval_low AS low, r.interval_high AS high
    FROM (SELECT * FROM nv WHERE rec_id IS NOT NULL) AS nv
    JOIN recommendations r ON r.id = nv.rec_id
    LEFT JOIN decisions h ON h.recommendation_id = r.id AND NOT h.automatic
    LEFT JOIN decisions a ON a.recommendation_id = r.id AND a.automatic
    LEFT JOIN outcomes o ON o.recommendation_id = r.id),
  g AS (
    SELECT *, CASE WHEN kind = 'override' THEN value WHEN kind IN ('accept', 'auto')
      THEN ai END AS final,
      CASE WHEN confidence >= 0.9 THEN 5 WHEN confidence >= 0.8 THEN 4
        WHEN confidence >= 0.7 THEN 3 WHEN confidence >= 0.6 THEN 2
        WHEN confidence >= 0.5 THEN 1 ELSE 0 END AS bin
    FROM f)
SELECT type, bin, count(*),
  sum(CASE WHEN status = 'decided' THEN 1 ELSE 0 END),
  sum(CASE WHEN status = 'decided' AND kind = 'override' THEN 1 ELSE 0 END),
  sum(CASE WHEN status = 'decided' AND kind = 'accept' THEN 1 ELSE 0 END),
  sum(CASE WHEN kind = 'override' AND status <> 'withdrawn'
    AND abs(value - actual) < abs(ai - actual) THEN 1 ELSE 0 END),
  sum(CASE WHEN kind = 'override' AND status <> 'withdrawn'
    AND abs(value - actual) = abs(ai - actual) THEN 1 ELSE 0 END),
  sum(CASE WHEN status <> 'withdrawn' AND naive IS NOT NULL AND final IS NOT NULL
    THEN abs(actual) END),
  sum(CASE WHEN status <> 'withdrawn' AND final IS NOT NULL THEN abs(naive - actual) END),
  sum(CASE WHEN status <> 'withdrawn' AND naive IS NOT NULL THEN abs(ai - actual) END),
  sum(CASE WHEN status <> 'withdrawn' AND naive IS NOT NULL THEN abs(final - actual) END),
  sum(CASE WHEN status <> 'withdrawn' THEN ai - actual END),
  sum(CASE WHEN status <> 'withdrawn' THEN final - actual END),
  sum(CASE WHEN status <> 'withdrawn' AND actual BETWEEN low AND high THEN 1 ELSE 0 END),
  sum(CASE WHEN decided_at > due_at THEN 1 ELSE 0 END)
FROM g GROUP BY type, bin"""

_BREAKDOWN = """SELECT r.type, r.{column}, count(*),
  sum(CASE WHEN COALESCE(h.kind, a.kind) = 'override' THEN 1 ELSE 0 END)
FROM recommendations r
LEFT JOIN decisions h ON h.recommendation_id = r.id AND NOT h.automatic
LEFT JOIN decisions a ON a.recommendation_id = r.id AND a.automatic
WHERE r.status = 'decided' GROUP BY r.type, r.{column}"""

_REASONS = """SELECT r.type, h.reason_code, count(*) FROM recommendations r
JOIN decisions h ON h.recommendation_id = r.id AND NOT h.automatic
WHERE r.status = 'decided' AND h.kind = 'override' GROUP BY r.type, h.reason_code"""

_PG_TIMES = """SELECT r.type,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM h.decided_at - r.received_at)),
  percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM h.decided_at - r.received_at))
FROM recommendations r JOIN decisions h ON h.recommendation_id = r.id AND NOT h.automatic
GROUP BY r.type"""

_SQLITE_TIMES = """SELECT r.type, (julianday(h.decided_at) - julianday(r.received_at)) * 24
FROM recommendations r JOIN decisions h ON h.recommendation_id = r.id AND NOT h.automatic"""


def floor(database: Database) -> float:
    began = time.perf_counter()
    with database.engine.connect() as connection:
        connection.exec_driver_sql(_NAIVE).all()
        for column in ("owner_id", "site", "supplier", "customer"):
            connection.exec_driver_sql(_BREAKDOWN.format(column=column)).all()
        connection.exec_driver_sql(_REASONS).all()
        if database.is_postgres:
            connection.exec_driver_sql(_PG_TIMES).all()
        else:
            hours: dict[str, list[float]] = {}
            for type_, value in connection.exec_driver_sql(_SQLITE_TIMES):
                hours.setdefault(type_, []).append(value)
            for values in hours.values():
                values.sort()
                statistics.median(values), values[int(0.9 * len(values))]
    return time.perf_counter() - began


def bench_database(label: str, database: Database) -> None:
    migrate.upgrade(database)
    config = load_config(ROOT / "core" / "data" / "demo.yml")
    clock = AdjustableClock(NOW, frozen=True)
    context = WorkflowContext.of(database=database, config=config, clock=clock)
    loaded = load(database)
    print(f"{label}: loaded {ROWS:,} decided recommendations in {loaded:.1f} s", flush=True)

    def ours() -> float:
        began = time.perf_counter()
        review = review_for(context, with_rows=False)
        elapsed = time.perf_counter() - began
        assert review.scopes["all"]["volume"]["decided"] == ROWS
        return elapsed

    def last_week() -> float:
        """The report of the last 7 of the 60 days (the cadence's weekly post): its cost
        should follow the week's rows, not the table's."""
        began = time.perf_counter()
        review = review_for(context, since=WEEK_SINCE, until=NOW.date(), with_rows=False)
        elapsed = time.perf_counter() - began
        assert 0 < review.scopes["all"]["volume"]["decided"] < ROWS
        return elapsed

    floors, mine, weeks = [], [], []
    for _ in range(RUNS):  # alternating, so a busy machine slows both alike
        floors.append(floor(database))
        mine.append(ours())
        weeks.append(last_week())
    low, us = statistics.median(floors), statistics.median(mine)
    ratio = us / low if low else float("inf")
    runs = ", ".join(f"{m / f:.2f}" for f, m in zip(floors, mine, strict=True))
    print(
        f"{label:<10} ours {us:7.2f} s   floor {low:7.2f} s   ratio {ratio:5.2f}   "
        f"(per run {runs}; target <= 3x: {'met' if ratio <= 3 else 'MISSED'})",
        flush=True,
    )
    week = statistics.median(weeks)
    print(
        f"{label:<10} a week's report {week:7.2f} s   ratio to the whole table's floor "
        f"{week / low if low else float('inf'):5.2f}   (per run "
        + ", ".join(f"{w / f:.2f}" for f, w in zip(floors, weeks, strict=True))
        + ")",
        flush=True,
    )


def run() -> None:
    print(
        f"Review: the override report over {ROWS:,} decided recommendations; floor = the "
        f"same aggregates as plain SQL; median of {RUNS} alternating runs",
        flush=True,
    )
    for label, database in each_database("sopbot_bench_review"):
        bench_database(label, database)


if __name__ == "__main__":
    run()
