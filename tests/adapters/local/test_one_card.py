"""Web chat: a reminder and two escalation levels leave one card per person, updated in
place, with short follow-ups under the owner's card; a day later the card's status line
says what is true then; the escalation channel holds one entry per item; a hand-over
turns the old owner's card into "Handed over to ..." without buttons (issue 27). Read as
the browser gets it: the page served over real HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from adapters.local import LocalChat
from bot.runtime import Runtime
from tests.support.web import ingest, settled
from workflows.decisions.service import record_reassign


def card_html(client: httpx.Client, person: str, post_id: str) -> str:
    """The card's <article> on the person's page."""
    page = client.get(f"/chat/{person}").text
    match = re.search(rf'<article[^>]*id="m-{re.escape(post_id)}".*?</article>', page, re.S)
    assert match, f"no card m-{post_id} on {person}'s page"
    return match.group(0)


def state_of(html: str) -> str:
    """The card's status line (right under its header), its tags dropped."""
    match = re.search(r'<div class="state (state-\w+)" data-state>(.*?)</div>', html, re.S)
    assert match, "the card has no status line"
    return match.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def test_reminders_and_two_escalations_update_one_card_per_person(
    runtime: Runtime, local_chat: LocalChat, client: httpx.Client
) -> None:
    rec_id = ingest(runtime)
    for hours in (4.5, 3.0, 0.5, 19.0):  # 50%, 90% reminders; level 1 Mon 17:00; level 2 Tue 12:00
        runtime.advance_clock(timedelta(hours=hours))
    mine = [p for p in local_chat.all_posts() if p.message.recommendation_id == rec_id]
    cards = [p for p in mine if p.reply_to is None]
    assert sorted(p.to for p in cards) == ["#sop-decisions", "ana", "ben", "greta"]
    [card] = [p for p in cards if p.to == "ana"]
    follow_ups = local_chat.replies(card.ref.message_id)
    assert [f.message.header.split(":")[0] for f in follow_ups] == ["Reminder", "Reminder"]
    assert card.version > 1  # updated in place
    # A day after it was sent (Mon 09:00 -> Tue 12:00), the status line says what is true now.
    line = state_of(card_html(client, "ana", card.ref.message_id))
    assert line.startswith("state-attention: Overdue by 4 business hours (due Mon 30 Nov 17:00")
    assert "Escalated to Ben Okafor (level 1)" in line and "Greta Lindqvist (level 2)" in line
    [entry] = [p for p in cards if p.to == "#sop-decisions"]
    assert entry.version >= 2 and entry.message.header.startswith("Escalated (level 2):")
    assert entry.message.buttons == []


def test_a_hand_over_closes_the_old_card(
    runtime: Runtime, local_chat: LocalChat, client: httpx.Client
) -> None:
    rec_id = ingest(runtime)
    [card] = [p for p in local_chat.direct_messages("ana") if p.message.recommendation_id]
    assert "<button" in card_html(client, "ana", card.ref.message_id)
    record_reassign(
        runtime.services,
        recommendation_id=rec_id,
        actor_id="ana",
        channel="local",
        to="dora",
        note="Her site",
    )
    runtime.outbox.drain()
    settled(runtime)
    old = card_html(client, "ana", card.ref.message_id)
    assert state_of(old) == "state-warning: Handed over to Dora Novak by Ana Lopez"
    assert "<button" not in old
    [new] = [p for p in local_chat.direct_messages("dora") if p.message.recommendation_id]
    assert "Handed over to you by Ana Lopez: Her site" in state_of(
        card_html(client, "dora", new.ref.message_id)
    )
