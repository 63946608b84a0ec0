"""Requests Slack did not sign, or signed more than five minutes ago, are refused with
401 and change nothing; a delivery Slack retries is handled once; a 429 from the Web API
is waited out and the message delivered once."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from urllib.parse import urlencode

from adapters.slack.ids import ActionId
from core.chat import MessageRef
from core.clock import AdjustableClock
from core.messages import Message
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in


def test_forged_signature_and_stale_timestamp_are_rejected(world: SlackWorld) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    world.fake.reset()
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    forged = world.slack.interactive(click, forged=True)
    stale = world.slack.interactive(click, timestamp=time.time() - 6 * 60)
    unsigned = world.slack.client.post(
        "/slack/events",
        content=urlencode({"payload": json.dumps(click)}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    command = world.slack.command("U0ANA", "queue", forged=True)
    assert [r.status_code for r in (forged, stale, unsigned, command)] == [401] * 4
    world.settled()  # a (wrongly) started listener has run and shows itself
    assert world.fake.calls == []
    assert world.decisions(rec_id) == 0

    # The same click, properly signed and current, is accepted.
    assert world.slack.interactive(click).status_code == 200
    assert world.fake.wait_for("chat.update")
    assert world.decisions(rec_id) == 1


def test_a_retried_click_is_recorded_once(world: SlackWorld) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    first = world.slack.interactive(click)
    again = world.slack.interactive(click, retry_num=1)
    assert first.status_code == again.status_code == 200
    assert world.fake.wait_for("chat.update")
    world.settled()
    assert len(world.fake.calls_to("chat.update")) == 1
    assert world.fake.calls_to("chat.postEphemeral") == []
    assert world.decisions(rec_id) == 1


def test_a_double_click_is_recorded_once_and_the_second_told_who(world: SlackWorld) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    button = button_in(dm.blocks, ActionId.ACCEPT)
    for stamp in ("1764489600.100001", "1764489600.400002"):  # two distinct clicks
        click = block_actions(
            user_id="U0ANA", button=button, channel=dm.channel, message_ts=dm.ts, action_ts=stamp
        )
        assert world.slack.interactive(click).status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told and "Already decided" in told[0]["text"] and "Ana Lopez" in told[0]["text"]
    assert world.decisions(rec_id) == 1


def test_a_retried_event_is_handled_once(world: SlackWorld) -> None:
    event = {
        "type": "app_home_opened",
        "user": "U0ANA",
        "channel": "D0ANA",
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    assert world.slack.event(event, event_id="Ev0HOME01").status_code == 200
    assert world.slack.event(event, event_id="Ev0HOME01", retry_num=1).status_code == 200
    assert world.slack.event(event, event_id="Ev0HOME01", retry_num=2).status_code == 200
    assert world.fake.wait_for("views.publish")
    world.settled()
    assert len(world.fake.calls_to("views.publish")) == 1


def test_429_with_retry_after_then_success_is_delivered_once(world: SlackWorld) -> None:
    world.fake.fail_next("chat.postMessage", 429, retry_after=0)
    world.ingest()
    attempts = world.fake.calls_to("chat.postMessage")
    assert len(attempts) == 2  # the 429, then the retry the SDK handler made
    assert len(world.fake.replies_to("chat.postMessage")) == 1
    world.runtime.outbox.drain()
    assert len(world.fake.replies_to("chat.postMessage")) == 1


def test_server_errors_are_retried_by_the_outbox_after_a_lookup(
    world: SlackWorld, clock: AdjustableClock
) -> None:
    """A 5xx may come after Slack posted the message: not retried blind in place, but by
    the outbox, which looks in the DM first (tests/adapters/slack/test_found_again.py)."""
    world.fake.fail_next("chat.postMessage", 500, count=1)
    world.ingest()
    assert len(world.fake.calls_to("chat.postMessage")) == 1
    clock.advance(timedelta(minutes=1))
    world.runtime.outbox.drain()
    assert len(world.fake.calls_to("conversations.history")) == 1
    assert len(world.fake.calls_to("chat.postMessage")) == 2
    assert len(world.fake.replies_to("chat.postMessage")) == 1


def test_server_errors_on_updates_are_retried_by_the_client(world: SlackWorld) -> None:
    """An update is the same whichever try lands, so the SDK retries it in place."""
    world.ingest()
    dm = world.dm_to("U0ANA")
    world.fake.fail_next("chat.update", 500, count=1)
    ref = MessageRef(platform="slack", channel=dm.channel, message_id=dm.ts)
    world.runtime.chat.update(ref=ref, message=Message(header="again"))
    assert len(world.fake.calls_to("chat.update")) == 2
