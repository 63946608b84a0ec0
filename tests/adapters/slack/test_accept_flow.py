"""Accept in one click, over real HTTP: signed like Slack, answered at once, and the
message updated in place (chat.update) to show who accepted and when, buttons gone."""

from __future__ import annotations

from adapters.slack.ids import ActionId
from adapters.slack.payloads import ButtonValue
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, button_in


def test_accept_updates_the_message_in_place(world: SlackWorld) -> None:
    rec_id = world.ingest()
    dm = world.dm_to("U0ANA")
    assert dm.channel == "D0ANA"
    button = button_in(dm.blocks, ActionId.ACCEPT)
    assert ButtonValue.model_validate_json(button["value"]).recommendation_id == rec_id
    homes_before = len(world.fake.calls_to("views.publish"))

    click = block_actions(user_id="U0ANA", button=button, channel=dm.channel, message_ts=dm.ts)
    response = world.slack.interactive(click)
    assert response.status_code == 200

    updates = world.fake.wait_for("chat.update", where=lambda p: p["ts"] == dm.ts)
    assert updates, "the clicked message was not updated"
    update = updates[0]
    assert update["channel"] == "D0ANA"
    assert "Accepted by Ana Lopez at Mon 30 Nov 09:00" in str(update["blocks"])
    assert "Accepted by Ana Lopez" in update["text"]
    assert not [b for b in update["blocks"] if b["type"] == "actions"], "buttons must be gone"
    assert world.decisions(rec_id) == 1
    # The Home tab is republished after the change, without the decided recommendation.
    homes = world.fake.wait_for("views.publish", homes_before + 1)
    assert len(homes) > homes_before
    assert "Nothing waiting for you" in str(homes[-1]["view"])

    # The outbox's refresh goes through SlackChat.update as well.
    world.runtime.outbox.drain()
    refreshed = world.fake.calls_to("chat.update")
    assert len(refreshed) == 2 and all(u["ts"] == dm.ts for u in refreshed)
    assert world.fake.calls_to("chat.postEphemeral") == []
