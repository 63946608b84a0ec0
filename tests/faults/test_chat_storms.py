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

from adapters.slack.client import MAX_INLINE_WAIT
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.faults.storms import (
    pending,
    slack_storm,
    storm_skus,
    teams_storm,
    uncapped_demo_config,
)
from workflows.service import Services

MESSAGES = 20
LONG_RETRY_AFTER = 30.0  # longer than the Slack client waits in place: the outbox waits


@pytest.fixture
def config() -> Config:
    return uncapped_demo_config()


@pytest.fixture
def slack_fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def test_slack_storm_loses_nothing_and_duplicates_nothing(
    services: Services, clock: AdjustableClock, slack_fake: FakeSlackApi
) -> None:
    skus = storm_skus(MESSAGES)
    counts = slack_storm(
        services, clock, slack_fake, messages=MESSAGES, long_retry_after=LONG_RETRY_AFTER
    )
    print(counts.line())
    assert counts.stored == counts.acknowledged == MESSAGES
    assert counts.delivered == MESSAGES, "every acknowledged recommendation reached its owner"
    assert counts.faults.get("timeout (after the work)", 0) > 0, "Slack lost some answers"
    # ... and yet each message is held once: a row tried again is looked for first
    # (tests/adapters/slack/test_found_again.py).
    assert counts.duplicated == 0
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
    assert counts.after_storm_calls == 1, "once the storm is over a message takes one call"
    assert pending(services.database) == 0


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    fake = FakeBotConnector().start()
    yield fake
    fake.stop()


def test_teams_storm_loses_nothing_and_duplicates_only_lost_answers(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> None:
    counts = teams_storm(db_url, config, clock, connector, messages=MESSAGES)
    print(counts.line())
    assert counts.stored == counts.acknowledged == MESSAGES
    assert counts.delivered == MESSAGES, "every acknowledged recommendation reached its owner"
    assert counts.duplicated <= counts.faults.get("timeout (after the work)", 0)
    assert counts.after_storm_calls == 1, "once the storm is over a message takes one call"
