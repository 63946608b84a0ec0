"""A pilot that is ready to go live, built from evidence, to break one piece at a time:
the demo team with its functions and leads, a data declaration per type, a feed of one
recommendation per type and business day for the last six business days from the
declared source and site, each decided the day it came, each type's last review
acknowledged in chat by the override reviewer, and the matrix and the success criteria
signed by both leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any

import yaml

from core.clock import AdjustableClock, Calendars
from core.config import DEMO_CONFIG_PATH, Config, parse_config
from core.domain import Action
from storage.db import Database
from tests.support.data import make_rec
from workflows.base import WorkflowContext
from workflows.decisions.service import DecisionRequest, decide
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.ownership.signoffs import Subject, approve, subject_hash
from workflows.readiness.gates import Readiness, check_readiness
from workflows.review.acknowledgements import acknowledge_review
from workflows.service import build_services

FEED_DAYS = 6  # business days of feed before now (the data gate reads 5)
PER_DAY = 1  # per type and business day, at the one declared site
SOURCE, SITE, UNIT = "planner-ai", "DC-NORTH", "pcs"


def complete(data: dict[str, Any]) -> None:
    """What the demo configuration lacks for go-live: a data declaration per type."""
    data["review"] = {"min_sample": 3}
    for rtype in data["recommendation_types"].values():
        rtype["review_cadence"] = "weekly"
        rtype["success"]["review_cadence"] = "weekly"
        rtype["data"] = {
            "sources": [SOURCE],
            "sites": [SITE],
            "production_volume": PER_DAY,
            "min_share": 0.8,
            "fields": {
                "quantity": {"unit": UNIT, "definition": "pieces the recommendation is about"}
            },
        }


@cache
def _demo_text() -> str:
    return DEMO_CONFIG_PATH.read_text(encoding="utf-8")


def demo_config_text(change: Callable[[dict[str, Any]], None] | None = None) -> str:
    """The complete configuration as `sopbot.yml` text, then `change` applied."""
    data = yaml.load(_demo_text(), Loader=yaml.CSafeLoader)
    complete(data)
    if change is not None:
        change(data)
    return yaml.dump(data, Dumper=yaml.CSafeDumper)


def demo_config(change: Callable[[dict[str, Any]], None] | None = None) -> Config:
    """The complete configuration, then `change` applied (to break one thing)."""
    return parse_config(demo_config_text(change))


def feed(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    *,
    days: int = FEED_DAYS,
    lag: timedelta = timedelta(minutes=4),
    decided: bool = True,
    **fields: object,
) -> None:
    """`PER_DAY` recommendations per type on each of the last `days` business days, at
    10:00 company time, entered `lag` before receipt; the first of each day decided."""
    services = build_services(database=database, config=config, clock=clock)
    calendar = Calendars(config).for_person(None)
    now = clock.now()
    day = now.astimezone(calendar.tz).date()
    business_days = []
    while len(business_days) < days:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            business_days.append(day)
    for day in reversed(business_days):
        clock.set(datetime.combine(day, time(10, 0), tzinfo=calendar.tz))
        at = clock.now()
        raw = [
            make_rec(
                type=name,
                source=SOURCE,
                site=SITE,
                unit=UNIT,
                event_time=(at - lag - timedelta(minutes=1)).isoformat(),
                recorded_time=(at - lag).isoformat(),
                **fields,
            )
            for name in config.recommendation_types
            for _ in range(PER_DAY)
        ]
        results = ingest(services, items=validate_batch(config=config, raw_items=raw))
        if decided:
            for result in results[::PER_DAY]:
                decide(services, DecisionRequest(result.id, result.owner, Action.ACCEPT, "slack"))
    clock.set(now)


def acknowledge(database: Database, config: Config, clock: AdjustableClock) -> None:
    for name in config.recommendation_types:
        acknowledge_review(
            WorkflowContext.of(database=database, config=config, clock=clock),
            person_id=config.override_reviewer or "",
            type_name=name,
            note="read it",
            channel="slack",
        )


def sign_off(
    database: Database, config: Config, clock: AdjustableClock, subject: Subject = Subject.MATRIX
) -> None:
    for lead in {f.lead for f in config.readiness.functions.values()}:
        approve(
            WorkflowContext.of(database=database, config=config, clock=clock),
            lead_id=lead,
            seen_hash=subject_hash(config, subject)[:8],
            channel="slack",
            subject=subject,
        )


def ready_world(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    *,
    fed: bool = True,
    reviews: bool = True,
    signed: bool = True,
    agreed: bool = True,
) -> None:
    if fed:
        feed(database, config, clock)
    if reviews:
        acknowledge(database, config, clock)
    if signed:
        sign_off(database, config, clock, Subject.MATRIX)
    if agreed:
        sign_off(database, config, clock, Subject.CRITERIA)


def readiness(database: Database, config: Config, now: datetime) -> Readiness:
    with database.transaction() as session:
        return check_readiness(session, config=config, now=now)


def failing(result: Readiness) -> dict[int, list[str]]:
    return {g.id: g.missing for g in result.gates if not g.passed}
