"""The services an adapter or the HTTP API needs, bundled: one object to pass around
instead of six. Built once by the composition root (bot.runtime)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import Calendars, Clock
from core.config import Config
from storage.db import Database
from workflows.decisions.service import DecisionService
from workflows.intake.ingestion import Ingestor
from workflows.metering import NO_METER, Meter
from workflows.sla.extension import Extended, check_extension, extend_sla
from workflows.sla.snooze import Snoozed, snooze


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
    # Where sopbot is reachable from a browser (SOPBOT_PUBLIC_URL), for links in chat
    # such as the signed override report; empty: links are paths on this server.
    public_url: str = ""

    def snooze(
        self, *, recommendation_id: int, actor_id: str, choice: str, channel: str
    ) -> Snoozed:
        """A SNOOZE button (value "1h", "4h" or "nbd"); see workflows.sla.snooze."""
        result = snooze(
            database=self.database,
            config=self.config,
            calendars=self.calendars,
            clock=self.clock,
            recommendation_id=recommendation_id,
            actor_id=actor_id,
            choice=choice,
            channel=channel,
        )
        self.kick()
        return result

    def check_extension(
        self, *, actor_id: str, new_due: datetime | str, reason: str | None
    ) -> datetime:
        """The EXTEND form's inputs as far as no database is needed (before a chat's ack);
        see workflows.sla.extension.check_extension."""
        return check_extension(
            config=self.config, clock=self.clock, actor_id=actor_id, new_due=new_due, reason=reason
        )

    def extend_sla(
        self,
        *,
        recommendation_id: int,
        actor_id: str,
        new_due: datetime | str,
        reason: str | None,
        channel: str,
    ) -> Extended:
        """The EXTEND form (inputs `due_at`, `reason`); see workflows.sla.extension."""
        result = extend_sla(
            database=self.database,
            config=self.config,
            calendars=self.calendars,
            clock=self.clock,
            recommendation_id=recommendation_id,
            actor_id=actor_id,
            new_due=new_due,
            reason=reason,
            channel=channel,
        )
        self.kick()
        return result


def build_services(
    *,
    database: Database,
    config: Config,
    clock: Clock,
    meter: Meter = NO_METER,
    public_url: str = "",
) -> Services:
    calendars = Calendars(config)
    context = {
        "database": database,
        "config": config,
        "calendars": calendars,
        "clock": clock,
        "meter": meter,
    }
    return Services(
        database=database,
        config=config,
        clock=clock,
        calendars=calendars,
        ingestor=Ingestor(**context),
        decisions=DecisionService(**context),
        public_url=public_url,
    )
