"""A click redraws only what was clicked and keeps what the message is for. Deciding entry
2 of a 3-item digest updates that digest part in place: entries 1 and 3 keep their
buttons, entry 2 shows who decided (it used to be replaced by entry 2 alone). Reassigning
from an escalation redraws the escalation contact's "Escalated:" message with its Extend
SLA, not the owner's plain view."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from adapters.slack.ids import ActionId, BlockId
from adapters.slack.payloads import ButtonValue
from tests.adapters.slack.test_snooze_extend import escalated
from tests.support.data import make_rec
from tests.support.slack import Posted, SlackWorld
from tests.support.slack_http import block_actions, button_in, selected, typed, view_submission
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch


def digest_of_three(world: SlackWorld) -> tuple[list[int], Posted]:
    raw = [make_rec(confidence=0.3, sku=f"SKU-{n}", title=f"Digest item {n}") for n in (1, 2, 3)]
    result = ingest(
        world.runtime.services, items=validate_batch(config=world.runtime.config, raw_items=raw)
    )
    ids = [r.id for r in (result if isinstance(result, list) else result.items)]
    world.runtime.advance_clock(timedelta(hours=24))  # past the next morning's digest
    world.settled()
    posted = [
        (p, r)
        for p, r in world.fake.replies_to("chat.postMessage")
        if p["channel"] == "U0ANA" and "Your daily digest" in p["text"]
    ]
    assert len(posted) == 1, [p["text"] for p, _ in world.fake.replies_to("chat.postMessage")]
    params, reply = posted[0]
    return ids, Posted(channel=reply["channel"], ts=reply["ts"], blocks=params["blocks"])


def accepts(blocks: list[dict[str, Any]]) -> list[int]:
    return [
        ButtonValue.model_validate_json(e["value"]).recommendation_id
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACCEPT
    ]


def test_deciding_a_digest_entry_redraws_only_that_entry(world: SlackWorld) -> None:
    ids, digest = digest_of_three(world)
    assert accepts(digest.blocks) == ids
    second = [
        e
        for b in digest.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.ACCEPT
    ][1]
    assert ButtonValue.model_validate_json(second["value"]).purpose == "digest"
    world.fake.reset()
    click = block_actions(
        user_id="U0ANA", button=second, channel=digest.channel, message_ts=digest.ts
    )
    assert world.slack.interactive(click).status_code == 200
    world.settled()
    update = world.fake.wait_for("chat.update", where=lambda p: p["ts"] == digest.ts)[0]
    text = json.dumps(update["blocks"])
    assert "Your daily digest: 3 recommendations" in text
    assert "Digest item 1" in text and "Digest item 2" in text and "Digest item 3" in text
    assert accepts(update["blocks"]) == [ids[0], ids[2]]  # 1 and 3 keep their actions
    assert "Accepted by Ana Lopez" in text
    for action in (ActionId.OVERRIDE, ActionId.REASSIGN):
        kept = [
            ButtonValue.model_validate_json(e["value"]).recommendation_id
            for b in update["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == action
        ]
        assert kept == [ids[0], ids[2]]
    assert world.decisions(ids[1]) == 1 and world.decisions(ids[0]) == 0


def test_reassigning_from_an_escalation_keeps_the_escalation(world: SlackWorld) -> None:
    rec_id, ping = escalated(world)  # Ben, Ana's manager, got "Escalated:" with Extend SLA
    reassign = button_in(ping.blocks, ActionId.REASSIGN)
    assert ButtonValue.model_validate_json(reassign["value"]).purpose == "escalation"
    click = block_actions(
        user_id="U0BEN", button=reassign, channel=ping.channel, message_ts=ping.ts
    )
    assert world.slack.interactive(click).status_code == 200
    view = world.fake.wait_for("views.open")[0]["view"]
    values = selected(BlockId.TO, ActionId.TO_INPUT, "carl") | typed(
        BlockId.NOTE, ActionId.NOTE_INPUT, "Carl runs the DC-NORTH transfers"
    )
    world.fake.reset()
    done = world.slack.interactive(view_submission(user_id="U0BEN", view=view, values=values))
    assert done.status_code == 200 and "errors" not in done.text
    world.settled()
    update = world.fake.wait_for("chat.update", where=lambda p: p["ts"] == ping.ts)[0]
    text = json.dumps(update["blocks"])
    assert "Escalated:" in text
    assert button_in(update["blocks"], ActionId.EXTEND)  # Ben may still extend the SLA
    assert "Carl" in text  # and sees who holds it now
