"""The composition root: settings -> database, configuration, services, adapters, timer.

The only module that knows every layer; everything else receives what it needs."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from adapters.local import LocalAdapter
from adapters.slack.app import build_slack_adapter
from adapters.teams.app import build_teams_adapter
from bot.adapter import Adapter
from bot.metrics import PrometheusMeter
from bot.metrics_webhooks import WebhookCollector
from bot.scheduler import Ticker
from bot.settings import Settings
from core.chat import ChatRouter
from core.clock import AdjustableClock, Clock, SystemClock
from core.config import Config, ConfigError, load_config
from storage import migrate
from storage.db import Database, UnsupportedStore
from workflows.context import CONTEXT_REMINDER_SECONDS, ContextReminders
from workflows.delivery import OutboxWorker, Pruner, Reach
from workflows.digest import waiting_job
from workflows.events import (
    EventsJob,
    HookStatus,
    SecretError,
    WebhookDeliverer,
    hook_statuses,
    subscriptions,
)
from workflows.metering import NO_METER, Meter
from workflows.readiness import READINESS_JOB_SECONDS, assess
from workflows.review import review_job
from workflows.service import Services, build_services
from workflows.sla import SlaSweeper
from workflows.views import count_open

log = logging.getLogger(__name__)

OUTBOX_JOB = "outbox"
SLA_JOB = "sla"
PRUNE_JOB = "prune"
EVENTS_JOB = "events"  # stamp positions, deliver webhooks (workflows/events)
# SQLite: the WAL copied back into the database file on the timer's thread, so commits
# (a click, a sweep batch) rarely pay for it (storage.db.SQLITE_WAL_AUTOCHECKPOINT_PAGES).
CHECKPOINT_JOB = "wal_checkpoint"
CHECKPOINT_SECONDS = 5.0
PRUNE_SECONDS = 3600.0  # delivered outbox rows and old de-duplication keys (retention)


def build_adapters(settings: Settings, services: Services) -> list[Adapter]:
    """One adapter per enabled platform, in delivery preference order."""
    adapters: list[Adapter] = []
    # --- slack adapter wiring ---
    if settings.slack_enabled:
        adapters.append(build_slack_adapter(settings=settings.slack(), services=services))
    # --- teams adapter wiring ---
    if settings.teams_on:
        adapters.append(build_teams_adapter(settings=settings.teams(), services=services))
    # --- local web chat wiring ---
    if settings.local_chat_on:
        adapters.append(LocalAdapter(services, extra_hosts=settings.chat_hosts))
    return adapters


@dataclass
class Runtime:
    settings: Settings
    database: Database
    config: Config
    clock: Clock
    services: Services
    adapters: list[Adapter]
    chat: ChatRouter
    outbox: OutboxWorker
    meter: PrometheusMeter
    ticker: Ticker = field(default_factory=Ticker)
    # Periodic jobs besides the outbox (e.g. the SLA sweep): (name, seconds, job).
    jobs: list[tuple[str, float, Callable[[], object]]] = field(default_factory=list)
    # Resources the jobs hold (the webhook HTTP client), released in `stop`.
    closers: list[Callable[[], object]] = field(default_factory=list)
    started: bool = False

    def kick(self) -> None:
        self.ticker.run_now(OUTBOX_JOB)
        self.ticker.run_now(EVENTS_JOB)

    def run_jobs_now(self) -> None:
        """Run every periodic job once, then deliver what they produced."""
        for _name, _seconds, job in self.jobs:
            job()
        self.outbox.drain()

    def advance_clock(self, delta: timedelta) -> datetime:
        """Demo and tests: move an adjustable clock forward and let the timers catch up."""
        if not isinstance(self.clock, AdjustableClock):
            raise RuntimeError("the clock can only be advanced in the demo")
        moment = self.clock.advance(delta)
        self.run_jobs_now()
        return moment

    def start(self) -> None:
        """Start the timer and adapters' background work (`serve`, `demo`)."""
        if self.started:
            return
        for adapter in self.adapters:
            adapter.start()
        if self.settings.scheduler:
            # Each tick drains what is due (batches of 50 until one comes back empty), so
            # a burst of escalations is not held to 50 messages per tick.
            self.ticker.every(OUTBOX_JOB, self.settings.tick_seconds, self.outbox.drain)
            for name, seconds, job in self.jobs:
                self.ticker.every(name, seconds, job)
            self.ticker.start()
        self.started = True

    def stop(self) -> None:
        self.ticker.stop()
        for adapter in self.adapters:
            adapter.stop()
        for close in self.closers:
            close()
        self.database.dispose()
        self.started = False


