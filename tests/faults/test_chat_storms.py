"""Storms of 429 (with Retry-After), 500 and timeouts from the Slack Web API and from the
Bot Connector, on both databases: every recommendation reaches its owner, a message
is held twice only where the platform did the work and lost the answer (the one
message in flight), a long Retry-After is honoured on the outbox's clock, and once the
storm is over the next message goes out at once (no manual step)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.slack.chat import SlackChat
from adapters.slack.client import MAX_INLINE_WAIT, build_client
from adapters.slack.home import HomeTab
from adapters.slack.people import SlackPeople
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, Config, parse_config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import TIMEOUT, FakeSlackApi
from tests.faults.storms import (
    Counts,
    copies,
    ingest,
    pending,
    stored,
    storm_skus,
    weather,
)
from tests.live import serving
from tests.teams.conftest import TeamsWorld, teams_runtime
from workflows.delivery import OutboxWorker
from workflows.service import Services

MESSAGES = 24
LONG_RETRY_AFTER = 30.0  # longer than the Slack client waits in place: the outbox waits


@pytest.fixture
def config() -> Config:
    """The demo configuration without the daily cap (every message is a DM here)."""
    text = DEMO_CONFIG_PATH.read_text(encoding="utf-8")
    return parse_config(text.replace("daily_direct_cap: 15", "daily_direct_cap: 10000"))


@pytest.fixture
def slack_fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def test_slack_storm_loses_nothing_and_duplicates_only_lost_answers(
    services: Services, clock: AdjustableClock, slack_fake: FakeSlackApi
) -> None:
    client = build_client(token="xoxb-storm", base_url=slack_fake.url, timeout=0.2)
    home = HomeTab(services=services, client=client)
    chat = SlackChat(client=client, people=SlackPeople(services=services, client=client),
                     home=home)  # fmt: skip
    outbox = OutboxWorker(database=services.database, config=services.config, chat=chat,
                          clock=clock)  # fmt: skip
    slack_fake.stamp = clock.now
    skus = storm_skus(MESSAGES)
    slack_fake.storm(["chat.postMessage"], rate=0.4, retry_after=0, seed=15,
                     long_retry_after=LONG_RETRY_AFTER, hang=0.4)  # fmt: skip
    counts = Counts(acknowledged=ingest(services, skus))
    weather(outbox, clock, step=timedelta(seconds=10), rounds=60,
            done=lambda: pending(services.database) == 0)  # fmt: skip
    counts.faults = slack_fake.calm()
    held = copies(json.dumps(p) for p in slack_fake.held("chat.postMessage"))
    counts.stored = stored(services.database, skus)
    counts.delivered = len(held)
    counts.duplicated = sum(held.values()) - len(held)
    print(counts.line())
    home.stop()

    assert counts.stored == counts.acknowledged == MESSAGES
    assert set(held) == set(skus), "every acknowledged recommendation reached its owner"
    lost_answers = counts.faults.get("timeout (after the work)", 0)
    assert counts.duplicated <= lost_answers
    for sku, n in held.items():  # and each of those copies is one such lost answer
        assert n <= 1 + sum(
            1
            for o in slack_fake.outcomes
            if o.status == TIMEOUT and o.held and sku in json.dumps(o.params)
        )
    # A long Retry-After goes to the outbox, which does not call again any sooner.
    long_waits = 0
    for sku in skus:
        tries = [
            o
            for o in slack_fake.outcomes
            if o.method == "chat.postMessage" and sku in json.dumps(o.params)
        ]
        for attempt, later in zip(tries, tries[1:], strict=False):
            if attempt.status == 429 and (attempt.retry_after or 0) > MAX_INLINE_WAIT:
                long_waits += 1
                assert later.stamp >= attempt.stamp + timedelta(seconds=attempt.retry_after)
    assert long_waits > 0, "the storm asked for a long wait at least once"
    # The storm is over: the next recommendation goes out on the first try.
    before = len(slack_fake.calls_to("chat.postMessage"))
    ingest(services, ["SKU-90999"])
    outbox.drain()
    assert len(slack_fake.calls_to("chat.postMessage")) == before + 1
    assert pending(services.database) == 0


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    fake = FakeBotConnector().start()
    yield fake
    fake.stop()


def test_teams_storm_loses_nothing_and_duplicates_only_lost_answers(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> None:
    runtime = teams_runtime(db_url, config, clock)
    try:
        with serving(create_app(runtime, start_background=False)) as server:
            world = TeamsWorld(runtime, server.url, connector)
            world.install("ana")
            world.http.close()
        world.teams.chat.timeout = 0.3  # a connector call with no answer gives up here
        skus = storm_skus(MESSAGES)
        connector.storm(rate=0.4, retry_after="0.05", hang=0.6, seed=15)
        counts = Counts(acknowledged=ingest(runtime.services, skus))
        weather(runtime.outbox, clock, step=timedelta(seconds=10), rounds=60,
                done=lambda: pending(runtime.database) == 0)  # fmt: skip
        counts.faults = connector.calm()
        world.teams.turns.wait_idle()
        held = copies(c.text for c in connector.held("send", "reply"))
        counts.stored = stored(runtime.database, skus)
        counts.delivered = len(held)
        counts.duplicated = sum(held.values()) - len(held)
        print(counts.line())

        assert counts.stored == counts.acknowledged == MESSAGES
        assert set(held) == set(skus), "every acknowledged recommendation reached its owner"
        assert counts.duplicated <= counts.faults.get("timeout (after the work)", 0)
        before = len(connector.of_kind("send", "reply", ok=False))
        ingest(runtime.services, ["SKU-90999"])
        runtime.outbox.drain()
        assert len(connector.of_kind("send", "reply", ok=False)) == before + 1
        assert pending(runtime.database) == 0
    finally:
        runtime.stop()
