"""A sopbot runtime with the Slack adapter on, served over real HTTP, talking to a fake
Slack Web API; and a sender that signs requests the way Slack does."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from adapters.slack.app import SlackAdapter
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from storage.models import Decision
from tests.conftest import make_rec
from tests.fakes.slack_api import FakeSlackApi
from tests.live import serving
from tests.slack.slack_http import SIGNING_SECRET, SlackSender
from workflows.intake.validation import validate_batch

USERS_BY_EMAIL = {"ana@nordwind.example": "U0ANA"}
_answers = itertools.count(1)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake:
        yield fake


def slack_settings(db_url: str, fake: FakeSlackApi) -> Settings:
    return Settings(
        database_url=db_url,
        local_chat=False,
        scheduler=False,
        slack_bot_token=SecretStr("xoxb-test-token"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake.url,
    )


@dataclass
class SlackWorld:
    """Everything a Slack integration test touches."""

    runtime: Runtime
    fake: FakeSlackApi
    slack: SlackSender

    def ingest(self, **overrides: Any) -> int:
        """Ingest one recommendation and deliver it; returns its id."""
        items = validate_batch(config=self.runtime.config, raw_items=[make_rec(**overrides)])
        result = self.runtime.services.ingestor.ingest(items=items)
        self.runtime.outbox.drain()
        self.settled()
        return result[0].id if isinstance(result, list) else result.items[0].id

    def command(self, user_id: str, text: str) -> dict[str, Any]:
        """`/sopbot text`: acked empty at once, answered through its response_url (served
        by the fake, which records it under a name of its own); returns what was posted."""
        name = f"answer{next(_answers)}"
        url = self.fake.url.replace("/api/", "/commands/T0FAKE/1/") + name
        acked = self.slack.command(user_id, text, response_url=url)
        assert acked.status_code == 200 and not acked.content, acked.text
        answers = self.fake.wait_for(name)
        assert answers, f"/sopbot {text} was not answered"
        return answers[0]

    def settled(self) -> None:
        """Wait until the work after every ack so far is done and the Home tabs it
        changed are published (both run in background threads)."""
        for adapter in self.runtime.adapters:
            if isinstance(adapter, SlackAdapter):
                assert adapter.after.wait_idle()
                assert adapter.home.wait_published()

    def decisions(self, recommendation_id: int) -> int:
        with self.runtime.database.transaction() as session:
            return session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.recommendation_id == recommendation_id)
            )

    def dm_to(self, user_id: str) -> Posted:
        """The latest message posted to a user's DM, with the channel and ts Slack gave it."""
        posted = [
            (params, reply)
            for params, reply in self.fake.replies_to("chat.postMessage")
            if params["channel"] == user_id
        ]
        assert posted, f"nothing was posted to {user_id}"
        params, reply = posted[-1]
        return Posted(channel=reply["channel"], ts=reply["ts"], blocks=params["blocks"])


@dataclass
class Posted:
    channel: str
    ts: str
    blocks: list[dict[str, Any]]


@pytest.fixture
def world(
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
