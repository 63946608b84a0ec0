"""What a person did on a card, whatever the platform: one neutral `Click`, one check
and one way to perform it.

Each chat adapter only parses its payload into a `Click` (the form values as typed, as
strings) and renders what comes back. What the values mean is decided here, once:
`check_click` reads them (numbers through core.numbers, due times, reasons, notes) with
the configuration and the clock alone, so an adapter can run it before its
acknowledgement and show each `InvalidInput` next to its field (`reason_code`, `note`,
`value`, `to`, `due_at`, `reason`); `perform_click` then does the database work through
the decision, snooze and Extend SLA workflows. An alternative value of `1,200` is
therefore 1200 in Slack, Teams and the web chat alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from core.domain import Action
from core.limits import MAX_BIGINT
from core.numbers import NotANumber, parse_number
from workflows.base import WorkflowContext
from workflows.decisions.service import (
    DecisionRecorded,
    DecisionRequest,
    check_decision,
    decide,
)
from workflows.errors import InvalidInput
from workflows.sla.extension import Extended, check_extension, extend_sla
from workflows.sla.snooze import SNOOZE_CHOICES, Snoozed, snooze

VALUE_EXAMPLES = "1200, 1,200, 1 200 or 1200.5"
DUE_HINT = "Give the new due time as e.g. 2026-12-02 12:00."
FIELDS = ("reason_code", "note", "value", "to", "due_at", "reason")


class ClickAction(StrEnum):
    """What a card's button or form asks for."""

    ACCEPT = "accept"
    OVERRIDE = "override"
    REASSIGN = "reassign"
    SNOOZE = "snooze"
    EXTEND = "extend"


DECISIONS = {
    ClickAction.ACCEPT: Action.ACCEPT,
    ClickAction.OVERRIDE: Action.OVERRIDE,
    ClickAction.REASSIGN: Action.REASSIGN,
}


class Click(BaseModel):
    """One click or form submission as the platform delivered it.

    `actor_id` is the sopbot person the platform verified (its signature, its token, the
    web chat's page); None while the adapter has not looked them up yet (Slack and Teams
    find the person after their acknowledgement). `account` is the platform's own id of
    the clicker, so work taken over after a crash can look the person up again.
    `values` are the form's inputs as typed (a snooze's choice is `value`); `deliveries`
    are the platform's delivery ids, marked handled in the decision's own transaction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: ClickAction
    recommendation_id: Annotated[int, Field(ge=0, le=MAX_BIGINT)]
    channel: str  # slack | teams | local
    actor_id: str | None = None
    account: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    on_behalf: bool = False
    deliveries: tuple[str, ...] = ()

    def by(self, actor_id: str) -> Click:
        """The same click, its person now known."""
        return self.model_copy(update={"actor_id": actor_id})

    def text(self, name: str) -> str | None:
        """A value as typed, stripped; None when empty."""
        return (self.values.get(name) or "").strip() or None


@dataclass(frozen=True)
class CheckedClick:
    """A click whose values have been read and found usable (no database consulted)."""

    click: Click
    reason_code: str | None = None
    note: str | None = None
    value: float | None = None
    to: str | None = None
    due_at: datetime | None = None
    reason: str | None = None
    choice: str | None = None

    def by(self, actor_id: str) -> CheckedClick:
        return replace(self, click=self.click.by(actor_id))

    def request(self) -> DecisionRequest:
        """The decision it asks for (accept, override, reassign)."""
        click = self.click
        return DecisionRequest(
            recommendation_id=click.recommendation_id,
            actor_id=click.actor_id or "",
            action=DECISIONS[click.action],
            channel=click.channel,
            reason_code=self.reason_code,
            note=self.note,
            value=self.value,
            to=self.to,
            deliveries=click.deliveries,
        )


@dataclass(frozen=True)
class Performed:
    """What a performed click did: the sentence to show, and the workflow's result."""

    summary: str
    decision: DecisionRecorded | None = None
    snoozed: Snoozed | None = None
    extended: Extended | None = None


def read_value(text: str | None) -> float | None:
    """The alternative value as typed: empty is none, anything else one number."""
    if text is None or not text.strip():
        return None
    try:
        return parse_number(text)
    except NotANumber:
        shown = text.strip()[:40]
        raise InvalidInput(
            "value",
            f"The alternative value must be a number such as {VALUE_EXAMPLES} "
            f"('{shown}' is not one).",
        ) from None


def read_due(text: str | None) -> datetime | str:
    """A due time as a form sends it: ISO 8601 text (a date and a time, a zone optional:
    without one it is the actor's local time), or the Unix seconds of a date-time
    picker's instant (Slack's). Empty text is left to the workflow to refuse."""
    raw = (text or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return raw
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (OverflowError, ValueError, OSError):
        raise InvalidInput("due_at", DUE_HINT) from None


def check_click(ctx: WorkflowContext, click: Click) -> CheckedClick:
    """Read the click's values and refuse what the configuration and the clock alone
    can refuse, as InvalidInput naming the field. No database access: adapters run it
    before they acknowledge. Who may do it, and whether it is still open, is for
    `perform_click`."""
    if click.action == ClickAction.SNOOZE:
        choice = click.text("value") or ""
        if choice not in SNOOZE_CHOICES:
            raise InvalidInput("value", f"Snooze for {', '.join(SNOOZE_CHOICES)}, not '{choice}'.")
        return CheckedClick(click, choice=choice)
    if click.action == ClickAction.EXTEND:
        reason = click.text("reason")
        due = check_extension(
            ctx,
            actor_id=click.actor_id or "",
            new_due=read_due(click.values.get("due_at")),
            reason=reason,
        )
        return CheckedClick(click, due_at=due, reason=reason)
    checked = CheckedClick(
        click,
        reason_code=click.text("reason_code"),
        note=click.text("note"),
        value=read_value(click.values.get("value")),
        to=click.text("to"),
    )
    check_decision(ctx, checked.request())
    return checked


def perform_click(ctx: WorkflowContext, checked: CheckedClick) -> Performed:
    """Do what the checked click asks, as its (verified) person; a refusal is the
    workflow's WorkflowError, for the adapter to render."""
    click = checked.click
    if click.actor_id is None:
        raise ValueError("a click is performed only once its person is known")
    if click.action == ClickAction.SNOOZE:
        snoozed = snooze(
            ctx,
            recommendation_id=click.recommendation_id,
            actor_id=click.actor_id,
            choice=checked.choice or "",
            channel=click.channel,
        )
        ctx.kick()
        return Performed(snoozed.summary, snoozed=snoozed)
    if click.action == ClickAction.EXTEND:
        assert checked.due_at is not None
        extended = extend_sla(
            ctx,
            recommendation_id=click.recommendation_id,
            actor_id=click.actor_id,
            new_due=checked.due_at,
            reason=checked.reason,
            channel=click.channel,
        )
        ctx.kick()
        return Performed(extended.summary, extended=extended)
    recorded = decide(ctx, checked.request())
    return Performed(recorded.summary, decision=recorded)
