"""`/sopbot queue` past Slack's 50 blocks: a full queue (20, 60 open items) is answered one
page of compact entries at a time, each entry with its own Accept / Override / Reassign,
with Previous / Next redrawing the same ephemeral message. Walking the pages through
signed requests to the real Bolt app reaches every item, and every message Slack is sent
stays within its 50 blocks (and slack_sdk's own limits, checked when it was built). A
decision taken on page 3 redraws page 3, headed by what was recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.blocks import MESSAGE_MAX_BLOCKS
from adapters.slack.ids import ActionId, BlockId
from adapters.slack.payloads import ButtonValue, ModalMetadata, QueuePageValue
from tests.adapters.slack.test_queue_redraw import (
    COMMAND_CHANNEL,
    EPHEMERAL_TS,
    REDRAW,
    response_url,
)
from tests.support.data import make_rec
from tests.support.slack import SlackWorld
from tests.support.slack_http import block_actions, selected, typed, view_submission
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

OWNER = "U0ANA"


def open_items(world: SlackWorld, count: int) -> list[int]:
    """`count` open recommendations for Ana (not delivered: the queue reads what is open)."""
    raw = [
        make_rec(title=f"Item {n} " + "x" * 60, sku=f"SKU-{n}", supplier=f"Supplier {n % 7}")
        for n in range(count)
    ]
    result = ingest(
        world.runtime.services, items=validate_batch(config=world.runtime.config, raw_items=raw)
    )
    items = result if isinstance(result, list) else result.items
    return [r.id for r in items]


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]


def entry_ids(blocks: list[dict[str, Any]], action_id: str) -> list[int]:
    return [
        ButtonValue.model_validate_json(e["value"]).recommendation_id
        for e in buttons(blocks, action_id)
    ]


def within_limits(answer: dict[str, Any]) -> None:
    blocks = answer["blocks"]
    assert len(blocks) <= MESSAGE_MAX_BLOCKS, len(blocks)
    assert "more blocks not shown" not in json.dumps(blocks)
    assert answer["response_type"] == "ephemeral"


def click(world: SlackWorld, button: dict[str, Any]) -> dict[str, Any]:
    """Click `button` on the ephemeral queue; returns what replaced it."""
    before = len(world.fake.calls_to(REDRAW))
    payload = block_actions(
        user_id=OWNER,
        button=button,
        channel=COMMAND_CHANNEL,
        message_ts=EPHEMERAL_TS,
        ephemeral=True,
        response_url=response_url(world),
    )
    assert world.slack.interactive(payload).status_code == 200
    redraw = world.fake.wait_for(REDRAW, before + 1)[before]
    assert redraw["replace_original"] is True
    return redraw


@pytest.mark.parametrize("count", [20, 60])
def test_every_item_of_a_full_queue_is_reachable(world: SlackWorld, count: int) -> None:
    ids = open_items(world, count)
    answer = world.command(OWNER, "queue")
    within_limits(answer)
    assert f"Your open recommendations ({count})" in json.dumps(answer["blocks"])
    seen: list[int] = []
    pages = 0
    while True:
        pages += 1
        accepts = entry_ids(answer["blocks"], ActionId.ACCEPT)
        # Every entry has all of its own actions, not only Accept.
        assert entry_ids(answer["blocks"], ActionId.OVERRIDE) == accepts
        assert entry_ids(answer["blocks"], ActionId.REASSIGN) == accepts
        seen += accepts
        assert bool(buttons(answer["blocks"], ActionId.QUEUE_PREVIOUS)) == (pages > 1)
        following = buttons(answer["blocks"], ActionId.QUEUE_NEXT)
        if not following:
            break
        assert QueuePageValue.model_validate_json(following[0]["value"]).page == pages + 1
        answer = click(world, following[0])
        within_limits(answer)
    assert seen == ids  # each item once, soonest due first (the same due: by id)
    assert pages == -(-count // 10)
    # Back one page from the last: the page before, again within the limit.
    previous = buttons(answer["blocks"], ActionId.QUEUE_PREVIOUS)
    assert previous
    back = click(world, previous[0])
    within_limits(back)
    assert entry_ids(back["blocks"], ActionId.ACCEPT) == ids[(pages - 2) * 10 : (pages - 1) * 10]
    assert [b.get("block_id") for b in back["blocks"] if b["type"] == "actions"][-1] == (
        BlockId.QUEUE_NAV
    )


def test_a_decision_on_page_three_redraws_page_three(world: SlackWorld) -> None:
    ids = open_items(world, 60)
    answer = world.command(OWNER, "queue")
    for _ in range(2):
        answer = click(world, buttons(answer["blocks"], ActionId.QUEUE_NEXT)[0])
    on_page = entry_ids(answer["blocks"], ActionId.ACCEPT)
    assert on_page == ids[20:30]
    accept = buttons(answer["blocks"], ActionId.ACCEPT)[4]
    value = ButtonValue.model_validate_json(accept["value"])
    assert (value.recommendation_id, value.purpose, value.page) == (ids[24], "queue", 3)
    redraw = click(world, accept)
    within_limits(redraw)
    text = json.dumps(redraw["blocks"])
    assert "Accepted by Ana Lopez" in text and f"#{ids[24]}" in text
    assert "Your open recommendations (59)" in text and "Page 3 of 6" in text
    # Page 3 of what is still open: the decided one is gone, the next one moved up.
    assert entry_ids(redraw["blocks"], ActionId.ACCEPT) == ids[20:24] + ids[25:31]
    assert world.decisions(ids[24]) == 1


def test_a_modal_opened_on_page_two_redraws_page_two(world: SlackWorld) -> None:
    ids = open_items(world, 25)
    answer = click(world, buttons(world.command(OWNER, "queue")["blocks"], ActionId.QUEUE_NEXT)[0])
    reassign = buttons(answer["blocks"], ActionId.REASSIGN)[0]
    payload = block_actions(
        user_id=OWNER,
        button=reassign,
        channel=COMMAND_CHANNEL,
        message_ts=EPHEMERAL_TS,
        ephemeral=True,
        response_url=response_url(world),
    )
    assert world.slack.interactive(payload).status_code == 200
    view = world.fake.wait_for("views.open")[0]["view"]
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    assert (metadata.recommendation_id, metadata.purpose, metadata.page) == (ids[10], "queue", 2)
    values = selected(BlockId.TO, ActionId.TO_INPUT, "carl") | typed(
        BlockId.NOTE, ActionId.NOTE_INPUT, "Carl runs the DC-NORTH transfers"
    )
    before = len(world.fake.calls_to(REDRAW))
    done = world.slack.interactive(view_submission(user_id=OWNER, view=view, values=values))
    assert done.status_code == 200 and "errors" not in done.text
    redraw = world.fake.wait_for(REDRAW, before + 1)[before]
    within_limits(redraw)
    text = json.dumps(redraw["blocks"])
    assert "Your open recommendations (24)" in text and "Page 2 of 3" in text
    assert entry_ids(redraw["blocks"], ActionId.ACCEPT) == ids[11:21]
