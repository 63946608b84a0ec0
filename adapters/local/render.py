"""The neutral `Message` turned into what the HTML templates draw: cards with their
fields, sections, buttons and (hidden until asked for) forms.

Kept apart from the routes so the same message always looks the same, whether it is a
direct message, a queue entry or a channel post, and so a refused form comes back
open with the person's input and the workflow's error next to the field it names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from core.messages import Button, ButtonAction, Form, FormInput, InputKind, Message

HTML_INPUT_TYPE = {
    InputKind.TEXT: "text",
    # Text, not type=number: a browser's number box refuses "1,200" or "1.200,5" before
    # it is sent; what a typed number means is decided once, in workflows (core.numbers).
    InputKind.NUMBER: "text",
    InputKind.DATETIME: "datetime-local",
}
NOTE_MARK = " *"
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: object) -> Markup:
    """Text with its `command` spans (what a person may type, Slack's code style) drawn
    as <code>, not as raw backticks; everything else escaped."""
    return Markup(CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


@dataclass(frozen=True)
class Draft:
    """A submission the server refused: which card and form, what was typed, and the
    error per field name (a form-wide error uses the key "")."""

    card_id: str
    action: str
    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputView:
    name: str
    label: str
    control: str  # select | textarea | input
    html_type: str
    required: bool
    options: list[tuple[str, str]]
    hint: str | None
    placeholder: str | None
    value: str
    error: str | None
    dom_id: str
    note_codes: str = ""  # reason codes that need a note, for the little script


@dataclass(frozen=True)
class FormView:
    action: str
    title: str
    submit_label: str
    recommendation_id: int
    on_behalf: bool
    inputs: list[InputView]
    dom_id: str
    open: bool
    error: str | None = None


@dataclass(frozen=True)
class ButtonView:
    action: str
    label: str
    style: str
    recommendation_id: int
    value: str | None
    opens: str | None  # the id of the form this button reveals, else it posts at once
    on_behalf: bool


@dataclass(frozen=True)
class CardView:
    dom_id: str
    version: str
    header: str
    text: str | None
    text_label: str | None
    fields: list[tuple[str, str]]
    sections: list[tuple[str, list[str]]]
    state: list[str]  # where an open item stands: its status line, the first its headline
    context: list[str]
    status: str | None
    tone: str
    recommendation_id: int | None
    buttons: list[ButtonView]
    forms: list[FormView]
    items: list[CardView]
    when: str | None


def version_of(message: Message, when: str | None = None) -> str:
    """A short fingerprint: the browser replaces a card only when this changes."""
    digest = hashlib.sha1(message.model_dump_json().encode() + (when or "").encode())
    return digest.hexdigest()[:12]


def _input(
    spec: FormInput, form_id: str, draft: Draft | None, note_codes: frozenset[str]
) -> InputView:
    options = [(o.value, o.label) for o in spec.options]
    marked = ""
    if spec.name == "reason_code" and note_codes:
        # Marked once: the neutral menu may already mark them (workflows.views.form_choices).
        options = [
            (v, label + NOTE_MARK if v in note_codes and not label.endswith(NOTE_MARK) else label)
            for v, label in options
        ]
        marked = " ".join(sorted(note_codes))
    if spec.kind == InputKind.SELECT:
        control, html_type = "select", ""
    elif spec.kind == InputKind.MULTILINE:
        control, html_type = "textarea", ""
    else:
        control, html_type = "input", HTML_INPUT_TYPE[spec.kind]
    return InputView(
        name=spec.name,
        label=spec.label,
        control=control,
        html_type=html_type,
        required=spec.required,
        options=options,
        hint=spec.hint,
        placeholder=spec.placeholder,
        value=(draft.values.get(spec.name, "") if draft else ""),
        error=(draft.errors.get(spec.name) if draft else None),
        dom_id=f"{form_id}-{spec.name}",
        note_codes=marked,
    )


def _form(form: Form, card_id: str, draft: Draft | None, note_codes: frozenset[str]) -> FormView:
    dom_id = f"{card_id}-{form.action.value}"
    mine = draft if draft and draft.card_id == card_id and draft.action == form.action else None
    return FormView(
        action=form.action.value,
        title=form.title,
        submit_label=form.submit_label,
        recommendation_id=form.recommendation_id,
        on_behalf=form.on_behalf,
        inputs=[_input(i, dom_id, mine, note_codes) for i in form.inputs],
        dom_id=dom_id,
        open=mine is not None,
        error=(mine.errors.get("") if mine else None),
    )


def _button(button: Button, forms: Mapping[ButtonAction, FormView]) -> ButtonView:
    form = forms.get(button.action)
    return ButtonView(
        action=button.action.value,
        label=button.label,
        style=button.style.value,
        recommendation_id=button.recommendation_id,
        value=button.value,
        opens=form.dom_id if form else None,
        on_behalf=button.on_behalf,
    )


def card(
    message: Message,
    *,
    dom_id: str,
    when: str | None = None,
    note_codes: frozenset[str] = frozenset(),
    draft: Draft | None = None,
) -> CardView:
    """One message as a card; `draft` reopens a refused form on the card it names."""
    forms = {f.action: _form(f, dom_id, draft, note_codes) for f in message.forms}
    version = version_of(message, when)
    if any(f.open for f in forms.values()):
        version += "-refused"  # the browser swaps in the card with its refused form open
    return CardView(
        dom_id=dom_id,
        version=version,
        header=message.header,
        text=message.text,
        text_label=message.text_label,
        fields=[(f.label, f.value) for f in message.fields],
        sections=[(s.title, list(s.lines)) for s in message.sections],
        state=list(message.state),
        context=list(message.context),
        status=message.status,
        tone=message.tone.value,
        recommendation_id=message.recommendation_id,
        buttons=[_button(b, forms) for b in message.buttons],
        forms=list(forms.values()),
        items=[
            card(item, dom_id=f"{dom_id}-i{n}", note_codes=note_codes, draft=draft)
            for n, item in enumerate(message.items, start=1)
        ],
        when=when,
    )


@dataclass(frozen=True)
class ThreadView:
    """Messages of one conversation (`Message.thread`: an interview's turns) drawn
    together in one element of the feed, oldest turn first, apart from the cards."""

    dom_id: str
    version: str
    title: str
    turns: list[CardView]


def threaded(views: list[tuple[str | None, CardView]]) -> list[CardView | ThreadView]:
    """The feed with each thread's turns gathered into one `ThreadView`, placed where its
    latest turn is (a conversation still going on is where new messages arrive)."""
    turns: dict[str, list[CardView]] = {}
    for thread, view in views:
        if thread is not None:
            turns.setdefault(thread, []).append(view)
    feed: list[CardView | ThreadView] = []
    for thread, view in views:
        if thread is None:
            feed.append(view)
        elif turns[thread][-1] is view:
            cards = turns[thread]
            digest = hashlib.sha256("|".join(c.version for c in cards).encode()).hexdigest()
            title = cards[0].header.split(" (")[0]
            feed.append(
                ThreadView(dom_id=f"t-{thread}", version=digest[:12], title=title, turns=cards)
            )
    return feed
