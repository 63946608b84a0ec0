"""The chat edges under hostile input: the Slack world (signed requests to the real Bolt
app, fake Slack Web API), the Teams world (the real botbuilder adapter at /api/messages,
fake Bot Connector) and the web chat, all from tests.support, under their own names so
one module can use more than one of them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.local import LocalChat
from bot.runtime import Runtime
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.support.slack import USERS_BY_EMAIL, SlackWorld, slack_world
from tests.support.teams import TeamsWorld, checked_connector, teams_world
from tests.support.web import local_chat_of, web_client, web_runtime


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake:
        yield fake


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    with checked_connector() as fake:
        yield fake


@pytest.fixture(name="slack_world")
def slack_world_fixture(
    db_url: str, config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> Iterator[SlackWorld]:
    with slack_world(db_url, config, clock, fake_slack) as world:
        yield world


@pytest.fixture(name="teams_world")
def teams_world_fixture(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    with teams_world(db_url, config, clock, connector) as world:
        yield world


@pytest.fixture
def runtime(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    """The web chat's runtime."""
    with web_runtime(db_url, config, clock) as rt:
        yield rt


@pytest.fixture
def local_chat(runtime: Runtime) -> LocalChat:
    return local_chat_of(runtime)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[httpx.Client]:
    with web_client(runtime) as http:
        yield http
