"""Neutral `Message` -> Adaptive Card 1.5: the same content the Slack adapter shows
(header, action, facts, why/history, status, due time) and the same three choices.

Accept is a plain submit; Override, Reassign and Extend SLA open their form in place
(ShowCard). A reminder's Snooze choices are a row of their own in the body, apart from
the decisions (Teams shows six card actions at most). A date-time input is an
Input.Date and an Input.Time side by side. After a refused submit the card is rendered
again with that form open in the body, the person's values kept and the error right
under the field it belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from adapters.teams.payloads import (
    CardSubmit,
    CardVerb,
    input_id,
    new_nonce,
    submit_data,
)
from core.messages import (
    Button,
    ButtonAction,
    ButtonStyle,
    Form,
    FormInput,
    InputKind,
    Message,
    Tone,
)
from workflows.views import Purpose, purpose_of

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
NOTE_MAX = 2000
NUMBER_MAX = 40  # "1 234 567,89" and then some
# A digest or queue entry's texts, clipped with "…" (the full card is a click away):
# ten entries at the longest texts stay under the ~28 KB Teams takes for a message.
ENTRY_HEADER_MAX, ENTRY_TEXT_MAX, ENTRY_SMALL_MAX = 160, 320, 280

# State is shown by a coloured container (a badge) around text in the default colour:
# Teams' "Good"/"Warning" text colours are 2.1:1 and 1.5:1 against its light theme, under
# WCAG AA's 4.5:1; the default text on these container backgrounds is well above it.
TONE_STYLE = {
    Tone.INFO: "emphasis",
    Tone.ATTENTION: "attention",
    Tone.GOOD: "good",
    Tone.WARNING: "warning",
}
BUTTON_STYLE = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}

Element = dict[str, Any]


@dataclass
class OpenForm:
    """A form shown open in the card body, e.g. after a validation error."""

    action: ButtonAction
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None  # an error that belongs to no single field


def card_variant(message: Message) -> Purpose | None:
    """What every submit of this card carries so its redraw is drawn for the same
    purpose (`workflows.views.message.purpose_of`); None for the owner's plain card, whose
    submits stay as they were."""
    purpose = purpose_of(message)
    return None if purpose == Purpose.OWNER else purpose


# Teams reads TextBlock texts and facts as Markdown, so `[label](url)` in a title, a
# driver or a note would be a link one click away (javascript:, or a phishing site). A
# WORD JOINER (invisible, no line break) between `]` and `(` keeps every host from
# seeing a link, where backslash escapes are shown as typed on Teams' mobile clients.
LINK_JOIN = "]("
LINK_BROKEN = "]\u2060("
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def inert(text: str) -> str:
    """`text` as Teams shows it, without a Markdown link any data could have formed, and
    with `command` spans (Slack's code style, which a TextBlock shows as raw backticks)
    in quotes."""
    return CODE_SPAN.sub("\u201c\\1\u201d", text.replace(LINK_JOIN, LINK_BROKEN))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _text(text: str, **props: Any) -> Element:
    return {"type": "TextBlock", "text": inert(text), "wrap": True, **props}


def _badge(text: str, **props: Any) -> Element:
    """An error in default text on an attention container: readable in every theme."""
    items = [_text(text, weight="Bolder", **props)]
    return {"type": "Container", "style": "attention", "spacing": "None", "items": items}


def _submit(title: str, submit: CardSubmit, style: ButtonStyle | None = None) -> Element:
    action: Element = {"type": "Action.Submit", "title": title, "data": submit_data(submit)}
    if style in BUTTON_STYLE:
        action["style"] = BUTTON_STYLE[style]
    return action


def _moment_inputs(form: Form, spec: FormInput, value: str | None) -> list[Element]:
    """Input.Date and Input.Time for one date-time (`<name>.date`, `<name>.time`), with
    what was typed before kept: "YYYY-MM-DD HH:MM" split in two."""
    date, _, time = (value or "").replace("T", " ").partition(" ")
    date, time = date.strip(), time.strip()
    required = {"isRequired": True} if spec.required else {}
    day: Element = {
        "type": "Input.Date",
        "id": input_id(form.action, f"{spec.name}.date"),
        "label": spec.label,
        **required,
    }
    hour: Element = {
        "type": "Input.Time",
        "id": input_id(form.action, f"{spec.name}.time"),
        "label": "Time",
        "spacing": "Small",
        **required,
    }
    if spec.required:
        day["errorMessage"] = f"{spec.label}: choose a date."
        hour["errorMessage"] = f"{spec.label}: choose a time."
    if date:
        day["value"] = date
    if time:
        hour["value"] = time[:5]
    return [day, hour]


def render_input(
    form: Form, spec: FormInput, *, value: str | None = None, error: str | None = None
) -> list[Element]:
    """One form input as Adaptive Card elements: the input, its hint, its error."""
    if spec.kind == InputKind.DATETIME:
        return _with_notes(_moment_inputs(form, spec, value), spec, error)
    element: Element = {
        "id": input_id(form.action, spec.name),
        "label": spec.label,
        "isRequired": spec.required,
    }
    if spec.required:
        element["errorMessage"] = f"{spec.label} is required."
    if spec.kind == InputKind.SELECT:
        choices = [{"title": o.label, "value": o.value} for o in spec.options]
        element.update(type="Input.ChoiceSet", style="compact", choices=choices)
        if value:
            element["value"] = value
    elif spec.kind == InputKind.NUMBER:
        # Text, not Input.Number: Teams' number box refuses "1,200" or "1.200,5" before it
        # is sent, and what a number means is decided once, in workflows (core.numbers).
        element.update(type="Input.Text", maxLength=NUMBER_MAX)
        if value:
            element["value"] = value
    else:
        element.update(type="Input.Text", maxLength=NOTE_MAX)
        if spec.kind == InputKind.MULTILINE:
            element["isMultiline"] = True
        if value:
            element["value"] = value
    if spec.placeholder:  # a choice set opens on "Choose a reason", not on nothing
        element.setdefault("placeholder", spec.placeholder)
    return _with_notes([element], spec, error)


def _with_notes(elements: list[Element], spec: FormInput, error: str | None) -> list[Element]:
    """The input's hint, then its error, right under it."""
    if spec.hint:
        elements.append(_text(spec.hint, isSubtle=True, size="Small", spacing="None"))
    if error:  # a badge, not red prose: #D74654 on Teams' dark card is 3.24:1
        elements.append(_badge(f"\u26a0 {error}", size="Small", spacing="None"))
    return elements


def _form_submit(form: Form, nonce: str, variant: Purpose | None) -> Element:
    submit = CardSubmit(
        action=form.action,
        recommendation_id=form.recommendation_id,
        nonce=nonce,
        on_behalf=form.on_behalf,
        variant=variant,
    )
    style = ButtonStyle.PRIMARY if form.action == ButtonAction.OVERRIDE else None
    return _submit(form.submit_label, submit, style)


def _show_card(button: Button, form: Form, nonce: str, variant: Purpose | None) -> Element:
    body: list[Element] = []
    for spec in form.inputs:
        body.extend(render_input(form, spec))
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "body": body,
            "actions": [_form_submit(form, nonce, variant)],
        },
    }


