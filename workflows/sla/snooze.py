"""Snooze: the owner asks to be reminded later (1 h, 4 h, next business day). Only the
reminders move; the SLA's due time and its escalations never do."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.clock import local_time_label
from core.domain import EventKind, OutboxKind
from storage.models import Recommendation
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.errors import InvalidInput, NotPermitted
from workflows.guards import load_open_for_update
from workflows.outbox import enqueue_many, outbox_row
from workflows.sla.schedule import SlaSchedule, SlaState

# Button value -> label, in the order the buttons are shown.
SNOOZE_CHOICES: dict[str, str] = {"1h": "Snooze 1h", "4h": "Snooze 4h", "nbd": "Next business day"}
_HOURS = {"1h": timedelta(hours=1), "4h": timedelta(hours=4)}


@dataclass(frozen=True)
class Snoozed:
    recommendation_id: int
    until: datetime
    summary: str  # "Snoozed until Mon 30 Nov 14:00 CET; still due Mon 30 Nov 17:00 CET"


def may_snooze(*, rec: Recommendation, person_id: str) -> bool:
    """The owner or their backup: the people the reminders are for."""
    return person_id == rec.owner_id or (rec.backup_id is not None and person_id == rec.backup_id)


def snooze(
    ctx: WorkflowContext,
    *,
    recommendation_id: int,
    actor_id: str,
    choice: str,
    channel: str,
) -> Snoozed:
    """Hold the reminders until the chosen time (business hours of the owner), capped at
    the due time; one reminder fires when the snooze ends."""
    if choice not in SNOOZE_CHOICES:
        raise InvalidInput("value", f"Snooze for {', '.join(SNOOZE_CHOICES)}, not '{choice}'.")
    now = ctx.clock.now()
    with ctx.database.transaction() as session:
        rec = load_open_for_update(
            session, recommendation_id=recommendation_id, nothing_left="there is nothing to snooze"
        )
        if not may_snooze(rec=rec, person_id=actor_id):
            raise NotPermitted(
                f"Only {ctx.config.display_name(rec.owner_id)} or their backup "
                "may snooze reminders."
            )
        tz = ctx.config.person_tz(actor_id)
        if now >= rec.due_at:
            raise NotPermitted(
                f"It was due {local_time_label(rec.due_at, tz)}; snoozing never moves the SLA."
            )
        calendar = ctx.calendars.for_person(rec.owner_id)
        if choice == "nbd":
            until = calendar.start_of_next_business_day(now)
        else:
            until = calendar.add(now, _HOURS[choice])
        until = min(until, rec.due_at)
        schedule = SlaSchedule(config=ctx.config, calendars=ctx.calendars)
        snoozed = replace(SlaState.of(rec), snoozed_until=until)
        rec.snoozed_until = until
        rec.next_action_at = schedule.next_action_at(snoozed)
        record_event(
            session,
            kind=EventKind.SNOOZED,
            at=now,
            recommendation_id=rec.id,
            actor_id=actor_id,
            choice=choice,
            until=until.isoformat(),
            due_at=rec.due_at.isoformat(),
            channel=channel,
        )
        # Re-render the reminder so it says until when; duplicates of the key are harmless.
        enqueue_many(
            session,
            [
                outbox_row(
                    kind=OutboxKind.REFRESH,
                    key=f"refresh:snooze:{rec.id}:{int(until.timestamp())}",
                    now=now,
                    recommendation_id=rec.id,
                )
            ],
        )
        due_label = local_time_label(rec.due_at, tz)
    summary = f"Snoozed until {local_time_label(until, tz)}; still due {due_label}"
    return Snoozed(recommendation_id=recommendation_id, until=until, summary=summary)
