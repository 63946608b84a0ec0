"""Adaptive Card rendering: schema 1.5 valid, the same content as the other platforms,
and the submit payloads the bot relies on."""

from __future__ import annotations

import pytest

from adapters.teams.cards import OpenForm, render_card, render_input
from adapters.teams.payloads import CardSubmit, parse_submission
from core.config import Config
from core.messages import (
    Button,
    ButtonAction,
    ButtonStyle,
    Form,
    FormInput,
    InputKind,
    Message,
    MessageField,
    Option,
    Section,
    Tone,
)
from storage.models import Recommendation
from tests.support.cards import assert_valid_card, card_actions, card_validator, texts
from workflows.chat.commands import help_message
from workflows.sla.snooze import SNOOZE_CHOICES
from workflows.views.forms import extend_form, override_form, reassign_form
from workflows.views.message import HEADER_PREFIX, Purpose

VALIDATOR = card_validator()


def recommendation(rec_id: int = 7, **extra: object) -> Message:
    override = Form(
        action=ButtonAction.OVERRIDE,
        title="Override",
        submit_label="Record override",
        recommendation_id=rec_id,
        inputs=[
            FormInput(
                name="reason_code",
                label="Reason",
                kind=InputKind.SELECT,
                required=True,
                options=[Option(value="DATA_ERROR", label="Input data is wrong")],
                hint="Codes marked * need a note",
            ),
            FormInput(name="note", label="Note", kind=InputKind.MULTILINE),
            FormInput(
                name="value", label="Alternative value", kind=InputKind.NUMBER, placeholder="240"
            ),
        ],
    )
    reassign = Form(
        action=ButtonAction.REASSIGN,
        title="Reassign",
        submit_label="Hand over",
        recommendation_id=rec_id,
        inputs=[
            FormInput(
                name="to",
                label="Hand over to",
                kind=InputKind.SELECT,
                required=True,
                options=[Option(value="dora", label="Dora Novak")],
            ),
            FormInput(name="note", label="Why", kind=InputKind.TEXT, required=True),
        ],
    )
    values: dict = dict(
        header="Stockout risk: SKU-4711",
        text="Transfer 240 units",
        recommendation_id=rec_id,
        fields=[
            MessageField(label="Item", value="SKU-4711"),
            MessageField(label="Site", value="DC-NORTH"),
        ],
        sections=[
            Section(title="Why", lines=["Open sales orders (+45%)"]),
            Section(title="History", lines=["Similar: 1 of the last 2 overridden"]),
        ],
        context=["Due Mon 30 Nov 17:00 CET", "#7 from planner-ai"],
        buttons=[
            Button(
                action=ButtonAction.ACCEPT,
                label="Accept",
                recommendation_id=rec_id,
                style=ButtonStyle.PRIMARY,
            ),
            Button(action=ButtonAction.OVERRIDE, label="Override", recommendation_id=rec_id),
            Button(action=ButtonAction.REASSIGN, label="Reassign", recommendation_id=rec_id),
        ],
        forms=[override, reassign],
    )
    values.update(extra)
    return Message(**values)


def escalation(config: Config, rec_id: int = 7) -> Message:
    """The escalation as the workflow draws it for an escalation contact: its header,
    Extend SLA and the workflow's own Extend form (tests/workflows covers who gets it)."""
    plain = recommendation(rec_id)
    extend = Button(action=ButtonAction.EXTEND, label="Extend SLA", recommendation_id=rec_id)
    return plain.model_copy(
        update={
            "header": HEADER_PREFIX[Purpose.ESCALATION] + plain.header,
            "buttons": [*plain.buttons, extend],
            "forms": [*plain.forms, extend_form(Recommendation(id=rec_id), config)],
        }
    )


def reminder(rec_id: int = 7) -> Message:
    plain = recommendation(rec_id)
    snoozes = [
        Button(action=ButtonAction.SNOOZE, label=label, recommendation_id=rec_id, value=value)
        for value, label in SNOOZE_CHOICES.items()
    ]
    return plain.model_copy(
        update={
            "header": HEADER_PREFIX[Purpose.REMINDER] + plain.header,
            "buttons": [*plain.buttons, *snoozes],
        }
    )


