"""The Slack world: a sopbot runtime with the Slack adapter on, served over real HTTP,
talking to a fake Slack Web API; a sender that signs requests the way Slack does; and
waits on the work that runs after an ack."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select

from adapters.slack.app import SlackAdapter
from adapters.slack.ids import ActionId, BlockId
from adapters.slack.sent import mark
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.chat import SendKey
from core.clock import AdjustableClock
from core.config import Config
from storage.models import Decision
from tests.fakes.slack_api import FakeSlackApi
from tests.support.intake import ingest_one
from tests.support.live import serving
from tests.support.slack_http import (
    SIGNING_SECRET,
    SlackSender,
    block_actions,
    button_in,
    selected,
    typed,
)

USERS_BY_EMAIL = {"ana@nordwind.example": "U0ANA"}
_answers = itertools.count(1)
_dm_ts = itertools.count(1)


def said_in_dm(
    sender: SlackSender, fake: FakeSlackApi, text: str, *, thread_ts: str | None = None
) -> dict[str, Any]:
    """Ana types `text` into her DM with sopbot (`message.im`, in the thread of
    `thread_ts` when given); sopbot's answer, as posted."""
    before = len(fake.calls_to("chat.postMessage"))
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ANA",
        "user": "U0ANA",
        "text": text,
        "ts": f"{time.time():.0f}.{next(_dm_ts):06d}",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    assert sender.event(event).status_code == 200
    return fake.wait_for("chat.postMessage", before + 1)[-1]


class TrackedExecutor(Executor):
    """Bolt's listener pool, counted: a listener runs on it after the HTTP answer
    (process_before_response=False), so a test waits for it to finish instead of
    sleeping "long enough" for a listener that should not have run to show itself."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner
        self._running = 0
        self._changed = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._changed:
            self._running += 1
        future = self._inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._changed:
            self._running -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def track_listeners(adapter: SlackAdapter) -> TrackedExecutor:
    """Put a counting wrapper around the pool Bolt runs listeners (and lazy ones) on."""
    runner = adapter.app.listener_runner
    tracked = TrackedExecutor(runner.listener_executor)
    runner.listener_executor = tracked
    runner.lazy_listener_runner.executor = tracked
    return tracked


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

    def __post_init__(self) -> None:
        self.listeners = track_listeners(self.adapter)

    @property
    def adapter(self) -> SlackAdapter:
        return next(a for a in self.runtime.adapters if isinstance(a, SlackAdapter))

    def ingest(self, **overrides: Any) -> int:
        """Ingest one recommendation and deliver it; returns its id."""
        rec_id = ingest_one(self.runtime.services, outbox=self.runtime.outbox, **overrides)
        self.settled()
        return rec_id

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
        """Wait until every listener Bolt started has returned, the work they handed on
        after the ack is done and the Home tabs it changed are published (all three run
        in background threads)."""
        assert self.listeners.wait_idle()
        assert self.adapter.after.wait_idle()
        assert self.adapter.home.wait_published()

    def decisions(self, recommendation_id: int) -> int:
        with self.runtime.database.transaction() as session:
            return session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.recommendation_id == recommendation_id)
            )

    def dm_to(self, user_id: str) -> Posted:
        """The latest card posted to a user's DM as it reads now (its latest in-place
        update), with the channel and ts Slack gave it; thread replies are not cards."""
        posted = [
            (params, reply)
            for params, reply in self.fake.replies_to("chat.postMessage")
            if params["channel"] == user_id and not params.get("thread_ts")
        ]
        assert posted, f"nothing was posted to {user_id}"
        params, reply = posted[-1]
        updates = [
            update
            for update, _ in self.fake.replies_to("chat.update")
            if update["channel"] == reply["channel"] and update["ts"] == reply["ts"]
        ]
        blocks = updates[-1]["blocks"] if updates else params["blocks"]
        return Posted(channel=reply["channel"], ts=reply["ts"], blocks=blocks)

    def thread_of(self, card: Posted) -> list[dict[str, Any]]:
        """The follow-ups posted in a card's thread (reminders, escalations)."""
        return [
            params
            for params, _ in self.fake.replies_to("chat.postMessage")
            if params.get("thread_ts") == card.ts and params["channel"] == card.channel
        ]


@dataclass
class Posted:
    channel: str
    ts: str
    blocks: list[dict[str, Any]]


@contextmanager
def slack_world(
    db_url: str, config: Config, clock: AdjustableClock, fake: FakeSlackApi
) -> Iterator[SlackWorld]:
    runtime = build_runtime(slack_settings(db_url, fake), config=config, clock=clock, upgrade=False)
    with serving(create_app(runtime)) as server:
        sender = SlackSender(server.url)
        try:
            yield SlackWorld(runtime=runtime, fake=fake, slack=sender)
        finally:
            sender.close()
    runtime.stop()


def open_override(world: SlackWorld, user_id: str = "U0ANA") -> tuple[int, Any, dict]:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    click = block_actions(
        user_id=user_id,
        button=button_in(dm.blocks, ActionId.OVERRIDE),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    opened = world.fake.wait_for("views.open")
    assert opened, "no modal was opened"
    assert opened[0]["trigger_id"] == click["trigger_id"]
    return rec_id, dm, opened[0]["view"]


def override_values(reason: str, note: str | None = None, value: str | None = None) -> dict:
    values = selected(BlockId.REASON_CODE, ActionId.REASON_CODE_INPUT, reason)
    values |= typed(BlockId.NOTE, ActionId.NOTE_INPUT, note)
    values |= typed(BlockId.VALUE, ActionId.VALUE_INPUT, value, kind="plain_text_input")
    return values


def sent_to(fake: FakeSlackApi, channel: str, count: int, *, at: datetime | None) -> None:
    """`count` more messages of other outbox rows in `channel`, marked as sent `at` (at
    None: no mark, as a message sent before marks carried one), as Slack would hold them
    after sopbot sent them (newest last)."""
    with fake._lock:
        held = fake.history.setdefault(channel, [])
        for n in range(count):
            key = SendKey(key=f"other-{len(held)}-{n}", at=at)
            held.append(
                {
                    "type": "message",
                    "text": "other",
                    "ts": f"1{n:09d}.000200",
                    **({} if at is None else {"metadata": mark(key)}),
                }
            )
