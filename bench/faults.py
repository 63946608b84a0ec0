"""Faults, counted: what was acknowledged to a client, stored, delivered and duplicated
when the chat platforms storm with 429 / 500 / timeouts, when `sopbot serve` is
SIGKILLed during an ingestion batch and during delivery, and when PostgreSQL restarts
under ingestion and delivery. The same scenarios as tests/faults/ (which assert on
them), with more items (`SOPBOT_BENCH_FAULTS_ITEMS`, default 400 per crash scenario).

Targets: stored == acknowledged == delivered; duplicated <= one per crash (for the
storms: <= the answers lost after the platform did the work); every run recovers with
no manual step. PostgreSQL restarts use a throwaway server of this bench's own
(tests/services/postgres.sh on port `SOPBOT_BENCH_FAULTS_PG_PORT`, default 54348),
never the shared test server. Nothing here is timed."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from core.clock import AdjustableClock
from storage import migrate
from storage.db import Database
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlackApi
from tests.faults.crashes import own_postgres
from tests.faults.scenarios import Result, database_restart, sigkill
from tests.faults.storms import Counts, slack_storm, teams_storm, uncapped_demo_config
from tests.support.pg import scratch_database
from workflows.service import build_services

ITEMS = int(os.environ.get("SOPBOT_BENCH_FAULTS_ITEMS", "400"))
STORM_MESSAGES = int(os.environ.get("SOPBOT_BENCH_FAULTS_STORM", "100"))
PG_PORT = int(os.environ.get("SOPBOT_BENCH_FAULTS_PG_PORT", "54348"))
SIZE = 50  # items per ingestion batch
MONDAY_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def verdict(counts: Counts, allowed_duplicates: int, recovered: bool = True) -> str:
    ok = (
        counts.stored == counts.acknowledged == counts.delivered
        and recovered
        and counts.duplicated <= allowed_duplicates
    )
    return "met" if ok else "MISSED"


def storms(label: str, url: str) -> None:
    database = Database(url)
    migrate.upgrade(database)
    config = uncapped_demo_config()
    try:
        clock = AdjustableClock(MONDAY_9, frozen=True)
        services = build_services(database=database, config=config, clock=clock)
        with FakeSlackApi() as fake:
            counts = slack_storm(
                services, clock, fake, messages=STORM_MESSAGES, long_retry_after=30.0
            )
        lost = counts.faults.get("timeout (after the work)", 0)
        print(
            f"  {label:<10} Slack storm: {counts.line()}: "
            f"{verdict(counts, lost, counts.after_storm_calls == 1)}",
            flush=True,
        )
    finally:
        database.dispose()


def teams(label: str, url: str) -> None:
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    clock = AdjustableClock(MONDAY_9, frozen=True)
    with FakeBotConnector() as connector:
        counts = teams_storm(url, uncapped_demo_config(), clock, connector, messages=STORM_MESSAGES)
    lost = counts.faults.get("timeout (after the work)", 0)
    print(
        f"  {label:<10} Teams storm: {counts.line()}: "
        f"{verdict(counts, lost, counts.after_storm_calls == 1)}",
        flush=True,
    )


def crash_line(label: str, what: str, result: Result) -> None:
    met = verdict(result.counts, result.crashes, result.all_delivered)
    print(f"  {label:<10} {what}: {result.line()}: {met}", flush=True)


def run() -> None:
    print(
        f"faults: storms of {STORM_MESSAGES} messages (40% of calls fail), crashes over "
        f"{ITEMS} items in batches of {SIZE}",
        flush=True,
    )
    batches = max(3, ITEMS // SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name in ("storm", "teams", "kill"):
            (directory / name).mkdir()
        sqlite = f"sqlite:///{directory / 'storm.db'}"
        storms("sqlite", sqlite)
        teams("sqlite", f"sqlite:///{directory / 'teams.db'}")
        crash_line(
            "sqlite",
            "SIGKILL x2",
            sigkill(
                f"sqlite:///{directory / 'kill.db'}", directory / "kill", batches=batches, size=SIZE
            ),
        )
        admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
        if admin_url:
            with scratch_database(admin_url, "sopbot_bench") as url:
                storms("postgresql", url)
            with scratch_database(admin_url, "sopbot_bench") as url:
                teams("postgresql", url)
            with scratch_database(admin_url, "sopbot_bench") as url:
                result = sigkill(url, directory / "kill", batches=batches, size=SIZE)
            crash_line("postgresql", "SIGKILL x2", result)
        own_url, restart, stop = own_postgres(PG_PORT)
        try:
            (directory / "restart").mkdir()
            with scratch_database(own_url, "sopbot_bench") as url:
                result = database_restart(
                    url, directory / "restart", restart, batches=batches, size=SIZE
                )
            crash_line("postgresql", "server restarted", result)
        finally:
            stop()
