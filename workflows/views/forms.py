"""The Override, Reassign and Extend SLA forms of a recommendation: what each asks,
in the neutral form model every adapter renders."""

from __future__ import annotations

from core.config import Config
from core.messages import ButtonAction, Form, FormInput, InputKind
from storage.models import Recommendation
from workflows.views.form_choices import form_choices


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def override_form(rec: Recommendation, config: Config, *, on_behalf: bool = False) -> Form:
    rtype = config.recommendation_types.get(rec.type)
    value_label = rtype.value_label if rtype else "value"
    return Form(
        action=ButtonAction.OVERRIDE,
        title="Override",
        submit_label="Record override",
        recommendation_id=rec.id,
        on_behalf=on_behalf,
        inputs=[
            FormInput(
                name="reason_code",
                label="Reason",
                kind=InputKind.SELECT,
                required=True,
                options=list(form_choices(config).reasons),
                hint="Reasons marked * need a note.",
                placeholder="Choose a reason",
            ),
            FormInput(
                name="note",
                label="Note",
                kind=InputKind.MULTILINE,
                placeholder="What do you know that the model does not?",
            ),
            FormInput(
                name="value",
                label=f"Alternative value ({value_label})",
                kind=InputKind.NUMBER,
                placeholder=_number(rec.quantity),
            ),
        ],
    )


def reassign_form(rec: Recommendation, config: Config) -> Form:
    return Form(
        action=ButtonAction.REASSIGN,
        title="Reassign",
        submit_label="Hand over",
        recommendation_id=rec.id,
        inputs=[
            FormInput(
                name="to",
                label="Hand over to",
                kind=InputKind.SELECT,
                required=True,
                options=list(form_choices(config).colleagues(rec.owner_id)),
                placeholder="Choose a colleague",
            ),
            FormInput(
                name="note",
                label="Why",
                kind=InputKind.TEXT,
                required=True,
                placeholder="e.g. PLANT-2 items belong to Dora",
            ),
        ],
    )


def extend_form(rec: Recommendation, config: Config) -> Form:
    return Form(
        action=ButtonAction.EXTEND,
        title="Extend SLA",
        submit_label="Extend",
        recommendation_id=rec.id,
        inputs=[
            FormInput(
                name="due_at",
                label="New due time",
                kind=InputKind.DATETIME,
                required=True,
                hint="Your local time, e.g. 2026-12-02 12:00",
            ),
            FormInput(
                name="reason",
                label="Why more time",
                kind=InputKind.TEXT,
                required=True,
                placeholder="e.g. waiting for the supplier's confirmation",
            ),
        ],
    )
