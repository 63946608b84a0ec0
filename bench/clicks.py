"""A burst of clicks: 300 recommendations delivered to Slack, then 100 concurrent signed
Accept clicks against one `sopbot serve` subprocess, three rounds, then 100 repeated
clicks on decided ones; the same click bodies against a bare Bolt app (the floor,
`bench.bolt_floor`) served the same way in the same run.

Both servers talk to the fake Slack Web API (tests/fakes/slack_api.py) in a process of its
own, so its work does not share the client's interpreter. What counts is the ack: the
time from sending a click to its HTTP answer. Slack shows the clicker an error when
that takes more than three seconds or is not a 200."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import func, select

from adapters.slack.ids import ActionId
from adapters.slack.payloads import ButtonValue
from bench.serving import wait_healthy
from core.config import DEMO_CONFIG_PATH
from storage.db import Database
from storage.models import ChatMessage, Decision
from tests.support.live import free_port
from tests.support.pg import scratch_database
from tests.support.slack_http import SIGNING_SECRET, block_actions, signature

RECOMMENDATIONS = int(os.environ.get("SOPBOT_BENCH_CLICK_RECS", "300"))
BURST = 100
TOKEN = "bench-token"
CLOCK_START = "2026-11-30T08:00:00+00:00"  # a Monday, 09:00 in Berlin: business hours
SLACK_LIMIT = 3.0
TARGET_RATIO = 3.0
SETTLE_TIMEOUT = 180.0
TYPES = [
    ("stockout_risk", "DC-NORTH"),
    ("supplier_delay", "DC-NORTH"),
    ("demand_revision", "DC-NORTH"),
    ("capacity_warning", "DC-NORTH"),
    ("stockout_risk", "DC-SOUTH"),
]
FAKE_SLACK = """
import json, sys
from tests.fakes.slack_api import FakeSlackApi
fake = FakeSlackApi().start()
print(fake.url, flush=True)
for _line in sys.stdin:
    with fake._lock:
        counts = {}
        for name, _params in fake.calls:
            counts[name] = counts.get(name, 0) + 1
    print(json.dumps(counts), flush=True)
