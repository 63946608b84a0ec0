"""A Slack interview is one thread of the planner's DM (issue 27, as the web chat keeps
it): its first question top-level, every later question and answer a reply in that
thread, whether the planner types in the thread (`message.im` with `thread_ts`) or in
the DM; after a restart the thread is found again from the DM's history. Signed requests
to the real Bolt app, sopbot's posts to the fake Slack Web API."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from adapters.slack.chat import SlackChat
from bot.runtime import build_runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from core.messages import Message
from tests.fakes.slack_api import FakeSlackApi
from tests.support.interviews import SUPPLIER_ANSWERS
from tests.support.live import serving
from tests.support.slack import SlackWorld, slack_settings
from tests.support.slack_http import SlackSender

_ts = itertools.count(1)


def typed(
    sender: SlackSender, fake: FakeSlackApi, text: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """Ana types `text` into her DM (in the thread of `thread_ts` when given); sopbot's
    answer, as posted."""
    before = len(fake.calls_to("chat.postMessage"))
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ANA",
        "user": "U0ANA",
        "text": text,
        "ts": f"{time.time():.0f}.{next(_ts):06d}",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    assert sender.event(event).status_code == 200
    return fake.wait_for("chat.postMessage", before + 1)[-1]


def interview_posts(fake: FakeSlackApi) -> list[dict[str, Any]]:
    return [p for p, _ in fake.replies_to("chat.postMessage") if "Suppliers" in json.dumps(p)]


def test_an_interview_is_one_thread_of_the_dm(
    world: SlackWorld, db_url: str, config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> None:
    started = world.command("U0GRETA", "interview <@U0ANA|ana> suppliers")
    assert "Started the Suppliers interview" in json.dumps(started)
    world.runtime.outbox.drain()
    first = world.dm_to("U0ANA")
    assert "(1 of 12)" in json.dumps(first.blocks)

    # Answered in the thread, and once in the DM itself: the questions stay in the thread.
    second = typed(world.slack, fake_slack, SUPPLIER_ANSWERS["incident"], thread_ts=first.ts)
    assert "(2 of 12)" in json.dumps(second)
    assert second["thread_ts"] == first.ts and second["channel"] == "D0ANA"
    world.settled()
    third = typed(world.slack, fake_slack, SUPPLIER_ANSWERS["timeline"])
    assert "(3 of 12)" in json.dumps(third) and third["thread_ts"] == first.ts
    world.settled()
    # Another answer (not a turn of the interview) goes where it was typed.
    help_ = typed(world.slack, fake_slack, "help", thread_ts=first.ts)
    assert help_.get("thread_ts") == first.ts
    world.settled()

    # A restart: the new process finds the thread in the DM's history.
    restarted = build_runtime(
        slack_settings(db_url, fake_slack), config=config, clock=clock, upgrade=False
    )
    with serving(create_app(restarted)) as server:
        slack = SlackSender(server.url)
        fourth = typed(slack, fake_slack, SUPPLIER_ANSWERS["cues"], thread_ts=first.ts)
        assert "(4 of 12)" in json.dumps(fourth) and fourth["thread_ts"] == first.ts
        slack.close()
    restarted.stop()

    posts = interview_posts(fake_slack)
    top_level = [p for p in posts if not p.get("thread_ts")]
    assert len(top_level) == 1, [p.get("text") for p in top_level]  # one per interview
    assert len(posts) >= 4


def test_turns_the_outbox_sends_join_the_thread_also_after_a_restart(
    world: SlackWorld, config: Config, fake_slack: FakeSlackApi
) -> None:
    ana = config.person("ana")
    chat = world.adapter.chat
    first = chat.send(person=ana, message=Message(header="Suppliers (1 of 2)", thread="t-1"))
    again = chat.send(person=ana, message=Message(header="Suppliers (2 of 2)", thread="t-1"))
    assert again.extra["thread_ts"] == first.message_id and again.channel == first.channel
    fresh = SlackChat(client=chat.client, people=chat.people, home=chat.home)  # a restart
    later = fresh.send(person=ana, message=Message(header="Suppliers, done", thread="t-1"))
    assert later.extra["thread_ts"] == first.message_id
    other = fresh.send(person=ana, message=Message(header="Another interview", thread="t-2"))
    assert "thread_ts" not in other.extra  # a conversation of its own: a thread of its own
    top = [p for p, _ in fake_slack.replies_to("chat.postMessage") if not p.get("thread_ts")]
    assert [p["text"] for p in top if p["channel"] == "U0ANA"] == [
        "Suppliers (1 of 2)",
        "Another interview",
    ]