def open_services(
    settings: Settings,
    *,
    config: Config | None = None,
    clock: Clock | None = None,
    meter: Meter = NO_METER,
    upgrade: bool = True,
) -> Services:
    """Settings -> configuration, database (migrated unless told not to), calendars and
    services: what `serve` and every CLI command run on, built in this one place."""
    config = config or load_config(settings.config_path)
    if clock is None and settings.clock_start is not None:
        clock = AdjustableClock(settings.clock_start)  # runs on from SOPBOT_CLOCK_START
    try:
        database = Database(settings.database_url)
    except UnsupportedStore as exc:  # refused like every other setting: one line, exit 2
        raise ConfigError([str(exc)], "environment") from None
    if upgrade:
        migrate.upgrade(database)
    return build_services(
        database=database,
        config=config,
        clock=clock or SystemClock(),
        meter=meter,
        public_url=settings.public_url,
    )


def build_runtime(
    settings: Settings,
    *,
    config: Config | None = None,
    clock: Clock | None = None,
    upgrade: bool = True,
) -> Runtime:
    config = config or load_config(settings.config_path)
    if clock is None and settings.clock_start is not None:
        clock = AdjustableClock(settings.clock_start)  # runs on from SOPBOT_CLOCK_START
    clock = clock or (AdjustableClock() if settings.api_open_for_demo else SystemClock())
    # The meter counts open items from the database the services open (read lazily).
    meter = PrometheusMeter(config=config, count_open=lambda: _count_open(services.database))
    services = open_services(settings, config=config, clock=clock, meter=meter, upgrade=upgrade)
    database = services.database
    adapters = build_adapters(settings, services)
    # Each person on the platform where they are known; a miss tries the next one.
    chat = Reach([a.chat for a in adapters], database=database, clock=clock)
    outbox = OutboxWorker(
        database=database,
        config=config,
        chat=chat,
        clock=clock,
        meter=meter,
        lease=timedelta(seconds=settings.outbox_lease_seconds),
        sends_in_flight=settings.outbox_sends_in_flight,
    )
    runtime = Runtime(
        settings=settings,
        database=database,
        config=config,
        clock=clock,
        services=services,
        adapters=adapters,
        chat=chat,
        outbox=outbox,
        meter=meter,
    )
    services.kick = runtime.kick
    sweeper = SlaSweeper(
        database=database, config=config, calendars=services.calendars, clock=clock, meter=meter
    )

    def sweep_then_deliver() -> None:
        report = sweeper.run_once()
        if report.steps or report.ended:
            runtime.kick()  # what the sweep queued goes out now, not at the next tick

    runtime.jobs.append((SLA_JOB, settings.sla_sweep_seconds, sweep_then_deliver))
    reminders = ContextReminders(
        database=database, config=config, calendars=services.calendars, clock=clock
    )
    runtime.jobs.append(("context", CONTEXT_REMINDER_SECONDS, reminders.run_once))
    runtime.jobs.append(review_job(services))
    # The escalation channel's daily line per person of what waits on them.
    runtime.jobs.append(waiting_job(services))
    events = events_job(runtime)
    runtime.jobs.append((EVENTS_JOB, settings.tick_seconds, events.run_once))
    runtime.closers.append(events.close)
    if config.webhooks:
        meter.registry.register(WebhookCollector(lambda: _hook_statuses(database, config)))
    pruner = Pruner(database=database, config=config, calendars=services.calendars, clock=clock)
    runtime.jobs.append((PRUNE_JOB, PRUNE_SECONDS, pruner.run_once))
    if not database.is_postgres:
        runtime.jobs.append((CHECKPOINT_JOB, CHECKPOINT_SECONDS, database.checkpoint))
    # Readiness recorded at least hourly, so the dossier knows since when each gate holds.
    runtime.jobs.append(
        (
            "readiness",
            READINESS_JOB_SECONDS,
            lambda: assess(services),
        )
    )
    if isinstance(clock, AdjustableClock):  # the demo's "advance the clock" control
        for adapter in adapters:
            if isinstance(adapter, LocalAdapter):
                adapter.advance_clock = runtime.advance_clock
    return runtime


def events_job(runtime: Runtime) -> EventsJob:
    """The sequencer and the webhook deliverer; a subscription whose secret is missing
    from the environment refuses the start, naming the entry."""
    services = runtime.services
    try:
        subs = subscriptions(runtime.config.webhooks, os.environ)
    except SecretError as exc:
        raise ConfigError([str(exc)]) from None
    deliverer = None
    if subs:
        deliverer = WebhookDeliverer(
            database=runtime.database,
            config=runtime.config,
            calendars=services.calendars,
            clock=runtime.clock,
            subscriptions=subs,
            client=httpx.Client(),
        )
    return EventsJob(
        database=runtime.database,
        config=runtime.config,
        calendars=services.calendars,
        clock=runtime.clock,
        deliverer=deliverer,
    )


def _hook_statuses(database: Database, config: Config) -> list[HookStatus]:
    with database.read() as session:
        return hook_statuses(session, config.webhooks)


def _count_open(database: Database) -> int:
    with database.read() as session:
        return count_open(session)
