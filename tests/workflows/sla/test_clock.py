"""Reminders, escalations, business hours and exactly-once, on SQLite and PostgreSQL.

The demo's stockout_risk: owner Ana (Berlin), SLA 8 business hours, reminders at 50% and
90%, escalation to her manager Ben at expiry, then to Greta 4 business hours later."""

from __future__ import annotations

from datetime import timedelta

from core.chat import DeliveryError, MessageRef
from core.domain import Action
from core.messages import ButtonAction, Message
from tests.support.data import berlin, make_rec
from tests.support.sla import World
from workflows.decisions.service import DecisionRequest, decide, record_accept


def test_reminders_at_50_and_90_percent_then_two_escalation_levels(world: World) -> None:
    [rec] = world.ingest(make_rec())  # Monday 09:00 Berlin
    assert rec.due_at == berlin(2026, 11, 30, 17, 0)
    assert world.headers("ana") == ["Stockout risk: SKU-4711 bearing 6204-2RS at DC-NORTH"]

    assert world.at(berlin(2026, 11, 30, 12, 59)).steps == []
    world.at(berlin(2026, 11, 30, 13, 0))  # 50% of 8 business hours
    # One card, updated in place, with a short follow-up under it (issue 27).
    [reminder] = world.received("ana")
    assert reminder.header.startswith("Reminder: Stockout risk")
    assert reminder.state[0] == "Due in 4 business hours (Mon 30 Nov 17:00 CET)"
    [card] = [s for s in world.chat.sent if s.to == "ana" and s.reply_to is None]
    assert [m.header for m in world.chat.replies(card.ref.message_id)] == [
        "Reminder: due in 4 business hours (Mon 30 Nov 17:00 CET)"
    ]
    assert [b.label for b in reminder.buttons] == [
        "Accept",
        "Override",
        "Reassign",
        "Snooze 1h",
        "Snooze 4h",
        "Next business day",
    ]
    assert [b.value for b in reminder.buttons if b.action == ButtonAction.SNOOZE] == [
        "1h",
        "4h",
        "nbd",
    ]

    assert world.at(berlin(2026, 11, 30, 16, 11)).steps == []
    world.at(berlin(2026, 11, 30, 16, 12))  # 90%
    assert world.received("ana")[-1].state[0] == (
        "Due in 48m of business time (Mon 30 Nov 17:00 CET)"
    )
    assert len(world.received("ana")) == 1 and world.received("ben") == []
    assert len(world.chat.replies(card.ref.message_id)) == 2

    world.at(berlin(2026, 11, 30, 17, 0))  # expiry: level 1, the owner's manager
    [escalation] = world.received("ben")
    assert escalation.header.startswith("Escalated: Stockout risk")
    assert escalation.state[1].startswith("Ana Lopez has had it for 8 business hours")
    assert [b.label for b in escalation.buttons] == ["Accept", "Override", "Reassign", "Extend SLA"]
    assert all(b.on_behalf for b in escalation.buttons[:2])
    assert escalation.form_for(ButtonAction.EXTEND) is not None
    assert world.rec(rec.id).escalation_level == 1
    world.outbox.drain()  # the refresh the escalation queued
    [owner_card] = world.received("ana")
    assert "Escalated to Ben Okafor (level 1) at Mon 30 Nov 17:00 CET" in owner_card.state

    assert world.at(berlin(2026, 12, 1, 11, 59)).steps == []  # 4 business hours later
    world.at(berlin(2026, 12, 1, 12, 0))
    [level_2] = world.received("greta")
    assert level_2.header.startswith("Escalated:")
    stored = world.rec(rec.id)
    assert (stored.reminders_sent, stored.escalation_level, stored.next_action_at) == (2, 2, None)
    events = world.events(rec.id)
    delivered = [(e.data["purpose"], e.data["to"]) for e in events if e.kind == "delivered"]
    assert delivered == [
        ("owner", "ana"),
        ("reminder", "ana"),
        ("reminder", "ana"),
        ("escalation", "ben"),
        ("escalation", "#sop-decisions"),
        ("escalation", "greta"),
        ("escalation", "#sop-decisions"),
    ]
    # the team channel has one read-only entry per item, updated at each escalation step
    [post] = [s for s in world.chat.sent if s.to == "#sop-decisions"]
    assert post.message.header.startswith("Escalated (level 2):") and post.message.buttons == []
    assert post.versions >= 2
    assert any("Greta Lindqvist (level 2)" in line for line in post.message.context)
    escalated = [(e.data["level"], e.data["to"]) for e in events if e.kind == "escalated"]
    assert escalated == [(1, "ben"), (2, "greta")]
    assert len(world.received("ana")) == 1


def test_weekend_is_skipped(world: World) -> None:
    world.clock.set(berlin(2026, 12, 4, 15, 0))  # Friday 15:00: 2 business hours left
    [rec] = world.ingest(make_rec())
    assert rec.due_at == berlin(2026, 12, 7, 14, 0)  # Monday 14:00
    for moment in (berlin(2026, 12, 4, 17, 30), berlin(2026, 12, 5, 12), berlin(2026, 12, 6, 20)):
        assert world.at(moment).steps == []
    world.at(berlin(2026, 12, 7, 9, 59))
    assert len(world.received("ana")) == 1
    world.at(berlin(2026, 12, 7, 10, 0))  # 4 business hours after Friday 15:00
    assert world.received("ana")[-1].header.startswith("Reminder:")


