"""Slack and Teams on together: each person is reached on the platform where they are
known, a miss on one platform tries the next, and only when both miss does the backup
get the message. Real HTTP both ways: the fake Slack Web API (which answers
`users_not_found` for an e-mail it does not know) and the fake Bot Connector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from bot.server import create_app
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, Config, load_config
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.support.cards import texts
from tests.support.live import serving
from tests.support.slack_http import SIGNING_SECRET
from tests.support.teams import TeamsWorld, teams_runtime

# ana is on Teams only (her e-mail is no Slack account); dora is on Slack only.
TEAMS_ONLY = "ana"
SLACK_ONLY = "dora"


@pytest.fixture
def two_platform_config(tmp_path: Path) -> Config:
    raw = yaml.safe_load(DEMO_CONFIG_PATH.read_text(encoding="utf-8"))
    for person in raw["people"]:
        if person["id"] == TEAMS_ONLY:
            person.pop("slack")
    path = tmp_path / "sopbot.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


class BothWorld(TeamsWorld):
    slack: FakeSlackApi

    def slack_posts(self) -> list[dict[str, Any]]:
        return self.slack.calls_to("chat.postMessage")

    def events(self, rec_id: int) -> list[dict[str, Any]]:
        return self.recommendation(rec_id)["events"]


@pytest.fixture
def both(
    db_url: str,
    two_platform_config: Config,
    clock: AdjustableClock,
    connector: FakeBotConnector,
) -> Iterator[BothWorld]:
    with FakeSlackApi(users_by_email={}) as fake:
        runtime = teams_runtime(
            db_url,
            two_platform_config,
            clock,
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_url=fake.url,
        )
        assert [a.name for a in runtime.adapters] == ["slack", "teams"]
        with serving(create_app(runtime, start_background=False)) as server:
            world = BothWorld(runtime, server.url, connector)
            world.slack = fake
            yield world
            world.http.close()
        runtime.stop()


def test_teams_only_owner_gets_it_on_teams_not_the_backup(both: BothWorld) -> None:
    both.install(TEAMS_ONLY)
    rec_id = both.ingest()  # stockout_risk at DC-NORTH: owner ana, backup dora
    both.deliver()
    [card] = both.cards_to(TEAMS_ONLY)
    assert "Could not reach" not in texts(card.card)
    assert both.slack_posts() == []  # nothing for the backup on Slack
    events = both.events(rec_id)
    delivered = [e["data"] for e in events if e["kind"] == "delivered"]
    assert delivered == [{"to": "ana", "platform": "teams", "purpose": "owner"}], events
    assert not [e for e in events if e["kind"] == "delivery_failed"]


def test_slack_only_owner_gets_it_on_slack(both: BothWorld) -> None:
    both.install(TEAMS_ONLY)
    rec_id = both.ingest(site="DC-SOUTH")  # owner dora (Slack U0DORA), backup ana
    both.deliver()
    [post] = both.slack_posts()
    assert post["channel"] == "U0DORA"
    assert both.cards_to(TEAMS_ONLY) == []
    delivered = [e["data"] for e in both.events(rec_id) if e["kind"] == "delivered"]
    assert delivered == [{"to": "dora", "platform": "slack", "purpose": "owner"}]


def test_a_miss_on_slack_tries_teams_before_the_backup(both: BothWorld) -> None:
    """dora has a Slack id and has installed the Teams app: Slack refuses the DM
    permanently, so Teams gets it, and the miss is audited."""
    both.install(SLACK_ONLY)
    both.slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    rec_id = both.ingest(site="DC-SOUTH")
    both.deliver()
    [card] = both.cards_to(SLACK_ONLY)
    assert "Could not reach" not in texts(card.card)
    assert [p["channel"] for p in both.slack_posts()] == ["U0DORA"]  # the refused one only
    events = both.events(rec_id)
    [missed] = [e["data"] for e in events if e["kind"] == "platform_missed"]
    assert missed["to"] == "dora" and missed["platform"] == "slack" and missed["next"] == "teams"
    assert "channel_not_found" in missed["error"]
    delivered = [e["data"] for e in events if e["kind"] == "delivered"]
    assert delivered == [{"to": "dora", "platform": "teams", "purpose": "owner"}]
    assert not [e for e in events if e["kind"] == "delivery_failed"]


def test_the_backup_gets_it_only_when_every_platform_missed(both: BothWorld) -> None:
    """ana has not installed the Teams app and her e-mail is no Slack account."""
    rec_id = both.ingest()
    both.deliver()
    assert [c for c in both.connector.of_kind("send", "reply") if c.card] == []
    [lookup] = both.slack.calls_to("users.lookupByEmail")
    assert lookup["email"] == "ana@nordwind.example"
    [post] = both.slack_posts()
    assert post["channel"] == "U0DORA" and "Could not reach Ana Lopez" in str(post["blocks"])
    events = both.events(rec_id)
    [failed] = [e["data"] for e in events if e["kind"] == "delivery_failed"]
    assert failed["to"] == "ana"
    assert "slack:" in failed["error"] and "teams:" in failed["error"], failed
    delivered = [e["data"] for e in events if e["kind"] == "delivered"]
    assert delivered == [{"to": "dora", "platform": "slack", "purpose": "owner"}]
