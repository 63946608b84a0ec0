"""What every stateful workflow needs: the database, the configuration, the business
calendars and the clock. One base instead of the same constructor in each service."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Calendars, Clock
from bot.config import Config
from storage.db import Database


@dataclass(kw_only=True, eq=False)
class WorkflowContext:
    database: Database
    config: Config
    calendars: Calendars
    clock: Clock
