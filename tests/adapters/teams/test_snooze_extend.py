"""The SLA clock's buttons on Teams cards, over real HTTP: Snooze on a reminder and
Extend SLA on an escalation go through their workflows, the card is redrawn in place,
refusals are plain replies, and a repeated submit is recorded once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.cards import card_actions, error_after, texts
from tests.support.teams import TeamsWorld

REMINDER_AT = timedelta(hours=4, minutes=30)  # past the 50% reminder of an 8h SLA
ESCALATION_AT = timedelta(hours=8, minutes=30)  # past due: Ben (Ana's manager) is told


def card_to(world: TeamsWorld, key: str, header: str) -> str:
    """The id of the latest card sent to `key` whose header starts with `header`."""
    calls = [c for c in world.cards_to(key) if c.card["body"][0]["text"].startswith(header)]
    assert calls, f"no '{header}' card to {key}"
    assert calls[-1].response_id
    return calls[-1].response_id


def events(world: TeamsWorld, rec_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in world.recommendation(rec_id)["events"] if e["kind"] == kind]


def element(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    items = [i for el in card["body"] for i in ([el] + el.get("items", []))]
    return next(el for el in items if el.get("id") == input_id)


@pytest.fixture
def reminder(world: TeamsWorld) -> tuple[int, str]:
    """Ana (owner) and Finn installed; Ana got a reminder: (recommendation, card id)."""
    world.install("ana")
    world.install("finn")
    rec_id = world.ingest()
    world.deliver()
    world.runtime.advance_clock(REMINDER_AT)
    # One card, updated in place as the reminder, and a short reply to it (issue 27).
    card_id = world.cards_to("ana")[0].response_id
    assert card_id is not None
    [note] = [c for c in world.cards_to("ana") if c.activity_id == card_id]
    assert note.card["body"][0]["text"].startswith("Reminder: due in")
    assert world.updates_of(card_id)
    return rec_id, card_id


@pytest.fixture
def escalation(world: TeamsWorld) -> tuple[int, str]:
    """Ana, Ben (her manager, first escalation) and Finn installed; Ben got the
    escalation: (recommendation, card id)."""
    for key in ("ana", "ben", "finn"):
        world.install(key)
    rec_id = world.ingest()
    world.deliver()
    world.runtime.advance_clock(ESCALATION_AT)
    return rec_id, card_to(world, "ben", "Escalated:")


def test_reminder_has_a_snooze_row_and_snoozing_redraws_it(
    world: TeamsWorld, reminder: tuple[int, str]
) -> None:
    rec_id, card_id = reminder
    card = world.connector.card_of(card_id)
    row = next(el for el in card["body"] if el["type"] == "ActionSet")
    snoozes = [a["data"]["sopbot"] for a in row["actions"]]
    assert [(s["action"], s["value"]) for s in snoozes] == [
        ("snooze", "1h"),
        ("snooze", "4h"),
        ("snooze", "nbd"),
    ]
    assert {s["recommendation_id"] for s in snoozes} == {rec_id}
    assert [a["title"] for a in card["actions"]] == ["Accept", "Override", "Reassign"]

    world.connector.clear()
    first = world.submit("ana", card_id, "snooze", choice="4h")
    [put] = world.updates_of(card_id)
    text = texts(put.card)
    assert "Snoozed until" in text and "still due" in text
    assert put.card["body"][0]["text"].startswith("Reminder:")  # still the reminder
    assert "Due in " in text  # the workflow's reminder, not a copy of its buttons
    values = {a["data"]["sopbot"].get("value") for a in card_actions(put.card) if "data" in a}
    assert values >= {"1h", "4h", "nbd"}  # a different length may still be chosen
    assert world.connector.of_kind("send", "reply") == []  # answered on the card only
    [snoozed] = events(world, rec_id, "snoozed")
    assert world.recommendation(rec_id)["status"] == "open"

    # The same activity again, and the same button pressed in another activity.
    assert world.post(first).status_code in (200, 201, 202)
    assert world.post(dict(first, id="act-in-double-click")).status_code in (200, 201, 202)
    assert len(world.updates_of(card_id)) == 1
    assert events(world, rec_id, "snoozed") == [snoozed]

    world.deliver()  # the workflow's refresh redraws the stored reminder too
    assert "snoozed until" in texts(world.connector.card_of(card_id)).lower()


def test_snooze_by_someone_else_is_refused_plainly(
    world: TeamsWorld, reminder: tuple[int, str]
) -> None:
    rec_id, card_id = reminder
    world.connector.clear()
    world.submit("finn", card_id, "snooze", choice="1h")  # e.g. a forwarded card
    [reply] = world.connector.of_kind("reply", "send")
    assert "Only Ana Lopez or their backup may snooze reminders" in reply.text
    assert world.updates_of(card_id) == []
    assert events(world, rec_id, "snoozed") == []


def test_snooze_after_the_decision_says_so_and_redraws_the_card(
    world: TeamsWorld, reminder: tuple[int, str]
) -> None:
    rec_id, card_id = reminder
    stale = world.connector.card_of(card_id)
    world.submit("ana", card_id, "accept")
    world.connector.activities[card_id]["attachments"][0]["content"] = stale  # a stale client
    world.connector.clear()
    world.submit("ana", card_id, "snooze", choice="1h")
    [reply] = world.connector.of_kind("reply", "send")
    assert "already decided" in reply.text
    [put] = world.updates_of(card_id)
    assert "Accepted by Ana Lopez" in texts(put.card) and "actions" not in put.card
    assert events(world, rec_id, "snoozed") == []


def test_extend_form_is_a_date_a_time_and_a_reason(
    world: TeamsWorld, escalation: tuple[int, str]
) -> None:
    _rec_id, card_id = escalation
    card = world.connector.card_of(card_id)
    show = next(a for a in card["actions"] if a["title"] == "Extend SLA")
    assert show["type"] == "Action.ShowCard"
    inputs = {i["id"]: i for i in show["card"]["body"] if "id" in i}
    assert {k: v["type"] for k, v in inputs.items()} == {
        "extend.due_at.date": "Input.Date",
        "extend.due_at.time": "Input.Time",
        "extend.reason": "Input.Text",
    }
    assert all(i["isRequired"] for i in inputs.values())
    [submit] = show["card"]["actions"]
    assert submit["data"]["sopbot"]["variant"] == "escalation"


def test_extend_errors_are_answered_next_to_their_field(
    world: TeamsWorld, escalation: tuple[int, str]
) -> None:
    rec_id, card_id = escalation
    world.connector.clear()
    world.submit("ben", card_id, "extend", **{"due_at.date": "2026-12-02", "due_at.time": "12:00"})
    [put] = world.updates_of(card_id)
    assert "Say why" in (error_after(put.card, "extend.reason") or "")
    assert world.connector.of_kind("send", "reply") == []
    # Corrected: now the due time is earlier than the current one (Mon 17:00).
    world.submit(
        "ben",
        card_id,
        "extend",
        reason="Supplier confirms Tuesday",
        **{"due_at.date": "2026-11-30", "due_at.time": "16:00"},
    )
    card = world.connector.card_of(card_id)
    assert "must be later" in (error_after(card, "extend.due_at.time") or "")
    assert error_after(card, "extend.reason") is None
    assert element(card, "extend.reason")["value"] == "Supplier confirms Tuesday"  # kept
    assert element(card, "extend.due_at.date")["value"] == "2026-11-30"
    assert events(world, rec_id, "sla_extended") == []
    # Cancel: the escalation again, Extend SLA included.
    world.submit("ben", card_id, "cancel")
    card = world.connector.card_of(card_id)
    assert card["body"][0]["text"].startswith("Escalated:")
    assert any(a["title"] == "Extend SLA" for a in card["actions"])
    assert "Ana Lopez has had it for" in texts(card)  # the workflow's escalation


def test_extend_by_someone_else_is_refused_plainly(
    world: TeamsWorld, escalation: tuple[int, str]
) -> None:
    rec_id, card_id = escalation
    world.connector.clear()
    world.submit(
        "finn",
        card_id,
        "extend",
        reason="Let me",
        **{"due_at.date": "2026-12-02", "due_at.time": "12:00"},
    )
    [reply] = world.connector.of_kind("reply", "send")
    assert "Only Ana Lopez's escalation contacts or the override reviewer" in reply.text
    assert world.updates_of(card_id) == []
    assert events(world, rec_id, "sla_extended") == []


def test_extend_redraws_the_escalation_and_tells_the_owner_once(
    world: TeamsWorld, escalation: tuple[int, str]
) -> None:
    rec_id, card_id = escalation
    world.connector.clear()
    first = world.submit(
        "ben",
        card_id,
        "extend",
        reason="Supplier confirms Tuesday",
        **{"due_at.date": "2026-12-02", "due_at.time": "12:00"},
    )
    [put] = world.updates_of(card_id)
    assert "SLA extended to Wed 02 Dec 12:00" in texts(put.card) and "by Ben Okafor" in texts(
        put.card
    )
    assert any(a["title"] == "Extend SLA" for a in put.card["actions"])  # may extend again
    due = datetime.fromisoformat(world.recommendation(rec_id)["due_at"])
    assert (due.year, due.month, due.day, due.hour) == (2026, 12, 2, 11)  # 12:00 Berlin
    assert world.post(dict(first, id="act-in-double-click")).status_code in (200, 201, 202)
    assert len(world.updates_of(card_id)) == 1
    assert len(events(world, rec_id, "sla_extended")) == 1
    world.deliver()
    assert any("extended the SLA" in texts(c.card) for c in world.cards_to("ana"))
