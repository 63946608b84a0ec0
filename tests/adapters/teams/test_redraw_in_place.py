"""Teams: a submit redraws only the entry clicked and keeps the card's purpose. Deciding
entry 2 of a 3-item digest updates the digest card with entries 1 and 3 and their
actions kept (it used to become entry 2's card alone); reassigning from an escalation
keeps "Escalated:" and Extend SLA for the escalation contact. And `queue`: one card a
page at a time, Previous / Next, every item of a 20- or 60-item queue reachable, each
card valid (the connector fixture checks every card against the schema) and within
Teams' 28 KB."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from adapters.teams.payloads import parse_submission
from tests.adapters.teams.test_snooze_extend import card_to, escalation  # noqa: F401 - a fixture
from tests.support.cards import texts
from tests.support.data import make_rec
from tests.support.teams import USERS, TeamsWorld
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch

TEAMS_CARD_MAX_BYTES = 28_000


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Submit's data anywhere in the card (entries sit in containers)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def entry_ids(card: dict[str, Any], action: str = "accept") -> list[int]:
    return [
        d["sopbot"]["recommendation_id"] for d in submits(card) if d["sopbot"]["action"] == action
    ]


def press(world: TeamsWorld, key: str, card_id: str, data: dict[str, Any]) -> None:
    assert parse_submission(data) is not None
    activity = world.activity(USERS[key], "message", value=data, replyToId=card_id)
    assert world.post(activity).status_code in (200, 201, 202)


def open_items(world: TeamsWorld, count: int, **overrides: Any) -> list[int]:
    raw = [
        make_rec(
            title=f"Item {n} " + "x" * 60, sku=f"SKU-{n}", supplier=f"Supplier {n % 7}", **overrides
        )
        for n in range(count)
    ]
    result = ingest(
        world.runtime.services, items=validate_batch(config=world.runtime.config, raw_items=raw)
    )
    return [r.id for r in (result if isinstance(result, list) else result.items)]


def test_deciding_a_digest_entry_redraws_only_that_entry(world: TeamsWorld) -> None:
    world.install("ana")
    ids = open_items(world, 3, confidence=0.3)
    world.runtime.advance_clock(timedelta(hours=24))  # past the next morning's digest
    card_id = card_to(world, "ana", "Your daily digest")
    digest = world.connector.card_of(card_id)
    assert entry_ids(digest) == ids
    second = [d for d in submits(digest) if d["sopbot"]["action"] == "accept"][1]
    assert second["sopbot"]["variant"] == "digest"
    press(world, "ana", card_id, second)
    update = world.updates_of(card_id)[0].card
    assert update is not None
    shown = texts(update)
    assert "Your daily digest: 3 recommendations" in shown
    assert all(f"Item {n} " in shown for n in range(3))
    assert entry_ids(update) == [ids[0], ids[2]]  # 1 and 3 keep their actions
    assert entry_ids(update, "open") == [ids[0], ids[0], ids[2], ids[2]]  # Override…, Reassign…
    assert "Accepted by Ana Lopez" in shown
    assert world.recommendation(ids[1])["status"] == "decided"
    assert world.recommendation(ids[0])["status"] == "open"


def test_reassigning_from_an_escalation_keeps_the_escalation(
    world: TeamsWorld,
    escalation: tuple[int, str],  # noqa: F811 - the imported fixture
) -> None:
    rec_id, card_id = escalation  # Ben, Ana's manager, has "Escalated:" with Extend SLA
    world.submit("ben", card_id, "reassign", to="dora", note="Dora covers DC-NORTH")
    assert world.recommendation(rec_id)["owner"] == "dora"
    update = world.updates_of(card_id)[-1].card
    assert update is not None
    assert update["body"][0]["text"].startswith("Escalated:")
    assert entry_ids(update, "extend") == [rec_id]  # Ben may still extend the SLA
    assert "Dora Novak" in texts(update)


@pytest.mark.parametrize("count", [20, 60])
def test_every_item_of_a_full_queue_is_reachable(world: TeamsWorld, count: int) -> None:
    world.install("ana")
    ids = open_items(world, count)
    world.say("ana", "queue")
    card_id = card_to(world, "ana", "Your open recommendations")
    assert len([c for c in world.cards_to("ana")]) == 1  # one card, not one per item
    seen: list[int] = []
    pages = 0
    while True:
        pages += 1
        card = world.connector.card_of(card_id)
        assert len(json.dumps(card).encode()) <= TEAMS_CARD_MAX_BYTES
        assert f"Your open recommendations ({count})" in texts(card)
        accepts = entry_ids(card)
        assert entry_ids(card, "open")[::2] == accepts  # and each its Override…
        seen += accepts
        turns = {d["sopbot"]["page"]: d for d in submits(card) if d["sopbot"]["action"] == "page"}
        assert (pages - 1 in turns) == (pages > 1)
        if pages + 1 not in turns:
            break
        press(world, "ana", card_id, turns[pages + 1])
    assert seen == ids
    assert pages == -(-count // 10)


def test_a_decision_on_a_queue_page_keeps_that_page(world: TeamsWorld) -> None:
    world.install("ana")
    ids = open_items(world, 25)
    world.say("ana", "queue")
    card_id = card_to(world, "ana", "Your open recommendations")
    card = world.connector.card_of(card_id)
    nxt = next(d for d in submits(card) if d["sopbot"]["action"] == "page")
    press(world, "ana", card_id, nxt)
    card = world.connector.card_of(card_id)
    assert entry_ids(card) == ids[10:20]
    accept = [d for d in submits(card) if d["sopbot"]["action"] == "accept"][3]
    assert (accept["sopbot"]["variant"], accept["sopbot"]["page"]) == ("queue", 2)
    press(world, "ana", card_id, accept)
    card = world.connector.card_of(card_id)
    shown = texts(card)
    assert "Accepted by Ana Lopez" in shown and f"#{ids[13]}" in shown
    assert "Your open recommendations (24)" in shown and "Page 2 of 3" in shown
    assert entry_ids(card) == ids[10:13] + ids[14:21]
