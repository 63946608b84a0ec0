"""The SLA sweep: as of a moment, find what is due, claim it, write the reminder,
escalation or digest to the outbox and move each row's next-action time on, all in one
transaction per batch.

The entry point is `sla_clocks`, keyed by next-action time (the due rows are one
contiguous range), so the cost is proportional to what is due, never to the number of
open recommendations. On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED, so
several replicas sweeping at once take disjoint rows; SQLite has a single writer. The
outbox's unique `dedupe_key` is the last word: a step written once is never written
again, whatever the timing. APScheduler only decides *when* a process sweeps; every fact
is in the database.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.domain import EventKind, OutboxKind, OutboxState
from storage.db import Database
from storage.driver_writes import from_driver, reschedule, write_sweep
from storage.models import OutboxItem, Recommendation, SlaClock
from storage.types import UTCDateTime
from workflows.base import WorkflowContext
from workflows.outbox import channel_address, enqueue_many, outbox_row
from workflows.ownership.absences import Away, absences
from workflows.ownership.leave import end_expired
from workflows.ownership.routing import next_digest_at
from workflows.sla.schedule import STATE_COLUMNS, Advance, SlaSchedule, SlaState, Step, StepKind

log = logging.getLogger(__name__)

BATCH = 1000
MAX_BATCHES = 1000  # a bound, so a bug can never make one tick loop forever
# A literal (not a bound parameter) so both databases match the partial index predicate.
IS_OPEN = Recommendation.status == literal_column("'open'")
# Enum members bound once for the per-row loop (Enum attribute access is slow).
_DELIVER, _ESCALATED = OutboxKind.DELIVER.value, EventKind.ESCALATED.value
_FALLBACK = EventKind.FALLBACK.value
_DIGEST, _ESCALATION = StepKind.DIGEST, StepKind.ESCALATION
# STATE_COLUMNS (SlaState's field order) with date-times untyped: `claim` converts them.
_RAW_COLUMNS = tuple(
    type_coerce(column, String).label(column.key)
    if isinstance(column.type, UTCDateTime)
    else column
    for column in STATE_COLUMNS
)


@dataclass
class SweepReport:
    at: datetime
    dry_run: bool = False
    examined: int = 0
    steps: list[Step] = field(default_factory=list)
    ended: list[Away] = field(default_factory=list)  # absences that ended by themselves

    def count(self) -> Counter[StepKind]:
        return Counter(step.kind for step in self.steps)

    def summary(self) -> str:
        counts = self.count()
        verb = "would send" if self.dry_run else "queued"
        digests = len({s.key for s in self.steps if s.kind == StepKind.DIGEST})
        return (
            f"{self.examined} due: {verb} {counts[StepKind.REMINDER]} reminder(s), "
            f"{counts[StepKind.ESCALATION]} escalation(s), {digests} digest(s)"
        )


def due_query(
    now: datetime, *, limit: int | None, lock: bool, columns: Sequence[Any] = STATE_COLUMNS
):
    """The due rows: a range of the clock's key, then each recommendation by its key
    (the open check stays, so a closed row is never swept whatever its clock says).
    Locked: both rows, as the guards lock the recommendation (workflows.guards)."""
    query = (
        select(*columns)
        .select_from(SlaClock)
        .join(Recommendation, Recommendation.id == SlaClock.recommendation_id)
        .where(IS_OPEN, SlaClock.next_action_at <= now)
        .order_by(SlaClock.next_action_at)
        .limit(limit)
    )
    if lock:
        return query.with_for_update(skip_locked=True, of=(SlaClock, Recommendation))
    return query


def claim(session: Session, now: datetime, *, limit: int | None, lock: bool) -> list[SlaState]:
    """The due rows as SlaStates, date-times read as the driver returns them and each
    distinct instant converted once: a batch shares a handful (ingestion batches), while
    SQLAlchemy would parse every cell, and equal instants that are one object hash once
    in the schedule's memo."""
    query = due_query(now, limit=limit, lock=lock, columns=_RAW_COLUMNS)
    rows = session.connection().execute(query).all()
    seen = {value: from_driver(value) for value in {v for r in rows for v in (r[4], r[5], r[8])}}
    return [
        SlaState(id_, type_, tier, owner, seen[received], seen[due], sent, level, seen[snoozed])
        for id_, type_, tier, owner, received, due, sent, level, snoozed in rows
    ]


def sweep(
    *,
    database: Database,
    config: Config,
    calendars: Calendars,
    now: datetime,
    dry_run: bool = False,
    send_from: datetime | None = None,
    batch: int = BATCH,
) -> SweepReport:
    """One sweep as of `now`. `send_from` is when the queued messages may go out (the
    CLI's `--at` in the future still sends now); `dry_run` writes nothing."""
    schedule = SlaSchedule(config=config, calendars=calendars)
    report = SweepReport(at=now, dry_run=dry_run)
    if dry_run:
        with database.transaction() as session:
            schedule.away = absences(session, now=now)
            states = claim(session, now, limit=None, lock=False)
            for state in states:
                report.steps += schedule.advance(state, now).steps
            report.examined = len(states)
        return report
    handled: set[int] = set()
    for index in range(MAX_BATCHES):
        with database.transaction() as session:
            if index == 0:
                # Out of office ends by itself: audited here (once), the owner's new items
                # route to them again, their stand-in's cards are redrawn. One query in
                # the first batch's transaction when nothing ended.
                report.ended = end_expired(session, now=now)
            states = claim(session, now, limit=batch, lock=database.is_postgres)
            fresh = [state for state in states if state.id not in handled]
            if not fresh:
                break
            schedule.away = absences(session, now=now)  # escalations skip who is away
            advances = [schedule.advance(state, now) for state in fresh]
            _apply(
                session,
                config=config,
                calendars=calendars,
                advances=advances,
                now=now,
                send_from=send_from or now,
            )
        handled.update(state.id for state in fresh)
        report.examined += len(fresh)
        report.steps += [step for advance in advances for step in advance.steps]
        if len(states) < batch:
            break
    if report.steps:
        log.info("SLA sweep at %s: %s", now.isoformat(), report.summary())
    return report


