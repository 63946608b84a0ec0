"""Requests that are signed (so they come through Slack) but carry what sopbot never
rendered: unknown action, block and callback ids, button values and private_metadata
changed by hand, reason codes that do not exist, malformed JSON and wrong types. Each is
acked (never a 500, never a stack trace), records nothing, and where a person can be
told something they are told it. The decider is always the signed sender."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.ids import ActionId, BlockId, CallbackId
from tests.hostile.slack_helpers import decisions, effects, event_kinds, quiet
from tests.support.slack import SlackWorld, open_override, override_values
from tests.support.slack_http import (
    TEAM,
    block_actions,
    button_in,
    selected,
    typed,
    view_submission,
)

FINN_REC = {
    "type": "demand_revision",
    "title": "SKU-9000 forecast for December",
    "action": "Raise the December forecast by 15%",
    "sku": "SKU-9000",
}


def assert_clean(response: Any) -> None:
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text and "Error" not in response.text


def ana_and_finn(world: SlackWorld) -> tuple[int, int, Any]:
    """Ana's recommendation and Finn's (whose message Finn tampers with)."""
    ana_rec = world.ingest()
    finn_rec = world.ingest(**FINN_REC)
    finn_dm = world.dm_to("U0FINN")
    world.fake.reset()
    return ana_rec, finn_rec, finn_dm


def tampered(button: dict[str, Any], value: str) -> dict[str, Any]:
    return {**button, "value": value}


# --- unknown ids ------------------------------------------------------------------------


@pytest.mark.parametrize("action_id", ["sopbot_delete_everything", "x" * 255, ""])
def test_unknown_action_ids_are_acked_and_change_nothing(
    slack_world: SlackWorld, action_id: str
) -> None:
    rec_id = slack_world.ingest()
    dm = slack_world.dm_to("U0ANA")
    slack_world.fake.reset()
    button = {**button_in(dm.blocks, ActionId.ACCEPT), "action_id": action_id}
    click = block_actions(user_id="U0ANA", button=button, channel=dm.channel, message_ts=dm.ts)
    assert_clean(slack_world.slack.interactive(click))
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []
    assert effects(slack_world) == []


def test_an_unknown_block_id_on_a_known_button_is_just_that_button(
    slack_world: SlackWorld,
) -> None:
    """block ids are layout, not authority: the click is the button's, checked as any."""
    rec_id = slack_world.ingest()
    dm = slack_world.dm_to("U0ANA")
    click = block_actions(
        user_id="U0ANA",
        button=button_in(dm.blocks, ActionId.ACCEPT),
        channel=dm.channel,
        message_ts=dm.ts,
    )
    click["actions"][0]["block_id"] = "sopbot_not_a_block"
    assert_clean(slack_world.slack.interactive(click))
    quiet(slack_world)
    assert [d.actor_id for d in decisions(slack_world, rec_id)] == ["ana"]


def test_an_unknown_callback_id_is_acked_and_changes_nothing(slack_world: SlackWorld) -> None:
    rec_id, _dm, view = open_override(slack_world)
    slack_world.fake.reset()
    view = {**view, "callback_id": "sopbot_drop_tables_modal"}
    values = override_values("COST_TRADEOFF")
    submission = view_submission(user_id="U0ANA", view=view, values=values)
    assert_clean(slack_world.slack.interactive(submission))
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []
    assert effects(slack_world) == []


# --- tampered button values ---------------------------------------------------------------


