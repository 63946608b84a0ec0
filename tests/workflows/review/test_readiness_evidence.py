"""Evidence the gates refuse to take at face value: a review acknowledged by someone other
than the reviewer, or of an empty period; a bot-posted review nobody read; a rule its
author approved; an interview whose required answer was skipped; and the baseline
sopbot measures itself, by the standard WAPE, checked by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import AdjustableClock
from core.config import Config
from storage.db import Database
from storage.models import ContextRule, ReadinessDay
from tests.support.data import make_rec
from tests.workflows.review.readiness_world import demo_config, failing, readiness, ready_world
from workflows.context.rules.store import approve_rule
from workflows.errors import NotPermitted
from workflows.intake.ingestion import ingest
from workflows.intake.outcomes import record_outcomes
from workflows.intake.validation import validate_batch
from workflows.readiness.context_gate import context_gate
from workflows.readiness.criteria_gate import measured_error
from workflows.readiness.gates import Readiness
from workflows.readiness.history import green_since, record_day
from workflows.review.acknowledgements import acknowledge_review
from workflows.review.cadence import post_due_reviews, review_message
from workflows.service import build_services


@pytest.fixture
def complete() -> Config:
    return demo_config()


def test_only_the_reviewer_acknowledges_and_a_review_of_nothing_is_not_held(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    services = build_services(database=database, config=complete, clock=clock)

    def ack(person: str) -> str:
        return acknowledge_review(
            services,
            person_id=person,
            type_name="expedite",
            note=None,
            channel="teams",
        ).header

    assert ack("greta") == "Nothing to review"  # no decisions last week
    assert ack("ana") == "Not the override reviewer"
    ready_world(database, complete, clock, reviews=False)
    # The bot posting the reviews (as `serve` does each period) is not the review held.
    post_due_reviews(services)
    assert 3 in failing(readiness(database, complete, clock.now()))
    assert ack("greta") == "Review acknowledged"
    assert ack("greta") == "Already acknowledged"


def test_a_rule_approved_by_its_author_or_imported_as_approved_is_no_evidence(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    now = clock.now()
    with database.transaction() as session:
        for key, source, reviewer in (("imported", "import", None), ("own", "interview:1", "ana")):
            session.add(
                ContextRule(
                    key=key,
                    entity_kind="supplier",
                    entity_value="ACME",
                    condition={},
                    types=["supplier_delay"],
                    effect="ships late in Q4",
                    confidence="high",
                    owner_id="ana",
                    contributors=["ana"],
                    status="approved",
                    source=source,
                    created_at=now,
                    updated_at=now,
                    reviewed_by=reviewer,
                )
            )
    with database.transaction() as session:
        found = context_gate(session, config=complete, now=now)
        with pytest.raises(NotPermitted):
            approve_rule(
                session,
                config=complete,
                key="own",
                actor_id="ana",
                now=now,
                today=now.date(),
            )
    assert any(m.startswith("rule imported (import) is approved by nobody") for m in found.missing)
    assert any(m.startswith("rule own (interview:1) is approved by ana") for m in found.missing)
    assert "supplier_delay: no context rule approved by a second person" in found.missing
    with database.transaction() as session:
        approve_rule(
            session, config=complete, key="imported", actor_id="greta", now=now, today=now.date()
        )
        rule = session.scalar(select(ContextRule).where(ContextRule.key == "imported"))
        assert rule is not None and rule.reviewed_by == "greta"
        again = context_gate(session, config=complete, now=now)
    assert "supplier_delay: no context rule approved by a second person" not in again.missing


def test_the_measured_baseline_is_the_standard_wape_with_negative_actuals(
    database: Database, complete: Config, clock: AdjustableClock
) -> None:
    """AI values 1, 1, 1 against actuals -3, -2, 1 (a delay in days, early is negative):
    Σ|f-a| = 4 + 3 + 0 = 7, Σ|a| = 6, WAPE = 116.7% (dividing by Σa = -4 would say -175%)."""
    services = build_services(database=database, config=complete, clock=clock)
    raw = [make_rec(type="supplier_delay", quantity=1, unit="pcs") for _ in range(3)]
    ingest(services, items=validate_batch(config=complete, raw_items=raw))
    record_outcomes(
        services,
        raw_items=[
            {"external_id": item["external_id"], "source": item["source"], "actual_value": a}
            for item, a in zip(raw, (-3.0, -2.0, 1.0), strict=True)
        ],
    )
    with database.transaction() as session:
        error, n = measured_error(session, config=complete, type_name="supplier_delay") or (0, 0)
        assert n == 3 and error == pytest.approx(7 / 6)
        assert measured_error(session, config=complete, type_name="expedite") is None


def test_each_day_is_recorded_and_a_gate_is_green_since_its_latest_unbroken_run(
    database: Database, clock: AdjustableClock
) -> None:
    def verdict(*passed: bool) -> Readiness:
        return Readiness.model_validate(
            {
                "ready": all(passed[:4]),
                "gates": [
                    {"id": i + 1, "name": "g", "hard": i < 4, "passed": p, "missing": []}
                    for i, p in enumerate(passed)
                ],
            }
        )

    start = clock.now()
    days = [
        verdict(True, False, True, True, False),
        verdict(True, True, True, True, False),
        verdict(False, True, True, True, False),
        verdict(True, True, True, True, False),
    ]
    with database.transaction() as session:
        for offset, day in enumerate(days):
            moment: datetime = start + timedelta(days=offset)
            record_day(session, readiness=day, day=moment.date(), now=moment)
        record_day(session, readiness=days[-1], day=(start + timedelta(days=3)).date(), now=start)
        rows = list(session.scalars(select(ReadinessDay).order_by(ReadinessDay.day)))
    since = green_since(rows)
    first = start.date()
    assert len(rows) == 4
    assert since["1"] == first + timedelta(days=3)  # broken on day 3
    assert since["2"] == first + timedelta(days=1)
    assert since["3"] == first
    assert since["5"] is None
    assert since["ready"] == first + timedelta(days=3)


def test_the_posted_review_tells_the_reviewer_how_to_hold_it(complete: Config) -> None:
    message = review_message(
        config=complete,
        type_name="expedite",
        since=date(2026, 11, 23),
        until=date(2026, 11, 29),
        findings=["3 overrides"],
    )
    assert any("Type `reviewed expedite`" in line for line in message.context)
