"""Teams: reminders are replies to the card's activity (replyToId) and the card itself
is updated in place; a level-1 escalation reaches the manager once as a card; a
hand-over closes the old owner's card (issue 27). Every card sent stays a valid
Adaptive Card."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.cards import assert_valid_card, card_actions, card_validator, texts
from tests.support.teams import USERS, TeamsUser, TeamsWorld
from workflows.decisions.service import record_reassign


def test_reminders_reply_to_the_card_and_escalation_updates_it(world: TeamsWorld) -> None:
    for key in ("ana", "ben"):
        world.install(key)
    world.ingest()
    world.deliver()
    for hours in (4.5, 3.0, 0.5):  # 50% and 90% reminders, level 1 (Ben) at 17:00
        world.runtime.advance_clock(timedelta(hours=hours))
    card_id = world.cards_to("ana")[0].response_id
    replies = [c for c in world.cards_to("ana") if c.activity_id == card_id]
    cards = [c for c in world.cards_to("ana") if c.activity_id != card_id]
    assert len(cards) == 1 and len(replies) == 2
    assert all(r.card["body"][0]["text"].startswith("Reminder: due in") for r in replies)
    assert len(world.cards_to("ben")) == 1  # the escalation: his one card
    latest = world.updates_of(card_id)[-1].card
    assert "Escalated to Ben Okafor (level 1)" in texts(latest)
    # The state is the badge right under the header: bold headline, attention colour.
    state = latest["body"][1]
    assert state["type"] == "Container" and state["style"] == "attention"
    assert state["items"][0]["weight"] == "Bolder"
    assert state["items"][0]["text"].startswith("Overdue since ")  # Mon 17:00, after hours
    assert "Escalated to Ben Okafor (level 1)" in texts(state)
    assert not any(b.get("isSubtle") and "Escalated" in b["text"] for b in latest["body"])


def test_two_escalation_levels_and_a_day_later_the_card_says_what_is_true(
    world: TeamsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    greta = TeamsUser(
        id="29:greta", aad="aad-greta-0000", name="Greta Lindqvist", upn="greta@nordwind.example"
    )
    monkeypatch.setitem(USERS, "greta", greta)  # level 2 reads Teams too, here only
    world.connector.add_member(
        greta.id,
        name=greta.name,
        aadObjectId=greta.aad,
        userPrincipalName=greta.upn,
        email=greta.upn,
    )
    for key in ("ana", "ben", "greta"):
        world.install(key)
    world.ingest()
    world.deliver()
    for hours in (4.5, 3.0, 0.5, 19.0):  # reminders; level 1 Mon 17:00; level 2 Tue 12:00
        world.runtime.advance_clock(timedelta(hours=hours))
    card_id = world.cards_to("ana")[0].response_id
    item = [  # the item's cards (not the override-review notices Greta also gets)
        [c for c in world.cards_to(p) if "Stockout risk: SKU" in texts(c.card["body"][0])]
        for p in ("ben", "greta")
    ]
    assert [len(cards) for cards in item] == [1, 1]  # one card each
    assert len([c for c in world.cards_to("ana") if c.activity_id != card_id]) == 1
    # Mon 09:00 -> Tue 12:00: 4 business hours overdue (Tue 08:00-12:00), both levels.
    state = world.updates_of(card_id)[-1].card["body"][1]
    assert state["style"] == "attention"
    assert state["items"][0]["text"] == "Overdue by 4 business hours (due Mon 30 Nov 17:00 CET)"
    assert "Greta Lindqvist (level 2)" in texts(state)
    validator = card_validator()
    for call in [*world.cards_to("ana"), *world.cards_to("ben"), *world.updates_of(card_id)]:
        assert_valid_card(validator, call.card)


def test_a_hand_over_closes_the_old_owners_card(world: TeamsWorld) -> None:
    rec_id, card_id = world.delivered("ana")
    world.install("dora")
    record_reassign(
        world.runtime.services,
        recommendation_id=rec_id,
        actor_id="ana",
        channel="teams",
        to="dora",
        note="Her site",
    )
    world.deliver()
    closed = world.updates_of(card_id)[-1].card
    assert "Handed over to Dora Novak by Ana Lopez" in texts(closed)
    assert closed["body"][1]["style"] == "warning"  # the closed card's status line
    assert closed["body"][1]["items"][0]["text"] == "Handed over to Dora Novak by Ana Lopez"
    assert card_actions(closed) == []
    [new] = world.cards_to("dora")
    assert "Handed over to you by Ana Lopez: Her site" in texts(new.card)
