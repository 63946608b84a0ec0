"""A Slack interview is one thread of the planner's DM (issue 27, as the web chat keeps
it): its first question top-level, every later question and answer a reply in that
thread, whether the planner types in the thread (`message.im` with `thread_ts`) or in
the DM; after a restart the thread is found again from the DM's history, read back to
when the interview began however much came after its first message. Signed requests to
the real Bolt app, sopbot's posts to the fake Slack Web API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from adapters.slack.chat import SlackChat
from adapters.slack.sent import MAX_PAGES, PAGE
from bot.runtime import build_runtime
from bot.server import create_app
from core.clock import AdjustableClock
from core.config import Config
from core.messages import Message
from tests.fakes.slack_api import FakeSlackApi
from tests.support.interviews import SUPPLIER_ANSWERS
from tests.support.live import serving
from tests.support.slack import SlackWorld, said_in_dm, sent_to, slack_settings
from tests.support.slack_http import SlackSender


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
    second = said_in_dm(world.slack, fake_slack, SUPPLIER_ANSWERS["incident"], thread_ts=first.ts)
    assert "(2 of 12)" in json.dumps(second)
    assert second["thread_ts"] == first.ts and second["channel"] == "D0ANA"
    world.settled()
    third = said_in_dm(world.slack, fake_slack, SUPPLIER_ANSWERS["timeline"])
    assert "(3 of 12)" in json.dumps(third) and third["thread_ts"] == first.ts
    world.settled()
    # Another answer (not a turn of the interview) goes where it was typed.
    help_ = said_in_dm(world.slack, fake_slack, "help", thread_ts=first.ts)
    assert help_.get("thread_ts") == first.ts
    world.settled()

    # A restart: the new process finds the thread in the DM's history.
    restarted = build_runtime(
        slack_settings(db_url, fake_slack), config=config, clock=clock, upgrade=False
    )
    with serving(create_app(restarted)) as server:
        slack = SlackSender(server.url)
        fourth = said_in_dm(slack, fake_slack, SUPPLIER_ANSWERS["cues"], thread_ts=first.ts)
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


def history_reads(fake: FakeSlackApi) -> int:
    return len(fake.calls_to("conversations.history"))


def test_a_thread_behind_hundreds_of_newer_messages_is_found_after_a_restart(
    world: SlackWorld, db_url: str, config: Config, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> None:
    """An interview paused while cards and reminders kept coming: its first message is
    more than two pages back, and the answer still joins its thread."""
    world.command("U0GRETA", "interview <@U0ANA|ana> suppliers")
    world.runtime.outbox.drain()
    first = world.dm_to("U0ANA")
    clock.advance(timedelta(hours=3))
    sent_to(fake_slack, "D0ANA", 2 * PAGE + 50, at=clock.now())  # sent since the interview
    before = history_reads(fake_slack)

    restarted = build_runtime(
        slack_settings(db_url, fake_slack), config=config, clock=clock, upgrade=False
    )
    with serving(create_app(restarted)) as server:
        slack = SlackSender(server.url)
        second = said_in_dm(slack, fake_slack, SUPPLIER_ANSWERS["incident"], thread_ts=first.ts)
        slack.close()
    restarted.stop()
    assert "(2 of 12)" in json.dumps(second)
    assert second.get("thread_ts") == first.ts and second["channel"] == "D0ANA"
    assert history_reads(fake_slack) - before == 3  # read back to it, no further
    top_level = [p for p in interview_posts(fake_slack) if not p.get("thread_ts")]
    assert len(top_level) == 1


def test_looking_for_a_thread_reads_no_further_back_than_the_interview(
    world: SlackWorld, clock: AdjustableClock, fake_slack: FakeSlackApi
) -> None:
    """A long DM of cards from before the interview began: the invitation's lookup of
    its thread stops at the first page that reaches them (Slack allows ~50 reads a
    minute per workspace)."""
    sent_to(fake_slack, "D0ANA", 5 * PAGE, at=clock.now() - timedelta(days=2))
    clock.advance(timedelta(hours=1))
    world.command("U0GRETA", "interview <@U0ANA|ana> suppliers")
    world.runtime.outbox.drain()
    assert "(1 of 12)" in json.dumps(world.dm_to("U0ANA").blocks)
    assert history_reads(fake_slack) == 1


def test_a_thread_without_a_known_start_is_read_back_at_most_the_page_cap(
    world: SlackWorld, config: Config, fake_slack: FakeSlackApi
) -> None:
    """No start to read back to (a message queued before turns carried it) and no
    message with a send time: the search ends at MAX_PAGES, and the turn starts a
    thread of its own rather than reading the DM to its beginning."""
    sent_to(fake_slack, "D0ANA", (MAX_PAGES + 5) * PAGE, at=None)
    chat = world.adapter.chat
    sent = chat.send(person=config.person("ana"), message=Message(header="Hi", thread="t-9"))
    assert "thread_ts" not in sent.extra
    assert history_reads(fake_slack) == MAX_PAGES


def test_a_lookup_slack_refuses_for_good_starts_a_new_thread(
    world: SlackWorld, config: Config, fake_slack: FakeSlackApi
) -> None:
    """A workspace that has not granted `im:history`: the turn is posted, as a thread of
    its own, rather than lost."""
    ana = config.person("ana")
    chat = world.adapter.chat
    chat.send(person=ana, message=Message(header="Suppliers (1 of 2)", thread="t-1"))
    fresh = SlackChat(client=chat.client, people=chat.people, home=chat.home)  # a restart
    fake_slack.fail_next("conversations.history", 200, error="missing_scope")
    later = fresh.send(person=ana, message=Message(header="Suppliers (2 of 2)", thread="t-1"))
    assert "thread_ts" not in later.extra
    assert later.message_id in [r["ts"] for _, r in fake_slack.replies_to("chat.postMessage")]
