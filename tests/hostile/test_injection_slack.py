"""Hostile text in titles, drivers and notes reaches Slack inert: in every mrkdwn text
(and in the notification text beside the blocks, which Slack formats too) &, < and >
are escaped, so no broadcast (<!channel>), mention (<@U...>), channel link or link
(<url|label>) can form; plain_text fields carry the text as it is."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.ids import ActionId
from tests.hostile.injection import HOSTILE, NOTE, hostile_rec, strings
from tests.support.slack import SlackWorld, override_values
from tests.support.slack_http import block_actions, button_in, view_submission

CONTROL = re.compile(r"<[!@#]|<https?:|<javascript|<script|<img|<b>")


def mrkdwn_texts(blocks: Any) -> list[str]:
    return [
        text
        for parent, key, text in strings(blocks)
        if key == "text" and parent.get("type") == "mrkdwn"
    ]


def assert_inert(params: dict[str, Any]) -> None:
    texts = mrkdwn_texts(params.get("blocks") or params.get("view") or [])
    assert texts
    for text in [*texts, params.get("text") or ""]:
        assert not CONTROL.search(text), text
        unescaped = text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
        assert "<" not in unescaped and ">" not in unescaped, text


def test_slack_messages_modals_and_updates_are_inert(slack_world: SlackWorld) -> None:
    rec_id = slack_world.ingest(**hostile_rec())
    [(posted, _reply)] = slack_world.fake.replies_to("chat.postMessage")
    assert_inert(posted)
    shown = " ".join(mrkdwn_texts(posted["blocks"]))
    assert "&lt;!channel&gt;" in shown and "&lt;script&gt;" in shown
    assert "&amp;lt;b&amp;gt;" in shown  # an entity in the data is shown as typed
    dm = slack_world.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.OVERRIDE),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert slack_world.slack.interactive(click).status_code == 200
    [opened] = slack_world.fake.wait_for("views.open")
    assert_inert(opened["view"] | {"text": ""})
    submit = view_submission(
        user_id="U0ANA", view=opened["view"], values=override_values("COST_TRADEOFF", NOTE, "1")
    )
    assert slack_world.slack.interactive(submit).status_code == 200
    [update] = slack_world.fake.wait_for("chat.update")
    slack_world.settled()
    assert_inert(update)
    assert "&lt;!everyone&gt;" in " ".join(mrkdwn_texts(update["blocks"]))  # the note is shown
    slack_world.runtime.outbox.drain()
    slack_world.settled()
    for method in ("chat.postMessage", "chat.update", "views.publish", "chat.postEphemeral"):
        for params in slack_world.fake.calls_to(method):
            if params.get("blocks") or params.get("view"):
                assert_inert(params)
            else:
                assert not CONTROL.search(params.get("text") or ""), params
    answer = slack_world.command("U0ANA", "queue")
    assert not CONTROL.search(str(answer.get("text") or ""))
    assert [t for t in mrkdwn_texts(answer.get("blocks") or []) if CONTROL.search(t)] == []
    assert rec_id and HOSTILE
