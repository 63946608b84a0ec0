"""The review cadence: at the start of each period (`review_cadence` of each type:
daily, weekly from Monday, monthly from the 1st, in the reviewer's time zone) the
previous period's headline numbers go to the override reviewer in chat. A durable record
per type and period (`review_posts`, unique on both) makes it once per period whatever
the number of replicas running this job, and for good: the outbox row that carries the
post (key `review:<type>:<period start>`) is pruned by retention, the record is not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.config import Config
from core.domain import OutboxKind, OutboxState
from core.messages import Message, Section
from storage.driver_writes import insert_if_absent
from storage.models import OutboxItem, ReviewPost
from workflows.base import WorkflowContext
from workflows.outbox import enqueue_many, outbox_row
from workflows.review.report import Review, headline_findings, review_for

PURPOSE = "review"
JOB_SECONDS = 60.0  # a period starts at midnight; posting within the minute is on time


def period_start(cadence: str, day: date) -> date:
    if cadence == "daily":
        return day
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def previous_start(cadence: str, start: date) -> date:
    return period_start(cadence, start - timedelta(days=1))


def review_key(type_name: str, start: date) -> str:
    return f"review:{type_name}:{start.isoformat()}"


def reviewer_today(config: Config, clock: Clock) -> date:
    return clock.now().astimezone(config.person_tz(config.override_reviewer)).date()


def review_message(
    *, config: Config, type_name: str, since: date, until: date, findings: list[str]
) -> Message:
    label = config.recommendation_types[type_name].label
    query = f"type={type_name}&since={since}&until={until}"
    return Message(
        header=f"Override review: {label}, {since} to {until}",
        sections=[Section(title="Top findings", lines=findings)],
        context=[
            f"Full report: sopbot report overrides --type {type_name} --since {since} "
            f"--until {until} --format html, or GET /api/v1/reports/overrides?{query}",
            # Readiness gate 3 counts a review once the reviewer says it was read.
            f"Read it? Type `reviewed {type_name}` (and a note if you like) to hold this review.",
        ],
    )


def _posted(session: Session, type_name: str, start: date) -> bool:
    found = session.scalar(
        select(ReviewPost.id).where(ReviewPost.type == type_name, ReviewPost.period_start == start)
    )
    return found is not None


def _claim(session: Session, *, type_name: str, start: date, now: datetime, reviewer: str) -> bool:
    """Record the post of this period; False when another replica recorded it first."""
    row = {"type": type_name, "period_start": start, "posted_at": now, "reviewer_id": reviewer}
    return bool(insert_if_absent(session, ReviewPost, row, conflict=["type", "period_start"]))


@dataclass(frozen=True)
class _Due:
    """A type's review not posted yet: its period and the window that period reviews."""

    type_name: str
    start: date
    since: date
    until: date


def _due(ctx: WorkflowContext, today: date) -> list[_Due]:
    due = []
    with ctx.database.read() as session:  # which periods are posted: a read
        for type_name, rtype in ctx.config.recommendation_types.items():
            start = period_start(rtype.review_cadence, today)
            if not _posted(session, type_name, start):
                since = previous_start(rtype.review_cadence, start)
                due.append(_Due(type_name, start, since, start - timedelta(days=1)))
    return due


def _reviews(ctx: WorkflowContext, due: list[_Due]) -> dict[tuple[date, date], Review]:
    """One review per distinct window, not one per type: the types of one cadence share
    their window (on the 1st of a month that is a full SQL review each, otherwise).
    Several types in a window share the all-types review, whose per-type scopes are
    what a one-type review computes (report.build_review scopes each type to itself); a
    window of one type has that type's review alone (no other type's figures to do)."""
    names: dict[tuple[date, date], list[str]] = {}
    for item in due:
        names.setdefault((item.since, item.until), []).append(item.type_name)
    return {
        (since, until): review_for(
            ctx,
            since=since,
            until=until,
            type_=types[0] if len(types) == 1 else None,
            with_rows=False,
        )
        for (since, until), types in names.items()
    }


def post_due_reviews(ctx: WorkflowContext) -> int:
    """Queue each type's review of the period just ended, unless queued already."""
    reviewer = ctx.config.override_reviewer
    if reviewer is None:
        return 0
    today, now, queued = reviewer_today(ctx.config, ctx.clock), ctx.clock.now(), 0
    due = _due(ctx, today)
    reviews = _reviews(ctx, due)
    for item in due:
        type_name, start, since, until = item.type_name, item.start, item.since, item.until
        message = review_message(
            config=ctx.config,
            type_name=type_name,
            since=since,
            until=until,
            findings=headline_findings(reviews[(since, until)], type_name),
        )
        payload = {
            "message": message.model_dump(mode="json"),
            "purpose": PURPOSE,
            "type": type_name,
            "since": since.isoformat(),
        }
        with ctx.database.transaction() as session:
            if not _claim(session, type_name=type_name, start=start, now=now, reviewer=reviewer):
                continue
            enqueue_many(
                session,
                [
                    outbox_row(
                        kind=OutboxKind.NOTICE,
                        key=review_key(type_name, start),
                        now=now,
                        person_id=reviewer,
                        payload=payload,
                    )
                ],
            )
        queued += 1
    return queued


def review_posted(session: Session, *, config: Config, type_name: str, today: date) -> bool:
    """Sent for this period or the one before (the post may still be on its way): its
    record exists and its outbox row was sent, or is gone (retention prunes only what
    was delivered)."""
    cadence = config.recommendation_types[type_name].review_cadence
    start = period_start(cadence, today)
    for period in (start, previous_start(cadence, start)):
        if not _posted(session, type_name, period):
            continue
        state = session.scalar(
            select(OutboxItem.state).where(OutboxItem.dedupe_key == review_key(type_name, period))
        )
        if state is None or state == OutboxState.SENT:
            return True
    return False


def review_job(ctx: WorkflowContext) -> tuple[str, float, Callable[[], int]]:
    """The periodic job for the composition root: (name, seconds, job)."""

    def run_once() -> int:
        return post_due_reviews(ctx)

    return ("review", JOB_SECONDS, run_once)
