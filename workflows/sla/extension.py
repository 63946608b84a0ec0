"""Extend SLA: an escalation contact (or the override reviewer) gives the owner a new
due time, with a reason. The clock restarts towards the new due time: reminders not yet
due fire again, escalations start over, and the owner is told who extended it and why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.clock import local_time_label
from core.config import Config
from core.domain import EventKind, OutboxKind, Role
from core.messages import Message, Tone
from storage.models import Recommendation
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.errors import InvalidInput, NotPermitted
from workflows.guards import load_open_for_update
from workflows.outbox import enqueue_many, outbox_row
from workflows.ownership.permissions import role_of
from workflows.sla.schedule import SlaSchedule, SlaState

REASON_MAX = 500


@dataclass(frozen=True)
class Extended:
    recommendation_id: int
    previous_due: datetime
    due_at: datetime
    summary: str  # "SLA extended to Wed 02 Dec 12:00 CET by Ben Okafor"


def may_extend(*, config: Config, rec: Recommendation, person_id: str) -> bool:
    """Those the SLA answers to, not the owner: the escalation chain and the reviewer."""
    if person_id == rec.owner_id:
        return False
    if role_of(config=config, rec=rec, person_id=person_id) == Role.ESCALATION:
        return True
    return person_id == config.override_reviewer


def parse_due(value: datetime | str, *, config: Config, actor_id: str) -> datetime:
    """A form's date-time: ISO 8601; without a zone it is the actor's local time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                "due_at", "Give the new due time as e.g. 2026-12-02 12:00."
            ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=config.person_tz(actor_id))
    return value


def check_extension(
    ctx: WorkflowContext,
    *,
    actor_id: str,
    new_due: datetime | str,
    reason: str | None,
    ahead: bool = True,
) -> datetime:
    """What the form alone can refuse (a reason, a due time that parses and lies ahead),
    without the database: a chat can answer it next to the field before its ack. Returns
    the new due time; the current due time and who may extend are checked by
    `extend_sla` (which passes `ahead=False`: there a stranger is told they may not
    extend before being told the time is past)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "Say why the owner gets more time.")
    if len(reason) > REASON_MAX:
        raise InvalidInput("reason", f"Keep the reason under {REASON_MAX} characters.")
    due = parse_due(new_due, config=ctx.config, actor_id=actor_id)
    if ahead and due <= ctx.clock.now():
        raise InvalidInput("due_at", "The new due time must be later than now.")
    return due


def extend_sla(
    ctx: WorkflowContext,
    *,
    recommendation_id: int,
    actor_id: str,
    new_due: datetime | str,
    reason: str | None,
    channel: str,
) -> Extended:
    due = check_extension(ctx, actor_id=actor_id, new_due=new_due, reason=reason, ahead=False)
    reason = (reason or "").strip()
    now = ctx.clock.now()
    tz = ctx.config.person_tz(actor_id)
    with ctx.database.transaction() as session:
        rec = load_open_for_update(
            session,
            recommendation_id=recommendation_id,
            nothing_left="there is no SLA left to extend",
        )
        if not may_extend(config=ctx.config, rec=rec, person_id=actor_id):
            raise NotPermitted(
                f"Only {ctx.config.display_name(rec.owner_id)}'s escalation contacts or the "
                "override reviewer may extend the SLA."
            )
        if due <= now or due <= rec.due_at:
            raise InvalidInput(
                "due_at",
                f"The new due time must be later than now and than the current "
                f"one ({local_time_label(rec.due_at, tz)}).",
            )
        previous = rec.due_at
        schedule = SlaSchedule(config=ctx.config, calendars=ctx.calendars)
        state = replace(SlaState.of(rec), due_at=due, escalation_level=0, snoozed_until=None)
        passed = sum(1 for t in schedule.reminders(state) if t <= now)
        state = replace(state, reminders_sent=passed)
        rec.due_at, rec.reminders_sent, rec.escalation_level = due, passed, 0
        rec.snoozed_until = None
        rec.next_action_at = schedule.next_action_at(state)
        role = role_of(config=ctx.config, rec=rec, person_id=actor_id)
        record_event(
            session,
            kind=EventKind.SLA_EXTENDED,
            at=now,
            recommendation_id=rec.id,
            actor_id=actor_id,
            role=role.value if role else "reviewer",
            previous_due=previous.isoformat(),
            due_at=due.isoformat(),
            reason=reason,
            channel=channel,
        )
        owner_label = local_time_label(due, ctx.config.person_tz(rec.owner_id))
        notice = Message(
            header=f"More time: {rec.title}",
            text=f"{ctx.config.display_name(actor_id)} extended the SLA to {owner_label}: {reason}",
            tone=Tone.INFO,
            recommendation_id=rec.id,
        )
        stamp = int(due.timestamp())
        enqueue_many(
            session,
            [
                outbox_row(
                    kind=OutboxKind.REFRESH,
                    key=f"refresh:extend:{rec.id}:{stamp}",
                    now=now,
                    recommendation_id=rec.id,
                ),
                outbox_row(
                    kind=OutboxKind.NOTICE,
                    key=f"notice:extend:{rec.id}:{stamp}",
                    now=now,
                    recommendation_id=rec.id,
                    person_id=rec.owner_id,
                    payload={"message": notice.model_dump(mode="json")},
                ),
            ],
        )
    summary = f"SLA extended to {local_time_label(due, tz)} by {ctx.config.display_name(actor_id)}"
    return Extended(
        recommendation_id=recommendation_id, previous_due=previous, due_at=due, summary=summary
    )
