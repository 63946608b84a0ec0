"""Delivery throughput: reminders delivered per second to the fake Slack Web API by one
`sopbot serve` process, then by two replicas on the same database, each as a ratio to a
floor measured in the same run.

Ours: `SOPBOT_BENCH_DELIVERY_ROWS` (default 1000) open recommendations whose first
message went out on Monday morning; `serve` starts its clock just past their 50%
reminder, so the SLA sweep queues every reminder and the outbox worker sends them (claim
with a token, leases renewed per chunk, render, `chat.postMessage` on per-recipient lanes,
the stored reference and audit event). Timed from the first reminder reaching the fake
to the last, so process start-up is not counted.

Floor: the same `chat.postMessage` calls (the very parameters `serve` sent, replayed)
made in a bare loop with `slack_sdk.WebClient` against the same fake, one at a time.

Target: one process >= 0.5 of the floor. Slack DMs carry their outbox row's mark in
message metadata and a row tried again is looked for before it is posted, so they are not
held to `SOPBOT_OUTBOX_SENDS_IN_FLIGHT` (which bounds sends that cannot be found again:
Teams, the web chat, channel copies). The floor replays the metadata too."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import update

from adapters.slack.client import SDK_LOG
from core.clock import AdjustableClock
from core.config import load_config
from core.domain import OutboxState
from storage import migrate
from storage.db import Database
from storage.models import OutboxItem
from tests.fakes.slack_api import FakeSlackApi
from tests.support.data import make_rec
from tests.support.live import free_port
from tests.support.pg import scratch_database
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import build_services

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "core" / "data" / "demo.yml"
ROWS = int(os.environ.get("SOPBOT_BENCH_DELIVERY_ROWS", "1000"))
RECEIVED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
REMINDERS_DUE = datetime(2026, 11, 30, 12, 0, 30, tzinfo=UTC)  # just past the 50% reminder
TIMEOUT = 900.0
TARGET = 0.5
FLOOR_RUNS = 3  # the floor is cheap to repeat; its median steadies the ratio
SENT_FIELDS = ("channel", "text", "blocks", "unfurl_links", "metadata")


def seed(url: str) -> None:
    config = load_config(CONFIG)
    database = Database(url)
    migrate.upgrade(database)
    services = build_services(
        database=database, config=config, clock=AdjustableClock(RECEIVED, frozen=True)
    )
    raw = [
        make_rec(
            title=f"BENCH-{n:05d}", sku=f"SKU-{n % 97}", site="PLANT-2" if n % 2 else "DC-NORTH"
        )
        for n in range(ROWS)
    ]
    for start in range(0, ROWS, 500):
        items = validate_batch(config=config, raw_items=raw[start : start + 500])
        ingest(services, items=items)
    with database.transaction() as session:
        session.execute(update(OutboxItem).values(state=OutboxState.SENT))
    database.dispose()


@contextmanager
def serving(url: str, slack: FakeSlackApi, replicas: int, in_flight: int) -> Iterator[None]:
    env = {
        **os.environ,
        "SOPBOT_OUTBOX_SENDS_IN_FLIGHT": str(in_flight),
        "SOPBOT_DATABASE_URL": url,
        "SOPBOT_CONFIG": str(CONFIG),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": slack.url,
        "SOPBOT_LOCAL_CHAT": "0",
        "SOPBOT_CLOCK_START": REMINDERS_DUE.isoformat(),
        "SOPBOT_TICK_SECONDS": "0.2",
        "SOPBOT_SLA_SWEEP_SECONDS": "1",
    }
    processes = [
        subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "sopbot"), "serve", "--port", str(free_port())],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(replicas)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def reminders(slack: FakeSlackApi) -> list[dict[str, Any]]:
    return [
        p
        for p in slack.calls_to("chat.postMessage")
        if str(p.get("text", "")).startswith("Reminder:")
    ]


def ours(url: str, replicas: int, in_flight: int) -> tuple[float, list[dict[str, Any]]]:
    """Reminders per second from the first to the last, and the calls that were made."""
    seed(url)
    with FakeSlackApi() as slack, serving(url, slack, replicas, in_flight):
        deadline = time.monotonic() + TIMEOUT
        while not reminders(slack):
            assert time.monotonic() < deadline, "no reminder reached Slack"
            time.sleep(0.01)
        first = time.perf_counter()
        while len(reminders(slack)) < ROWS:
            assert time.monotonic() < deadline, f"only {len(reminders(slack))} of {ROWS} sent"
            time.sleep(0.01)
        elapsed = time.perf_counter() - first
        calls = reminders(slack)
    titles = {str(c["text"]).split("BENCH-")[1][:5] for c in calls}
    assert len(calls) == ROWS == len(titles), "a reminder was lost or sent twice"
    return (ROWS - 1) / elapsed, calls


def floor(calls: list[dict[str, Any]]) -> float:
    """The same chat.postMessage calls, in a bare slack_sdk loop (the first one unmeasured,
    as the first of ours is), FLOOR_RUNS times: the median rate. The client logs as ours
    does (adapters.slack.client.SDK_LOG), so the SDK's discarded debug formatting is
    spared in both."""
    params = [{k: c[k] for k in SENT_FIELDS if k in c} for c in calls]
    rates = []
    for _ in range(FLOOR_RUNS):
        with FakeSlackApi() as slack:
            client = WebClient(token="xoxb-bench", base_url=slack.url, logger=SDK_LOG)
            client.chat_postMessage(**params[0])
            start = time.perf_counter()
            for one in params[1:]:
                client.chat_postMessage(**one)
            rates.append((len(params) - 1) / (time.perf_counter() - start))
    return statistics.median(rates)


# (replicas, sends in flight per process): one serve and two replicas, with the default
# bound (reminders are Slack DMs, which are findable, so a larger bound changes nothing).
RUNS = ((1, 1), (2, 1))


def bench(label: str, make_url: Any) -> None:
    for replicas, in_flight in RUNS:
        with make_url() as url:
            rate, calls = ours(url, replicas, in_flight)
        bare = floor(calls)
        ratio = rate / bare
        verdict = (
            f"target {TARGET}: {'met' if ratio >= TARGET else 'not met'}"
            if replicas == 1
            else "two replicas, same floor"
        )
        print(
            f"{label:<10} {replicas} serve, {in_flight} in flight  ours {rate:7.1f}/s   "
            f"floor {bare:7.1f}/s   ratio {ratio:5.2f}   ({verdict}; each reminder exactly "
            "once)",
            flush=True,
        )


@contextmanager
def _sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'delivery.db'}"


def run() -> None:
    print(
        f"Delivery: {ROWS} reminders to the fake Slack by `sopbot serve`; floor = the same "
        "chat.postMessage calls in a bare slack_sdk loop",
        flush=True,
    )
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        bench("postgresql", lambda: scratch_database(admin_url, "sopbot_bench_delivery"))
    else:
        print("postgresql: skipped (SOPBOT_TEST_PG_URL not set; `make bench` sets it)")
    bench("sqlite", _sqlite)