@pytest.mark.parametrize("action_id", [ActionId.ACCEPT, ActionId.OVERRIDE, ActionId.REASSIGN])
@pytest.mark.parametrize("on_behalf", [False, True])
def test_a_button_pointed_at_someone_elses_recommendation_is_refused(
    slack_world: SlackWorld, action_id: ActionId, on_behalf: bool
) -> None:
    ana_rec, finn_rec, finn_dm = ana_and_finn(slack_world)
    value = {"recommendation_id": ana_rec} | ({"on_behalf": True} if on_behalf else {})
    button = tampered(button_in(finn_dm.blocks, action_id), json.dumps(value))
    click = block_actions(
        user_id="U0FINN", button=button, channel=finn_dm.channel, message_ts=finn_dm.ts
    )
    assert_clean(slack_world.slack.interactive(click))
    told = slack_world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == "U0FINN"
    assert "Only Ana Lopez, their backup or their escalation contacts" in told[0]["text"]
    quiet(slack_world)
    assert decisions(slack_world, ana_rec) == decisions(slack_world, finn_rec) == []
    assert slack_world.fake.calls_to("chat.update") == []
    assert slack_world.fake.calls_to("views.open") == []


def test_a_button_pointed_at_a_recommendation_that_does_not_exist(slack_world: SlackWorld) -> None:
    _ana_rec, finn_rec, finn_dm = ana_and_finn(slack_world)
    button = tampered(button_in(finn_dm.blocks, ActionId.ACCEPT), '{"recommendation_id": 987654}')
    click = block_actions(
        user_id="U0FINN", button=button, channel=finn_dm.channel, message_ts=finn_dm.ts
    )
    assert_clean(slack_world.slack.interactive(click))
    told = slack_world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == "U0FINN"
    quiet(slack_world)
    assert decisions(slack_world, finn_rec) == []
    assert slack_world.fake.calls_to("chat.update") == []


BAD_VALUES = [
    "not json {",
    "",
    "null",
    "[1, 2]",
    '{"recommendation_id": "one"}',
    '{"recommendation_id": 1.5}',
    '{"recommendation_id": 99999999999999999999999999}',
    '{"recommendation_id": -1}',
    '{"recommendation_id": %d, "actor_id": "ana"}',  # a decider named in the payload
    '{"recommendation_id": %d, "person_id": "ana", "on_behalf": true}',
    '{"recommendation_id": %d, "on_behalf": "yes please"}',
    '{"recommendation_id": %d, "value": {"nested": true}}',
]


@pytest.mark.parametrize("action_id", [ActionId.ACCEPT, ActionId.OVERRIDE])
@pytest.mark.parametrize("raw", BAD_VALUES)
def test_malformed_button_values_are_acked_and_record_nothing(
    slack_world: SlackWorld, action_id: ActionId, raw: str
) -> None:
    ana_rec, finn_rec, finn_dm = ana_and_finn(slack_world)
    value = raw % ana_rec if "%d" in raw else raw
    button = tampered(button_in(finn_dm.blocks, action_id), value)
    click = block_actions(
        user_id="U0FINN", button=button, channel=finn_dm.channel, message_ts=finn_dm.ts
    )
    assert_clean(slack_world.slack.interactive(click))
    told = slack_world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == "U0FINN" and "nothing was recorded" in told[0]["text"]
    quiet(slack_world)
    assert decisions(slack_world, ana_rec) == decisions(slack_world, finn_rec) == []
    assert slack_world.fake.calls_to("chat.update") == []
    assert slack_world.fake.calls_to("views.open") == []


def test_the_decider_is_the_signed_sender_not_the_message_owner(slack_world: SlackWorld) -> None:
    """Dora (Ana's backup) presses the button of Ana's message: the decision is Dora's,
    on Ana's behalf; nothing in the payload can make it Ana's."""
    rec_id = slack_world.ingest()
    dm = slack_world.dm_to("U0ANA")
    button = button_in(dm.blocks, ActionId.ACCEPT)
    click = block_actions(user_id="U0DORA", button=button, channel=dm.channel, message_ts=dm.ts)
    click["user"]["username"] = "ana"
    click["message"]["user"] = "U0ANA"
    assert_clean(slack_world.slack.interactive(click))
    quiet(slack_world)
    [decision] = decisions(slack_world, rec_id)
    assert (decision.actor_id, decision.role, decision.on_behalf_of) == ("dora", "backup", "ana")


# --- tampered modal submissions ------------------------------------------------------------


