"""Block Kit rendering: the neutral message's content in Slack's shapes, every id an
enum member, every button value a pydantic model, and Slack's limits respected by
cutting with an ellipsis instead of failing the send."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View

from adapters.slack.blocks import (
    BUTTON_MAX,
    ELLIPSIS,
    MESSAGE_MAX_BLOCKS,
    SECTION_MAX,
    as_dicts,
    clip,
    message_blocks,
)
from adapters.slack.ids import ActionId, BlockId, CallbackId
from adapters.slack.modals import form_modal, home_view
from adapters.slack.payloads import ButtonValue, ModalMetadata
from core.messages import (
    Button,
    ButtonAction,
    Form,
    FormInput,
    InputKind,
    Message,
    MessageField,
    Option,
    Section,
)


def rec_message(**overrides: Any) -> Message:
    base = {
        "header": "Stockout risk: SKU-4711 at DC-NORTH",
        "text_label": "Recommended",
        "text": "Transfer 240 units from DC-SOUTH to DC-NORTH by Wednesday",
        "fields": [
            MessageField(label="Item", value="SKU-4711"),
            MessageField(label="Site", value="DC-NORTH"),
            MessageField(label="Supplier", value="SKF-DE"),
            MessageField(label="Quantity", value="240 pcs"),
        ],
        "sections": [
            Section(
                title="Why",
                lines=[
                    "Open sales orders (+45%): 3 large orders",
                    "Confidence 82%, interval 180-310 pcs",
                    "Data freshness: event Mon 08:02, entered 08:40",
                ],
            ),
            Section(
                title="History",
                lines=["Similar recommendations: 1 of the last 3 overridden (SUPPLIER_PATTERN)"],
            ),
        ],
        "context": ["Due Mon 30 Nov 17:00 CET", "#7 from planner-ai"],
        "buttons": [
            Button(action=a, label=a.value.title(), recommendation_id=7)
            for a in (ButtonAction.ACCEPT, ButtonAction.OVERRIDE, ButtonAction.REASSIGN)
        ],
        "recommendation_id": 7,
    }
    base.update(overrides)
    return Message(**base)


def all_elements(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_recommendation_renders_every_part() -> None:
    blocks = as_dicts(message_blocks(rec_message()))
    text = str(blocks)
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == "Stockout risk: SKU-4711 at DC-NORTH"
    for part in (
        "*Recommended:* Transfer 240 units",
        "*Item*\\nSKU-4711",
        "*Supplier*\\nSKF-DE",
        "*Quantity*\\n240 pcs",
        "*Why*",
        "Open sales orders (+45%)",
        "interval 180-310",
        "Data freshness",
        "*History*",
        "1 of the last 3 overridden",
        "Due Mon 30 Nov 17:00 CET",
    ):
        assert part in text, part
    buttons = all_elements(blocks)
    assert [b["action_id"] for b in buttons] == [
        ActionId.ACCEPT,
        ActionId.OVERRIDE,
        ActionId.REASSIGN,
    ]
    assert all(ButtonValue.model_validate_json(b["value"]).recommendation_id == 7 for b in buttons)


def test_limits_are_respected_by_cutting_never_by_failing() -> None:
    huge = rec_message(
        header="H" * 400,
        text="T" * 5000,
        fields=[MessageField(label=f"f{i}", value="v" * 2500) for i in range(40)],
        sections=[Section(title=f"s{i}", lines=["x" * 900] * 5) for i in range(80)],
        context=["c" * 4000],
        buttons=[Button(action=ButtonAction.ACCEPT, label="A" * 120, recommendation_id=7)],
    )
    blocks = as_dicts(message_blocks(huge))  # to_dict() would raise over any limit
    assert len(blocks) == MESSAGE_MAX_BLOCKS
    assert blocks[0]["text"]["text"].endswith(ELLIPSIS) and len(blocks[0]["text"]["text"]) == 150
    sections = [b for b in blocks if b["type"] == "section" and "text" in b]
    assert all(len(b["text"]["text"]) <= SECTION_MAX for b in sections)
    assert any(b["text"]["text"].endswith(ELLIPSIS) for b in sections)
    assert "more blocks not shown" in str(blocks)
    button = all_elements(blocks)[0]  # the buttons survive the cut
    assert len(button["text"]["text"]) == BUTTON_MAX and button["text"]["text"].endswith(ELLIPSIS)


def test_mrkdwn_control_characters_are_escaped() -> None:
    blocks = as_dicts(message_blocks(rec_message(text="<!channel> R&D > plan")))
    assert "&lt;!channel&gt; R&amp;D &gt; plan" in str(blocks)


def test_clip() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab" + ELLIPSIS


def test_modal_and_home_views_use_enum_ids() -> None:
    form = Form(
        action=ButtonAction.OVERRIDE,
        title="Override with a very long title indeed",
        submit_label="Record override",
        recommendation_id=7,
        inputs=[
            FormInput(
                name="reason_code",
                label="Reason",
                kind=InputKind.SELECT,
                required=True,
                options=[Option(value="X", label="L" * 100)],
            ),
            FormInput(name="note", label="Note", kind=InputKind.MULTILINE),
            FormInput(name="value", label="Value", kind=InputKind.NUMBER),
        ],
    )
    metadata = ModalMetadata(recommendation_id=7, channel="D0ANA", message_ts="1.2")
    view = form_modal(form=form, message=rec_message(), metadata=metadata).to_dict()
    assert view["callback_id"] == CallbackId.OVERRIDE
    assert len(view["title"]["text"]) <= 24
    assert ModalMetadata.model_validate_json(view["private_metadata"]) == metadata
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [BlockId(b["block_id"]) for b in inputs] == [
        BlockId.REASON_CODE,
        BlockId.NOTE,
        BlockId.VALUE,
    ]
    assert [ActionId(b["element"]["action_id"]) for b in inputs] == [
        ActionId.REASON_CODE_INPUT,
        ActionId.NOTE_INPUT,
        ActionId.VALUE_INPUT,
    ]
    assert len(inputs[0]["element"]["options"][0]["text"]["text"]) == 75

    many = home_view([rec_message(recommendation_id=i) for i in range(40)])
    assert isinstance(many, View)
    home = many.to_dict()
    assert home["type"] == "home" and len(home["blocks"]) <= 100
    assert all(ActionId(e["action_id"]) for e in all_elements(home["blocks"]))