"""


@dataclass
class FakeSlack:
    url: str
    process: subprocess.Popen[str]

    def counts(self) -> dict[str, int]:
        """Web API calls received so far, by method."""
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdout: IO[str] = self.process.stdout  # type: ignore[assignment]
        stdin.write("\n")
        stdin.flush()
        return json.loads(stdout.readline())


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE_SLACK], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()  # type: ignore[union-attr]
        yield FakeSlack(url=url, process=process)
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def server(argv: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    with log.open("w") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=60)


def bench_config(directory: Path) -> Path:
    """The demo configuration with a daily cap that lets all 300 reach their owners."""
    text = DEMO_CONFIG_PATH.read_text(encoding="utf-8")
    path = directory / "sopbot.yml"
    path.write_text(text.replace("daily_direct_cap: 15", "daily_direct_cap: 10000"), "utf-8")
    return path


def recommendations(count: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        kind, site = TYPES[i % len(TYPES)]
        rows.append(
            {
                "external_id": f"click-{i}",
                "source": "bench",
                "type": kind,
                "title": f"SKU-{i} at {site}",
                "action": f"Move {i % 500 + 10} pcs",
                "sku": f"SKU-{i}",
                "site": site,
                "supplier": f"SUP-{i % 31}",
                "quantity": i % 500 + 10,
                "unit": "pcs",
                "confidence": 0.8,
                "drivers": [{"factor": "Open orders", "weight": 0.4}],
                "event_time": "2026-11-30T07:00:00+00:00",
                "recorded_time": "2026-11-30T07:30:00+00:00",
            }
        )
    return rows


@dataclass(frozen=True)
class Delivered:
    recommendation_id: int
    user_id: str
    channel: str
    ts: str


# The floor acks any click: the same bodies, for messages that need not exist.
FLOOR_TARGETS = [
    Delivered(n + 1, "U0ANA", "D0ANA", f"1700000000.{n:06d}") for n in range(RECOMMENDATIONS)
]


def delivered(database: Database, slack_ids: dict[str, str]) -> list[Delivered]:
    with database.transaction() as session:
        rows = session.execute(
            select(
                ChatMessage.recommendation_id,
                ChatMessage.person_id,
                ChatMessage.channel,
                ChatMessage.message_id,
            )
            .where(ChatMessage.purpose == "owner", ChatMessage.platform == "slack")
            .order_by(ChatMessage.recommendation_id)
        ).all()
    return [Delivered(r[0], slack_ids[r[1]], r[2], r[3]) for r in rows]


def decisions(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(Decision)) or 0


# A recommendation id no run creates (ids are bounded to 1..2^63-1, so not 0).
NOWHERE_ID = 2**31 - 1


def signed_clicks(targets: list[Delivered], tag: str) -> list[tuple[bytes, dict[str, str]]]:
    """Accept clicks as Slack signs them, encoded before the clock starts."""
    stamp = str(int(time.time()))
    bodies = []
    for n, target in enumerate(targets):
        button = {
            "action_id": ActionId.ACCEPT.value,
            "text": {"type": "plain_text", "text": "Accept"},
            "value": ButtonValue(recommendation_id=target.recommendation_id).dump(),
        }
        payload = block_actions(
            user_id=target.user_id,
            button=button,
            channel=target.channel,
            message_ts=target.ts,
            action_ts=f"{stamp}.{tag}{n:04d}",
        )
        body = httpx.QueryParams({"payload": json.dumps(payload)}).__str__()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature(body, stamp),
        }
        bodies.append((body.encode(), headers))
    return bodies


async def burst(base: str, clicks: list[tuple[bytes, dict[str, str]]]) -> list[tuple[float, int]]:
    """All clicks at once; (seconds to the answer, HTTP status or 0 for no answer)."""
    limits = httpx.Limits(max_connections=len(clicks), max_keepalive_connections=len(clicks))
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one(body: bytes, headers: dict[str, str]) -> tuple[float, int]:
            start = time.perf_counter()
            try:
                response = await client.post("/slack/events", content=body, headers=headers)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            return time.perf_counter() - start, status

        return await asyncio.gather(*(one(b, h) for b, h in clicks))


@dataclass
class Acks:
    seconds: list[float]
    errors: int

    def add(self, answers: list[tuple[float, int]]) -> None:
        self.seconds.extend(s for s, _ in answers)
        self.errors += sum(1 for _, status in answers if status != 200)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, label: str) -> str:
        p50, p99 = self.quantile(0.5) * 1000, self.quantile(0.99) * 1000
        top, mean = max(self.seconds) * 1000, statistics.mean(self.seconds) * 1000
        return (
            f"{label:<7} ack p50 {p50:7.0f} ms  p99 {p99:7.0f} ms  max {top:7.0f} ms  "
            f"mean {mean:6.0f} ms  errors {self.errors}"
        )


def wait_for(predicate: Any, timeout: float) -> float:
    start = time.monotonic()
    while not predicate() and time.monotonic() - start < timeout:
        time.sleep(0.2)
    return time.monotonic() - start


def ingest(base: str, count: int) -> None:
    items = recommendations(count)
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120
    ) as client:
        for offset in range(0, len(items), 100):
            client.post(
                "/api/v1/recommendations", json=items[offset : offset + 100]
            ).raise_for_status()


def measure(url: str, label: str, directory: Path) -> None:
    """The floor runs just before and just after sopbot (one set of samples from both),
    so a change in the machine's load during the run weighs on both alike."""
    floor = measure_floor(directory, FLOOR_TARGETS)
    database = Database(url)
    with fake_slack() as slack:
        port = free_port()
        env = {
            **os.environ,
            "SOPBOT_DATABASE_URL": url,
            "SOPBOT_API_TOKEN": TOKEN,
            "SOPBOT_LOCAL_CHAT": "0",
            "SOPBOT_CONFIG": str(bench_config(directory)),
            "SOPBOT_CLOCK_START": CLOCK_START,
            "SLACK_BOT_TOKEN": "xoxb-bench-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "SOPBOT_TICK_SECONDS": "0.5",
        }
        log = directory / f"sopbot-{label}.log"
        ours = Acks([], 0)
        argv = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        with server(argv, env, port, log) as base:
            ingest(base, RECOMMENDATIONS)
            wait_for(lambda: len(delivered(database, slack_ids())) >= RECOMMENDATIONS, 120)
            targets = delivered(database, slack_ids())[:RECOMMENDATIONS]
            clicks = signed_clicks(targets, "1")
            # Warm-up, as for the floor: Bolt's one-time auth.test and first-use imports,
            # with clicks on a recommendation that does not exist (told, nothing else).
            nowhere = [Delivered(NOWHERE_ID, targets[0].user_id, targets[0].channel, targets[0].ts)]
            asyncio.run(burst(base, signed_clicks(nowhere * 10, "0")))
            wait_for(lambda: slack.counts().get("chat.postEphemeral", 0) >= 10, 30)
            before = slack.counts()
            started = time.monotonic()
            per_burst = []
            for offset in range(0, len(clicks), BURST):
                answers = asyncio.run(burst(base, clicks[offset : offset + BURST]))
                per_burst.append(max(s for s, _ in answers))
                ours.add(answers)
            acked = time.monotonic() - started
            waited = wait_for(lambda: decisions(database) >= len(targets), SETTLE_TIMEOUT)
            first_round = ours.errors
            repeats = Acks([], 0)
            repeats.add(asyncio.run(burst(base, signed_clicks(targets[:BURST], "2"))))
            wait_for(lambda: told(slack, before) >= BURST, 60)
            after = slack.counts()
        recorded = decisions(database)
        missed_acks = log.read_text(errors="replace").count("didn't call ack()")
    database.dispose()
    floor_after = measure_floor(directory, FLOOR_TARGETS)
    drift = (
        f"floor p99 {floor.quantile(0.99) * 1000:.0f} ms before, "
        f"{floor_after.quantile(0.99) * 1000:.0f} ms after"
    )
    floor.seconds += floor_after.seconds
    floor.errors += floor_after.errors
    ours.add([(s, 200) for s in repeats.seconds])
    ours.errors += repeats.errors
    slow = sum(1 for s in ours.seconds if s >= SLACK_LIMIT)
    ratio = ours.quantile(0.99) / floor.quantile(0.99)
    print(
        f"{label}: {len(targets)} delivered, {len(targets) // BURST} bursts of {BURST} "
        f"Accept clicks + {BURST} repeats",
        flush=True,
    )
    print("  " + floor.line("floor") + f"  ({drift})", flush=True)
    print("  " + ours.line("sopbot"), flush=True)
    print(
        f"  slowest ack per burst: {', '.join(f'{s * 1000:.0f} ms' for s in per_burst)}; "
        f"repeats {max(repeats.seconds) * 1000:.0f} ms",
        flush=True,
    )
    print(
        f"  p99 ratio {ratio:.2f} (target <= {TARGET_RATIO:.0f}: "
        f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}); acks >= 3 s: {slow}; errors "
        f"{first_round} in the bursts, {repeats.errors} in the repeats; 'didn't call ack()' "
        f"logged {missed_acks}",
        flush=True,
    )
    print(
        f"  decisions recorded {recorded} (target {len(targets)}: "
        f"{'met' if recorded == len(targets) else 'MISSED'}); bursts acked in {acked:.1f} s, "
        f"all decided {waited:.1f} s later; late clickers told "
        f"{after.get('chat.postEphemeral', 0) - before.get('chat.postEphemeral', 0)}; "
        f"chat.update {after.get('chat.update', 0) - before.get('chat.update', 0)}, "
        f"views.publish {after.get('views.publish', 0) - before.get('views.publish', 0)}",
        flush=True,
    )


