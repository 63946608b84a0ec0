"""A newer revision is routed again. Its `type`, `site`, `supplier`, `customer` or
`respond_by` may name another owner or another due time; owner, backup, due time and the
SLA schedule follow, as they would have had the revision been the first version.

- The routed owner changed (the matrix now names someone else than it did): a hand-over
  in the owner history, shaped like a reassignment but made by the matrix
  (`assigned_by` None, reason "re-routed by revision N"). The new owner gets the
  recommendation, the old owner's messages are redrawn to say who has it now, the SLA
  clock restarts for the new owner (`clock_started_at`), and the old owner's SLA steps
  still waiting in the outbox are cancelled.
- The routed owner is unchanged: a manual reassignment stays where a person put it (the
  matrix did not change its mind, so a revision of the quantity does not undo it); if
  the due time moved, the due time and the schedule follow, counted from the clock's
  start in the current owner's calendar, as an extended SLA's are.

Only open recommendations get here: a decided or withdrawn one is not reopened."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import SCOPE_KEYS, EventKind, OutboxKind, OutboxState, Tier
from core.recommendation import RecommendationIn
from storage.models import Assignment, Event, OutboxItem, Recommendation
from workflows.audit import record_event
from workflows.outbox import enqueue
from workflows.ownership.routing import next_digest_at, route
from workflows.sla.schedule import SlaSchedule, SlaState

ROUTING = "routing"  # the actor role of a hand-over the matrix made
# What owner, backup and due time depend on: a revision that leaves these as they were
# is not routed again (most revisions change a quantity), so it costs no extra reads.
ROUTING_COLUMNS = ("type", *SCOPE_KEYS, "respond_by")


def routed_on(item: RecommendationIn) -> tuple[Any, ...]:
    return tuple(getattr(item, name) for name in ROUTING_COLUMNS)


def reroute_revision(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    rec: Recommendation,
    item: RecommendationIn,
    now: datetime,
) -> None:
    """Route the stored (already updated, locked) `rec` again for revision `item`.
    Raises routing.NoOwner when the new type has nobody to go to."""
    routing = route(config=config, calendars=calendars, rec=item, received_at=now)
    routed_before = _routed_owner(session, rec)
    if routing.owner not in (routed_before, rec.owner_id):
        _hand_over(
            session,
            config=config,
            calendars=calendars,
            rec=rec,
            item=item,
            now=now,
            owner=routing.owner,
            backup=routing.backup,
            route_line=routing.route,
            due_at=routing.due_at,
        )
        return
    previous_backup, previous_due = rec.backup_id, rec.due_at
    if rec.owner_id == routing.owner:  # the matrix's owner: backup and route follow it
        rec.backup_id, rec.route = routing.backup, routing.route
    start = rec.clock_started_at or rec.received_at
    assert routing.sla is not None
    due = item.respond_by or calendars.for_person(rec.owner_id).add(start, routing.sla)
    cancelled = 0
    if due != rec.due_at:
        cancelled = _cancel_sla_steps(session, rec=rec, revision=item.revision)
        _reschedule(rec, schedule=SlaSchedule(config=config, calendars=calendars), due=due, now=now)
    if (rec.backup_id, rec.due_at) != (previous_backup, previous_due):
        record_event(
            session,
            kind=EventKind.ROUTED,
            at=now,
            recommendation_id=rec.id,
            revision=item.revision,
            owner=rec.owner_id,
            backup=rec.backup_id,
            previous_backup=previous_backup,
            route=rec.route,
            previous_due=previous_due.isoformat(),
            due_at=rec.due_at.isoformat(),
            cancelled_steps=cancelled,
        )


def _reschedule(
    rec: Recommendation, *, schedule: SlaSchedule, due: datetime, now: datetime
) -> None:
    """The same owner, a new due time: as an extended SLA, reminders already past count
    as sent and escalation starts over unless the new due time has passed already."""
    rec.due_at = due
    if rec.tier != Tier.DIRECT:
        return
    state = replace(
        SlaState.of(rec), due_at=due, escalation_level=0 if due > now else rec.escalation_level
    )
    passed = sum(1 for t in schedule.reminders(state) if t <= now)
    state = replace(state, reminders_sent=passed)
    rec.reminders_sent, rec.escalation_level = passed, state.escalation_level
    rec.next_action_at = schedule.next_action_at(state)


def _routed_owner(session: Session, rec: Recommendation) -> str:
    """Whom the matrix last chose: its latest re-route, else the `received` event's owner
    (one indexed read of this recommendation's routing events, newest first)."""
    rows = session.execute(
        select(Event.kind, Event.data)
        .where(
            Event.recommendation_id == rec.id,
            Event.kind.in_((EventKind.RECEIVED, EventKind.REASSIGNED)),
        )
        .order_by(Event.id.desc())
    )
    for kind, data in rows:
        if kind == EventKind.RECEIVED or (data or {}).get("role") == ROUTING:
            return (data or {}).get(
                "new_owner" if kind != EventKind.RECEIVED else "owner", rec.owner_id
            )
    return rec.owner_id


def _hand_over(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    rec: Recommendation,
    item: RecommendationIn,
    now: datetime,
    owner: str,
    backup: str | None,
    route_line: str,
    due_at: datetime,
) -> None:
    previous = rec.owner_id
    reason = f"re-routed by revision {item.revision}"
    cancelled = _cancel_sla_steps(session, rec=rec, revision=item.revision)
    rec.owner_id, rec.backup_id, rec.route = owner, backup, route_line
    rec.clock_started_at, rec.due_at = now, due_at
    rec.reminders_sent, rec.escalation_level, rec.snoozed_until = 0, 0, None
    if rec.tier == Tier.DIRECT:
        schedule = SlaSchedule(config=config, calendars=calendars)
        rec.next_action_at = schedule.next_action_at(SlaState.of(rec))
    elif rec.tier == Tier.DIGEST:  # listed in the new owner's next digest instead
        rec.digest_on = None
        rec.next_action_at = next_digest_at(
            calendar=calendars.for_person(owner), moment=now, send_at=config.digest.send_at
        )
    assignment = Assignment(
        recommendation_id=rec.id,
        owner_id=owner,
        backup_id=backup,
        assigned_at=now,
        assigned_by=None,
        reason=reason,
    )
    session.add(assignment)
    session.flush()
    record_event(
        session,
        kind=EventKind.REASSIGNED,
        at=now,
        recommendation_id=rec.id,
        actor_id=None,
        role=ROUTING,
        channel="ingestion",
        previous_owner=previous,
        new_owner=owner,
        note=reason,
        revision=item.revision,
        route=route_line,
        due_at=due_at.isoformat(),
        cancelled_steps=cancelled,
    )
    # The old owner's messages are redrawn by the revision's refresh (see handover_note).
    if rec.tier == Tier.DIRECT:
        enqueue(
            session,
            kind=OutboxKind.DELIVER,
            key=f"deliver:{rec.id}:a{assignment.id}",
            now=now,
            recommendation_id=rec.id,
            person_id=owner,
            payload={"rerouted_by_revision": item.revision},
        )


def _cancel_sla_steps(session: Session, *, rec: Recommendation, revision: int) -> int:
    """Reminders and escalations of the old schedule not sent yet: they answered a due
    time (or an owner) that no longer holds. The new schedule has keys of its own."""
    return session.execute(
        update(OutboxItem)
        .where(
            OutboxItem.recommendation_id == rec.id,
            OutboxItem.state == OutboxState.PENDING,
            OutboxItem.dedupe_key.startswith(f"sla:{rec.id}:"),
        )
        .values(state=OutboxState.SENT, last_error=f"cancelled: revision {revision}")
    ).rowcount


def handover_note(
    session: Session, *, config: Config, rec: Recommendation, reader_id: str
) -> str | None:
    """The line a message carries after a re-route, for its old and its new owner. Only
    recommendations a revision re-routed (their clock restarted) pay for the query."""
    if rec.clock_started_at is None:
        return None
    handovers = session.scalars(
        select(Event.data)
        .where(Event.recommendation_id == rec.id, Event.kind == EventKind.REASSIGNED)
        .order_by(Event.id.desc())
    )
    for data in handovers:
        previous, new = data.get("previous_owner"), data.get("new_owner")
        if reader_id not in (previous, new):
            continue
        revision = data.get("revision")
        if revision is None:  # the latest hand-over involving the reader was a person's
            return None
        if reader_id == previous:
            return f"Handed over to {config.display_name(new)} after revision {revision}"
        return f"Re-routed to you from {config.display_name(previous)} by revision {revision}"
    return None
