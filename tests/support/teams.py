"""The Teams world: a real sopbot server with the Teams adapter on (no app id:
unauthenticated local mode), a fake Bot Connector as every activity's serviceUrl, and
helpers that speak Bot Framework activities over real HTTP, like Teams does."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from adapters.teams.app import TeamsAdapter
from adapters.teams.retry import RetryPolicy
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.bot_connector import Call, FakeBotConnector
from tests.support.cards import assert_valid_card, card_validator, find_submit
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, serving

DECISION_KINDS = ("accepted", "overridden", "reassigned")


TOKEN = "teams-tests-api-token"
FAST = RetryPolicy(attempts=4, base=0.001, cap=2.0)
BOT = {"id": "28:sopbot-bot", "name": "sopbot"}
TENANT = "tenant-nordwind"


@dataclass(frozen=True)
class TeamsUser:
    id: str
    aad: str
    name: str
    upn: str

    @property
    def conversation(self) -> str:
        return f"a:1on1-{self.aad}"


USERS = {
    key: TeamsUser(id=f"29:{key}", aad=f"aad-{key}-0000", name=name, upn=f"{key}@nordwind.example")
    for key, name in [
        ("ana", "Ana Lopez"),
        ("dora", "Dora Novak"),
        ("finn", "Finn Weber"),
        ("ben", "Ben Okafor"),
        ("mallory", "Mallory Unknown"),
    ]
}


class TeamsWorld:
    """The server, its runtime, the fake connector, and what a Teams client would send."""

    def __init__(self, runtime: Runtime, server_url: str, connector: FakeBotConnector) -> None:
        self.runtime = runtime
        self.url = server_url
        self.connector = connector
        self.http = httpx.Client(
            base_url=server_url,
            timeout=30,
            headers={"Authorization": f"Bearer {TOKEN}"},
            verify=LOOPBACK_TLS,
        )
        self._ids = itertools.count(1)
        for user in USERS.values():
            if user.id != "29:mallory":
                connector.add_member(
                    user.id,
                    name=user.name,
                    aadObjectId=user.aad,
                    userPrincipalName=user.upn,
                    email=user.upn,
                )

    # --- activities -------------------------------------------------------------------

    def activity(self, user: TeamsUser, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"act-in-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
            "timestamp": "2026-11-30T08:00:00Z",
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "recipient": BOT,
            "conversation": {
                "id": user.conversation,
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            "channelData": {"tenant": {"id": TENANT}},
            **extra,
        }

    def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None):
        """Post like Teams does; a message is answered before its turn runs, so this
        then waits for the turn, and the test sees what it did."""
        response = httpx.post(
            f"{self.url}/api/messages",
            json=activity,
            headers=headers,
            timeout=30,
            verify=LOOPBACK_TLS,
        )
        assert self.teams.turns.wait_idle(), "a turn did not finish"
        return response

    @property
    def teams(self) -> TeamsAdapter:
        return next(a for a in self.runtime.adapters if isinstance(a, TeamsAdapter))

    def install(self, key: str) -> None:
        user = USERS[key]
        members = [BOT, {"id": user.id, "aadObjectId": user.aad}]
        update = self.activity(user, "conversationUpdate", membersAdded=members)
        assert self.post(update).status_code in (200, 201, 202)
        install = self.activity(user, "installationUpdate", action="add")
        assert self.post(install).status_code in (200, 201, 202)

    def say(self, key: str, text: str) -> httpx.Response:
        return self.post(self.activity(USERS[key], "message", text=text))

    def submit(
        self, key: str, card_id: str, action: str, *, choice: str | None = None, **inputs: Any
    ) -> dict[str, Any]:
        """Press `action` on the card as it shows now (Teams: a message with `value` and
        replyToId = the card's activity id); returns the activity, to repeat it."""
        value = find_submit(self.connector.card_of(card_id), action, choice)
        value.update({f"{action}.{name}": v for name, v in inputs.items()})
        activity = self.activity(USERS[key], "message", value=value, replyToId=card_id)
        assert self.post(activity).status_code in (200, 201, 202)
        return activity

    # --- sopbot side ------------------------------------------------------------------

    def ingest(self, **overrides: Any) -> int:
        response = self.http.post("/api/v1/recommendations", json=make_rec(**overrides))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def recommendation(self, rec_id: int) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/recommendations/{rec_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def deliver(self) -> None:
        self.runtime.outbox.drain()

    def cards_to(self, key: str) -> list[Call]:
        """Successful card messages into the person's 1:1 conversation (botbuilder posts
        proactive messages as replies to the continuation activity)."""
        conversation = USERS[key].conversation
        return [
            c
            for c in self.connector.of_kind("send", "reply")
            if c.conversation_id == conversation and c.card is not None
        ]

    def decisions(self, rec_id: int) -> list[dict[str, Any]]:
        """The recommendation's decision events (accepted, overridden, reassigned)."""
        events = self.recommendation(rec_id)["events"]
        return [e for e in events if e["kind"] in DECISION_KINDS]

    def decision_kinds(self, rec_id: int) -> list[str]:
        return [e["kind"] for e in self.decisions(rec_id)]

    def delivered(self, key: str = "ana", **overrides: Any) -> tuple[int, str]:
        """`key` installed the app and received one recommendation: (its id, the card's
        id)."""
        self.install(key)
        rec_id = self.ingest(**overrides)
        self.deliver()
        [call] = self.cards_to(key)
        assert call.response_id
        return rec_id, call.response_id

    def updates_of(self, activity_id: str | None) -> list[Call]:
        return [c for c in self.connector.of_kind("update") if c.activity_id == activity_id]


def teams_runtime(db_url: str, config: Config, clock: AdjustableClock, **settings: Any) -> Runtime:
    values: dict[str, Any] = {
        "database_url": db_url,
        "api_token": SecretStr(TOKEN),
        "teams_enabled": True,
        "local_chat": False,
        "scheduler": False,
        **settings,
    }
    runtime = build_runtime(Settings(**values), config=config, clock=clock, upgrade=False)
    teams = next(a for a in runtime.adapters if a.name == "teams")
    assert isinstance(teams, TeamsAdapter)
    teams.set_retry_policy(FAST)
    return runtime


@contextmanager
def checked_connector() -> Iterator[FakeBotConnector]:
    """A fake Bot Connector; on the way out, every card the adapter sent, replied or
    updated must be a valid Adaptive Card 1.5."""
    fake = FakeBotConnector().start()
    yield fake
    fake.stop()
    validator = card_validator()
    for card in fake.cards():
        assert_valid_card(validator, card)


@contextmanager
def teams_world(
    db_url: str, config: Config, clock: AdjustableClock, connector: FakeBotConnector
) -> Iterator[TeamsWorld]:
    runtime = teams_runtime(db_url, config, clock)
    with serving(create_app(runtime, start_background=False)) as server:
        world = TeamsWorld(runtime, server.url, connector)
        yield world
        world.http.close()
    runtime.stop()
