"""What every stateful workflow needs: the database, the configuration, the business
calendars and the clock. One base instead of the same constructor in each service."""

from __future__ import annotations

from dataclasses import dataclass

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

    @classmethod
    def of(cls, *, database: Database, config: Config, clock: Clock) -> WorkflowContext:
        """A context with the configuration's own calendars: for a job or a test that
        has a database, a configuration and a clock in hand."""
        return cls(database=database, config=config, calendars=Calendars(config), clock=clock)