def render_button(
    button: Button, message: Message, nonce: str, variant: Purpose | None = None
) -> Element:
    form = message.form_for(button.action)
    if form is not None and form.recommendation_id == button.recommendation_id:
        return _show_card(button, form, nonce, variant)
    submit = CardSubmit(
        action=button.action,
        recommendation_id=button.recommendation_id,
        nonce=nonce,
        on_behalf=button.on_behalf,
        value=button.value,
        variant=variant,
    )
    return _submit(button.label, submit, button.style)


def _snooze_row(message: Message, nonce: str, variant: Purpose | None) -> list[Element]:
    """A reminder's Snooze choices: one submit each, the choice in the submit's value."""
    snoozes = [b for b in message.buttons if b.action == ButtonAction.SNOOZE]
    if not snoozes:
        return []
    buttons = [render_button(b, message, nonce, variant) for b in snoozes]
    row: Element = {"type": "ActionSet", "actions": buttons}
    caption = _text("Remind me later:", isSubtle=True, size="Small", spacing="Medium")
    return [caption, row]


def status_badge(message: Message) -> Element:
    """The decided state: readable text inside a container coloured by the tone."""
    assert message.status is not None
    return {
        "type": "Container",
        "style": TONE_STYLE[message.tone],
        "bleed": False,
        "items": [_text(message.status, weight="Bolder")],
    }


def state_badge(message: Message, limit: int | None = None) -> Element:
    """Where an open item stands (`Message.state`), headline bold, as a badge (TONE_STYLE):
    coloured TextBlocks fail AA (Good 2.07:1, Warning 1.47:1 light; Attention 3.24:1 dark)."""
    head, *rest = message.state
    items = [_text(head if limit is None else _short(head, limit), weight="Bolder")]
    if rest:
        line = "\n\n".join(rest) if limit is None else _short(" \u00b7 ".join(rest), limit)
        items.append(_text(line, spacing="None"))
    return {"type": "Container", "style": TONE_STYLE[message.tone], "items": items}


