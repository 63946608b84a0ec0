"""The reminder and escalation renderings of a recommendation, kept across a redraw.

A Teams card is redrawn in place after every click (a decision, a snooze, a refused
form, Cancel). `workflows.inbox.recommendation_for` renders only the plain variant, so
a redrawn reminder would lose its Snooze buttons and a redrawn escalation its Extend
SLA form, and the next click would have nothing to press. The card's submits carry
its `Variant`; this module puts the variant's header and buttons back. The outbox's
refresh of the stored message then renders the workflow's own variant in full (with
its "due in" and "has had it for" lines). Once the workflow can render a variant on
demand, this module goes."""

from __future__ import annotations

from adapters.teams.payloads import Variant
from bot.messages import Button, ButtonAction, Form, FormInput, InputKind, Message
from workflows.snooze import SNOOZE_CHOICES

DECISION_ACTIONS = frozenset({ButtonAction.ACCEPT, ButtonAction.OVERRIDE, ButtonAction.REASSIGN})
HEADER_PREFIX = {Variant.REMINDER: "Reminder: ", Variant.ESCALATION: "Escalated: "}


def variant_of(message: Message) -> Variant | None:
    """The variant a rendered message is, from the buttons only that variant has."""
    actions = {button.action for button in message.buttons}
    if ButtonAction.EXTEND in actions:
        return Variant.ESCALATION
    if ButtonAction.SNOOZE in actions:
        return Variant.REMINDER
    return None


def extend_form(recommendation_id: int) -> Form:
    """The inputs `Services.extend_sla` reads (as workflows.views.extend_form states
    them; that one needs the stored recommendation)."""
    return Form(
        action=ButtonAction.EXTEND, title="Extend SLA", submit_label="Extend",
        recommendation_id=recommendation_id,
        inputs=[
            FormInput(name="due_at", label="New due time", kind=InputKind.DATETIME,
                      required=True, hint="Your local time, e.g. 2026-12-02 12:00"),
            FormInput(name="reason", label="Why more time", kind=InputKind.TEXT, required=True,
                      placeholder="e.g. waiting for the supplier's confirmation"),
        ],
    )  # fmt: skip


def as_variant(message: Message, variant: Variant | None) -> Message:
    """`message` (the plain variant, as the reader sees it now) as the reminder or the
    escalation it was. Nothing is added once it is decided or withdrawn, or when the
    reader may no longer decide it; who may snooze or extend is the workflow's call
    when the button is pressed."""
    rec_id = message.recommendation_id
    decides = [b for b in message.buttons if b.action in DECISION_ACTIONS]
    if variant is None or rec_id is None or message.status is not None or not decides:
        return message
    if variant_of(message) == variant:
        return message  # already rendered as that variant
    header = message.header
    if not header.startswith(HEADER_PREFIX[variant]):
        header = HEADER_PREFIX[variant] + header
    buttons, forms = list(message.buttons), list(message.forms)
    if variant == Variant.REMINDER:
        if any(b.on_behalf for b in decides):
            return message  # not the owner or backup: reminders are not theirs to move
        buttons += [Button(action=ButtonAction.SNOOZE, label=label, recommendation_id=rec_id,
                           value=value) for value, label in SNOOZE_CHOICES.items()]  # fmt: skip
    else:
        buttons.append(Button(action=ButtonAction.EXTEND, label="Extend SLA",
                              recommendation_id=rec_id))  # fmt: skip
        if message.form_for(ButtonAction.EXTEND) is None:
            forms.append(extend_form(rec_id))
    return message.model_copy(update={"header": header, "buttons": buttons, "forms": forms})
