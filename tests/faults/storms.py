"""Delivery through a storm of chat-platform faults, counted the way the issue asks:
acknowledged (ingested), stored, delivered (distinct messages the platform holds) and
duplicated (messages the platform holds more than once).

The outbox worker runs in-process on a frozen clock the test advances between rounds,
so Retry-After and backoff are checked against that clock, never against wall time;
the chat adapter is the real one, over real HTTP, against the fake platform."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from core.clock import AdjustableClock
from core.domain import OutboxState
from storage.db import Database
from storage.models import OutboxItem, Recommendation
from tests.conftest import make_rec
from workflows.delivery import OutboxWorker
from workflows.ingestion import validate_batch
from workflows.service import Services

SKU = re.compile(r"SKU-9\d{4}")


def storm_skus(count: int) -> list[str]:
    return [f"SKU-9{i:04d}" for i in range(count)]


@dataclass
class Counts:
    acknowledged: int = 0  # items the ingestion answered 2xx for
    stored: int = 0  # of those, rows in the database
    delivered: int = 0  # of those, distinct messages the platform holds
    duplicated: int = 0  # extra copies the platform holds
    faults: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        faults = ", ".join(f"{n} x {kind}" for kind, n in sorted(self.faults.items()))
        return (f"acknowledged {self.acknowledged}, stored {self.stored}, delivered "
                f"{self.delivered}, duplicated {self.duplicated}"
                + (f" (faults: {faults})" if faults else ""))  # fmt: skip


def ingest(services: Services, skus: Iterable[str]) -> int:
    raw = [make_rec(sku=sku, external_id=f"storm-{sku}") for sku in skus]
    items = validate_batch(config=services.config, raw_items=raw)
    services.ingestor.ingest(items=items)
    return len(raw)


def stored(database: Database, skus: list[str]) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count()).select_from(Recommendation).where(Recommendation.sku.in_(skus))
        )


def pending(database: Database) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count()).select_from(OutboxItem)
            .where(OutboxItem.state == OutboxState.PENDING)
        )  # fmt: skip


def copies(texts: Iterable[str]) -> Counter[str]:
    """How many held messages name each storm SKU."""
    found: Counter[str] = Counter()
    for text in texts:
        found.update(set(SKU.findall(text)))
    return found


def weather(outbox: OutboxWorker, clock: AdjustableClock, *, step: timedelta,
            rounds: int, done: Callable[[], bool]) -> int:  # fmt: skip
    """Deliver, move the clock on by `step`, again, until `done()` or `rounds` ran out
    (the outbox backs off and honours Retry-After on the clock it is given)."""
    for used in range(1, rounds + 1):
        outbox.drain(rounds=50)
        if done():
            return used
        clock.advance(step)
    return rounds
