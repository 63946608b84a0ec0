"""A pilot that passes every hard gate, to break one thing at a time: the demo
configuration (owners, backups, escalation, success criteria, field meanings, leads ben
and greta), a fresh feed of one recommendation per type, each type's review posted, and
the matrix approved by both leads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import yaml

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import DEMO_CONFIG_PATH, Config, parse_config
from storage.db import Database
from tests.support.data import make_rec
from workflows.delivery.worker import OutboxWorker
from workflows.intake.validation import validate_batch
from workflows.ownership.signoffs import approve_matrix, config_hash
from workflows.readiness.gates import Readiness, check_readiness
from workflows.review.cadence import post_due_reviews
from workflows.service import build_services


def demo_config(change: Callable[[dict[str, Any]], None] | None = None) -> Config:
    data = yaml.safe_load(DEMO_CONFIG_PATH.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    return parse_config(yaml.safe_dump(data))


def feed(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    *,
    lag: timedelta = timedelta(minutes=4),
    **fields: object,
) -> None:
    services = build_services(database=database, config=config, clock=clock)
    now = clock.now()
    raw = [
        make_rec(
            type=name,
            event_time=(now - lag).isoformat(),
            recorded_time=(now - lag + timedelta(minutes=1)).isoformat(),
            **fields,
        )
        for name in config.recommendation_types
    ]
    services.ingestor.ingest(items=validate_batch(config=config, raw_items=raw))


def post_reviews(database: Database, config: Config, clock: AdjustableClock) -> InMemoryChat:
    services = build_services(database=database, config=config, clock=clock)
    post_due_reviews(database=database, config=config, calendars=services.calendars, clock=clock)
    chat = InMemoryChat()
    OutboxWorker(database=database, config=config, chat=chat, clock=clock).drain()
    return chat


def sign_off(database: Database, config: Config, clock: AdjustableClock) -> None:
    for lead in config.readiness.matrix_signoff_leads:
        approve_matrix(
            database=database,
            config=config,
            clock=clock,
            lead_id=lead,
            seen_hash=config_hash(config)[:8],
            channel="memory",
        )


def ready_world(
    database: Database,
    config: Config,
    clock: AdjustableClock,
    *,
    reviews: bool = True,
    signed: bool = True,
) -> None:
    feed(database, config, clock)
    if reviews:
        post_reviews(database, config, clock)
    if signed:
        sign_off(database, config, clock)


def readiness(database: Database, config: Config, now: datetime) -> Readiness:
    with database.transaction() as session:
        return check_readiness(session, config=config, now=now)


def failing(result: Readiness) -> dict[int, list[str]]:
    return {g.id: g.missing for g in result.gates if not g.passed}
