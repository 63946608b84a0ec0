"""Bodies far bigger than anything Slack, Teams or a browser sends, at every edge of one
`sopbot serve`-like server (Slack, Teams, web chat and the ingestion API all on): each
is refused with a clean 4xx (413 or 400, or 401 when unsigned), never a 500 or a stack
trace, nothing is recorded, and the server goes on answering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from adapters.slack.ids import ActionId
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.hostile.slack_helpers import decisions
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, serving
from tests.support.slack import SlackWorld, slack_settings
from tests.support.slack_http import SlackSender, block_actions, button_in
from tests.support.teams import TOKEN, USERS, TeamsWorld
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

MB = 1024 * 1024
SIZES = [int(1.5 * MB), 3 * MB, 10 * MB]


@dataclass
class Edges:
    slack: SlackWorld
    teams: TeamsWorld
    http: httpx.Client

    @property
    def runtime(self) -> Runtime:
        return self.slack.runtime


@pytest.fixture
def edges(
    db_url: str,
    config: Config,
    clock: AdjustableClock,
    fake_slack: FakeSlackApi,
    connector: FakeBotConnector,
) -> Iterator[Edges]:
    settings = slack_settings(db_url, fake_slack).model_copy(
        update={"teams_enabled": True, "local_chat": True, "api_token": SecretStr(TOKEN)}
    )
    runtime = build_runtime(
        Settings(**settings.model_dump()), config=config, clock=clock, upgrade=False
    )
    with (
        serving(create_app(runtime)) as server,
        httpx.Client(base_url=server.url, timeout=60, verify=LOOPBACK_TLS) as http,
    ):
        sender = SlackSender(server.url)
        teams = TeamsWorld(runtime, server.url, connector)
        try:
            yield Edges(SlackWorld(runtime=runtime, fake=fake_slack, slack=sender), teams, http)
        finally:
            sender.close()
            teams.http.close()
    runtime.stop()


def assert_refused(response: httpx.Response, *allowed: int) -> None:
    assert response.status_code in (allowed or (400, 413)), (
        response.status_code,
        response.text[:300],
    )
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert len(response.content) < 10_000  # the body is not echoed back


def still_up(edges: Edges) -> None:
    """A normal click after the flood is recorded as usual."""
    rec_id = edges.slack.ingest()
    dm = edges.slack.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert edges.slack.slack.interactive(click).status_code == 200
    edges.slack.settled()
    assert [d.actor_id for d in decisions(edges.slack, rec_id)] == ["ana"]


def padded_click(edges: Edges, size: int) -> dict[str, Any]:
    """A click as Slack would post it, with a button value blown up to `size`."""
    rec_id = edges.slack.ingest()
    dm = edges.slack.dm_to("U0ANA")
    button = button_in(dm.blocks, ActionId.ACCEPT)
    value = json.dumps({"recommendation_id": rec_id, "value": "x" * size})
    return block_actions(
        user_id="U0ANA", button={**button, "value": value}, channel=dm.channel, message_ts=dm.ts
    )


@pytest.mark.parametrize("size", SIZES)
def test_slack_events(edges: Edges, size: int) -> None:
    click = padded_click(edges, size)
    rec_id = json.loads(click["actions"][0]["value"])["recommendation_id"]
    edges.slack.fake.reset()
    assert_refused(edges.slack.slack.interactive(click))  # signed, and current
    assert_refused(edges.slack.slack.interactive(click, forged=True), 400, 401, 413)
    junk = "payload=" + "%7B" * (size // 3)
    assert_refused(edges.slack.slack.post(junk, "application/x-www-form-urlencoded"))
    command = urlencode({"command": "/sopbot", "user_id": "U0ANA", "text": "q" * size})
    assert_refused(edges.slack.slack.post(command, "application/x-www-form-urlencoded"))
    edges.slack.settled()  # a (wrongly) started listener has run and shows itself
    assert decisions(edges.slack, rec_id) == []
    still_up(edges)


@pytest.mark.parametrize("size", SIZES)
def test_teams_messages(edges: Edges, size: int) -> None:
    edges.teams.install("ana")
    edges.teams.connector.clear()
    message = edges.teams.activity(USERS["ana"], "message", text="queue " + "q" * size)
    submit = edges.teams.activity(
        USERS["ana"],
        "message",
        value={"sopbot": {"action": "accept", "recommendation_id": 1, "nonce": "n" * size}},
    )
    for activity in (message, submit):
        assert_refused(
            httpx.post(
                f"{edges.teams.url}/api/messages", json=activity, timeout=60, verify=LOOPBACK_TLS
            )
        )
    assert edges.teams.teams.turns.wait_idle()
    assert edges.teams.connector.of_kind("send", "reply") == []
    still_up(edges)


@pytest.mark.parametrize("size", SIZES)
def test_web_chat_form(edges: Edges, size: int) -> None:
    items = validate_batch(config=edges.runtime.config, raw_items=[make_rec()])
    [result] = ingest(edges.runtime.services, items=items)
    form = {
        "recommendation_id": str(result.id),
        "action": "override",
        "reason_code": "COST_TRADEOFF",
        "note": "n" * size,
    }
    assert_refused(edges.http.post("/chat/ana/act", data=form))
    assert_refused(edges.http.post("/chat/ana/command", data={"text": "q" * size}))
    assert decisions(edges.slack, result.id) == []
    still_up(edges)


@pytest.mark.parametrize("size", SIZES)
def test_ingestion_api(edges: Edges, size: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    one = make_rec(action="A" * size)
    assert_refused(
        edges.http.post("/api/v1/recommendations", json=one, headers=headers), 400, 413, 422
    )
    as_json = headers | {"Content-Type": "application/json"}
    junk = edges.http.post("/api/v1/recommendations", content=b"[" * size, headers=as_json)
    assert_refused(junk, 400, 413, 422)
    still_up(edges)
