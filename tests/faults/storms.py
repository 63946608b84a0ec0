"""Delivery through a storm of chat-platform faults, counted the way the issue asks:
acknowledged (ingested), stored, delivered (distinct messages the platform holds) and
duplicated (messages the platform holds more than once).

The outbox worker runs in-process on a frozen clock the test advances between rounds,
so Retry-After and backoff are checked against that clock, never against wall time;
the chat adapter is the real one, over real HTTP, against the fake platform."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from adapters.slack.chat import SlackChat
from adapters.slack.client import build_client
from adapters.slack.home import HomeTab
from adapters.slack.people import SlackPeople
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, Config, parse_config
from core.domain import OutboxState
from storage.db import Database
from storage.models import OutboxItem, Recommendation
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.support.data import make_rec
from tests.support.intake import ingest as ingest_batch
from tests.support.live import serving
from tests.support.teams import TeamsWorld, teams_runtime
from workflows.delivery.worker import OutboxWorker
from workflows.service import Services

SKU = re.compile(r"SKU-9\d{4}")
AFTER_STORM = "SKU-99999"  # the recommendation sent once the storm is over


def storm_skus(count: int) -> list[str]:
    return [f"SKU-9{i:04d}" for i in range(count)]


@dataclass
class Counts:
    acknowledged: int = 0  # items the ingestion answered 2xx for
    stored: int = 0  # of those, rows in the database
    delivered: int = 0  # of those, distinct messages the platform holds
    duplicated: int = 0  # extra copies the platform holds
    faults: dict[str, int] = field(default_factory=dict)
    after_storm_calls: int = 0  # platform calls for one message once the faults stopped

    def line(self) -> str:
        faults = ", ".join(f"{n} x {kind}" for kind, n in sorted(self.faults.items()))
        return (
            f"acknowledged {self.acknowledged}, stored {self.stored}, delivered "
            f"{self.delivered}, duplicated {self.duplicated}"
            + (f" (faults: {faults})" if faults else "")
        )


def ingest(services: Services, skus: Iterable[str]) -> int:
    raw = [make_rec(sku=sku, external_id=f"storm-{sku}") for sku in skus]
    return len(ingest_batch(services, *raw))


def stored(database: Database, skus: list[str]) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count()).select_from(Recommendation).where(Recommendation.sku.in_(skus))
        )


def pending(database: Database) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.state == OutboxState.PENDING)
        )


def copies(texts: Iterable[str]) -> Counter[str]:
    """How many held messages name each storm SKU."""
    found: Counter[str] = Counter()
    for text in texts:
        found.update(set(SKU.findall(text)))
    return found


def weather(
    outbox: OutboxWorker,
    clock: AdjustableClock,
    *,
    step: timedelta,
    rounds: int,
    done: Callable[[], bool],
) -> int:
    """Deliver, move the clock on by `step`, again, until `done()` or `rounds` ran out
    (the outbox backs off and honours Retry-After on the clock it is given)."""
    for used in range(1, rounds + 1):
        outbox.drain(rounds=50)
        if done():
            return used
        clock.advance(step)
    return rounds


def uncapped_demo_config() -> Config:
    """The demo configuration without the daily cap (every message is a DM here)."""
    text = DEMO_CONFIG_PATH.read_text(encoding="utf-8")
    return parse_config(text.replace("daily_direct_cap: 15", "daily_direct_cap: 100000"))


def slack_storm(
    services: Services,
    clock: AdjustableClock,
    fake: FakeSlackApi,
    *,
    messages: int,
    long_retry_after: float,
    seed: int = 15,
) -> Counts:
    """The real Slack adapter (client timeout 0.5 s) and outbox against `fake` in a
    storm on `chat.postMessage`: 40% of the calls fail, among them 429s asking for 0 s
    (waited in place) and for `long_retry_after` s (handed to the outbox)."""
    client = build_client(token="xoxb-storm", base_url=fake.url, timeout=0.5)
    home = HomeTab(services=services, client=client)
    chat = SlackChat(client=client, people=SlackPeople(services=services, client=client), home=home)
    outbox = OutboxWorker(
        database=services.database, config=services.config, chat=chat, clock=clock
    )
    fake.stamp = clock.now
    skus = storm_skus(messages)
    fake.storm(
        ["chat.postMessage"],
        rate=0.4,
        retry_after=0,
        seed=seed,
        long_retry_after=long_retry_after,
        hang=0.8,
    )
    try:
        counts = Counts(acknowledged=ingest(services, skus))
        weather(
            outbox,
            clock,
            step=timedelta(seconds=10),
            rounds=60,
            done=lambda: pending(services.database) == 0,
        )
        counts.faults = fake.calm()
        held = copies(json.dumps(p) for p in fake.held("chat.postMessage"))
        counts.stored = stored(services.database, skus)
        counts.delivered = len(set(held) & set(skus))
        counts.duplicated = sum(held.values()) - len(held)
        # The storm is over: the next recommendation goes out on the first try.
        before = len(fake.calls_to("chat.postMessage"))
        ingest(services, [AFTER_STORM])
        outbox.drain()
        counts.after_storm_calls = len(fake.calls_to("chat.postMessage")) - before
    finally:
        home.stop()
    return counts


def teams_storm(
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    connector: FakeBotConnector,
    *,
    messages: int,
    seed: int = 15,
) -> Counts:
    """The real Teams adapter (connector calls given up after 1 s) and outbox against
    `connector` in a storm on every write call (40% fail). The give-up time is far
    shorter than in production (120 s) to keep the run short, and long enough that a
    loaded machine's slow but successful call is not taken for a timeout (that too
    would be an answer lost after the work, one the fake cannot count)."""
    runtime = teams_runtime(db_url, config, clock)
    try:
        with serving(create_app(runtime, start_background=False)) as server:
            world = TeamsWorld(runtime, server.url, connector)
            world.install("ana")
            world.http.close()
        world.teams.chat.timeout = 1.0  # a connector call with no answer gives up here
        skus = storm_skus(messages)
        connector.storm(rate=0.4, retry_after="0.05", hang=1.5, seed=seed)
        counts = Counts(acknowledged=ingest(runtime.services, skus))
        weather(
            runtime.outbox,
            clock,
            step=timedelta(seconds=10),
            rounds=60,
            done=lambda: pending(runtime.database) == 0,
        )
        counts.faults = connector.calm()
        world.teams.turns.wait_idle()
        held = copies(c.text for c in connector.held("send", "reply"))
        counts.stored = stored(runtime.database, skus)
        counts.delivered = len(set(held) & set(skus))
        counts.duplicated = sum(held.values()) - len(held)
        before = len(connector.of_kind("send", "reply", ok=False))
        ingest(runtime.services, [AFTER_STORM])
        runtime.outbox.drain()
        counts.after_storm_calls = len(connector.of_kind("send", "reply", ok=False)) - before
        return counts
    finally:
        runtime.stop()
