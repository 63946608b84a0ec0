"""What every stateful workflow needs: the database, the configuration, the business
calendars and the clock (and the outbox's wake-up, where a process runs one). One base
instead of the same constructor in each service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.clock import Calendars, Clock
from core.config import Config
from storage.db import Database
from workflows.metering import NO_METER, Meter


@dataclass(kw_only=True, eq=False)
class WorkflowContext:
    database: Database
    config: Config
    calendars: Calendars
    clock: Clock
    meter: Meter = NO_METER
    # Wakes the outbox worker so what a use case queued (a decision's card update) goes
    # out now, not at the next tick. Set by the composition root; a no-op elsewhere (a
    # job, a test, the CLI: the outbox is drained by its own loop there).
    kick: Callable[[], None] = field(default=lambda: None)

    @classmethod
    def of(cls, *, database: Database, config: Config, clock: Clock) -> WorkflowContext:
        """A context with the configuration's own calendars: for a job or a test that
        has a database, a configuration and a clock in hand."""
        return cls(database=database, config=config, calendars=Calendars(config), clock=clock)
