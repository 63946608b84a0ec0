"""Types whose reviews cover the same window share one review: on the 1st of a month the
four weekly types of the demo share last week's, and the monthly one has its own, so
the cadence computes two reviews, not five, and posts exactly what one review per type
posted (byte for byte)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import AdjustableClock
from core.config import Config, ReviewSettings
from storage.db import Database
from storage.models import OutboxItem
from tests.workflows.review.builder import Item, write_items
from workflows.base import WorkflowContext
from workflows.review import report
from workflows.review.cadence import (
    PURPOSE,
    period_start,
    post_due_reviews,
    previous_start,
    review_key,
    review_message,
    reviewer_today,
)
from workflows.review.report import Review, headline_findings, review_for

REASONS = ["SUPPLIER_PATTERN", "INFO_NOT_IN_MODEL"]


def items(types: list[str]) -> list[Item]:
    """Twelve decided items per type in the week of 23 November, every other one
    overridden with one of two reasons, each with an outcome; and two more per type on Monday 30
    November (in the month's window, not the week's)."""
    out = []
    for k, type_name in enumerate(types):
        for n in range(14):
            day = 23 + n % 5 if n < 12 else 30
            at = datetime(2026, 11, day, 8, 0, tzinfo=UTC) + timedelta(minutes=k)
            override = n % 2 == 0
            out.append(
                Item(
                    type=type_name,
                    ai=100 + 10 * n + k,
                    baseline=90 + 7 * n,
                    received_at=at,
                    due_at=at + timedelta(hours=8),
                    confidence=0.5 + 0.04 * n,
                    kind="override" if override else "accept",
                    value=(100 + 10 * n) * (0.8 + 0.05 * k) if override else None,
                    reason=REASONS[(n // 2 + k) % len(REASONS)] if override else None,
                    decided_at=at + timedelta(hours=1 + n % 4 + k),
                    actual=100 + 9 * n - 3 * k,
                    ai_correct=n % 2 == 0,
                )
            )
    return out


def one_review_per_type(ctx: WorkflowContext) -> dict[str, str]:
    """What the cadence posted when it computed each type's own review: each review
    row's key -> its payload as JSON."""
    today, out = reviewer_today(ctx.config, ctx.clock), {}
    for type_name, rtype in ctx.config.recommendation_types.items():
        start = period_start(rtype.review_cadence, today)
        since, until = previous_start(rtype.review_cadence, start), start - timedelta(days=1)
        review = review_for(ctx, since=since, until=until, type_=type_name, with_rows=False)
        message = review_message(
            config=ctx.config,
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
        out[review_key(type_name, start)] = json.dumps(payload, sort_keys=True)
    return out


def posted(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        rows = session.scalars(select(OutboxItem).where(OutboxItem.dedupe_key.like("review:%")))
        return {row.dedupe_key: json.dumps(row.payload, sort_keys=True) for row in rows}


def test_types_sharing_a_window_share_one_review_and_post_the_same(
    database: Database, config: Config, clock: AdjustableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config.model_copy(update={"review": ReviewSettings(min_sample=3)})  # every line
    types = config.recommendation_types
    cadences = [t.review_cadence for t in types.values()]
    assert cadences.count("weekly") >= 3 and cadences.count("monthly") == 1
    write_items(database, items(list(types)))
    clock.advance(timedelta(days=1))  # Tuesday 1 December: a week begun and a new month
    ctx = WorkflowContext.of(database=database, config=config, clock=clock)
    expected = one_review_per_type(ctx)
    assert len(set(expected.values())) == len(types)  # each type's figures differ
    findings = "\n".join(expected.values())
    assert "WAPE naive" in findings and "override reason" in findings  # all lines at work

    built: list[Review] = []
    build_review = report.build_review

    def counted(*args: object, **kwargs: object) -> Review:
        built.append(build_review(*args, **kwargs))  # type: ignore[arg-type]
        return built[-1]

    monkeypatch.setattr(report, "build_review", counted)
    assert post_due_reviews(ctx) == len(types)
    assert len(built) == 2  # last week's (four types) and November's (one), not five
    assert posted(database) == expected
    assert post_due_reviews(ctx) == 0 and len(built) == 2  # posted: nothing computed again
