"""`as_dicts` (adapters.slack.block_dicts) gives exactly what slack_sdk's `to_dict()`
gives, and refuses exactly what it refuses: for every kind of block we draw (messages,
digests, queue pages, modals, the Home tab) and for generated messages and raw blocks
at and past Slack's limits."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageElement,
    MarkdownTextObject,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from adapters.slack.block_dicts import plain
from adapters.slack.blocks import as_dicts, message_blocks
from adapters.slack.modals import form_modal, home_view
from adapters.slack.payloads import ModalMetadata
from adapters.slack.queue import queue_blocks
from core.messages import Button, ButtonAction, ButtonStyle, Message, MessageField, Section
from tests.adapters.slack.test_blocks import rec_message
from workflows.chat.inbox import QueuePage
from workflows.views.forms import extend_form, override_form
from workflows.views.message import SNOOZE_CHOICES


def slack_sdk_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def assert_same(blocks: list[Block]) -> None:
    assert as_dicts(blocks) == slack_sdk_dicts(blocks)


def reminder() -> Message:
    snoozes = [
        Button(action=ButtonAction.SNOOZE, label=label, recommendation_id=7, value=value)
        for value, label in SNOOZE_CHOICES.items()
    ]
    message = rec_message(
        header="Reminder: Stockout risk",
        status="Overridden by Ana",
        context=["Due in 2 business hours", "#7 from planner-ai"],
    )
    message.buttons[0].style = ButtonStyle.PRIMARY
    message.buttons += snoozes
    return message


def test_every_block_we_draw_serialises_as_slack_sdk_does() -> None:
    entries = [rec_message(recommendation_id=i) for i in range(1, 11)]
    digest = rec_message(header="Your digest (1 of 2)", items=entries)
    huge = rec_message(
        header="H" * 400,
        text="T" * 5000,
        fields=[MessageField(label=f"f{i}", value="v" * 2500) for i in range(40)],
        sections=[Section(title=f"s{i}", lines=["x" * 900] * 5) for i in range(80)],
    )
    for message in (rec_message(), reminder(), digest, huge, rec_message(buttons=[], fields=[])):
        assert_same(message_blocks(message))
    items = [rec_message(recommendation_id=i) for i in range(1, 11)]
    for page in (
        QueuePage(items=items, page=2, pages=3, total=25),
        QueuePage(items=[], page=1, pages=1, total=0),
    ):
        assert_same(queue_blocks(page, notice="Accepted #7"))


def test_modals_and_the_home_tab_serialise_as_slack_sdk_does(config: Any) -> None:
    rec = type(
        "Rec",
        (),
        {"id": 7, "type": "stockout_risk", "quantity": 240.0, "owner_id": config.people[0].id},
    )()
    metadata = ModalMetadata(recommendation_id=7, channel="D0ANA", message_ts="1.2")
    for form in (override_form(rec, config), extend_form(rec, config)):
        view = form_modal(form=form, message=rec_message(), metadata=metadata)
        assert_same(list(view.blocks))
    home = home_view([rec_message(recommendation_id=i) for i in range(1, 30)], total=40)
    assert_same(list(home.blocks))
    assert plain(home) == home.to_dict()  # the Home tab is published as plain(view)


def test_raw_blocks_of_every_kind_serialise_as_slack_sdk_does() -> None:
    confirm = ConfirmObject(title="Sure?", text="It cannot be undone", confirm="Yes", deny="No")
    options = [Option(value=f"v{i}", text=f"Option {i}", description="more") for i in range(3)]
    assert_same(
        [
            DividerBlock(),
            SectionBlock(
                text=PlainTextObject(text="plain", emoji=True),
                accessory=ImageElement(image_url="https://example.com/a.png", alt_text="a"),
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Go", action_id="go", value="1", style="danger", confirm=confirm
                    ),
                    StaticSelectElement(
                        action_id="pick",
                        placeholder="Pick",
                        option_groups=[OptionGroup(label="G", options=options)],
                    ),
                    StaticSelectElement(
                        action_id="pick2", options=options, initial_option=options[1]
                    ),
                ]
            ),
            ContextBlock(elements=[MarkdownTextObject(text="*small*", verbatim=True)]),
        ]
    )


def outcome(blocks: list[Block], serialise: Any) -> Any:
    try:
        return ("ok", serialise(blocks))
    except SlackObjectFormationError as exc:
        return ("refused", str(exc))


# Texts around Slack's limits: 150 (header), 75 (button), 2000 (field), 3000 (section).
lengths = st.sampled_from([0, 1, 74, 75, 76, 149, 150, 151, 1999, 2000, 2001, 2999, 3000, 3001])
texts = st.builds(lambda n, c: c * n, lengths, st.sampled_from(["x", "é", "<&>", " "]))


@settings(max_examples=150, deadline=None)
@given(
    header=texts,
    button=texts,
    field=texts,
    section=texts,
    fields=st.integers(0, 12),
    style=st.sampled_from([None, "primary", "danger", "loud"]),
    action=st.sampled_from(["accept", "a" * 256]),
)
def test_generated_raw_blocks_are_refused_exactly_when_slack_sdk_refuses(
    header: str,
    button: str,
    field: str,
    section: str,
    fields: int,
    style: str | None,
    action: str,
) -> None:
    """Not clipped first, so every one of Slack's limits is reached on both sides."""
    blocks: list[Block] = [
        HeaderBlock(text=header),
        SectionBlock(
            text=MarkdownTextObject(text=section or "-"),
            fields=[MarkdownTextObject(text=field)] * fields or None,
        ),
        ActionsBlock(
            elements=[ButtonElement(text=button, action_id=action, value="v", style=style)]
        ),
    ]
    mine = outcome(blocks, as_dicts)
    assert mine == outcome(blocks, slack_sdk_dicts)


