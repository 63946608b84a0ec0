"""The SLA clock's buttons in Slack: a reminder's "Snooze reminders" select (one select,
since Slack wants action_ids unique within a block) and an escalation's Extend SLA modal,
opened from the workflow's form only for someone who may extend. Each step is also tried
by someone who may not take it: the click is refused before any modal opens, and a
replayed submission is refused by the workflow."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.slack.ids import ActionId, BlockId, CallbackId
from adapters.slack.modals import NOT_CONFIGURED
from adapters.slack.payloads import ButtonValue, ModalMetadata
from tests.support.slack import Posted, SlackWorld
from tests.support.slack_http import TEAM, block_actions, button_in, typed, view_submission


def snooze_select(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element["action_id"] == ActionId.SNOOZE:
                return element
    raise AssertionError("no snooze select")


def choose(user_id: str, select: dict[str, Any], option: int, channel: str, ts: str) -> dict:
    picked = select["options"][option]
    return {
        "type": "block_actions",
        "team": TEAM,
        "api_app_id": "A0SOPBOT",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel},
        "trigger_id": f"{time.time()}.1.x",
        "actions": [
            {
                "type": "static_select",
                "action_id": select["action_id"],
                "block_id": "b2",
                "selected_option": picked,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def test_snooze_a_reminder(world: SlackWorld) -> None:
    rec_id = world.ingest()
    world.runtime.advance_clock(timedelta(hours=4, minutes=30))  # past the 50% reminder
    reminder = world.dm_to("U0ANA")
    assert "Reminder:" in str(reminder.blocks)
    select = snooze_select(reminder.blocks)
    values = [ButtonValue.model_validate_json(o["value"]) for o in select["options"]]
    assert [v.value for v in values] == ["1h", "4h", "nbd"]
    assert {v.recommendation_id for v in values} == {rec_id}

    refused = choose("U0FINN", select, 0, reminder.channel, reminder.ts)
    assert world.slack.interactive(refused).status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told[0]["user"] == "U0FINN" and "may snooze" in told[0]["text"]

    assert (
        world.slack.interactive(
            choose("U0ANA", select, 0, reminder.channel, reminder.ts)
        ).status_code
        == 200
    )
    told = world.fake.wait_for("chat.postEphemeral", 2)
    assert told[1]["user"] == "U0ANA" and told[1]["text"].startswith("Snoozed until")
    assert world.decisions(rec_id) == 0


def escalated(world: SlackWorld) -> tuple[int, Posted]:
    """A recommendation of Ana's left past due, and the escalation ping Ben got for it."""
    rec_id = world.ingest()
    world.runtime.advance_clock(timedelta(hours=8, minutes=30))  # past due: escalated
    ping = world.dm_to("U0BEN")
    assert "Escalated:" in str(ping.blocks)
    return rec_id, ping


def test_extend_from_an_escalation(world: SlackWorld) -> None:
    rec_id, ping = escalated(world)
    extend = button_in(ping.blocks, ActionId.EXTEND)

    # Ben may extend: the click opens the workflow's Extend SLA form as a modal.
    click = block_actions(user_id="U0BEN", button=extend, channel=ping.channel, message_ts=ping.ts)
    assert world.slack.interactive(click).status_code == 200
    view = world.fake.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == CallbackId.EXTEND
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    kinds = {block_id: block["element"]["type"] for block_id, block in inputs.items()}
    assert kinds == {BlockId.DUE_AT: "datetimepicker", BlockId.REASON: "plain_text_input"}
    assert "Your local time" in inputs[BlockId.DUE_AT]["hint"]["text"]  # views.extend_form
    assert "Escalated:" in str(view["blocks"])  # the escalation variant is shown above
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    assert (metadata.recommendation_id, metadata.channel, metadata.message_ts) == (
        rec_id,
        ping.channel,
        ping.ts,
    )
    assert world.fake.calls_to("chat.postEphemeral") == []

    # A submission replayed by someone who may not extend is still refused by the workflow.

    later = int((datetime(2026, 12, 2, 12, 0, tzinfo=UTC)).timestamp())
    due = {
        BlockId.DUE_AT: {
            ActionId.DUE_AT_INPUT: {"type": "datetimepicker", "selected_date_time": later}
        }
    }
    no_reason = world.slack.interactive(view_submission(user_id="U0BEN", view=view, values=due))
    assert no_reason.json()["errors"].keys() == {BlockId.REASON}

    values = due | typed(BlockId.REASON, ActionId.REASON_INPUT, "Supplier confirms Tuesday")
    world.fake.reset()
    finn = world.slack.interactive(view_submission(user_id="U0FINN", view=view, values=values))
    assert finn.status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told[0]["user"] == "U0FINN" and "may extend" in told[0]["text"]

    ok = world.slack.interactive(view_submission(user_id="U0BEN", view=view, values=values))
    assert ok.status_code == 200 and "errors" not in ok.text
    told = world.fake.wait_for("chat.postEphemeral", 2)
    assert told[1]["user"] == "U0BEN" and told[1]["text"].startswith("SLA extended to")
    world.runtime.outbox.drain()
    assert "extended the SLA" in str(world.dm_to("U0ANA").blocks)
    assert world.decisions(rec_id) == 0


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        ("U0FINN", "Only Ana Lopez's escalation contacts or the override reviewer may extend"),
        ("U0ANA", "Only Ana Lopez's escalation contacts or the override reviewer may extend"),
        ("U0NOBODY", NOT_CONFIGURED),
    ],
    ids=["not-in-the-chain", "the-owner", "stranger"],
)
def test_extend_click_refused_before_any_modal(
    world: SlackWorld, user_id: str, refusal: str
) -> None:
    """Finn is nobody on Ana's chain, Ana owns it (an owner may decide, never extend her
    own SLA), and a stranger is unknown: each gets an ephemeral refusal, no modal."""
    rec_id, ping = escalated(world)
    world.fake.reset()
    click = block_actions(
        user_id=user_id,
        button=button_in(ping.blocks, ActionId.EXTEND),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told, "the refusal must be an ephemeral message"
    assert told[0]["user"] == user_id and told[0]["channel"] == ping.channel
    assert refusal in told[0]["text"]
    world.settled()  # a (wrongly) started listener has run and shows itself
    assert world.fake.calls_to("views.open") == []
    assert world.fake.calls_to("chat.update") == []
    assert world.decisions(rec_id) == 0


def test_extend_click_after_the_decision_is_refused(world: SlackWorld) -> None:
    """Ana accepts while Ben's escalation ping still shows Extend SLA: Ben's click is
    told it is decided, and no modal opens."""
    rec_id, ping = escalated(world)
    dm = world.dm_to("U0ANA")
    accept = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert world.slack.interactive(accept).status_code == 200
    assert world.fake.wait_for("chat.update", where=lambda p: p["ts"] == dm.ts)
    world.settled()  # the card had been updated in place before (reminders)
    assert world.decisions(rec_id) == 1
    world.fake.reset()

    click = block_actions(
        user_id="U0BEN",
        button=button_in(ping.blocks, ActionId.EXTEND),
        channel=ping.channel,
        message_ts=ping.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == "U0BEN"
    assert told[0]["text"].startswith("Nothing left to decide: Accepted by Ana Lopez")
    world.settled()
    assert world.fake.calls_to("views.open") == []
