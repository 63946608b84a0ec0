"""The review cadence's "already posted" is a durable record: retention prunes the
outbox row that carried the post, and the review is not posted again. An upgrade keeps
the reviews posted before the record existed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from core.clock import AdjustableClock, Calendars
from core.config import Config, RetentionSettings
from core.domain import OutboxState
from storage import migrate
from storage.db import Database
from storage.models import OutboxItem, ReviewPost
from workflows.base import WorkflowContext
from workflows.delivery.retention import Pruner
from workflows.review.cadence import post_due_reviews, review_posted


def outbox_reviews(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.dedupe_key.like("review:%"))
        )


def test_a_pruned_outbox_row_does_not_post_the_review_again(
    database: Database, config: Config, clock: AdjustableClock
) -> None:
    short = config.model_copy(update={"retention": RetentionSettings(delivered_outbox="1d")})
    calendars = Calendars(short)
    clock.advance(timedelta(days=1))  # Tuesday 1 December: a new month, a week begun
    queued = post_due_reviews(WorkflowContext.of(database=database, config=short, clock=clock))
    assert queued == len(short.recommendation_types)
    now = clock.now()
    with database.transaction() as session:
        for item in session.scalars(select(OutboxItem)):
            item.state, item.sent_at = OutboxState.SENT, now
    clock.advance(timedelta(days=2))  # Thursday: the same week and the same month
    pruner = Pruner(database=database, config=short, calendars=calendars, clock=clock)
    assert pruner.prune(now=clock.now()).outbox_rows == queued
    assert outbox_reviews(database) == 0
    again = post_due_reviews(WorkflowContext.of(database=database, config=short, clock=clock))
    assert again == 0  # the monthly review is not posted a second time
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReviewPost)) == queued
        today = clock.now().date()
        assert review_posted(session, config=short, type_name="demand_revision", today=today)


def test_the_upgrade_carries_reviews_posted_through_the_outbox(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(database, "0007")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outbox (kind, dedupe_key, person_id, payload, state, attempts, "
                "next_attempt_at, created_at) VALUES ('notice', 'review:demand_revision:"
                "2026-12-01', 'greta', '{}', 'sent', 1, '2026-12-01 00:00:30.000000', "
                "'2026-12-01 00:00:30.000000')"
            )
        )
    migrate.upgrade(database)
    with database.transaction() as session:
        [post] = session.scalars(select(ReviewPost))
        assert (post.type, post.period_start, post.reviewer_id) == (
            "demand_revision",
            date(2026, 12, 1),
            "greta",
        )
        assert post.posted_at == datetime.fromisoformat("2026-12-01 00:00:30+00:00")
    database.dispose()
