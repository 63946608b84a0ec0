"""slack_sdk formats every request and response (blocks and all) into a debug line
unless its logger's own level is above DEBUG. Our clients skip that work: with the whole
process logging at DEBUG, no request body is formatted or logged."""

from __future__ import annotations

import logging

import pytest

from adapters.slack.client import build_client, without_blind_retries
from tests.fakes.slack_api import FakeSlackApi

BODY = "a block of text that must not be formatted into a log line"


@pytest.mark.parametrize("kind", ["client", "poster"])
def test_no_request_or_response_is_formatted_for_a_debug_line(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeSlackApi() as fake:
        client = build_client(token="xoxb-test", base_url=fake.url)
        if kind == "poster":
            client = without_blind_retries(client)
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": BODY}}]
        client.chat_postMessage(channel="U1", text="hello", blocks=blocks)
        assert fake.calls_to("chat.postMessage")
    assert not [r for r in caplog.records if BODY in r.getMessage()]
    assert not [r for r in caplog.records if r.getMessage().startswith("Sending a request")]
