"""The composition root turns Slack on from settings: HTTP mode mounts `/slack/events`,
Socket Mode (an app token) needs no public route and uses the same Web API client."""

from __future__ import annotations

from pydantic import SecretStr

from adapters.slack.app import EVENTS_PATH, SlackAdapter
from bot.runtime import build_adapters
from bot.settings import Settings
from workflows.service import Services


def paths(adapter: SlackAdapter) -> list[str]:
    return [route.path for route in adapter.router.routes]


def test_http_mode(services: Services) -> None:
    settings = Settings(
        slack_bot_token=SecretStr("xoxb-1"),
        local_chat=False,
        slack_signing_secret=SecretStr("s"),
        slack_api_url="http://proxy/api/",
    )
    [adapter] = build_adapters(settings, services)
    assert isinstance(adapter, SlackAdapter) and adapter.chat.platform == "slack"
    assert paths(adapter) == [EVENTS_PATH]
    assert adapter.client.base_url == "http://proxy/api/"
    assert adapter.socket_mode is None
    assert "xoxb-1" not in repr(settings)


def test_socket_mode(services: Services) -> None:
    settings = Settings(
        slack_bot_token=SecretStr("xoxb-1"),
        local_chat=False,
        slack_app_token=SecretStr("xapp-1"),
        slack_api_url="http://proxy/api/",
    )
    [adapter] = build_adapters(settings, services)
    assert isinstance(adapter, SlackAdapter)
    assert paths(adapter) == []  # nothing unsigned is accepted over HTTP
    assert adapter.socket_mode is not None
    assert adapter.socket_mode.client.web_client is adapter.client


def test_slack_off_without_settings(services: Services) -> None:
    assert build_adapters(Settings(local_chat=False), services) == []
