"""The fake Slack Web API answers the real `WebClient` the way Slack does, including the
failures the adapter's retry handlers exist for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(users_by_email={"carl@example.com": "U0CARL"}) as api:
        yield api


def test_records_calls_and_answers_like_slack(fake: FakeSlackApi) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.url)
    first = client.chat_postMessage(channel="U0ANA", text="hi", blocks=[])
    second = client.chat_postMessage(channel="C0OPS", text="hi")
    assert first["channel"] == "D0ANA" and second["channel"] == "C0OPS"
    assert first["ts"] != second["ts"]
    assert client.views_open(trigger_id="1.2", view={"type": "modal"})["view"]["id"]
    assert client.users_lookupByEmail(email="carl@example.com")["user"]["id"] == "U0CARL"
    assert [p["channel"] for p in fake.calls_to("chat.postMessage")] == ["U0ANA", "C0OPS"]
    assert fake.calls_to("views.open")[0]["trigger_id"] == "1.2"


def test_fail_next_answers_429_then_recovers(fake: FakeSlackApi) -> None:
    fake.fail_next("chat.postMessage", 429, retry_after=0, count=1)
    plain = WebClient(token="xoxb-test", base_url=fake.url)
    with pytest.raises(SlackApiError) as raised:
        plain.chat_postMessage(channel="U0ANA", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "0"

    fake.fail_next("chat.postMessage", 429, retry_after=0, count=1)
    fake.fail_next("chat.postMessage", 500, count=1)
    retrying = WebClient(token="xoxb-test", base_url=fake.url)
    retrying.retry_handlers.extend(
        [RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)]
    )
    assert retrying.chat_postMessage(channel="U0ANA", text="hi")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 4


def test_fail_next_with_slack_error(fake: FakeSlackApi) -> None:
    fake.fail_next("chat.postMessage", 200, error="channel_not_found")
    client = WebClient(token="xoxb-test", base_url=fake.url)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="U0NOPE", text="hi")
    assert raised.value.response["error"] == "channel_not_found"
