"""Delivery throughput: reminders delivered per second to the fake Slack Web API by one
`sopbot serve` process, then by two replicas on the same database, each as a ratio to a
floor measured in the same run.

Ours: `SOPBOT_BENCH_DELIVERY_ROWS` (default 1000) open recommendations whose card went
out to their owner's DM on Monday morning (seeded: the owner's `chat_messages` row, as
the first delivery stores it); `serve` starts its clock just past their 50% reminder, so
the SLA sweep queues every reminder and the outbox worker sends them (claim with a token,
leases renewed per chunk, render, on per-recipient lanes the card updated in place
(`chat.update`) and one short follow-up in its thread (`chat.postMessage` with
`thread_ts`), the audit event). Two API calls per reminder (issue 27). Timed from the
first of those calls reaching the fake to the last reminder's follow-up, so process
start-up is not counted.

Floor: the same calls (the very parameters `serve` sent, both methods, in the order the
fake received them) made in a bare loop with `slack_sdk.WebClient` against the same
fake, one at a time: reminders (update + follow-up) per second.

Target: one process >= 0.5 of the floor. A reminder's follow-up carries its outbox row's
mark in message metadata and a row tried again looks for it in the card's thread before
posting (the card update is idempotent), as a new DM is looked for in the DM; so they are
not held to `SOPBOT_OUTBOX_SENDS_IN_FLIGHT` (which bounds sends that cannot be found
again: Teams, the web chat, channel copies). The floor replays the metadata too."""

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
from sqlalchemy import insert, select, update

from adapters.slack.client import SDK_LOG
from core.clock import AdjustableClock
from core.config import load_config
from core.domain import OutboxState
from storage import migrate
from storage.db import Database
from storage.models import ChatMessage, OutboxItem, Recommendation
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
SENT_FIELDS = ("channel", "ts", "thread_ts", "text", "blocks", "unfurl_links", "metadata")
CALLS = ("chat.update", "chat.postMessage")  # a reminder: the card updated, a follow-up


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
        owners = session.execute(select(Recommendation.id, Recommendation.owner_id)).all()
        session.execute(
            insert(ChatMessage.__table__),
            [_card(config, rec_id, owner) for rec_id, owner in owners],
        )
    database.dispose()


def _card(config: Any, rec_id: int, owner: str) -> dict[str, Any]:
    """The owner's card as the first delivery stores it (adapters.slack.chat.send)."""
    user_id = config.people_by_id[owner].slack
    channel, ts = "D" + user_id[1:], f"{1_600_000_000 + rec_id}.000100"
    ref = {
        "platform": "slack",
        "channel": channel,
        "message_id": ts,
        "extra": {"person_id": owner, "user_id": user_id},
    }
    return {
        "recommendation_id": rec_id,
        "person_id": owner,
        "purpose": "owner",
        "platform": "slack",
        "channel": channel,
        "message_id": ts,
        "ref": ref,
        "created_at": RECEIVED,
    }


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


def reminder_calls(slack: FakeSlackApi) -> list[tuple[str, dict[str, Any]]]:
    """The reminders' calls in the order the fake received them: card updates and
    follow-ups in the cards' threads (the Home tab's `views.publish` is not counted)."""
    with slack._lock:
        calls = list(slack.calls)
    return [
        (method, params)
        for method, params in calls
        if method == "chat.update" or (method == "chat.postMessage" and params.get("thread_ts"))
    ]


def follow_ups(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [params for method, params in calls if method == "chat.postMessage"]


def ours(url: str, replicas: int, in_flight: int) -> tuple[float, list[tuple[str, Any]]]:
    """Reminders per second from the first call to the last follow-up, and the calls."""
    seed(url)
    with FakeSlackApi() as slack, serving(url, slack, replicas, in_flight):
        deadline = time.monotonic() + TIMEOUT
        while not reminder_calls(slack):
            assert time.monotonic() < deadline, "no reminder reached Slack"
            time.sleep(0.01)
        first = time.perf_counter()
        while (sent := len(follow_ups(reminder_calls(slack)))) < ROWS:
            assert time.monotonic() < deadline, f"only {sent} of {ROWS} sent"
            time.sleep(0.01)
        elapsed = time.perf_counter() - first
        calls = reminder_calls(slack)
    replies = follow_ups(calls)
    updated = [params for method, params in calls if method == "chat.update"]
    assert all(str(p["text"]).startswith("Reminder:") for p in replies), "not a reminder"
    threads = {p["thread_ts"] for p in replies}
    assert len(replies) == ROWS == len(threads), "a reminder was lost or sent twice"
    assert {p["ts"] for p in updated} == threads, "a card was not updated"
    return ROWS / elapsed, calls


def floor(calls: list[tuple[str, dict[str, Any]]]) -> float:
    """The same calls (card updates and follow-ups, in the order ours made them) in a bare
    slack_sdk loop, timed from the first call to the last as ours is, FLOOR_RUNS times:
    the median of reminders per second. The client logs as ours does
    (adapters.slack.client.SDK_LOG), so the SDK's discarded debug formatting is spared in
    both; one unmeasured call first warms the connection (ours starts warm too)."""
    replayed = [
        (method, {k: params[k] for k in SENT_FIELDS if k in params}) for method, params in calls
    ]
    reminders = len(follow_ups(calls))
    rates = []
    for _ in range(FLOOR_RUNS):
        with FakeSlackApi() as slack:
            client = WebClient(token="xoxb-bench", base_url=slack.url, logger=SDK_LOG)
            client.chat_update(**replayed[0][1])
            start = time.perf_counter()
            for method, params in replayed:
                if method == "chat.update":
                    client.chat_update(**params)
                else:
                    client.chat_postMessage(**params)
            rates.append(reminders / (time.perf_counter() - start))
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
        f"Delivery: {ROWS} reminders (card update + follow-up) to the fake Slack by `sopbot "
        "serve`; floor = the same chat.update and chat.postMessage calls in a bare slack_sdk "
        "loop",
        flush=True,
    )
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        bench("postgresql", lambda: scratch_database(admin_url, "sopbot_bench_delivery"))
    else:
        print("postgresql: skipped (SOPBOT_TEST_PG_URL not set; `make bench` sets it)")
    bench("sqlite", _sqlite)