def finn_override_view(world: SlackWorld) -> tuple[int, int, dict[str, Any]]:
    """Finn opens the override modal of his own recommendation (then edits it)."""
    ana_rec, finn_rec, finn_dm = ana_and_finn(world)
    click = block_actions(
        user_id="U0FINN",
        button=button_in(finn_dm.blocks, ActionId.OVERRIDE),
        channel=finn_dm.channel,
        message_ts=finn_dm.ts,
    )
    assert world.slack.interactive(click).status_code == 200
    [opened] = world.fake.wait_for("views.open")
    world.fake.reset()
    return ana_rec, finn_rec, opened["view"]


@pytest.mark.parametrize("callback", [CallbackId.OVERRIDE, CallbackId.REASSIGN])
def test_private_metadata_pointed_at_someone_elses_recommendation(
    slack_world: SlackWorld, callback: CallbackId
) -> None:
    ana_rec, finn_rec, view = finn_override_view(slack_world)
    metadata = json.loads(view["private_metadata"]) | {"recommendation_id": ana_rec}
    view = {**view, "callback_id": callback, "private_metadata": json.dumps(metadata)}
    values = (
        override_values("ALREADY_ACTIONED")
        if callback == CallbackId.OVERRIDE
        else selected(BlockId.TO, ActionId.TO_INPUT, "finn")
        | typed(BlockId.NOTE, ActionId.NOTE_INPUT, "mine now")
    )
    response = slack_world.slack.interactive(
        view_submission(user_id="U0FINN", view=view, values=values)
    )
    assert_clean(response)
    assert "errors" not in response.text
    told = slack_world.fake.wait_for("chat.postEphemeral")
    assert told and told[0]["user"] == "U0FINN" and "Only Ana Lopez" in told[0]["text"]
    quiet(slack_world)
    assert decisions(slack_world, ana_rec) == decisions(slack_world, finn_rec) == []
    assert "reassigned" not in event_kinds(slack_world, ana_rec)
    assert slack_world.fake.calls_to("chat.update") == []


BAD_METADATA = [
    "",
    "not json {",
    "[]",
    '{"recommendation_id": "one"}',
    '{"recommendation_id": %d, "actor_id": "ana"}',
    '{"recommendation_id": %d, "channel": ["C0X"]}',
]


@pytest.mark.parametrize("callback", [CallbackId.OVERRIDE, CallbackId.REASSIGN, CallbackId.EXTEND])
@pytest.mark.parametrize("raw", BAD_METADATA)
def test_malformed_private_metadata_is_acked_and_records_nothing(
    slack_world: SlackWorld, callback: CallbackId, raw: str
) -> None:
    ana_rec, finn_rec, view = finn_override_view(slack_world)
    view = {
        **view,
        "callback_id": callback,
        "private_metadata": raw % ana_rec if "%d" in raw else raw,
    }
    values = override_values("ALREADY_ACTIONED") | selected(BlockId.TO, ActionId.TO_INPUT, "ana")
    response = slack_world.slack.interactive(
        view_submission(user_id="U0FINN", view=view, values=values)
    )
    assert_clean(response)
    quiet(slack_world)
    assert decisions(slack_world, ana_rec) == decisions(slack_world, finn_rec) == []
    assert "reassigned" not in event_kinds(slack_world, ana_rec) + event_kinds(
        slack_world, finn_rec
    )
    assert slack_world.fake.calls_to("chat.update") == []


