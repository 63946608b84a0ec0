"""Deciding from the `/sopbot queue` answer, an ephemeral message: `chat.update` cannot
touch it, so the list is redrawn through the click's `response_url` (replace_original),
headed by what was recorded; the same after an Override modal opened from the list. When
the url fails, the clicker still gets an ephemeral confirmation."""

from __future__ import annotations

from typing import Any

from adapters.slack.ids import ActionId, BlockId
from adapters.slack.payloads import ButtonValue, ModalMetadata
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, selected, typed, view_submission

COMMAND_CHANNEL = "C0OPS"  # where SlackSender.command runs `/sopbot`
EPHEMERAL_TS = "1700000999.000200"
REDRAW = "redraw"  # the last path segment of the response_url: the fake records it so


def response_url(world: SlackWorld) -> str:
    """A response_url served by the fake Slack API, which records what is posted to it."""
    return world.fake.url.replace("/api/", "/actions/T0FAKE/1/") + REDRAW


def queue_buttons(blocks: list[dict[str, Any]], action_id: str) -> dict[int, dict[str, Any]]:
    """{recommendation id: its button} for one action in a rendered queue."""
    return {
        ButtonValue.model_validate_json(e["value"]).recommendation_id: e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    }


def click_in_queue(world: SlackWorld, button: dict[str, Any], user_id: str = "U0ANA") -> None:
    click = block_actions(
        user_id=user_id,
        button=button,
        channel=COMMAND_CHANNEL,
        message_ts=EPHEMERAL_TS,
        ephemeral=True,
        response_url=response_url(world),
    )
    assert world.slack.interactive(click).status_code == 200


def test_accept_from_the_queue_redraws_it(world: SlackWorld) -> None:
    first = world.ingest(title="first one", respond_by="2026-11-30T15:00:00+00:00")
    second = world.ingest(title="second one", respond_by="2026-12-02T12:00:00+00:00")
    queue = world.command("U0ANA", "queue")
    assert queue["response_type"] == "ephemeral"
    accepts = queue_buttons(queue["blocks"], ActionId.ACCEPT)
    assert list(accepts) == [first, second]
    world.fake.reset()

    click_in_queue(world, accepts[first])
    redraw = world.fake.wait_for(REDRAW)
    assert redraw, "the ephemeral queue was not redrawn through its response_url"
    assert redraw[0]["replace_original"] is True
    assert redraw[0]["response_type"] == "ephemeral"
    text = str(redraw[0]["blocks"])
    assert "Accepted by Ana Lopez at Mon 30 Nov 09:00" in text and f"#{first}" in text
    assert "Accepted by Ana Lopez" in redraw[0]["text"]
    assert "Your open recommendations (1)" in text
    assert "first one" not in text and "second one" in text
    assert list(queue_buttons(redraw[0]["blocks"], ActionId.ACCEPT)) == [second]
    assert world.decisions(first) == 1
    # An ephemeral message has no ts chat.update accepts: only the redraw touches it.
    assert not [u for u in world.fake.calls_to("chat.update") if u["ts"] == EPHEMERAL_TS]
    assert world.fake.calls_to("chat.postEphemeral") == []
    assert world.fake.wait_for("views.publish")  # the Home tab follows too

    # Deciding the last one leaves an empty list that says so.
    click_in_queue(world, queue_buttons(redraw[0]["blocks"], ActionId.ACCEPT)[second])
    last = world.fake.wait_for(REDRAW, 2)[1]
    assert "Nothing waiting for you." in str(last["blocks"])
    assert queue_buttons(last["blocks"], ActionId.ACCEPT) == {}
    assert world.decisions(second) == 1


def test_confirmation_when_the_response_url_fails(world: SlackWorld) -> None:
    rec_id = world.ingest()
    queue = world.command("U0ANA", "queue")
    world.fake.reset()
    world.fake.fail_next(REDRAW, 404, error="expired_url")

    click_in_queue(world, queue_buttons(queue["blocks"], ActionId.ACCEPT)[rec_id])
    told = world.fake.wait_for("chat.postEphemeral")
    assert told, "the clicker must get an ephemeral confirmation"
    assert told[0]["user"] == "U0ANA" and told[0]["channel"] == COMMAND_CHANNEL
    assert told[0]["text"].startswith("Accepted by Ana Lopez") and f"#{rec_id}" in told[0]["text"]
    assert len(world.fake.calls_to(REDRAW)) == 1
    assert world.decisions(rec_id) == 1


def test_refusal_from_the_queue_leaves_it_alone(world: SlackWorld) -> None:
    """Decided elsewhere after the list was drawn: the click is refused ephemerally and
    the list is not redrawn (nothing was recorded)."""
    rec_id = world.ingest()
    queue = world.command("U0ANA", "queue")
    accept = queue_buttons(queue["blocks"], ActionId.ACCEPT)[rec_id]
    click_in_queue(world, accept)
    assert world.fake.wait_for(REDRAW)
    world.fake.reset()

    click_in_queue(world, accept)  # the stale list, clicked again
    told = world.fake.wait_for("chat.postEphemeral")
    assert told and "Already decided" in told[0]["text"]
    assert world.fake.calls_to(REDRAW) == []
    assert world.decisions(rec_id) == 1


def test_override_modal_from_the_queue_redraws_it(world: SlackWorld) -> None:
    rec_id = world.ingest()
    queue = world.command("U0ANA", "queue")
    world.fake.reset()

    click_in_queue(world, queue_buttons(queue["blocks"], ActionId.OVERRIDE)[rec_id])
    view = world.fake.wait_for("views.open")[0]["view"]
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    assert metadata.response_url == response_url(world) and metadata.message_ts is None

    values = selected(BlockId.REASON_CODE, ActionId.REASON_CODE_INPUT, "ALREADY_ACTIONED") | typed(
        BlockId.NOTE, ActionId.NOTE_INPUT, "Ordered by phone this morning"
    )
    done = world.slack.interactive(view_submission(user_id="U0ANA", view=view, values=values))
    assert done.status_code == 200 and "errors" not in done.text
    redraw = world.fake.wait_for(REDRAW)
    assert redraw and redraw[0]["replace_original"] is True
    assert "Overridden by Ana Lopez" in str(redraw[0]["blocks"])
    assert "Nothing waiting for you." in str(redraw[0]["blocks"])
    assert world.decisions(rec_id) == 1