def test_recommendation_card_has_the_same_content_and_three_choices() -> None:
    card = render_card(recommendation())
    assert_valid_card(VALIDATOR, card)
    assert card["version"] == "1.5"
    body = texts(card)
    for text in (
        "Stockout risk: SKU-4711",
        "Transfer 240 units",
        "Why",
        "Open sales orders",
        "History",
        "Due Mon 30 Nov 17:00 CET",
    ):
        assert text in body
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert {"title": "Site", "value": "DC-NORTH"} in facts
    accept, override, reassign = card["actions"]
    assert accept["type"] == "Action.Submit" and accept["style"] == "positive"
    payload = CardSubmit.model_validate(accept["data"]["sopbot"])
    assert payload.action == ButtonAction.ACCEPT and payload.recommendation_id == 7
    assert payload.nonce and payload.v == 1
    assert override["type"] == "Action.ShowCard"
    inputs = {i["id"]: i for i in override["card"]["body"] if i["type"].startswith("Input.")}
    assert inputs["override.reason_code"]["type"] == "Input.ChoiceSet"
    assert inputs["override.reason_code"]["isRequired"] is True
    assert (
        inputs["override.note"]["type"] == "Input.Text" and inputs["override.note"]["isMultiline"]
    )
    assert inputs["override.value"]["type"] == "Input.Text"  # "1,200" is typed, then read once
    [submit] = override["card"]["actions"]
    assert submit["data"]["sopbot"]["action"] == "override"
    assert reassign["type"] == "Action.ShowCard"
    people = next(i for i in reassign["card"]["body"] if i.get("id") == "reassign.to")
    assert people["type"] == "Input.ChoiceSet" and people["choices"][0]["value"] == "dora"


def test_each_rendering_has_a_fresh_nonce() -> None:
    first, second = render_card(recommendation()), render_card(recommendation())
    assert first["actions"][0]["data"] != second["actions"][0]["data"]


def test_decided_card_shows_the_status_and_no_actions() -> None:
    card = render_card(
        recommendation(
            buttons=[], forms=[], tone=Tone.GOOD, status="Accepted by Ana Lopez at Mon 10:14"
        )
    )
    assert_valid_card(VALIDATOR, card)
    assert "actions" not in card
    [badge] = [
        e
        for e in card["body"]
        if e["type"] == "Container" and e["items"][0].get("text", "").startswith("Accepted by")
    ]
    # A coloured container around readable text, not coloured prose (WCAG AA 4.5:1).
    assert badge["style"] == "good" and "color" not in badge["items"][0]
    assert all("color" not in e for e in card["body"] if e["type"] == "TextBlock")


def test_forms_read_like_the_menu_a_person_uses(config: Config) -> None:
    """Choice sets open on a placeholder; the reasons that need a note are marked in the
    menu itself, as the hint says."""
    rec = Recommendation(id=3, type="stockout_risk", owner_id="ana", quantity=240.0)
    override, reassign = override_form(rec, config), reassign_form(rec, config)
    [reason] = [i for i in override.inputs if i.name == "reason_code"]
    [to] = [i for i in reassign.inputs if i.name == "to"]
    reason_set = render_input(override, reason)[0]
    to_set = render_input(reassign, to)[0]
    assert reason_set["placeholder"] == "Choose a reason"
    assert to_set["placeholder"] == "Choose a colleague"
    marked = {c["title"] for c in reason_set["choices"] if c["title"].endswith(" *")}
    needs_note = {f"{r.label} *" for r in config.reason_codes if r.note_required}
    assert marked == needs_note and marked
    assert reason.hint == "Reasons marked * need a note."


def test_error_card_opens_the_form_keeps_values_and_shows_the_error_by_the_field() -> None:
    form = OpenForm(
        action=ButtonAction.OVERRIDE,
        values={"note": "typed", "value": "12.5"},
        errors={"reason_code": "Choose a reason for the override."},
    )
    card = render_card(recommendation(), open_form=form)
    assert_valid_card(VALIDATOR, card)
    items = card["body"][-1]["items"]
    ids = [i.get("id") for i in items]
    reason_at = ids.index("override.reason_code")
    after = [i for i in items[reason_at + 1 :] if not i.get("isSubtle")][0]
    # An attention badge around default text (readable in Teams' dark theme too).
    assert after["style"] == "attention" and "Choose a reason" in after["items"][0]["text"]
    assert "color" not in after["items"][0]
    assert items[ids.index("override.note")]["value"] == "typed"
    assert items[ids.index("override.value")]["value"] == "12.5"  # shown as typed
    assert [a["title"] for a in card["actions"]] == ["Record override", "Cancel"]


