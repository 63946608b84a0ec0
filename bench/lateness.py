"""Escalation lateness: from an SLA's expiry to the escalation message reaching the
(fake) Slack Web API, for 1,000 expiries, with `SOPBOT_SLA_SWEEP_SECONDS=5`.

A real `sopbot serve` runs with Slack on (its Web API at tests/fakes/slack_api.py on
loopback), its clock starting on a Monday morning and running at real speed. The bench
learns the server's clock offset from one ingested recommendation (its `received_at`
against the wall clock around the POST), then writes 1,000 open recommendations whose
reminders are behind them and whose SLAs expire over the next SPREAD seconds, evenly.
Each expiry's lateness is the wall-clock time its "Escalated: ..." message to the
owner's manager arrived at the fake, minus the expiry in wall-clock time (fake polled
every 20 ms). Target: p99 <= sweep interval + 5 s. Bounded: the run ends SETTLE seconds
after the last expiry whatever arrived."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, text

from bench.serving import wait_healthy
from storage import migrate
from storage.db import Database
from storage.models import Recommendation
from tests.fakes.slack_api import FakeSlackApi
from tests.support.live import free_port
from tests.support.pg import scratch_database
from tests.support.slack_http import SIGNING_SECRET

EXPIRIES = int(os.environ.get("SOPBOT_BENCH_LATENESS_EXPIRIES", "1000"))
SPREAD = float(os.environ.get("SOPBOT_BENCH_LATENESS_SPREAD", "60"))  # seconds
SWEEP_SECONDS = 5.0
LEAD = 10.0  # seconds from writing the rows to the first expiry
SETTLE = 60.0  # seconds after the last expiry before the run gives up waiting
CLOCK_START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin
TOKEN = "bench-token"
TITLE = "LATE-"
OWNERS = ["ana", "carl", "dora"]  # their manager: ben


def start_server(url: str, slack: FakeSlackApi) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "SOPBOT_DATABASE_URL": url,
        "SOPBOT_API_TOKEN": TOKEN,
        "SOPBOT_LOCAL_CHAT": "0",
        "SOPBOT_CLOCK_START": CLOCK_START.isoformat(),
        "SOPBOT_SLA_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
    }
    env.pop("SOPBOT_CONFIG", None)
    env.pop("SOPBOT_TICK_SECONDS", None)  # the default delivery tick, as deployed
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process=server)
    except RuntimeError:
        server.kill()
        raise
    return server, base


def clock_offset(base: str) -> timedelta:
    """Server clock minus wall clock, to within half a request's round trip."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as api:
        probe = {
            "external_id": "clock-probe",
            "source": "bench",
            "type": "stockout_risk",
            "title": "clock probe",
            "action": "none",
            "confidence": 0.1,
        }
        before = time.time()
        created = api.post("/api/v1/recommendations", json=probe)
        after = time.time()
        created.raise_for_status()
        detail = api.get(f"/api/v1/recommendations/{created.json()['id']}").json()
    received = datetime.fromisoformat(detail["received_at"])
    wall = datetime.fromtimestamp((before + after) / 2, UTC)
    return received - wall


def expiring_rows(server_now: datetime) -> list[dict]:
    rows = []
    for n in range(EXPIRIES):
        due = server_now + timedelta(seconds=LEAD + SPREAD * n / EXPIRIES)
        rows.append(
            {
                "source": "bench",
                "external_id": f"late-{n}",
                "revision": 1,
                "content_hash": "x",
                "type": "stockout_risk",
                "title": f"{TITLE}{n:04d}",
                "action": "Move stock",
                "site": "DC-NORTH",
                "confidence": 0.8,
                "drivers": [],
                "links": [],
                "received_at": server_now - timedelta(hours=1),
                "status": "open",
                "tier": "direct",
                "owner_id": OWNERS[n % len(OWNERS)],
                "due_at": due,
            }
        )
    return rows


def arrivals(slack: FakeSlackApi, seen: dict[str, float]) -> None:
    now = time.time()
    for params in slack.calls_to("chat.postMessage"):
        text = str(params.get("text", ""))
        if text.startswith("Escalated: ") and str(params.get("channel", "")).startswith("U"):
            start = text.find(TITLE)
            if start >= 0:
                seen.setdefault(text[start : start + len(TITLE) + 4], now)


def measure(url: str) -> None:
    database = Database(url)
    migrate.upgrade(database)
    with FakeSlackApi() as slack:
        server, base = start_server(url, slack)
        try:
            offset = clock_offset(base)
            rows = expiring_rows(datetime.now(UTC) + offset)
            with database.engine.begin() as connection:
                connection.execute(insert(Recommendation), rows)
                # The sweep's entry: each row's next action is its due time (escalation),
                # both reminders sent.
                connection.execute(
                    text(
                        "INSERT INTO sla_clocks (recommendation_id, next_action_at, "
                        "reminders_sent, escalation_level) "
                        "SELECT id, due_at, 2, 0 FROM recommendations WHERE source = 'bench'"
                    )
                )
            due_wall = {row["title"]: (row["due_at"] - offset).timestamp() for row in rows}
            seen: dict[str, float] = {}
            give_up = max(due_wall.values()) + SETTLE
            while len(seen) < EXPIRIES and time.time() < give_up:
                arrivals(slack, seen)
                time.sleep(0.02)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            database.dispose()
    late = sorted(seen[title] - due_wall[title] for title in seen)
    if not late:
        print(f"{label(url):<10} no escalation arrived (MISSED)", flush=True)
        return
    p99 = late[min(len(late) - 1, int(0.99 * len(late)))]
    target = SWEEP_SECONDS + 5
    verdict = "met" if p99 <= target and len(late) == EXPIRIES else "MISSED"
    print(
        f"{label(url):<10} arrived {len(late)}/{EXPIRIES}   lateness p50 "
        f"{statistics.median(late):5.2f} s  p99 {p99:5.2f} s  max {late[-1]:5.2f} s   "
        f"(target p99 <= {target:.0f} s: {verdict})",
        flush=True,
    )


def label(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def run() -> None:
    print(
        f"escalation lateness: {EXPIRIES:,} SLA expiries over {SPREAD:.0f} s, sweep every "
        f"{SWEEP_SECONDS:.0f} s, expiry -> escalation at the fake Slack Web API",
        flush=True,
    )
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        with scratch_database(admin_url, "sopbot_bench") as url:
            measure(url)
    # SQLite too when asked, or when there is no PostgreSQL: keeps `make bench` short.
    if os.environ.get("SOPBOT_BENCH_LATENESS_SQLITE", "0" if admin_url else "1") != "0":
        with tempfile.TemporaryDirectory() as tmp:
            measure(f"sqlite:///{Path(tmp) / 'lateness.db'}")