def test_public_holidays_are_skipped(world: World) -> None:
    world.clock.set(berlin(2026, 12, 24, 15, 0))  # Thursday; Friday 25th and 26th are holidays
    [rec] = world.ingest(make_rec())
    assert rec.due_at == berlin(2026, 12, 28, 14, 0)
    assert world.at(berlin(2026, 12, 25, 12, 0)).steps == []
    assert world.at(berlin(2026, 12, 28, 14, 0)).steps != []  # expired: reminders are moot
    assert world.headers("ben") == [
        "Escalated: Stockout risk: SKU-4711 bearing 6204-2RS at DC-NORTH"
    ]
    assert [m.header.split(":")[0] for m in world.received("ana")] == ["Stockout risk"]


def test_late_sweep_collapses_reminders_into_one(world: World) -> None:
    [rec] = world.ingest(make_rec())
    report = world.at(berlin(2026, 11, 30, 16, 30))  # both reminder times have passed
    assert [(s.kind, s.level) for s in report.steps] == [("reminder", 2)]
    assert world.rec(rec.id).next_action_at == berlin(2026, 11, 30, 17, 0)


def test_owner_decides_and_nothing_more_fires(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 13, 0))
    world.at(berlin(2026, 11, 30, 16, 12), deliver=False)  # queued, not yet delivered
    record_accept(world.services, recommendation_id=rec.id, actor_id="ana", channel="local")
    world.outbox.drain()
    [card] = [m for m in world.chat.sent if m.to == "ana" and m.reply_to is None]
    assert len(world.chat.replies(card.ref.message_id)) == 1  # the queued reminder dropped
    for moment in (berlin(2026, 11, 30, 17), berlin(2026, 12, 1, 12), berlin(2026, 12, 20, 9)):
        assert world.at(moment).steps == []
    assert world.received("ben") == [] and world.received("greta") == []
    [reminder] = world.received("ana")  # updated in place: decided, no buttons
    assert reminder.buttons == [] and reminder.status.startswith("Accepted by Ana Lopez")


def test_manager_decides_on_behalf_and_escalated_message_shows_it(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 17, 0))
    world.clock.set(berlin(2026, 11, 30, 17, 20))
    recorded = decide(
        world.services,
        DecisionRequest(rec.id, "ben", Action.OVERRIDE, "local", reason_code="COST_TRADEOFF"),
    )
    assert recorded.role == "escalation"
    world.outbox.drain()
    [escalation] = world.received("ben")
    assert escalation.buttons == []
    assert escalation.status.startswith("Overridden by Ben Okafor on behalf of Ana Lopez")
    assert world.received("ana")[0].status.startswith("Overridden by Ben Okafor")
    [channel_copy] = world.chat.to("#sop-decisions")  # the team channel's copy follows too
    assert channel_copy.status.startswith("Overridden by Ben Okafor on behalf of Ana Lopez")
    assert world.at(berlin(2026, 12, 1, 12, 0)).steps == []
    assert world.received("greta") == []


def test_nothing_older_than_max_age_keeps_escalating(world: World) -> None:
    [rec] = world.ingest(make_rec())
    # The bot was down for eleven days (max_age is 10d): no pings about stale items.
    report = world.at(berlin(2026, 12, 11, 10, 0))
    assert report.steps == []
    assert world.received("ben") == [] and world.rec(rec.id).next_action_at is None


def test_escalation_after_decision_window_respects_max_age(world: World) -> None:
    [rec] = world.ingest(make_rec())
    world.at(berlin(2026, 11, 30, 17, 0))
    assert world.rec(rec.id).next_action_at == berlin(2026, 12, 1, 12, 0)
    world.at(berlin(2026, 12, 1, 12, 0))
    assert world.rec(rec.id).next_action_at is None
    assert world.at(berlin(2026, 11, 30, 17, 0) + timedelta(days=9)).steps == []


def test_a_channel_copy_that_cannot_be_posted_goes_to_nobody_else(world: World) -> None:
    [rec] = world.ingest(make_rec())

    def refuse_channel(*, channel: str, message: Message) -> MessageRef:
        raise DeliveryError(f"not in #{channel}", transient=False)

    world.chat.post_to_channel = refuse_channel  # type: ignore[method-assign]
    world.at(berlin(2026, 11, 30, 17, 0))
    [failed] = [e for e in world.events(rec.id) if e.kind == "delivery_failed"]
    assert failed.data["to"] == "#sop-decisions"
    assert len(world.received("ben")) == 1  # the manager's escalation went out as usual
    assert world.received("dora") == [] and world.received("greta") == []  # no stand-in


def test_an_escalation_nobody_can_receive_reaches_a_stand_in_as_an_escalation(
    world: World,
) -> None:
    [rec] = world.ingest(make_rec())
    world.chat.unreachable.add("ben")  # the manager has no chat account
    world.at(berlin(2026, 11, 30, 17, 0))
    [stand_in] = world.received("dora")  # the owner's backup gets it instead
    assert stand_in.header.startswith("Escalated:")
    assert stand_in.context[0] == "Could not reach Ben Okafor; sent to you instead."
    assert any(e.kind == "delivery_failed" for e in world.events(rec.id))
