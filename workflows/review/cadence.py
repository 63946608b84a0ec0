"""The review cadence: at the start of each period (`review_cadence` of each type:
daily, weekly from Monday, monthly from the 1st, in the reviewer's time zone) the
previous period's headline numbers go to the override reviewer in chat. The outbox's
unique `dedupe_key` (`review:<type>:<period start>`) makes it once per period whatever
the number of replicas running this job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Calendars, Clock
from core.config import Config
from core.domain import OutboxKind, OutboxState
from core.messages import Message, Section
from storage.db import Database
from storage.models import OutboxItem
from workflows.outbox import enqueue_many, outbox_row
from workflows.review.report import headline_findings, review_for

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
            f"--until {until} --format html, or GET /api/v1/reports/overrides?{query}"
        ],
    )


def post_due_reviews(
    *, database: Database, config: Config, calendars: Calendars, clock: Clock
) -> int:
    """Queue each type's review of the period just ended, unless queued already."""
    reviewer = config.override_reviewer
    if reviewer is None:
        return 0
    today, now, queued = reviewer_today(config, clock), clock.now(), 0
    for type_name, rtype in config.recommendation_types.items():
        start = period_start(rtype.review_cadence, today)
        key = review_key(type_name, start)
        with database.transaction() as session:
            if session.scalar(select(OutboxItem.id).where(OutboxItem.dedupe_key == key)):
                continue
        since, until = previous_start(rtype.review_cadence, start), start - timedelta(days=1)
        review = review_for(
            database=database,
            config=config,
            calendars=calendars,
            clock=clock,
            since=since,
            until=until,
            type_=type_name,
        )
        message = review_message(
            config=config,
            type_name=type_name,
            since=since,
            until=until,
            findings=headline_findings(review, type_name),
        )
        payload = {
            "message": message.model_dump(mode="json"),
            "purpose": PURPOSE,
            "type": type_name,
            "since": since.isoformat(),
        }
        with database.transaction() as session:
            enqueue_many(
                session,
                [
                    outbox_row(
                        kind=OutboxKind.NOTICE,
                        key=key,
                        now=now,
                        person_id=reviewer,
                        payload=payload,
                    )
                ],
            )
        queued += 1
    return queued


def review_posted(session: Session, *, config: Config, type_name: str, today: date) -> bool:
    """Sent for this period or the one before (the post may still be on its way)."""
    cadence = config.recommendation_types[type_name].review_cadence
    start = period_start(cadence, today)
    keys = [review_key(type_name, start), review_key(type_name, previous_start(cadence, start))]
    return bool(
        session.scalar(
            select(OutboxItem.id).where(
                OutboxItem.dedupe_key.in_(keys), OutboxItem.state == OutboxState.SENT
            )
        )
    )


def review_job(
    *, database: Database, config: Config, calendars: Calendars, clock: Clock
) -> tuple[str, float, Callable[[], int]]:
    """The periodic job for the composition root: (name, seconds, job)."""

    def run_once() -> int:
        return post_due_reviews(database=database, config=config, calendars=calendars, clock=clock)

    return ("review", JOB_SECONDS, run_once)
