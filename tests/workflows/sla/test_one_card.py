"""The card is the item's one place (issue 27): reminders and escalations update the
card a person already has and add a short follow-up under it; the card says what is
true when it is drawn; a hand-over closes the old owner's card; the escalation channel
keeps one entry per item; an approved rule reaches open cards."""

from __future__ import annotations

from datetime import date

from core.messages import Message, Tone
from storage.models import ContextRule
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.context.rules.store import approve_rule
from workflows.decisions.service import record_accept, record_reassign


def cards(world: World, address: str) -> list[Message]:
    return world.received(address)


def test_a_reminder_and_two_escalations_leave_one_card_per_person(world: World) -> None:
    [rec] = world.ingest(make_rec())
    for moment in (
        berlin(2026, 11, 30, 13, 0),  # reminder 50%
        berlin(2026, 11, 30, 16, 12),  # reminder 90%
        berlin(2026, 11, 30, 17, 0),  # level 1: Ben
        berlin(2026, 12, 1, 12, 0),  # level 2: Greta
    ):
        world.at(moment)
        world.outbox.drain()
    assert [len(cards(world, p)) for p in ("ana", "ben", "greta")] == [1, 1, 1]
    assert len(world.follow_ups("ana")) == 2  # one short line per reminder
    assert world.follow_ups("ben") == [] and world.follow_ups("greta") == []
    [ana] = cards(world, "ana")
    # A day after it was sent, the card says what is true now (Mon 17:00 -> Tue 12:00 is
    # 4 business hours: Tue 08:00-12:00), with the due moment and who was told.
    assert ana.state[0] == "Overdue by 4 business hours (due Mon 30 Nov 17:00 CET)"
    assert ana.tone == Tone.ATTENTION  # the status line, coloured, not small print
    assert not any("Overdue" in line or "Escalated" in line for line in ana.context)
    assert (
        "Escalated to Ben Okafor (level 1) at Mon 30 Nov 17:00 CET; "
        "Greta Lindqvist (level 2) at Tue 01 Dec 12:00 CET" in ana.state
    )
    [entry] = [s for s in world.chat.sent if s.to == "#sop-decisions"]
    assert entry.versions >= 2 and entry.message.header.startswith("Escalated (level 2):")
    assert entry.message.buttons == []
    assert any(
        line.startswith("Waiting since Mon 30 Nov 09:00 CET") for line in entry.message.context
    )

    record_accept(world.services, recommendation_id=rec.id, actor_id="ben", channel="x")
    world.outbox.drain()
    [entry] = [s for s in world.chat.sent if s.to == "#sop-decisions"]
    assert entry.message.status is not None and "Accepted by Ben Okafor" in entry.message.status


def test_a_hand_over_closes_the_old_card_and_tells_the_new_owner_why(world: World) -> None:
    [rec] = world.ingest(make_rec())
    record_reassign(
        world.services,
        recommendation_id=rec.id,
        actor_id="ana",
        channel="x",
        to="dora",
        note="Dora runs DC-NORTH",
    )
    world.outbox.drain()
    [old] = cards(world, "ana")
    assert old.state == ["Handed over to Dora Novak by Ana Lopez"] and old.tone == Tone.WARNING
    assert old.buttons == [] and old.forms == []
    [new] = cards(world, "dora")
    assert "Handed over to you by Ana Lopez: Dora runs DC-NORTH" in new.state
    assert [b.label for b in new.buttons][:3] == ["Accept", "Override", "Reassign"]


def test_an_approved_rule_reaches_an_open_card(world: World) -> None:
    [rec] = world.ingest(make_rec())
    now = world.clock.now()
    with world.services.database.transaction() as session:
        session.add(
            ContextRule(
                key="dc-north-truck",
                entity_kind="site",
                entity_value="DC-NORTH",
                condition={},
                types=[],
                effect="Receives trucks only on Tuesdays",
                confidence="high",
                contributors=["ana"],
                status="draft",
                source="import",
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        approve_rule(
            session,
            config=world.services.config,
            key="dc-north-truck",
            actor_id="greta",
            now=now,
            today=date(2026, 11, 30),
            review_by=date(2027, 3, 1),
        )
    world.at(berlin(2026, 11, 30, 9, 30))  # one sweep (nothing due) and its delivery
    [card] = cards(world, "ana")
    assert any(
        "Receives trucks only on Tuesdays" in line for s in card.sections for line in s.lines
    )
    assert card.recommendation_id == rec.id
