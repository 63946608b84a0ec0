"""Every interactive step, tried by someone who may not decide (Finn may not decide
Ana's recommendations) and by a Slack user sopbot does not know: an ephemeral refusal
only they see, and nothing changes (no decision, no modal, no message update)."""

from __future__ import annotations

import pytest

from adapters.slack.ids import ActionId, BlockId
from adapters.slack.modals import NOT_CONFIGURED
from tests.support.slack import SlackWorld, open_override, override_values
from tests.support.slack_http import block_actions, button_in, selected, typed, view_submission

STRANGER = "U0NOBODY"


def assert_nothing_changed(world: SlackWorld, rec_id: int) -> None:
    world.settled()  # a (wrongly) started listener has run and shows itself
    assert world.fake.calls_to("chat.update") == []
    assert world.fake.calls_to("views.open") == []
    assert world.decisions(rec_id) == 0


@pytest.mark.parametrize("action_id", [ActionId.ACCEPT, ActionId.OVERRIDE, ActionId.REASSIGN])
@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [
        ("U0FINN", "Only Ana Lopez, their backup or their escalation contacts"),
        (STRANGER, "not in the sopbot configuration"),
    ],
)
def test_buttons_refused(world: SlackWorld, action_id: str, user_id: str, refusal: str) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    click = block_actions(
        user_id=user_id,
        button=button_in(dm.blocks, action_id),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    told = world.fake.wait_for("chat.postEphemeral")
    assert told, "the refusal must be an ephemeral message"
    assert told[0]["user"] == user_id and told[0]["channel"] == dm.channel
    assert refusal in told[0]["text"]
    assert_nothing_changed(world, rec_id)


@pytest.mark.parametrize(
    ("user_id", "refusal"),
    [("U0FINN", "Only Ana Lopez"), (STRANGER, "not in the sopbot configuration")],
)
@pytest.mark.parametrize("form", ["override", "reassign"])
def test_modal_submissions_refused(
    world: SlackWorld, user_id: str, refusal: str, form: str
) -> None:
    """A submission of Ana's modal replayed by someone else records nothing."""
    rec_id, dm, view = open_override(world)
    if form == "reassign":
        view = {**view, "callback_id": "sopbot_reassign_modal"}
        values = selected(BlockId.TO, ActionId.TO_INPUT, "carl") | typed(
            BlockId.NOTE, ActionId.NOTE_INPUT, "Carl knows this supplier"
        )
    else:
        values = override_values("ALREADY_ACTIONED")
    world.fake.reset()
    response = world.slack.interactive(view_submission(user_id=user_id, view=view, values=values))
    assert response.status_code == 200 and "errors" not in response.text
    told = world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == user_id and refusal in told[0]["text"]
    assert_nothing_changed(world, rec_id)
    world.runtime.outbox.drain()
    assert world.fake.calls_to("chat.postMessage") == []  # nothing was handed over


def test_stranger_home_and_command(world: SlackWorld) -> None:
    event = {"type": "app_home_opened", "user": STRANGER, "channel": "D0X", "tab": "home"}
    assert world.slack.event(event).status_code == 200
    published = world.fake.wait_for("views.publish")
    assert published[0]["user_id"] == STRANGER
    assert "not in the sopbot configuration" in str(published[0]["view"])
    answer = world.command(STRANGER, "queue")
    assert answer["text"] == NOT_CONFIGURED and answer["response_type"] == "ephemeral"


def test_someone_elses_queue_stays_private(world: SlackWorld) -> None:
    world.ingest()
    answer = world.command("U0FINN", "queue")
    assert "Nothing waiting for you" in answer["text"]
    assert "SKU-4711" not in str(answer)