def told(slack: FakeSlack, before: dict[str, int]) -> int:
    return slack.counts().get("chat.postEphemeral", 0) - before.get("chat.postEphemeral", 0)


def slack_ids() -> dict[str, str]:
    return {
        "ana": "U0ANA",
        "carl": "U0CARL",
        "dora": "U0DORA",
        "eve": "U0EVE",
        "finn": "U0FINN",
        "ben": "U0BEN",
        "greta": "U0GRETA",
    }


def measure_floor(directory: Path, targets: list[Delivered]) -> Acks:
    floor = Acks([], 0)
    with fake_slack() as slack:
        port = free_port()
        argv = [sys.executable, "-m", "bench.bolt_floor", str(port), slack.url, SIGNING_SECRET]
        with server(argv, dict(os.environ), port, directory / "floor.log") as base:
            clicks = signed_clicks(targets, "1") + signed_clicks(targets[:BURST], "2")
            asyncio.run(burst(base, clicks[:10]))  # bolt's one-time auth.test
            for offset in range(0, len(clicks), BURST):
                floor.add(asyncio.run(burst(base, clicks[offset : offset + BURST])))
    return floor


def run() -> None:
    print(
        f"clicks: {RECOMMENDATIONS} recommendations on Slack, bursts of {BURST} signed "
        f"Accept clicks over HTTP to one `sopbot serve`; floor = bare Bolt (FastAPI + "
        f"uvicorn + slack_bolt's handler, a listener that only acks)",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if os.environ.get("SOPBOT_BENCH_CLICKS_SQLITE", "1") != "0":
            measure(f"sqlite:///{directory / 'clicks.db'}", "sqlite", directory)
        admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
        if admin_url:
            with scratch_database(admin_url, "sopbot_bench") as url:
                measure(url, "postgresql", directory)
        if os.environ.get("SOPBOT_BENCH_KEEP_LOGS"):
            for log in directory.glob("*.log"):
                (Path(os.environ["SOPBOT_BENCH_KEEP_LOGS"]) / log.name).write_bytes(
                    log.read_bytes()
                )