def test_digest_and_help_cards_are_valid() -> None:
    digest = Message(header="Daily digest", items=[recommendation(1), recommendation(2)])
    card = render_card(digest)
    assert_valid_card(VALIDATOR, card)
    sets = [
        e
        for c in card["body"]
        if c["type"] == "Container"
        for e in c["items"]
        if e["type"] == "ActionSet"
    ]
    assert [a["data"]["sopbot"]["action"] for a in sets[0]["actions"]] == ["accept", "open", "open"]
    assert_valid_card(VALIDATOR, render_card(help_message()))


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        {"sopbot": "x"},
        {"sopbot": {"action": "accept"}},
        {"sopbot": {"action": "explode", "recommendation_id": 1, "nonce": "n"}},
    ],
)
def test_foreign_submits_are_not_ours(value: object) -> None:
    assert parse_submission(value) is None


def test_submission_inputs_are_read_by_action_prefix() -> None:
    data = render_card(recommendation())["actions"][1]["card"]["actions"][0]["data"]
    sub = parse_submission(
        {
            **data,
            "override.reason_code": "DATA_ERROR",
            "override.note": " x ",
            "reassign.note": "not mine",
        }
    )
    assert sub is not None
    assert sub.inputs == {"reason_code": "DATA_ERROR", "note": " x "} and sub.text("note") == "x"


def test_a_date_time_is_a_date_and_a_time_and_keeps_what_was_entered(config: Config) -> None:
    message = escalation(config)
    entered = {"due_at.date": "2026-12-02", "due_at.time": "", "reason": "Supplier"}
    card = render_card(
        message,
        open_form=OpenForm(
            action=ButtonAction.EXTEND, values=entered, errors={"due_at": "Give the new due time"}
        ),
    )
    assert_valid_card(VALIDATOR, card)
    inputs = {i["id"]: i for el in card["body"] for i in el.get("items", []) if "id" in i}
    assert inputs["extend.due_at.date"] == {
        "type": "Input.Date",
        "id": "extend.due_at.date",
        "label": "New due time",
        "isRequired": True,
        "errorMessage": "New due time: choose a date.",
        "value": "2026-12-02",
    }
    assert inputs["extend.due_at.time"]["type"] == "Input.Time"
    assert "value" not in inputs["extend.due_at.time"]
    assert "Give the new due time" in texts(card)
    submit = parse_submission(
        {
            "sopbot": card["actions"][0]["data"]["sopbot"],
            "extend.due_at.date": "2026-12-02",
            "extend.due_at.time": "12:00",
        }
    )
    assert submit is not None and submit.moment("due_at") == "2026-12-02 12:00"
    assert submit.submit.variant == Purpose.ESCALATION
    half = parse_submission(
        {"sopbot": card["actions"][0]["data"]["sopbot"], "extend.due_at.date": "2026-12-02"}
    )
    assert half is not None and half.moment("due_at") == ""  # refused by the workflow


def test_reminder_card_has_its_snooze_row_and_carries_its_purpose() -> None:
    card = render_card(reminder())
    assert_valid_card(VALIDATOR, card)
    assert len(card["actions"]) <= 6  # what Teams shows
    row = next(el for el in card["body"] if el["type"] == "ActionSet")
    assert [a["data"]["sopbot"]["value"] for a in row["actions"]] == ["1h", "4h", "nbd"]
    submits = [a["data"]["sopbot"] for a in card_actions(card) if "data" in a]
    assert {s.get("variant") for s in submits} == {"reminder"}  # redrawn as the reminder
    plain = render_card(recommendation())
    assert all("variant" not in a["data"]["sopbot"] for a in card_actions(plain) if "data" in a)


def test_one_card_s_buttons_are_told_apart_for_dedupe() -> None:
    def fingerprint(**submit: object) -> str:
        data = {"action": "snooze", "recommendation_id": 7, "nonce": "abc", **submit}
        parsed = parse_submission({"sopbot": data})
        assert parsed is not None
        return parsed.fingerprint()

    assert fingerprint(value="1h") != fingerprint(value="4h")
    assert fingerprint(action="accept") != fingerprint(action="accept", recommendation_id=8)
    assert fingerprint(value="1h") == fingerprint(value="1h")
