"""Issue 24: a SIGKILL after a Teams click (and a web chat click) is answered and
before its work; each decision is recorded after the restart, once, and the card
updated.

A real `sopbot serve` subprocess (tests/faults/teams_serve.py: the CLI with Microsoft's
endpoints pointed at the fakes) runs with TEAMS_APP_ID, so every activity the test posts
carries a Bot Framework token signed by the fake issuer and checked for real; the bot
answers through the fake Bot Connector with its own outbound token. Ana installs the
app, a recommendation reaches her as a card, she presses Accept (an Action.Execute
invoke) and is answered; she accepts a second one in the web chat of the same process
(answered 303, "Recording your accept"). The process journals both clicks and holds
there (the fault point) until the test, seeing the journal rows, SIGKILLs it. The
restarted process finds the clicks in the journal and does them: one decision each in
the database, the Teams card updated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Decision, PendingAction
from tests.fakes.bot_auth import METADATA_PATH, OUTBOUND_TOKEN, BotFrameworkIssuer
from tests.fakes.bot_connector import Call, FakeBotConnector
from tests.faults.crashes import TOKEN, Serve, wait_until
from tests.support.cards import find_submit, texts
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS
from tests.support.teams import BOT, TENANT, USERS, TeamsUser

APP_ID = "6a3f0c1e-0000-4000-8000-00000000fa17"
ANA = USERS["ana"]
TIMEOUT = 60.0


class SignedTeams:
    """What Teams sends to the bot, signed as the Bot Framework signs it."""

    def __init__(self, serve: Serve, connector: FakeBotConnector, issuer: BotFrameworkIssuer):
        self.serve = serve
        self.connector = connector
        self.issuer = issuer
        self.count = 0

    def activity(self, user: TeamsUser, kind: str, **extra: Any) -> dict[str, Any]:
        self.count += 1
        return {
            "type": kind,
            "id": f"act-in-{self.count}",
            "channelId": "msteams",
            "serviceUrl": self.connector.url,
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

    def post(self, activity: dict[str, Any], *, signed: bool = True) -> httpx.Response:
        headers = (
            self.issuer.headers(app_id=APP_ID, service_url=self.connector.url) if signed else {}
        )
        return httpx.post(
            f"{self.serve.base}/api/messages",
            json=activity,
            headers=headers,
            timeout=30,
            verify=LOOPBACK_TLS,
        )


@pytest.fixture
def connector() -> Iterator[FakeBotConnector]:
    with FakeBotConnector() as fake:
        fake.add_member(
            ANA.id, name=ANA.name, aadObjectId=ANA.aad, userPrincipalName=ANA.upn, email=ANA.upn
        )
        yield fake


def teams_serve(url: str, directory: Path, connector: FakeBotConnector) -> Serve:
    issuer_env = {
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "not-a-real-secret",
        "TEAMS_TENANT_ID": TENANT,
        "FAULTS_TEAMS_OPENID_URL": connector.url.rstrip("/") + METADATA_PATH,
        "FAULTS_HOLD_CLICKS": "1",
        "SOPBOT_LOCAL_CHAT": "1",  # the web chat beside Teams (Teams reaches Ana first)
    }
    return Serve(
        url=url, slack=None, directory=directory, module="tests.faults.teams_serve", env=issuer_env
    )


def count(url: str, model: type[Decision] | type[PendingAction]) -> int:
    database = Database(url)
    try:
        with database.read() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def decisions(url: str) -> list[tuple[int, str, str]]:
    """(recommendation, kind, channel) of every decision."""
    database = Database(url)
    try:
        with database.read() as session:
            rows = session.execute(
                select(Decision.recommendation_id, Decision.kind, Decision.channel).order_by(
                    Decision.recommendation_id
                )
            )
            return [tuple(row) for row in rows]
    finally:
        database.dispose()


def cards_to_ana(connector: FakeBotConnector) -> list[Call]:
    return [
        c
        for c in connector.of_kind("send", "reply")
        if c.conversation_id == ANA.conversation and c.card is not None
    ]


def accepted_updates(connector: FakeBotConnector, card_id: str) -> list[Call]:
    return [
        c
        for c in connector.of_kind("update")
        if c.activity_id == card_id and "Accepted by Ana Lopez" in texts(c.card or {})
    ]


def test_sigkill_between_the_answer_and_the_work_of_teams_and_web_chat_clicks(
    db_url: str, tmp_path: Path, connector: FakeBotConnector
) -> None:
    issuer = BotFrameworkIssuer()
    connector.documents.update(issuer.documents(connector.url))
    serve = teams_serve(db_url, tmp_path, connector).start()
    teams = SignedTeams(serve, connector, issuer)
    try:
        # Authentication is real: unsigned is refused, signed is taken.
        update = teams.activity(ANA, "conversationUpdate", membersAdded=[BOT, {"id": ANA.id}])
        assert teams.post(update, signed=False).status_code == 401
        assert teams.post(update).status_code in (200, 201)
        install = teams.activity(ANA, "installationUpdate", action="add")
        assert teams.post(install).status_code in (200, 201)

        api = {"Authorization": f"Bearer {TOKEN}"}
        rec_ids = []
        for sku in ("SKU-T1", "SKU-W2"):
            ingest = httpx.post(
                f"{serve.base}/api/v1/recommendations",
                json=make_rec(sku=sku, title=f"{sku} at DC-NORTH"),
                headers=api,
                timeout=30,
                verify=LOOPBACK_TLS,
            )
            assert ingest.status_code == 201, ingest.text
            rec_ids.append(ingest.json()["id"])
        assert wait_until(lambda: len(cards_to_ana(connector)) == 2, timeout=TIMEOUT)
        [card] = [c for c in cards_to_ana(connector) if "SKU-T1" in texts(c.card or {})]
        assert card.response_id is not None
        card_id = card.response_id

        data = find_submit(connector.card_of(card_id), "accept")
        value = {"action": {"type": "Action.Execute", "verb": "accept", "data": data}}
        click = teams.activity(
            ANA, "invoke", name="adaptiveCard/action", value=value, replyToId=card_id
        )
        answer = teams.post(click)
        assert answer.status_code == 200, answer.text  # Ana is told it is being recorded
        assert answer.json()["statusCode"] == 200
        web = httpx.post(
            f"{serve.base}/chat/ana/act",
            data={"recommendation_id": rec_ids[1], "action": "accept"},
            timeout=30,
            verify=LOOPBACK_TLS,
        )
        assert web.status_code == 303 and web.headers["x-sopbot-outcome"] == "queued"

        # The clicks are journaled and their work held: kill the process there.
        assert wait_until(lambda: count(db_url, PendingAction) == 2, timeout=TIMEOUT)
        assert count(db_url, Decision) == 0
        assert accepted_updates(connector, card_id) == []
        serve.kill()

        serve.env.pop("FAULTS_HOLD_CLICKS")
        serve.start()

        def done() -> bool:
            return count(db_url, PendingAction) == 0 and bool(accepted_updates(connector, card_id))

        assert wait_until(done, timeout=TIMEOUT, step=0.1), "the clicks were not taken over"
    finally:
        serve.stop()
    assert decisions(db_url) == [(rec_ids[0], "accept", "teams"), (rec_ids[1], "accept", "local")]
    # The card shows the decision (updated in place by the replayed turn; the decision's
    # outbox refresh may redraw it once more, the same).
    assert "Accepted by Ana Lopez" in texts(connector.card_of(card_id))
    outbound = connector.of_kind("send", "reply", "update", "member")
    assert outbound and all(
        c.headers.get("authorization") == f"Bearer {OUTBOUND_TOKEN}" for c in outbound
    )
