"""The Slack world (tests.support.slack) as the `world` of these tests, with its fake
Slack Web API as `fake_slack`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.slack_api import FakeSlackApi
from tests.support.slack import USERS_BY_EMAIL, SlackWorld, slack_world


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake:
        yield fake


@pytest.fixture
def world(
    db_url: str, config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> Iterator[SlackWorld]:
    with slack_world(db_url, config, clock, fake_slack) as world:
        yield world
