"""20- and 60-item digests as each platform renders them: every item reachable with its
own Accept, every message within the platform's limits (Slack: 50 blocks and slack_sdk's
own checks; Teams: a schema-valid card under 28 KB of JSON; the web chat: one card per
part, an Accept per entry). The sizes are measured here, on the real rendering."""

from __future__ import annotations

import json

import pytest

from adapters.local.render import card
from adapters.slack.blocks import MESSAGE_MAX_BLOCKS, as_dicts, message_blocks
from adapters.slack.ids import BUTTON_ACTIONS
from adapters.slack.payloads import ButtonValue
from adapters.teams.cards import render_card
from adapters.teams.payloads import parse_submission
from core.messages import ButtonAction, Message
from tests.support.cards import assert_valid_card, card_validator
from tests.support.data import berlin, make_rec
from tests.support.sla import World

TEAMS_CARD_MAX_BYTES = 28_000  # Teams refuses a message whose card is larger
VALIDATOR = card_validator()


def digest_parts(world: World, count: int) -> tuple[list[int], list[Message]]:
    raws = [
        make_rec(
            confidence=0.3,
            sku=f"SKU-{n}",
            title=f"Item {n} " + "x" * 60,
            supplier=f"Supplier {n % 7}",
        )
        for n in range(count)
    ]
    results = world.ingest(*raws)
    world.at(berlin(2026, 12, 1, 8, 0))
    parts = world.received("ana")
    assert parts and all(p.header.startswith("Your daily digest") for p in parts)
    return [r.id for r in results], parts


def slack_accepts(blocks: list[dict]) -> list[int]:
    accept = BUTTON_ACTIONS[ButtonAction.ACCEPT]
    return [
        ButtonValue.model_validate_json(e["value"]).recommendation_id
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == accept
    ]


def teams_accepts(card_json: dict) -> list[int]:
    found = []
    for container in card_json["body"]:
        for element in container.get("items", []):
            for action in element.get("actions", []) if element["type"] == "ActionSet" else []:
                submission = parse_submission(action["data"])
                if submission and submission.submit.action == ButtonAction.ACCEPT:
                    found.append(submission.submit.recommendation_id)
    return found


@pytest.mark.parametrize("count", [20, 60])
def test_every_digest_item_is_reachable_within_each_platforms_limits(
    world: World, count: int
) -> None:
    ids, parts = digest_parts(world, count)
    slack, teams, web = [], [], []
    largest_blocks = largest_card = 0
    for part in parts:
        blocks = as_dicts(message_blocks(part))  # slack_sdk checks every element's limits
        assert len(blocks) <= MESSAGE_MAX_BLOCKS
        assert not any("more blocks not shown" in json.dumps(b) for b in blocks)
        largest_blocks = max(largest_blocks, len(blocks))
        slack += slack_accepts(blocks)
        card_json = render_card(part)
        assert_valid_card(VALIDATOR, card_json)
        size = len(json.dumps(card_json).encode("utf-8"))
        largest_card = max(largest_card, size)
        assert size <= TEAMS_CARD_MAX_BYTES, size
        teams += teams_accepts(card_json)
        view = card(part, dom_id="digest")
        web += [
            b.recommendation_id
            for item in view.items
            for b in item.buttons
            if b.action == ButtonAction.ACCEPT
        ]
    assert sorted(slack) == sorted(teams) == sorted(web) == sorted(ids)
    print(
        f"{count} items: {len(parts)} parts, at most {largest_blocks} Slack blocks, "
        f"at most {largest_card} bytes of card"
    )
