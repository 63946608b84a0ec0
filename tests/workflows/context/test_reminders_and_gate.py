"""Paused interviews are recalled in the planner's business hours at most once a day;
owners of rules past their review-by date are nudged once; readiness gate 5 reads
which types have an interview and an approved rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config
from storage.db import Database
from storage.models import ContextRule, OutboxItem
from tests.support.interviews import say
from workflows.base import WorkflowContext
from workflows.context.reminders import ContextReminders
from workflows.context.rules.store import approve_rule
from workflows.delivery.worker import OutboxWorker
from workflows.readiness.context_gate import context_gate
from workflows.review.format_json import review_json
from workflows.review.format_md import render_markdown
from workflows.review.report import review_for
from workflows.service import Services


def reminders(services: Services) -> ContextReminders:
    return ContextReminders(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        clock=services.clock,
    )


def keys(database: Database, prefix: str) -> list[str]:
    with database.transaction() as session:
        return list(
            session.scalars(
                select(OutboxItem.dedupe_key)
                .where(OutboxItem.dedupe_key.like(f"{prefix}%"))
                .order_by(OutboxItem.id)
            )
        )


def test_paused_interview_reminded_in_business_hours_at_most_once_a_day(
    services: Services,
    database: Database,
    clock: AdjustableClock,
    outbox: OutboxWorker,
    chat: InMemoryChat,
) -> None:
    say(services, "ana", "interview suppliers")  # her own: Monday 09:00 Berlin
    say(services, "ana", "pause")
    job = reminders(services)
    job.run_once()
    assert keys(database, "interview-reminder") == []  # paused today: leave her be
    clock.set(datetime(2026, 12, 1, 5, 30, tzinfo=UTC))  # Tuesday 06:30 Berlin: not yet
    job.run_once()
    assert keys(database, "interview-reminder") == []
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # Tuesday 09:00 Berlin
    job.run_once()
    clock.advance(timedelta(hours=3))
    job.run_once()  # again the same day: nothing more
    assert keys(database, "interview-reminder") == ["interview-reminder:1:2026-12-01"]
    clock.set(datetime(2026, 12, 5, 9, 0, tzinfo=UTC))  # Saturday: not a business day
    job.run_once()
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday
    job.run_once()
    assert keys(database, "interview-reminder") == [
        "interview-reminder:1:2026-12-01",
        "interview-reminder:1:2026-12-07",
    ]
    outbox.drain()
    assert "Type `resume`" in (chat.to("ana")[-1].text or "")
    say(services, "ana", "resume")
    clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    job.run_once()
    assert len(keys(database, "interview-reminder")) == 2  # resumed: no more reminders


def test_rule_past_review_by_is_listed_and_its_owner_nudged_once(
    services: Services,
    database: Database,
    config: Config,
    clock: AdjustableClock,
) -> None:
    now = clock.now()
    with database.transaction() as session:
        session.add(
            ContextRule(
                key="acme-q4",
                entity_kind="supplier",
                entity_value="ACME",
                condition={},
                types=[],
                effect="Confirms late",
                confidence="high",
                contributors=["ana"],
                status="draft",
                source="import",
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        approve_rule(
            session,
            config=config,
            key="acme-q4",
            actor_id="greta",
            now=now,
            today=date(2026, 11, 30),
            review_by=date(2026, 12, 2),
        )
    job = reminders(services)
    job.run_once()
    assert keys(database, "rule-review") == []
    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    job.run_once()
    job.run_once()
    assert keys(database, "rule-review") == ["rule-review:1:2026-12-02"]
    listed = say(services, "greta", "rules")
    assert listed.sections[0].title == "Review Overdue (1)"
    with database.transaction() as session:
        [nudge] = session.scalars(
            select(OutboxItem).where(OutboxItem.dedupe_key.like("rule-review%"))
        ).all()
        assert nudge.person_id == "ana"
    review = review_for(WorkflowContext.of(database=database, config=config, clock=clock))
    # The report names nobody (privacy: pseudonymous by default); the nudge went to Ana.
    [due] = review.rules_due
    assert due.startswith("acme-q4: review was due 2026-12-02 (owner person-")
    assert "acme-q4: review was due 2026-12-02" in render_markdown(review)
    assert review_json(review)["rules_due_for_review"] == review.rules_due


NO_INTERVIEW = (
    "{}: no finished interview with an experienced planner (all required questions "
    "answered): mark the planner `experienced: true` and run `interview @planner TEMPLATE`"
)


def test_gate_five_names_per_type_what_is_missing(services: Services, config: Config) -> None:
    with services.database.transaction() as session:
        before = context_gate(session, config=config, now=services.clock.now()).missing
    assert NO_INTERVIEW.format("supplier_delay") in before
    assert "supplier_delay: no context rule approved by a second person" in before
    assert len(before) == 2 * len(config.recommendation_types)
    say(services, "greta", "interview @ana suppliers")
    for answer in (
        "a",
        "b",
        "c",
        "d",
        "e",
        "SKF-DE",
        "always",
        "Ships late",
        "3 days",
        "skip",
        "high",
        "supplier_delay",
    ):
        say(services, "ana", answer)
    say(services, "greta", "rules approve skf-de-suppliers")
    with services.database.transaction() as session:
        after = context_gate(session, config=config, now=services.clock.now()).missing
    assert NO_INTERVIEW.format("supplier_delay") not in after
    assert "supplier_delay: no context rule approved by a second person" not in after
    assert NO_INTERVIEW.format("expedite") not in after  # the template bears on it
    assert "expedite: no context rule approved by a second person" in after
    assert NO_INTERVIEW.format("capacity_warning") in after