def _apply(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    advances: list[Advance],
    now: datetime,
    send_from: datetime,
) -> None:
    outbox, events, progress = [], [], []
    digests: dict[str, tuple[Step, list[int]]] = {}
    # One payload object per (purpose, level): the writer serialises each object once.
    payloads: dict[tuple[StepKind, int], dict[str, object]] = {}
    for advance in advances:
        state = advance.state
        for step in advance.steps:
            if step.kind is _DIGEST:
                digests.setdefault(step.key, (step, []))[1].append(state.id)
                continue
            outbox.append(
                outbox_row(
                    kind=_DELIVER,
                    key=step.key,
                    now=send_from,
                    recommendation_id=state.id,
                    person_id=step.person_id,
                    payload=_payload(payloads, step),
                )
            )
            # An escalation is a fact about the SLA; a reminder is audited when it is
            # delivered (`delivered`, purpose reminder): one row fewer on the hot path.
            if step.kind is _ESCALATION:
                data: dict[str, Any] = {"to": step.person_id, "level": step.level}
                if step.skipped is not None:
                    data["skipped"] = step.skipped
                    # Sent instead of an absent contact: they may decide (permissions).
                    events.append(
                        {
                            "recommendation_id": state.id,
                            "kind": _FALLBACK,
                            "actor_id": None,
                            "at": now,
                            "data": {
                                "to": step.person_id,
                                "instead_of": step.instead_of,
                                "owner": state.owner_id,
                                "reason": step.skipped,
                            },
                        }
                    )
                events.append(
                    {
                        "recommendation_id": state.id,
                        "kind": _ESCALATED,
                        "actor_id": None,
                        "at": now,
                        "data": data,
                    }
                )
                if config.channel:
                    # The team sees what is stuck: a read-only copy in the S&OP channel.
                    outbox.append(
                        outbox_row(
                            kind=_DELIVER,
                            key=f"{step.key}:channel",
                            now=send_from,
                            recommendation_id=state.id,
                            person_id=channel_address(config.channel),
                            payload=_payload(payloads, step),
                        )
                    )
        progress.append(
            {
                "id": state.id,
                "next_action_at": advance.next_action_at,
                "reminders_sent": state.reminders_sent,
                "escalation_level": state.escalation_level,
                "snoozed_until": state.snoozed_until,
                "digest_on": advance.digest_on,
            }
        )
    write_sweep(session.connection(), outbox=outbox, events=events, progress=progress)
    if digests:
        _queue_digests(
            session,
            config=config,
            calendars=calendars,
            digests=digests,
            now=now,
            send_from=send_from,
        )


def _payload(
    payloads: dict[tuple[StepKind, int], dict[str, object]], step: Step
) -> dict[str, object]:
    key = (step.kind, step.level)
    found = payloads.get(key)
    if found is None:
        found = payloads[key] = {"purpose": step.kind, "level": step.level}
    return found


def _queue_digests(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    digests: dict[str, tuple[Step, list[int]]],
    now: datetime,
    send_from: datetime,
) -> None:
    """One digest per (owner, local date), rendered when sent from the rows marked with
    that date. Rows that missed an already-sent digest wait for the owner's next one."""
    enqueue_many(
        session,
        [
            outbox_row(
                kind=OutboxKind.DIGEST,
                key=key,
                now=send_from,
                person_id=step.person_id,
                payload={"day": step.day.isoformat() if step.day else None},
            )
            for key, (step, _ids) in digests.items()
        ],
    )
    gone = set(
        session.scalars(
            select(OutboxItem.dedupe_key).where(
                OutboxItem.dedupe_key.in_(list(digests)), OutboxItem.state != OutboxState.PENDING
            )
        )
    )
    late = []
    for key in gone:
        step, ids = digests[key]
        calendar = calendars.for_person(step.person_id)
        later = next_digest_at(calendar=calendar, moment=now, send_at=config.digest.send_at)
        late += [{"id": i, "next_action_at": later} for i in ids]
    if late:
        reschedule(session.connection(), late)


class SlaSweeper(WorkflowContext):
    """The periodic job: sweeps as of the clock's now (Runtime.jobs)."""

    def run_once(self) -> SweepReport:
        report = sweep(
            database=self.database,
            config=self.config,
            calendars=self.calendars,
            now=self.clock.now(),
        )
        for step, count in report.count().items():
            self.meter.clock_steps(step=step, count=count)
        return report