@pytest.mark.parametrize("code", ["NOT_A_REASON", "", "supplier_pattern", "<script>", "x" * 5000])
def test_a_reason_code_that_does_not_exist_is_an_error_next_to_the_field(
    slack_world: SlackWorld, code: str
) -> None:
    rec_id, _dm, view = open_override(slack_world)
    slack_world.fake.reset()
    values = override_values(code, "a note", "10")
    response = slack_world.slack.interactive(
        view_submission(user_id="U0ANA", view=view, values=values)
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [BlockId.REASON_CODE]
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"reason_code": {"sopbot_reason_code": {"type": "static_select", "selected_option": None}}},
        {"reason_code": {"sopbot_reason_code": {"type": "static_select", "selected_option": 7}}},
        {"value": {"sopbot_value": {"type": "number_input", "value": ["1"]}}},
        {"value": {"sopbot_value": {"type": "number_input", "value": "1e999"}}},
        {"note": {"sopbot_note": {"type": "plain_text_input", "value": {"$ne": 1}}}},
    ],
)
def test_wrong_types_in_modal_values_are_refused_cleanly(
    slack_world: SlackWorld, values: dict[str, Any]
) -> None:
    rec_id, _dm, view = open_override(slack_world)
    slack_world.fake.reset()
    response = slack_world.slack.interactive(
        view_submission(user_id="U0ANA", view=view, values=values)
    )
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []


# --- shapes Slack never sends ---------------------------------------------------------------

SHAPES: list[Any] = [
    {"type": "block_actions", "user": {"id": "U0ANA"}, "team": TEAM, "actions": []},
    {
        "type": "block_actions",
        "team": TEAM,
        "actions": [{"action_id": "sopbot_accept", "value": '{"recommendation_id": 1}'}],
    },
    {
        "type": "block_actions",
        "user": {"id": "U0ANA"},
        "team": TEAM,
        "actions": [{"action_id": "sopbot_accept"}],
    },
    {
        "type": "block_actions",
        "user": {"id": "U0ANA"},
        "team": TEAM,
        "actions": [{"action_id": "sopbot_snooze", "selected_option": "1h"}],
    },
    {
        "type": "view_submission",
        "user": {"id": "U0ANA"},
        "team": TEAM,
        "view": {"callback_id": "sopbot_override_modal"},
    },
    {
        "type": "view_submission",
        "user": {"id": "U0ANA"},
        "team": TEAM,
        "view": {
            "type": "modal",
            "callback_id": "sopbot_override_modal",
            "private_metadata": '{"recommendation_id": 1}',
            "state": [],
        },
    },
    {
        "type": "view_submission",
        "team": TEAM,
        "view": {
            "type": "modal",
            "callback_id": "sopbot_extend_modal",
            "private_metadata": '{"recommendation_id": 1}',
        },
    },
    {
        "type": "view_submission",
        "user": {"id": "U0ANA"},
        "team": TEAM,
        "view": {
            "type": "modal",
            "callback_id": "sopbot_extend_modal",
            "private_metadata": '{"recommendation_id": 1}',
            "state": {
                "values": {
                    "due_at": {
                        "sopbot_due_at": {"type": "datetimepicker", "selected_date_time": 10**30}
                    }
                }
            },
        },
    },
    {"type": "view_closed", "user": {"id": "U0ANA"}, "team": TEAM, "view": {"type": "modal"}},
    {"type": "nonsense"},
    [1, 2],
    "payload",
    None,
]


@pytest.mark.parametrize("payload", SHAPES)
def test_payload_shapes_slack_never_sends_are_refused_cleanly(
    slack_world: SlackWorld, payload: Any
) -> None:
    rec_id = slack_world.ingest()
    slack_world.fake.reset()
    response = slack_world.slack.interactive(payload)
    assert response.status_code in (200, 400, 404), response.text
    assert "Traceback" not in response.text
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []
    assert "sla_extended" not in event_kinds(slack_world, rec_id)
    assert [m for m in effects(slack_world) if m != "chat.postEphemeral"] == []


@pytest.mark.parametrize("number", ["NaN", "1e999", "-inf", "12abc"])
def test_a_value_that_is_no_finite_number_is_an_error_next_to_its_field(
    slack_world: SlackWorld, number: str
) -> None:
    rec_id, _dm, view = open_override(slack_world)
    values = override_values("COST_TRADEOFF", None, number)
    response = slack_world.slack.interactive(
        view_submission(user_id="U0ANA", view=view, values=values)
    )
    assert response.status_code == 200
    assert list(response.json()["errors"]) == [BlockId.VALUE]
    quiet(slack_world)
    assert decisions(slack_world, rec_id) == []
