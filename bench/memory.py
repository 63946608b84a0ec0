"""Resident memory of `sopbot serve` with 1,000,000 stored recommendations, while it
sweeps, delivers and serves the Slack Home tab and the list API, against the same
process and the same requests with an empty database.

The million rows are generated inside the database (bench.sla.load: generate_series on
PostgreSQL, a recursive CTE on SQLite), 1% of them with their first reminder due at the
server's clock start, so the first sweeps claim 10,000 rows and the outbox delivers to
the fake Slack Web API (tests/fakes/slack_api.py) while the requests run. Memory is read
from /proc/<pid>/status (VmRSS sampled, VmHWM the peak). Target: peak <= empty + 100 MB.
Everything talks to loopback only, and each phase is bounded in time."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.serving import wait_healthy
from bench.sla import NOW, load
from storage import migrate
from storage.db import Database
from tests.fakes.slack_api import FakeSlackApi
from tests.support.live import free_port
from tests.support.pg import scratch_database
from tests.support.slack_http import SIGNING_SECRET, SlackSender

ROWS = int(os.environ.get("SOPBOT_BENCH_MEMORY_ROWS", "1000000"))
SECONDS = float(os.environ.get("SOPBOT_BENCH_MEMORY_SECONDS", "20"))
TARGET_MB = 100.0
TOKEN = "bench-token"
HOME_USERS = ["U0ANA", "U0CARL", "U0DORA", "U0EVE"]
OWNERS = ["ana", "carl", "dora", "eve"]


@dataclass
class Memory:
    started_mb: float  # VmRSS once the server answers
    peak_mb: float  # VmHWM at the end
    last_mb: float  # VmRSS at the end
    requests: int
    delivered: int


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


@contextmanager
def serving(url: str, slack: FakeSlackApi) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    env = {
        **os.environ,
        "SOPBOT_DATABASE_URL": url,
        "SOPBOT_API_TOKEN": TOKEN,
        "SOPBOT_LOCAL_CHAT": "0",
        "SOPBOT_CLOCK_START": NOW.isoformat(),
        "SOPBOT_SLA_SWEEP_SECONDS": "2",
        "SOPBOT_TICK_SECONDS": "0.5",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
    }
    env.pop("SOPBOT_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process=server)
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print("  (`sopbot serve` still stopping after 60 s: killed)", flush=True)
            server.kill()
            server.wait(timeout=10)


def exercise(url: str) -> Memory:
    """Home tabs and list pages for SECONDS, with the scheduler sweeping and delivering."""
    with FakeSlackApi() as slack, serving(url, slack) as (server, base):
        started = _status_mb(server.pid, "VmRSS")
        stop = time.monotonic() + SECONDS
        requests = 0
        sampled = [started]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.2):
                sampled.append(_status_mb(server.pid, "VmRSS"))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        sender = SlackSender(base)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as api:
                after: int | None = None
                while time.monotonic() < stop:
                    user = HOME_USERS[requests % len(HOME_USERS)]
                    event = {
                        "type": "app_home_opened",
                        "user": user,
                        "channel": "D0" + user,
                        "tab": "home",
                    }
                    sender.event(event).raise_for_status()
                    params: dict[str, object] = {
                        "limit": 500,
                        "status": "open",
                        "owner": OWNERS[requests % len(OWNERS)],
                    }
                    if after is not None:
                        params["after_id"] = after
                    page = api.get("/api/v1/recommendations", params=params)
                    page.raise_for_status()
                    after = page.json()["next_after_id"]
                    detail_id = after or 1
                    api.get(f"/api/v1/recommendations/{detail_id}")
                    api.get("/metrics").raise_for_status()
                    requests += 4
        finally:
            sender.close()
            sampling.set()
            sampler.join()
        peak = _status_mb(server.pid, "VmHWM")
        last = _status_mb(server.pid, "VmRSS")
        delivered = len(slack.calls_to("chat.postMessage"))
        return Memory(
            started_mb=started,
            peak_mb=max(peak, *sampled),
            last_mb=last,
            requests=requests,
            delivered=delivered,
        )


def compare(label: str, empty_url: str, full_url: str) -> None:
    empty_db = Database(empty_url)
    migrate.upgrade(empty_db)
    empty_db.dispose()
    full_db = Database(full_url)
    migrate.upgrade(full_db)
    seconds = load(full_db, ROWS)
    full_db.dispose()
    empty = exercise(empty_url)
    full = exercise(full_url)
    extra = full.peak_mb - empty.peak_mb
    verdict = "met" if extra <= TARGET_MB else "MISSED"
    print(
        f"{label:<10} empty: start {empty.started_mb:5.0f} MB peak {empty.peak_mb:5.0f} MB "
        f"({empty.requests} requests)   {ROWS:,} rows (loaded in {seconds:.0f} s): start "
        f"{full.started_mb:5.0f} MB peak {full.peak_mb:5.0f} MB end {full.last_mb:5.0f} MB "
        f"({full.requests} requests, {full.delivered} messages delivered)   "
        f"peak +{extra:.0f} MB (target <= +{TARGET_MB:.0f} MB: {verdict})",
        flush=True,
    )


def run() -> None:
    print(
        f"memory: `sopbot serve` for {SECONDS:.0f} s of Home tabs, list pages, details and "
        f"scrapes while it sweeps and delivers; empty database vs {ROWS:,} recommendations",
        flush=True,
    )
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        with (
            scratch_database(admin_url, "sopbot_bench") as empty_url,
            scratch_database(admin_url, "sopbot_bench") as full_url,
        ):
            compare("postgresql", empty_url, full_url)
    # SQLite too when asked, or when there is no PostgreSQL: keeps `make bench` short.
    if os.environ.get("SOPBOT_BENCH_MEMORY_SQLITE", "0" if admin_url else "1") != "0":
        with tempfile.TemporaryDirectory() as tmp:
            compare(
                "sqlite",
                f"sqlite:///{Path(tmp) / 'empty.db'}",
                f"sqlite:///{Path(tmp) / 'full.db'}",
            )
