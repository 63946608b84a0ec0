"""Issue 23: what a click means is decided once (workflows.decisions.click), so an
Override's alternative value typed as `1,200`, `1.200,5` or `1 200` is recorded as the
same number whether it comes through the real Slack app (a signed modal submission),
the real Teams bot (a card's Action.Submit through botbuilder, a fake Bot Connector) or
the web chat's form post; and `12abc` is refused next to the value field on all three.
One runtime serves the three platforms; SQLite and PostgreSQL."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from adapters.local import LocalAdapter
from adapters.slack.app import SlackAdapter
from adapters.slack.ids import ActionId, BlockId, CallbackId
from adapters.slack.payloads import ModalMetadata
from adapters.teams.payloads import CardSubmit, submit_data
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from storage.models import Decision
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.support.cards import texts
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, serving
from tests.support.slack import USERS_BY_EMAIL, slack_settings
from tests.support.slack_http import SlackSender, selected, typed, view_submission
from tests.support.teams import FAST, USERS, TeamsWorld
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

REASON = "COST_TRADEOFF"  # a reason that needs no note


@dataclass
class Everywhere:
    runtime: Runtime
    slack: SlackSender
    teams: TeamsWorld
    web: httpx.Client

    def ingest(self) -> int:
        items = validate_batch(config=self.runtime.config, raw_items=[make_rec()])
        [result] = ingest(self.runtime.services, items=items)
        return result.id

    def recorded_value(self, rec_id: int) -> float | None:
        with self.runtime.database.read() as session:
            decision = session.scalars(
                select(Decision).where(Decision.recommendation_id == rec_id)
            ).one()
            assert decision.kind == "override" and decision.actor_id == "ana"
            return decision.value

    def decided(self, rec_id: int) -> bool:
        with self.runtime.database.read() as session:
            found = session.scalar(select(Decision.id).where(Decision.recommendation_id == rec_id))
        return found is not None

    # --- one override per platform; each returns the field error shown, if any -----------

    def via_slack(self, rec_id: int, value: str) -> str | None:
        view = {
            "callback_id": CallbackId.OVERRIDE.value,
            "private_metadata": ModalMetadata(recommendation_id=rec_id).dump(),
        }
        values = selected(BlockId.REASON_CODE, ActionId.REASON_CODE_INPUT, REASON)
        values |= typed(BlockId.VALUE, ActionId.VALUE_INPUT, value, kind="plain_text_input")
        response = self.slack.interactive(
            view_submission(user_id="U0ANA", view=view, values=values)
        )
        assert response.status_code == 200
        adapter = next(a for a in self.runtime.adapters if isinstance(a, SlackAdapter))
        assert adapter.after.wait_idle()
        if response.content and "errors" in response.text:
            answer = response.json()
            assert answer["response_action"] == "errors" and set(answer["errors"]) == {"value"}
            return answer["errors"]["value"]
        return None

    def via_teams(self, rec_id: int, value: str) -> str | None:
        submit = CardSubmit(action="override", recommendation_id=rec_id, nonce=f"n{rec_id}")
        data = submit_data(submit) | {"override.reason_code": REASON, "override.value": value}
        self.teams.connector.clear()
        response = self.teams.post(self.teams.activity(USERS["ana"], "message", value=data))
        assert response.status_code in (200, 202)
        cards = [c.card for c in self.teams.connector.of_kind("send", "reply") if c.card]
        errors = [c for c in cards if "\u26a0" in texts(c)]
        if errors:
            card = texts(errors[-1])
            start = card.index("\u26a0")
            return card[start : card.index('"', start)]
        return None

    def via_web(self, rec_id: int, value: str) -> str | None:
        data = {"recommendation_id": rec_id, "action": "override", "reason_code": REASON}
        answer = self.web.post("/chat/ana/act", data=data | {"value": value})
        assert answer.status_code == 303
        local = next(a for a in self.runtime.adapters if isinstance(a, LocalAdapter))
        assert local.after.wait()
        if answer.headers["x-sopbot-outcome"] != "invalid":
            return None
        # The page says it (tests/adapters/local show the same words next to the field of a card).
        page = html.unescape(self.web.get(answer.headers["location"]).text)
        start = page.index("Nothing was recorded: ") + len("Nothing was recorded: ")
        return page[start : page.index("<", start)]


@pytest.fixture
def everywhere(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Everywhere]:
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake_slack:
        connector = FakeBotConnector().start()
        settings = slack_settings(db_url, fake_slack).model_copy(
            update={"teams_enabled": True, "local_chat": True, "api_open_for_demo": True}
        )
        runtime = build_runtime(settings, config=config, clock=clock, upgrade=False)
        for adapter in runtime.adapters:
            if adapter.name == "teams":
                adapter.set_retry_policy(FAST)
        try:
            with (
                serving(create_app(runtime, start_background=False)) as server,
                httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as web,
            ):
                teams = TeamsWorld(runtime, server.url, connector)
                sender = SlackSender(server.url)
                try:
                    yield Everywhere(runtime=runtime, slack=sender, teams=teams, web=web)
                finally:
                    sender.close()
                    teams.http.close()
        finally:
            runtime.stop()
            connector.stop()


PLATFORMS = ["via_slack", "via_teams", "via_web"]


@pytest.mark.parametrize(
    ("typed_value", "expected"), [("1,200", 1200.0), ("1.200,5", 1200.5), ("1 200", 1200.0)]
)
def test_the_same_value_is_recorded_on_every_platform(
    everywhere: Everywhere, typed_value: str, expected: float
) -> None:
    for platform in PLATFORMS:
        rec_id = everywhere.ingest()
        assert getattr(everywhere, platform)(rec_id, typed_value) is None, platform
        assert everywhere.recorded_value(rec_id) == expected, platform


def test_a_value_that_is_no_number_is_refused_by_the_field_on_every_platform(
    everywhere: Everywhere,
) -> None:
    shown = {}
    for platform in PLATFORMS:
        rec_id = everywhere.ingest()
        shown[platform] = getattr(everywhere, platform)(rec_id, "12abc")
        assert shown[platform] is not None, platform
        assert "must be a number" in shown[platform] and "12abc" in shown[platform]
        assert not everywhere.decided(rec_id), platform