def _content(message: Message, *, heading: bool) -> list[Element]:
    body: list[Element] = [
        _text(
            message.header,
            weight="Bolder",
            size="Medium" if heading else "Default",
            **({"style": "heading"} if heading else {}),
        )
    ]
    if message.state:  # where it stands, then what it says: right under the header
        body.append(state_badge(message))
    if message.status:
        body.append(status_badge(message))
    if message.text:
        body.append(_text(message.text))
    if message.fields:
        facts = [{"title": inert(f.label), "value": inert(f.value)} for f in message.fields]
        body.append({"type": "FactSet", "facts": facts})
    for section in message.sections:
        body.append(_text(section.title, weight="Bolder", spacing="Medium"))
        body.append(_text("\n".join(f"- {line}" for line in section.lines), spacing="Small"))
    if message.context:
        body.append(_text(" \u00b7 ".join(message.context), isSubtle=True, size="Small"))
    return body


def _digest_item(item: Message, nonce: str, variant: Purpose, page: int | None) -> Element:
    """A digest (or queue) entry: its content, Accept at once, anything else opens its
    full card. Its submits say which message they sit in (`variant` digest or queue, the
    queue's `page`), so a decision redraws that message with this entry decided and
    every other entry as it was, not the one recommendation alone. Compact, like Slack's
    digest entry: what and the recommended action, the state, the key facts on one line
    and the small print; the full card is one click away ("Override…" opens it)."""
    elements = [_text(_short(item.header, ENTRY_HEADER_MAX), weight="Bolder")]
    if item.state:
        elements.append(state_badge(item, ENTRY_SMALL_MAX))
    if item.text:
        elements.append(_text(_short(item.text, ENTRY_TEXT_MAX), spacing="Small"))
    if item.status:
        elements.append(status_badge(item))
    facts = " \u00b7 ".join(f"{f.label}: {f.value}" for f in item.fields[:3])
    if facts:
        elements.append(_text(_short(facts, ENTRY_SMALL_MAX), spacing="Small"))
    small = item.context + [line for section in item.sections for line in section.lines[:1]]
    if small:
        line = _short(" \u00b7 ".join(small), ENTRY_SMALL_MAX)
        elements.append(_text(line, isSubtle=True, size="Small", spacing="Small"))
    actions = []
    for button in item.buttons:
        action = button.action if button.action == ButtonAction.ACCEPT else CardVerb.OPEN
        label = button.label if action == ButtonAction.ACCEPT else f"{button.label}\u2026"
        submit = CardSubmit(
            action=action,
            recommendation_id=button.recommendation_id,
            nonce=nonce,
            on_behalf=button.on_behalf,
            variant=variant,
            page=page,
        )
        actions.append(_submit(label, submit, button.style))
    if actions:
        elements.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": elements}


def _kept(values: dict[str, str], spec: FormInput) -> str | None:
    """What the person had entered in this input; a date-time comes back in halves."""
    if spec.kind == InputKind.DATETIME and spec.name not in values:
        return f"{values.get(spec.name + '.date', '')} {values.get(spec.name + '.time', '')}"
    return values.get(spec.name)


def _open_form(
    message: Message, open_form: OpenForm, nonce: str, variant: Purpose | None
) -> tuple[list[Element], list]:
    form = message.form_for(open_form.action)
    if form is None:  # e.g. decided meanwhile: nothing left to fill in
        return [], []
    body: list[Element] = [_text(form.title, weight="Bolder", spacing="Medium", separator=True)]
    if open_form.message:
        body.append(_badge(f"\u26a0 {open_form.message}"))
    for spec in form.inputs:
        body.extend(
            render_input(
                form,
                spec,
                value=_kept(open_form.values, spec),
                error=open_form.errors.get(spec.name),
            )
        )
    cancel = CardSubmit(
        action=CardVerb.CANCEL,
        recommendation_id=form.recommendation_id,
        nonce=nonce,
        variant=variant,
    )
    cancel_action = _submit("Cancel", cancel) | {"associatedInputs": "none"}
    return [{"type": "Container", "items": body}], [
        _form_submit(form, nonce, variant),
        cancel_action,
    ]


def render_card(
    message: Message,
    *,
    nonce: str | None = None,
    open_form: OpenForm | None = None,
    entries: Purpose = Purpose.DIGEST,
    page: int | None = None,
) -> dict[str, Any]:
    """The Adaptive Card for `message` (a fresh nonce per rendering unless given). Its
    `items` are entries of a digest part, or of the queue's page `page` (`entries`)."""
    nonce = nonce or new_nonce()
    variant = card_variant(message)
    body = _content(message, heading=True)
    body.extend(_digest_item(item, nonce, entries, page) for item in message.items)
    if open_form is not None:
        form_body, actions = _open_form(message, open_form, nonce, variant)
        body.extend(form_body)
    else:
        body.extend(_snooze_row(message, nonce, variant))
        actions = [
            render_button(b, message, nonce, variant)
            for b in message.buttons
            if b.action != ButtonAction.SNOOZE
        ]
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": message.fallback_text(),
    }
    if actions:
        card["actions"] = actions
    return card
