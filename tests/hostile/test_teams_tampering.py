"""Action.Submit data edited by hand, posted as Teams posts it (an activity to the real
botbuilder adapter at /api/messages; the fake Bot Connector receives what sopbot sends
back). The sender is the activity's `from`, never a value in the data: another
recommendation's id is refused and the person told so, an unknown reason code is an
error under its field, malformed data is "out of date", and nothing is recorded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cards import find_submit, texts
from tests.support.teams import USERS, TeamsWorld

FINN_REC = {
    "type": "demand_revision",
    "title": "SKU-9000 forecast for December",
    "action": "Raise the December forecast by 15%",
    "sku": "SKU-9000",
}


def delivered(world: TeamsWorld) -> tuple[int, str, int, str]:
    """Ana's and Finn's recommendation, each delivered as a card: ids and card ids."""
    world.install("ana")
    world.install("finn")
    ana_rec = world.ingest()
    finn_rec = world.ingest(**FINN_REC)
    world.deliver()
    [ana_card] = world.cards_to("ana")
    [finn_card] = world.cards_to("finn")
    world.connector.clear()
    return ana_rec, ana_card.response_id or "", finn_rec, finn_card.response_id or ""


def send(world: TeamsWorld, key: str, card_id: str, value: Any) -> str:
    """Post a submit from `key` with `value` as its data; the text sopbot replied."""
    activity = world.activity(USERS[key], "message", value=value, replyToId=card_id)
    assert world.post(activity).status_code == 202
    return " ".join(c.text or "" for c in world.connector.of_kind("reply", "send"))


@pytest.mark.parametrize("action", ["accept", "override", "reassign"])
def test_finns_card_pointed_at_anas_recommendation_is_refused(
    teams_world: TeamsWorld, action: str
) -> None:
    ana_rec, ana_card, finn_rec, finn_card = delivered(teams_world)
    value = find_submit(teams_world.connector.card_of(finn_card), action)
    value["sopbot"] = value["sopbot"] | {"recommendation_id": ana_rec, "on_behalf": True}
    value |= {
        f"{action}.reason_code": "COST_TRADEOFF",
        f"{action}.to": "finn",
        f"{action}.note": "mine now",
    }
    told = send(teams_world, "finn", finn_card, value)
    assert "Only Ana Lopez, their backup or their escalation contacts may decide" in told
    assert teams_world.decisions(ana_rec) == teams_world.decisions(finn_rec) == []
    assert teams_world.recommendation(ana_rec)["owner"] == "ana"
    assert teams_world.updates_of(ana_card) == []


def test_the_decider_is_the_activitys_sender(teams_world: TeamsWorld) -> None:
    """Ana's own card data, sent by Finn (a forwarded or copied submit, with a person id
    written into the data and the inputs): refused. Sent by Dora, Ana's backup: Dora's."""
    ana_rec, ana_card, _finn_rec, _finn_card = delivered(teams_world)
    value = find_submit(teams_world.connector.card_of(ana_card), "accept")
    value |= {"accept.actor_id": "ana", "actor_id": "ana", "from": "ana"}
    told = send(teams_world, "finn", ana_card, value)
    assert "Only Ana Lopez" in told
    assert teams_world.decisions(ana_rec) == []
    teams_world.install("dora")
    send(teams_world, "dora", ana_card, value)
    [accepted] = teams_world.decisions(ana_rec)
    assert accepted["actor"] == "dora"
    decision = teams_world.recommendation(ana_rec)["decision"]
    assert (decision["actor"], decision["role"], decision["on_behalf_of"]) == (
        "dora",
        "backup",
        "ana",
    )


@pytest.mark.parametrize("code", ["NOT_A_REASON", "cost_tradeoff", "<script>", "x" * 3000])
def test_a_reason_code_that_does_not_exist_is_an_error_under_its_field(
    teams_world: TeamsWorld, code: str
) -> None:
    ana_rec, ana_card, _finn_rec, _finn_card = delivered(teams_world)
    value = find_submit(teams_world.connector.card_of(ana_card), "override")
    value |= {"override.reason_code": code, "override.note": "a note"}
    send(teams_world, "ana", ana_card, value)
    [put] = teams_world.updates_of(ana_card)
    assert "Unknown reason code" in texts(put.card) or "Choose a reason" in texts(put.card)
    assert teams_world.decisions(ana_rec) == []


def _data(world: TeamsWorld, card_id: str, **changes: Any) -> dict[str, Any]:
    value = find_submit(world.connector.card_of(card_id), "accept")
    return {"sopbot": value["sopbot"] | changes}


MALFORMED: list[Any] = [
    "accept",
    ["sopbot"],
    42,
    {"sopbot": "accept"},
    {"sopbot": None},
    {"sopbot": {"action": "accept"}},
]
MALFORMED_FIELDS: list[dict[str, Any]] = [
    {"recommendation_id": "one"},
    {"recommendation_id": 1.5},
    {"recommendation_id": 99999999999999999999999999},
    {"recommendation_id": -1},
    {"action": "delete_everything"},
    {"nonce": 7},
    {"on_behalf": "yes please"},
    {"actor_id": "ana"},
    {"v": 99, "variant": "owner'; DROP TABLE decisions; --"},
]


@pytest.mark.parametrize("value", MALFORMED + MALFORMED_FIELDS)
def test_malformed_submit_data_is_out_of_date_and_records_nothing(
    teams_world: TeamsWorld, value: Any
) -> None:
    ana_rec, ana_card, _finn_rec, _finn_card = delivered(teams_world)
    if value in MALFORMED_FIELDS:
        value = _data(teams_world, ana_card, **value)
    told = send(teams_world, "ana", ana_card, value)
    assert "out of date" in told
    assert teams_world.decisions(ana_rec) == []
    assert teams_world.updates_of(ana_card) == []


@pytest.mark.parametrize(
    "inputs",
    [
        {"override.reason_code": ["COST_TRADEOFF"]},
        {"override.reason_code": {"code": "COST_TRADEOFF"}},
        {"override.reason_code": "COST_TRADEOFF", "override.value": {"$gt": 0}},
        {"override.reason_code": "COST_TRADEOFF", "override.value": "1e999"},
        {"override.reason_code": "COST_TRADEOFF", "override.value": "NaN"},
    ],
)
def test_wrong_types_in_form_inputs_are_refused_on_the_card(
    teams_world: TeamsWorld, inputs: dict[str, Any]
) -> None:
    ana_rec, ana_card, _finn_rec, _finn_card = delivered(teams_world)
    value = find_submit(teams_world.connector.card_of(ana_card), "override") | inputs
    send(teams_world, "ana", ana_card, value)
    [put] = teams_world.updates_of(ana_card)
    assert "\u26a0" in texts(put.card)  # the error is on the card
    assert teams_world.decisions(ana_rec) == []


@pytest.mark.parametrize(
    "change",
    [
        {"type": "invoke", "name": "adaptiveCard/action", "value": "junk"},
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": "accept", "data": "junk"}},
        },
        {"type": "invoke", "name": "sopbot/nonsense", "value": {"sopbot": {}}},
        {"from": None},
        {"from": {}},
        {"text": 42},
        {"replyToId": {"a": 1}},
        {"channelData": "x"},
        {"entities": "x"},
    ],
)
def test_activity_shapes_teams_never_sends_are_refused_cleanly(
    teams_world: TeamsWorld, change: dict[str, Any]
) -> None:
    ana_rec, ana_card, _finn_rec, _finn_card = delivered(teams_world)
    activity = teams_world.activity(USERS["ana"], "message", text="queue") | change
    response = teams_world.post(activity)
    # 501 is botbuilder's answer to an invoke no handler implements (Teams expects it).
    assert response.status_code < 500 or response.status_code == 501, response.text
    assert "Traceback" not in response.text
    assert teams_world.decisions(ana_rec) == []
    assert teams_world.updates_of(ana_card) == []
