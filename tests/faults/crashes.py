"""What the crash and restart tests (and `python -m bench faults`) share: a real
`sopbot serve` subprocess that can be SIGKILLed and started again on the same
database and port, a client that POSTs batches to the ingestion API with its bearer
token and retries each batch until it is acknowledged (2xx), and the counts the issue
asks for, read from the database and from what the fake Slack holds.

The server's clock starts Monday 09:00 Berlin (business hours) and keeps running
across restarts (each start is given the time that passed), so the outbox leases the
killed process held run out on the restarted one's clock as they would in production."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from core.config import DEMO_CONFIG_PATH
from core.domain import OutboxState
from storage.db import Database
from storage.models import OutboxItem, Recommendation
from tests.fakes.slack_api import FakeSlackApi
from tests.faults.storms import Counts, copies
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, free_port
from tests.support.slack_http import SIGNING_SECRET

TOKEN = "faults-api-token"
CLOCK_START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
SCRIPT = Path(__file__).resolve().parents[1] / "services" / "postgres.sh"
LEASE_SECONDS = 1  # a killed process's claims are taken over this long after it died


def uncapped_config(directory: Path) -> Path:
    """The demo configuration without the daily cap: every item is a direct message."""
    path = directory / "sopbot.yml"
    text = DEMO_CONFIG_PATH.read_text(encoding="utf-8")
    path.write_text(text.replace("daily_direct_cap: 15", "daily_direct_cap: 100000"), "utf-8")
    return path


class Serve:
    """`sopbot serve` in a subprocess: start, SIGKILL, start again (same port, database)."""

    def __init__(
        self,
        *,
        url: str,
        slack: FakeSlackApi | None,
        directory: Path,
        module: str = "bot",
        env: dict[str, str] | None = None,
    ) -> None:
        """`slack`: Slack on, against that fake; `module`: what `python -m` runs (the
        `sopbot` CLI, or a test launcher of it); `env`: more environment."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / "serve.log"
        self.module = module
        self._born = time.monotonic()
        chat = (
            {
                "SLACK_BOT_TOKEN": "xoxb-faults",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.url,
            }
            if slack is not None
            else {}
        )
        self.env = {
            **os.environ,
            "SOPBOT_DATABASE_URL": url,
            "SOPBOT_API_TOKEN": TOKEN,
            "SOPBOT_LOCAL_CHAT": "0",
            "SOPBOT_CONFIG": str(uncapped_config(directory)),
            "SOPBOT_TICK_SECONDS": "0.5",
            "SOPBOT_SLA_SWEEP_SECONDS": "5",
            "SOPBOT_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            **chat,
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> Serve:
        started = CLOCK_START + timedelta(seconds=time.monotonic() - self._born)
        env = {**self.env, "SOPBOT_CLOCK_START": started.isoformat()}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    httpx.get(f"{self.base}/healthz", timeout=5, verify=LOOPBACK_TLS).status_code
                    == 200
                ):
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sopbot serve did not start; see {self.log}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is cut off."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Feeder:
    """POSTs `batches` batches of `size` items, one at a time, each retried (same items,
    so idempotent) until the API acknowledges it with a 2xx. `acknowledged` holds the
    SKUs of every acknowledged item; `in_flight` is set while a POST is outstanding."""

    base: str
    batches: int
    size: int
    acknowledged: list[str] = field(default_factory=list)
    refused: int = 0  # answers that were not 2xx (5xx while the database was away)
    already: int = 0  # retried batches answered 200 "all duplicates": stored, ack lost
    unreachable: int = 0  # POSTs that got no answer (the server was down or killed)
    in_flight: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    pause_before: int | None = None  # this batch waits until `resume` is set
    paused: threading.Event = field(default_factory=threading.Event)
    resume: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, name="feeder", daemon=True)

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        assert self.done.is_set(), "the feeder did not get every batch acknowledged"

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        with httpx.Client(
            base_url=self.base, headers=headers, timeout=30, verify=LOOPBACK_TLS
        ) as client:
            for batch in range(self.batches):
                skus = [f"SKU-9{batch * self.size + i:04d}" for i in range(self.size)]
                body = json.dumps(
                    [make_rec(sku=sku, external_id=f"crash-{sku}") for sku in skus]
                ).encode()
                if batch == self.pause_before:
                    self.paused.set()
                    self.resume.wait(timeout=120)
                while True:
                    self.in_flight.set()
                    try:
                        answer = client.post("/api/v1/recommendations", content=body)
                    except httpx.TransportError:
                        self.unreachable += 1
                        time.sleep(0.2)
                        continue
                    finally:
                        self.in_flight.clear()
                    if 200 <= answer.status_code < 300:
                        self.already += answer.status_code == 200
                        self.acknowledged.extend(skus)
                        break
                    self.refused += 1
                    time.sleep(0.2)
        self.done.set()


def wait_until(predicate: Callable[[], bool], *, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def held_copies(slack: FakeSlackApi) -> dict[str, int]:
    return copies(json.dumps(p) for p in slack.held("chat.postMessage"))


def count(url: str, feeder: Feeder, slack: FakeSlackApi) -> Counts:
    database = Database(url)
    try:
        with database.read() as session:
            stored = session.scalar(
                select(func.count())
                .select_from(Recommendation)
                .where(Recommendation.sku.in_(feeder.acknowledged))
            )
    finally:
        database.dispose()
    held = held_copies(slack)
    acked = set(feeder.acknowledged)
    return Counts(
        acknowledged=len(feeder.acknowledged),
        stored=stored,
        delivered=len(acked & set(held)),
        duplicated=sum(n - 1 for n in held.values()),
    )


def pending(url: str) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            return session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.state == OutboxState.PENDING)
            )
    finally:
        database.dispose()


def own_postgres(port: int) -> tuple[str, Callable[[], None], Callable[[], None]]:
    """(admin URL, restart, stop) of a PostgreSQL server of our own on `port`."""
    env = {
        **os.environ,
        "SOPBOT_PG_PORT": str(port),
        "SOPBOT_PG_DATA": f"/tmp/sopbot-faults-pg-{port}",
    }

    def script(command: str) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPT), command],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout.strip()

    def restart() -> None:
        script("stop")  # fast shutdown: every connection of `serve` is cut
        time.sleep(1.0)  # `serve` meets the database gone for a while
        script("start")

    return script("url").splitlines()[-1], restart, lambda: script("stop")
