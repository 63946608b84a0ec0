"""The services an adapter or the HTTP API needs, bundled: one object to pass around
instead of six. Built once by the composition root (bot.runtime)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.clock import Calendars, Clock
from bot.config import Config
from storage.db import Database
from workflows.decisions import DecisionService
from workflows.ingestion import Ingestor


@dataclass
class Services:
    database: Database
    config: Config
    clock: Clock
    calendars: Calendars
    ingestor: Ingestor
    decisions: DecisionService
    # Wakes the outbox worker so a decision's message update goes out now, not at the
    # next tick. Set by the composition root; a no-op in unit tests.
    kick: Callable[[], None] = field(default=lambda: None)


def build_services(*, database: Database, config: Config, clock: Clock) -> Services:
    calendars = Calendars(config)
    return Services(
        database=database,
        config=config,
        clock=clock,
        calendars=calendars,
        ingestor=Ingestor(database=database, config=config, calendars=calendars, clock=clock),
        decisions=DecisionService(
            database=database, config=config, calendars=calendars, clock=clock
        ),
    )
