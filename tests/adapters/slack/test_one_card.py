"""Slack: a reminder and two escalation levels leave one DM card per person, updated in
place with chat.update, and short replies in its thread; the channel holds one entry per
item (issue 27)."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.support.slack import SlackWorld
from workflows.decisions.service import record_reassign


def test_reminders_and_escalations_are_thread_replies_under_one_card(world: SlackWorld) -> None:
    world.ingest()
    for hours in (4.5, 3.0, 0.5, 19.0):  # 50%, 90% reminders; level 1 Mon 17:00; level 2 Tue 12:00
        world.runtime.advance_clock(timedelta(hours=hours))
    posts = world.fake.replies_to("chat.postMessage")
    top = [  # the item's cards (not the override-review notices Greta also gets)
        p for p, _ in posts if not p.get("thread_ts") and "Stockout risk: SKU" in p["text"]
    ]
    per_address: dict[str, int] = {}
    for params in top:
        per_address[params["channel"]] = per_address.get(params["channel"], 0) + 1
    assert per_address == {"U0ANA": 1, "U0BEN": 1, "U0GRETA": 1, "sop-decisions": 1}
    card = world.dm_to("U0ANA")
    replies = world.thread_of(card)
    assert [r["text"].split(":")[0] for r in replies] == ["Reminder", "Reminder"]
    updates = [u for u, _ in world.fake.replies_to("chat.update") if u["ts"] == card.ts]
    assert updates, "the card is updated in place"
    assert "Overdue by" in str(card.blocks) and "Greta Lindqvist (level 2)" in str(card.blocks)
    # The state is the card's status line right under the header, not small print.
    header, status = card.blocks[:2]
    assert header["type"] == "header" and status["type"] == "section"
    assert status["text"]["text"].startswith(":red_circle: *Overdue by 4 business hours* (due ")
    assert "Escalated to Ben Okafor (level 1)" in status["text"]["text"]
    assert "Greta Lindqvist (level 2)" in status["text"]["text"]
    small = [b for b in card.blocks if b["type"] == "context"]
    assert not any("Overdue" in str(b) or "Escalated" in str(b) for b in small)
    [entry] = [p for p in top if p["channel"] == "sop-decisions"]
    entry_ts = next(r["ts"] for p, r in posts if p is entry)
    assert len([u for u, _ in world.fake.replies_to("chat.update") if u["ts"] == entry_ts]) >= 1


def test_a_hand_over_closes_the_old_owners_card(world: SlackWorld) -> None:
    rec_id = world.ingest()
    card = world.dm_to("U0ANA")
    assert any(b["type"] == "actions" for b in card.blocks)
    record_reassign(
        world.runtime.services,
        recommendation_id=rec_id,
        actor_id="ana",
        channel="slack",
        to="carl",
        note="Carl runs the DC-NORTH transfers",
    )
    world.runtime.outbox.drain()
    world.settled()
    old = world.dm_to("U0ANA")
    assert old.ts == card.ts  # the same message, updated in place
    status = old.blocks[1]["text"]["text"]
    assert status == ":large_orange_circle: *Handed over to Carl Brandt by Ana Lopez*"
    assert not any(b["type"] == "actions" for b in old.blocks)  # no buttons left
    new = json.dumps(world.dm_to("U0CARL").blocks)
    assert "Handed over to you by Ana Lopez: Carl runs the DC-NORTH transfers" in new
