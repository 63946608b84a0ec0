"""Universal Actions over real HTTP through the real botbuilder adapter: a card's
Action.Execute arrives as an invoke named `adaptiveCard/action`. Its HTTP answer is an
AdaptiveCardInvokeResponse given at once, from the payload alone (the database may be
held meanwhile); the turn after it does what an Action.Submit does: the same
permissions (someone else's card, a stranger), the decision once, the card updated in
place or redrawn with the form's error next to the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adapters.teams.bot import UNKNOWN_PERSON
from tests.support.cards import error_after, find_submit, texts
from tests.support.live import LOOPBACK_TLS
from tests.support.locks import answered_while_held
from tests.support.teams import USERS, TeamsWorld

MESSAGE = "application/vnd.microsoft.activity.message"


def execute_activity(
    world: TeamsWorld, key: str, card_id: str, action: str, **inputs: Any
) -> dict[str, Any]:
    """What Teams sends for an Action.Execute carrying the card's own submit data."""
    data = find_submit(world.connector.card_of(card_id), action)
    data.update({f"{action}.{name}": v for name, v in inputs.items()})
    value = {
        "action": {"type": "Action.Execute", "verb": action, "data": data},
        "trigger": "manual",
    }
    return world.activity(
        USERS[key], "invoke", name="adaptiveCard/action", value=value, replyToId=card_id
    )


def answered(response: httpx.Response) -> str:
    """The invoke's answer: HTTP 200 carrying a message response; returns its text."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["statusCode"] == 200 and body["type"] == MESSAGE, body
    return body["value"]


def test_execute_accept_is_answered_at_once_and_replaces_the_card_once(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    activity = execute_activity(world, "ana", card_id, "accept")

    def post() -> httpx.Response:  # not world.post: that waits for the turn
        return httpx.post(
            f"{world.url}/api/messages", json=activity, timeout=30, verify=LOOPBACK_TLS
        )

    response = answered_while_held(world.runtime.database, post)
    assert answered(response) == "Recording your accept…"
    assert world.teams.turns.wait_idle()
    [put] = world.updates_of(card_id)
    assert "Accepted by Ana Lopez" in texts(put.card) and "actions" not in put.card
    assert world.connector.of_kind("send", "reply") == []
    assert world.decision_kinds(rec_id) == ["accepted"]

    # Teams retries the same invoke; another invoke from the same card: still one.
    world.connector.clear()
    assert answered(world.post(activity))
    assert answered(world.post(dict(activity, id="act-in-again")))
    assert world.connector.of_kind("update", "send", "reply") == []
    assert world.decision_kinds(rec_id) == ["accepted"]


@pytest.mark.parametrize(
    ("key", "refusal"),
    [
        ("finn", "Only Ana Lopez, their backup or their escalation contacts may decide"),
        ("mallory", UNKNOWN_PERSON),
    ],
    ids=["not-theirs", "stranger"],
)
def test_execute_by_someone_who_may_not_decide_changes_nothing(
    world: TeamsWorld, delivered: tuple[int, str], key: str, refusal: str
) -> None:
    rec_id, card_id = delivered
    if key == "finn":
        world.install("finn")
    world.connector.clear()
    assert answered(world.post(execute_activity(world, key, card_id, "accept")))
    [reply] = world.connector.of_kind("reply", "send")
    assert refusal in reply.text
    assert world.updates_of(card_id) == []
    assert world.recommendation(rec_id)["status"] == "open"
    assert world.decision_kinds(rec_id) == []


def test_execute_override_without_a_reason_is_told_at_once_and_on_the_card(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    response = world.post(execute_activity(world, "ana", card_id, "override", note="x"))
    assert answered(response) == "Nothing was recorded: Choose a reason for the override."
    [put] = world.updates_of(card_id)
    assert "Choose a reason" in (error_after(put.card, "override.reason_code") or "")
    assert world.decision_kinds(rec_id) == []
    fixed = execute_activity(
        world,
        "ana",
        card_id,
        "override",
        reason_code="INFO_NOT_IN_MODEL",
        note="Customer moved the order to January",
    )
    response = world.post(fixed)
    assert answered(response) == "Recording your override…"
    assert "Overridden by Ana Lopez" in texts(world.connector.card_of(card_id))
    assert world.decision_kinds(rec_id) == ["overridden"]


def test_an_execute_that_is_not_ours_does_nothing(
    world: TeamsWorld, delivered: tuple[int, str]
) -> None:
    rec_id, card_id = delivered
    world.connector.clear()
    foreign = execute_activity(world, "ana", card_id, "accept")
    foreign["value"]["action"]["data"] = {"somebody": "else"}
    assert "out of date" in answered(world.post(foreign))
    malformed = dict(foreign, value={"trigger": "manual"})
    response = world.post(malformed)
    assert response.status_code == 200 and response.json()["statusCode"] == 400
    assert world.connector.of_kind("update", "send", "reply") == []
    assert world.decision_kinds(rec_id) == []
