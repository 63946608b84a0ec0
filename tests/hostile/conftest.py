"""The chat edges under hostile input: the Slack world of tests/slack (signed requests to
the real Bolt app, fake Slack Web API), the Teams world of tests/teams (the real
botbuilder adapter at /api/messages, fake Bot Connector) and the web chat, reused here
under their own names so one module can use more than one of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.runtime import build_runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.live import serving
from tests.local.conftest import client, local_chat, runtime
from tests.slack.conftest import SlackWorld, fake_slack, slack_settings
from tests.slack.slack_http import SlackSender
from tests.teams.conftest import TeamsWorld, connector, teams_runtime

__all__ = ["connector", "fake_slack"]  # fixtures reused from tests/slack and tests/teams


@pytest.fixture
def slack_world(
    db_url: str, config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> Iterator[SlackWorld]:
    runtime = build_runtime(
        slack_settings(db_url, fake_slack), config=config, clock=clock, upgrade=False
    )
    with serving(create_app(runtime)) as server:
        sender = SlackSender(server.url)
        try:
            yield SlackWorld(runtime=runtime, fake=fake_slack, slack=sender)
        finally:
            sender.close()
    runtime.stop()


@pytest.fixture
def teams_world(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    runtime = teams_runtime(db_url, config, clock)
    with serving(create_app(runtime, start_background=False)) as server:
        world = TeamsWorld(runtime, server.url, connector)
        yield world
        world.http.close()
    runtime.stop()


__all__ += ["client", "local_chat", "runtime"]  # the web chat of tests/local
