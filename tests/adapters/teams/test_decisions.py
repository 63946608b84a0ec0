"""Card submits over real HTTP: the decision is recorded once, by a permitted person,
and the card is updated in place (PUT) with the decided state or the form's error."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from tests.support.cards import error_after, texts
from tests.support.teams import TeamsWorld
from workflows.decisions import click


def test_accept_replaces_the_card_in_place(world: TeamsWorld, delivered: tuple[int, str]) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    world.submit("ana", card_id, "accept")
    [put] = world.updates_of(card_id)
    assert "Accepted by Ana Lopez" in texts(put.card)
    assert "actions" not in put.card  # nothing left to press
    assert world.connector.of_kind("send", "reply") == []  # no new message
    assert world.recommendation(rec_id)["status"] == "decided"
    assert world.decision_kinds(rec_id) == ["accepted"]
    world.deliver()  # the workflow's refresh updates the stored message too
    assert len(world.updates_of(card_id)) == 2
    assert "Accepted by Ana Lopez" in texts(world.connector.card_of(card_id))


def test_override_with_reason_note_and_value(world: TeamsWorld, delivered: tuple[int, str]) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    world.submit(
        "ana",
        card_id,
        "override",
        reason_code="INFO_NOT_IN_MODEL",
        note="Customer moved the order to January",
        value="120",
    )
    [put] = world.updates_of(card_id)
    text = texts(put.card)
    assert "Overridden by Ana Lopez" in text and "Information the model can't see" in text
    assert "alternative value 120" in text and "moved the order to January" in text
    decision = world.recommendation(rec_id)["decision"]
    assert decision["reason_code"] == "INFO_NOT_IN_MODEL" and decision["value"] == 120


def test_missing_reason_and_missing_note_are_answered_on_the_card(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    world.submit("ana", card_id, "override", note="", value="")
    [put] = world.updates_of(card_id)
    assert "Choose a reason" in (error_after(put.card, "override.reason_code") or "")
    assert world.connector.of_kind("send", "reply") == []  # answered on the card only
    assert world.decision_kinds(rec_id) == []
    # The corrected card (its form now open in the body) asks for the note next.
    world.submit("ana", card_id, "override", reason_code="SUPPLIER_PATTERN", note=" ")
    card = world.connector.card_of(card_id)
    assert "needs a note" in (error_after(card, "override.note") or "")
    assert error_after(card, "override.reason_code") is None
    reason = next(
        i
        for el in card["body"]
        for i in el.get("items", [])
        if i.get("id") == "override.reason_code"
    )
    assert reason["value"] == "SUPPLIER_PATTERN"  # what was chosen is kept
    world.submit("ana", card_id, "override", reason_code="SUPPLIER_PATTERN", note="Q4 promises")
    assert "Overridden by Ana Lopez" in texts(world.connector.card_of(card_id))
    assert world.decision_kinds(rec_id) == ["overridden"]


def test_unauthorised_submit_is_refused_and_changes_nothing(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    world.install("finn")
    world.connector.clear()
    world.submit("finn", card_id, "accept")  # e.g. a forwarded card
    [reply] = world.connector.of_kind("reply", "send")
    assert "Only Ana Lopez, their backup or their escalation contacts may decide" in reply.text
    assert world.updates_of(card_id) == []
    assert world.recommendation(rec_id)["status"] == "open"
    assert world.decision_kinds(rec_id) == []


def test_duplicate_activity_and_resubmitted_card_record_once(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    first = world.submit("ana", card_id, "accept")
    assert world.post(first).status_code in (200, 201, 202)  # Teams delivers the activity again
    world.connector.clear()
    # The same card pressed again in another activity (a double click, a stale client).
    retry = dict(first, id="act-in-double-click")
    assert world.post(retry).status_code in (200, 201, 202)
    assert world.connector.of_kind("update", "send", "reply") == []
    assert world.decision_kinds(rec_id) == ["accepted"]
    # An old rendering of the card (another nonce) gets "already decided", not a decision.
    stale = dict(first, id="act-in-stale")
    stale["value"] = {"sopbot": dict(first["value"]["sopbot"], nonce="0123456789ab")}
    assert world.post(stale).status_code in (200, 201, 202)
    assert any("Already decided" in c.text for c in world.connector.of_kind("reply"))
    assert world.decision_kinds(rec_id) == ["accepted"]


def test_reassign_hands_over_and_updates_the_card(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    card = world.connector.card_of(card_id)
    show = next(a for a in card["actions"] if a["title"] == "Reassign")
    assert show["type"] == "Action.ShowCard"
    people = next(i for i in show["card"]["body"] if i.get("id") == "reassign.to")
    assert (
        people["type"] == "Input.ChoiceSet"
        and {"title": "Dora Novak", "value": "dora"} in (people["choices"])
    )
    world.submit("ana", card_id, "reassign", to="dora", note="DC-NORTH moved to Dora")
    assert "Dora Novak" in texts(world.connector.card_of(card_id))
    assert world.recommendation(rec_id)["owner"] == "dora"


def test_a_click_whose_turn_failed_is_handled_when_it_comes_again(
    world: TeamsWorld, delivered: tuple[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The activity is marked handled in the decision's own transaction: when the work
    fails (here the database, once), the same activity and card are not dropped as
    repeats the next time they come, and then record the decision once."""
    rec_id, card_id = delivered
    decide = click.decide
    attempts: list[object] = []

    def fails_once(ctx: object, request: object) -> object:
        attempts.append(request)
        if len(attempts) == 1:
            raise OperationalError("UPDATE recommendations", {}, ConnectionError("gone"))
        return decide(ctx, request)  # type: ignore[arg-type]

    monkeypatch.setattr(click, "decide", fails_once)
    world.connector.clear()
    first = world.submit("ana", card_id, "accept")
    assert world.decision_kinds(rec_id) == [] and world.updates_of(card_id) == []
    assert world.post(first).status_code in (200, 201, 202)  # the same activity again
    assert len(attempts) == 2
    assert world.decision_kinds(rec_id) == ["accepted"]
    [put] = world.updates_of(card_id)
    assert "Accepted by Ana Lopez" in texts(put.card)
    assert world.post(first).status_code in (200, 201, 202)  # and now it is a repeat
    assert len(attempts) == 2 and len(world.updates_of(card_id)) == 1
