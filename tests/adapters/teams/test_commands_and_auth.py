"""Personal commands by text, unknown people, and Bot Framework authentication."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.teams.app import BotAuthConfig, TeamsSettingsError
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import FakeBotConnector
from tests.support.cards import texts
from tests.support.live import LOOPBACK_TLS, serving
from tests.support.teams import BOT, USERS, TeamsWorld, teams_runtime

APP_ID = "6a3f0c1e-0000-4000-8000-00000000b007"


def replies(world: TeamsWorld) -> list[str]:
    return [c.text for c in world.connector.of_kind("reply", "send")]


def test_queue_lists_open_recommendations_as_cards(world: TeamsWorld) -> None:
    world.install("ana")
    world.say("ana", "queue")
    assert "Nothing is waiting for you" in replies(world)[-1]
    world.ingest(title="SKU-1 first")
    world.ingest(title="SKU-2 second")
    world.connector.clear()
    mention = {"type": "mention", "text": "<at>sopbot</at>", "mentioned": BOT}
    activity = world.activity(
        USERS["ana"], "message", text="<at>sopbot</at> queue", entities=[mention]
    )
    assert world.post(activity).status_code in (200, 201, 202)
    calls = world.connector.of_kind("reply")
    cards = [texts(c.card) for c in calls if c.card]  # one card, a page of the queue
    assert len(calls) == len(cards) == 1 and "Your open recommendations (2)" in cards[0]
    assert "soonest due first" in cards[0] and "Accept" in cards[0]
    assert cards[0].index("SKU-1 first") < cards[0].index("SKU-2 second")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("help", "queue: your open recommendations"),
        ("readiness", "Not ready to go live"),
        ("report", "Override review: everything so far"),
        ("matrix", "Ownership matrix"),
        ("interview", "Interview templates"),
        ("frobnicate", "I don't know the command 'frobnicate'"),
    ],
)
def test_commands_answer_plainly(world: TeamsWorld, command: str, expected: str) -> None:
    world.install("ana")
    world.connector.clear()
    world.say("ana", command)
    assert any(expected in text for text in replies(world)), replies(world)


def test_unknown_person_is_told_and_nothing_is_stored(world: TeamsWorld) -> None:
    world.install("mallory")
    world.say("mallory", "queue")
    assert "I don't know you yet" in replies(world)[-1]
    assert "Hi " not in " ".join(replies(world))  # no welcome for an unknown person


def test_uninstall_makes_the_person_unreachable(world: TeamsWorld) -> None:
    world.install("ana")
    world.install("dora")
    user = USERS["ana"]
    assert world.post(world.activity(user, "installationUpdate", action="remove")).status_code
    world.ingest()
    world.deliver()
    assert world.cards_to("ana") == [] and len(world.cards_to("dora")) == 1


@pytest.fixture
def secured(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Any:
    runtime = teams_runtime(
        db_url,
        config,
        clock,
        teams_enabled=False,
        teams_app_id=APP_ID,
        teams_app_password=SecretStr("not-a-real-secret"),
        teams_tenant_id="tenant-nordwind",
    )
    with serving(create_app(runtime, start_background=False)) as server:
        world = TeamsWorld(runtime, server.url, connector)
        yield world
        world.http.close()
    runtime.stop()


@pytest.mark.parametrize("header", [None, "Bearer not-a-token"])
def test_with_an_app_id_a_request_without_a_valid_token_is_401(
    secured: TeamsWorld, header: str | None
) -> None:
    activity = secured.activity(USERS["ana"], "message", text="queue")
    response = secured.post(activity, headers={"Authorization": header} if header else None)
    assert response.status_code == 401
    assert secured.connector.calls == []  # no reply, no member look-up
    secured.ingest()
    secured.deliver()  # ana's reference was not stored: she is unreachable
    assert secured.cards_to("ana") == []


def test_malformed_bodies_are_rejected(world: TeamsWorld) -> None:
    url = f"{world.url}/api/messages"
    assert (
        httpx.post(
            url, content=b"{nope", headers={"Content-Type": "application/json"}, verify=LOOPBACK_TLS
        ).status_code
        == 400
    )
    assert httpx.post(url, json={"text": "no type"}, verify=LOOPBACK_TLS).status_code == 400
    assert (
        httpx.post(
            url, content=b"x", headers={"Content-Type": "text/plain"}, verify=LOOPBACK_TLS
        ).status_code
        == 415
    )


def test_single_tenant_settings_must_be_complete() -> None:
    settings = Settings(teams_app_id=APP_ID, teams_app_password=SecretStr("x"))
    with pytest.raises(TeamsSettingsError, match="TEAMS_TENANT_ID"):
        BotAuthConfig.from_settings(settings.teams())
    multi = Settings(teams_app_id=APP_ID, teams_app_type="MultiTenant")
    assert BotAuthConfig.from_settings(multi.teams()).APP_TYPE == "MultiTenant"
    local = BotAuthConfig.from_settings(Settings(teams_enabled=True).teams())
    assert local.APP_ID == "" and local.APP_TYPE == "MultiTenant"  # unauthenticated mode
    secret = Settings(
        teams_app_id=APP_ID, teams_app_password=SecretStr("hunter2"), teams_tenant_id="t"
    )
    assert "hunter2" not in repr(BotAuthConfig.from_settings(secret.teams()))