@settings(max_examples=80, deadline=None)
@given(header=texts, text=texts, value=texts, count=st.integers(0, 30))
def test_generated_messages_serialise_as_slack_sdk_does(
    header: str, text: str, value: str, count: int
) -> None:
    message = rec_message(
        header=header or "-",
        text=text or None,
        fields=[MessageField(label="L", value=value or "-")] * count,
        sections=[Section(title="Why", lines=[value or "-"])] * count,
    )
    assert_same(message_blocks(message))


@pytest.mark.parametrize("value", ["text", 3, 2.5, True, None, {"a": [1]}, ["x", {"b": 2}]])
def test_values_that_are_not_objects_pass_through(value: Any) -> None:
    assert plain(value) == (list(value) if isinstance(value, list) else value)


def test_over_a_limit_is_refused_with_slack_sdks_own_error() -> None:
    over = (
        [HeaderBlock(text="H" * 151)],
        [ActionsBlock(elements=[ButtonElement(text="B" * 76, action_id="a")])],
        [SectionBlock(fields=[MarkdownTextObject(text="f")] * 11)],
    )
    for blocks in over:
        refused = outcome(blocks, as_dicts)
        assert refused[0] == "refused" and refused == outcome(blocks, slack_sdk_dicts)


@settings(max_examples=150, deadline=None)
@given(
    text=texts,
    value=texts,
    description=st.one_of(st.none(), texts),
    url=st.sampled_from([None, "https://example.com/x"]),
    as_label=st.booleans(),
)
def test_generated_options_are_drawn_and_refused_exactly_as_slack_sdk_does(
    text: str, value: str, description: str | None, url: str | None, as_label: bool
) -> None:
    """Options are drawn here, not by their own to_dict(): held to it at the limits
    (75 for the text, 150 for the value), with a label instead of a text, a description
    and a url."""
    named = {"label": text} if as_label else {"text": text}
    option = Option(value=value or "v", description=description, url=url, **named)
    blocks: list[Block] = [
        ActionsBlock(
            elements=[
                StaticSelectElement(action_id="snooze", options=[option], placeholder="Snooze")
            ]
        ),
        SectionBlock(
            text=MarkdownTextObject(text="-"),
            accessory=OverflowMenuElement(action_id="more", options=[option, option]),
        ),
    ]
    assert outcome(blocks, as_dicts) == outcome(blocks, slack_sdk_dicts)
