"""The daily line per person in the escalation channel (issue 27, "Channel copies"): once
per business day of each person, at the opening of that day in their calendar, one short
post says what waits on them, e.g. "Waiting on Carl Weber: 3 items (1 overdue, 2
escalations)", so the team sees who is holding what without reading every card.

What waits on a person is what their queue lists (`workflows.views.queries.waiting_on`):
the open items they own, and the open items of others that escalated to them. Of these,
"overdue" counts their own items past their due time (an extension moves it), and
"escalations" counts the others' items that reached them by escalation (those are
overdue for their owner by definition, so they are not counted twice). Nobody with
nothing waiting gets a line.

Once per person and day for good, whatever the replicas and restarts: each line is an
outbox row under the key `waiting:<person>:<local date>`, unique in the database, and is
sent by the worker through the normal delivery path (a channel notice). Only today's
line is ever written, so retention pruning a delivered row of a past day cannot bring it
back. One grouped query counts for everyone at once, and only when someone's line is
due and not yet written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from core.config import Config
from core.domain import OutboxKind, Status
from core.messages import Message, Tone
from storage.db import Database
from storage.models import OutboxItem, Recommendation, SlaClock
from workflows.base import WorkflowContext
from workflows.outbox import enqueue_many, outbox_row
from workflows.ownership.routing import escalation_target

PURPOSE = "waiting"
JOB_SECONDS = 60.0  # a day opens on the hour; a line within the minute is on time


@dataclass(frozen=True)
class Waiting:
    """What waits on one person now."""

    items: int = 0
    overdue: int = 0  # of their own items, past due
    escalations: int = 0  # others' items escalated to them


def waiting_key(person_id: str, day: date) -> str:
    return f"waiting:{person_id}:{day.isoformat()}"


def waiting_line(name: str, waiting: Waiting) -> str:
    noun = "item" if waiting.items == 1 else "items"
    parts = []
    if waiting.overdue:
        parts.append(f"{waiting.overdue} overdue")
    if waiting.escalations:
        word = "escalation" if waiting.escalations == 1 else "escalations"
        parts.append(f"{waiting.escalations} {word}")
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"Waiting on {name}: {waiting.items} {noun}{detail}"


def _reached(config: Config, *, owner_id: str, type_name: str, level: int) -> set[str]:
    """Everyone an item at escalation `level` has reached (the rule of `waiting_on`)."""
    if owner_id not in config.people_by_id:
        return set()
    targets = (
        escalation_target(config=config, type_name=type_name, owner_id=owner_id, level=step)
        for step in range(1, level + 1)
    )
    return {t for t in targets if t and t != owner_id}


def waiting_counts(
    rows: Iterable[tuple[str, str, int, bool, int]], *, config: Config
) -> dict[str, Waiting]:
    """Per person, from (owner, type, escalation level, overdue, count) groups of open
    items."""
    items: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    escalations: Counter[str] = Counter()
    for owner_id, type_name, level, late, count in rows:
        items[owner_id] += count
        if late:
            overdue[owner_id] += count
        for person in _reached(config, owner_id=owner_id, type_name=type_name, level=level):
            items[person] += count
            escalations[person] += count
    return {
        person: Waiting(items=n, overdue=overdue[person], escalations=escalations[person])
        for person, n in items.items()
    }


def waiting_now(database: Database, *, config: Config, now: datetime) -> dict[str, Waiting]:
    """What waits on each person at `now` (one grouped query over the open items)."""
    late = case((Recommendation.due_at < now, True), else_=False)
    query = (
        select(
            Recommendation.owner_id,
            Recommendation.type,
            SlaClock.escalation_level,
            late,
            func.count(),
        )
        .outerjoin(SlaClock, SlaClock.recommendation_id == Recommendation.id)
        .where(Recommendation.status == Status.OPEN)
        .group_by(Recommendation.owner_id, Recommendation.type, SlaClock.escalation_level, late)
    )
    with database.read() as session:
        rows = [(o, t, int(lv or 0), bool(d), int(c)) for o, t, lv, d, c in session.execute(query)]
    return waiting_counts(rows, config=config)


def post_waiting_lines(
    ctx: WorkflowContext,
    *,
    settled: set[str] | None = None,
) -> int:
    """Queue today's line of each person whose business day has opened, unless queued
    already; returns how many were queued. `settled` (kept by the job between runs)
    holds the keys already written or found empty today, so a quiet minute costs no
    query; a restart forgets it and looks once more."""
    if not ctx.config.channel:
        return 0
    settled = set() if settled is None else settled
    now = ctx.clock.now()
    due: dict[str, str] = {}  # person -> key of today's line
    todays: set[str] = set()
    for person in ctx.config.people:
        calendar = ctx.calendars.for_person(person.id)
        today = now.astimezone(ctx.config.person_tz(person.id)).date()
        key = waiting_key(person.id, today)
        todays.add(key)
        if (
            key not in settled
            and calendar.is_business_day(today)
            and now >= calendar.open_at(today)
        ):
            due[person.id] = key
    settled.intersection_update(todays)  # yesterday's keys are done with
    if not due:
        return 0
    with ctx.database.read() as session:
        written = set(
            session.scalars(
                select(OutboxItem.dedupe_key).where(OutboxItem.dedupe_key.in_(due.values()))
            )
        )
    settled.update(written)
    due = {person: key for person, key in due.items() if key not in written}
    if not due:
        return 0
    counts = waiting_now(ctx.database, config=ctx.config, now=now)
    rows = []
    for person_id, key in due.items():
        settled.add(key)
        waiting = counts.get(person_id)
        if waiting is None:
            continue  # nothing waits: no line today
        message = Message(
            header=waiting_line(ctx.config.display_name(person_id), waiting), tone=Tone.INFO
        )
        payload = {
            "message": message.model_dump(mode="json"),
            "purpose": PURPOSE,
            "channel": ctx.config.channel,
        }
        rows.append(outbox_row(kind=OutboxKind.NOTICE, key=key, now=now, payload=payload))
    if rows:
        with ctx.database.transaction() as session:
            enqueue_many(session, rows)
    return len(rows)


def waiting_job(ctx: WorkflowContext) -> tuple[str, float, Callable[[], int]]:
    """The periodic job for the composition root: (name, seconds, job)."""

    settled: set[str] = set()

    def run_once() -> int:
        return post_waiting_lines(ctx, settled=settled)

    return ("waiting", JOB_SECONDS, run_once)
