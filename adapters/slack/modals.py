"""Slack views built from neutral forms and messages: the override, reassign and extend
SLA modals (with the recommendation shown above the inputs) and the Home tab with a
person's queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DateTimePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from adapters.slack.blocks import (
    HEADER_MAX,
    VIEW_MAX_BLOCKS,
    button_elements,
    clip,
    escape,
    fit,
    summary_blocks,
)
from adapters.slack.ids import FORM_CALLBACKS, FORM_INPUTS, CallbackId
from adapters.slack.payloads import ModalMetadata
from core.messages import Form, FormInput, InputKind, Message

TITLE_MAX = 24
LABEL_MAX = 2000
OPTION_MAX = 75
OPTIONS_MAX = 100
PLACEHOLDER_MAX = 150
NOTE_MAX_CHARS = 2000
NUMBER_MAX_CHARS = 40  # "1 234 567,89" and then some
MAX_STAMP = 253402300799  # 9999-12-31T23:59:59Z, the last moment a datetime can hold

NOT_CONFIGURED = (
    "You are not in the sopbot configuration, so there is nothing here for you. "
    "Ask your sopbot administrator to add your Slack user id or email to the people list."
)


def _placeholder(text: str | None) -> PlainTextObject | None:
    return PlainTextObject(text=clip(text, PLACEHOLDER_MAX)) if text else None


def _element(spec: FormInput, action_id: str) -> Any:
    placeholder = _placeholder(spec.placeholder)
    if spec.kind == InputKind.SELECT:
        options = [
            Option(value=o.value, text=clip(o.label, OPTION_MAX))
            for o in spec.options[:OPTIONS_MAX]
        ]
        return StaticSelectElement(action_id=action_id, options=options, placeholder=placeholder)
    if spec.kind == InputKind.NUMBER:
        # Plain text, not number_input: Slack's number box refuses "1,200" or "1.200,5";
        # what a typed number means is decided once, in workflows (core.numbers).
        return PlainTextInputElement(
            action_id=action_id, placeholder=placeholder, max_length=NUMBER_MAX_CHARS
        )
    if spec.kind == InputKind.DATETIME:
        return DateTimePickerElement(action_id=action_id)
    return PlainTextInputElement(
        action_id=action_id,
        placeholder=placeholder,
        multiline=spec.kind == InputKind.MULTILINE,
        max_length=NOTE_MAX_CHARS,
    )


def input_blocks(form: Form) -> list[Block]:
    blocks: list[Block] = []
    for spec in form.inputs:
        block_id, action_id = FORM_INPUTS[spec.name]
        hint = PlainTextObject(text=clip(spec.hint, LABEL_MAX)) if spec.hint else None
        blocks.append(
            InputBlock(
                block_id=block_id,
                label=clip(spec.label, LABEL_MAX),
                element=_element(spec, action_id),
                optional=not spec.required,
                hint=hint,
            )
        )
    return blocks


def form_modal(*, form: Form, message: Message, metadata: ModalMetadata) -> View:
    """The modal for an Override, Reassign or Extend SLA button: the recommendation, then
    the inputs."""
    context: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"*{escape(message.header)}*", 3000)))
    ]
    context += summary_blocks(message.model_copy(update={"status": None}))
    inputs = input_blocks(form)
    return View(
        type="modal",
        callback_id=FORM_CALLBACKS[form.action],
        title=clip(form.title, TITLE_MAX),
        submit=clip(form.submit_label, TITLE_MAX),
        close="Cancel",
        private_metadata=metadata.dump(),
        blocks=fit(context + [DividerBlock()], inputs, VIEW_MAX_BLOCKS),
    )


def _text(raw: Any) -> str | None:
    """Submitted text, or None for anything else a tampered payload may carry."""
    return raw if isinstance(raw, str) else None


def _stamp(raw: Any) -> str | None:
    """A datetimepicker's Unix time as digits, or None when it is not a plausible one."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_STAMP:
        return str(raw)
    return None


def read_values(state_values: Any) -> dict[str, str | None]:
    """A view submission's `view.state.values` as {form input name: submitted text}.
    Slack sends strings (a Unix time for a date-time); any other shape, which only a
    hand-made request has, reads as not filled in, and the workflow says what is missing."""
    values: dict[str, str | None] = {}
    if not isinstance(state_values, Mapping):
        return values
    for name, (block_id, action_id) in FORM_INPUTS.items():
        block = state_values.get(block_id)
        entry = block.get(action_id) if isinstance(block, Mapping) else None
        if not isinstance(entry, Mapping):
            continue
        if entry.get("type") == "static_select":
            selected = entry.get("selected_option")
            values[name] = _text(selected.get("value")) if isinstance(selected, Mapping) else None
        elif entry.get("type") == "datetimepicker":
            values[name] = _stamp(entry.get("selected_date_time"))
        else:
            values[name] = _text(entry.get("value"))
    return values


def submitted_values(view: Mapping[str, Any]) -> dict[str, str | None]:
    """`read_values` of a submitted view, whatever shape its `state` has."""
    state = view.get("state")
    return read_values(state.get("values") if isinstance(state, Mapping) else None)


def _home_entry(message: Message, room: int) -> list[Block]:
    """One Home tab entry: a divider, what it is, its summary and its buttons, cut (the
    buttons kept) when it alone would not fit `room` blocks."""
    head: list[Block] = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=clip(f"*{escape(message.header)}*", 3000))),
    ]
    tail: list[Block] = []
    if message.buttons:
        tail.append(ActionsBlock(elements=button_elements(message.buttons)))
    return fit(head + summary_blocks(message), tail, room)


def home_view(messages: Sequence[Message], *, total: int | None = None) -> View:
    """The Home tab: the person's open queue, soonest due first, each with its buttons.
    Entries are taken whole while their measured blocks fit the view's 100 (an entry's
    size depends on its fields, drivers and history, so nothing assumes one), and the
    header counts the entries actually shown: when more are open, it says how many and
    where the rest are, so a planner never takes the tab for the whole queue."""
    total = len(messages) if total is None else total
    room = VIEW_MAX_BLOCKS - 2  # the header and its count line
    body: list[Block] = []
    shown = 0
    for message in messages:
        entry = _home_entry(message, room)
        if len(body) + len(entry) > room:
            break
        body += entry
        shown += 1
    head: list[Block] = [HeaderBlock(text=clip("Your open recommendations", HEADER_MAX))]
    if not messages:
        count = "Nothing waiting for you. · type `/sopbot help` for commands"
    elif total > shown:
        count = (
            f"*{total} open*; the {shown} due soonest are shown here · "
            "`/sopbot queue` pages through all of them"
        )
    else:
        count = f"{total} open, soonest due first · type `/sopbot help` for commands"
    head.append(ContextBlock(elements=[MarkdownTextObject(text=count)]))
    return View(type="home", callback_id=CallbackId.HOME, blocks=head + body)


def stranger_home_view() -> View:
    """The Home tab for a Slack user sopbot does not know."""
    return View(
        type="home",
        callback_id=CallbackId.HOME,
        blocks=[SectionBlock(text=MarkdownTextObject(text=NOT_CONFIGURED))],
    )
