"""The services an adapter or the HTTP API needs, bundled: one object to pass around
instead of six. Built once by the composition root (bot.runtime)."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Calendars, Clock
from core.config import Config
from storage.db import Database
from workflows.base import WorkflowContext
from workflows.metering import NO_METER, Meter


@dataclass(kw_only=True, eq=False)
class Services(WorkflowContext):
    """The context every use case takes first (`fn(ctx, *, ...)`), as the composition
    root builds it: the workflow context (with its outbox `kick`) plus what only the
    adapters and the API need."""

    # Where sopbot is reachable from a browser (SOPBOT_PUBLIC_URL), for links in chat
    # such as the signed override report; empty: links are paths on this server.
    public_url: str = ""


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
    return Services(**context, public_url=public_url)
