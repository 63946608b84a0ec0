"""A slow Slack and a short lease: two replicas' outbox workers deliver every reminder
exactly once. The first worker's batch takes longer than its lease; the second re-claims
the rows it has not reached, and the first no longer sends them (the claim token is
checked before each send and when the row is marked sent). Both databases."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.runtime import Runtime, build_runtime
from core.clock import AdjustableClock
from core.config import Config
from core.domain import OutboxKind, OutboxState
from storage.models import OutboxItem
from tests.fakes.slack_api import FakeSlackApi
from tests.support.data import MONDAY_9, make_rec
from tests.support.slack import USERS_BY_EMAIL, slack_settings
from workflows.delivery.worker import OutboxWorker
from workflows.intake.ingestion import ingest
from workflows.intake.validation import validate_batch
from workflows.service import build_services
from workflows.sla.sweep import sweep

COUNT = 30
SEND_SECONDS = 0.25  # per chat.postMessage: the batch of 30 takes about two leases
LEASE = timedelta(seconds=4)  # well above one send, even on a loaded machine
REMINDERS_AT = datetime(2026, 11, 30, 12, 0, 30, tzinfo=UTC)  # 13:00:30 Berlin, past 50%


@pytest.fixture
def slow_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as fake:
        yield fake


def seed_due_reminders(db_url: str, config: Config, runtime: Runtime) -> None:
    services = build_services(
        database=runtime.database, config=config, clock=AdjustableClock(MONDAY_9, frozen=True)
    )
    raw = [make_rec(title=f"SLOW-{n:02d}", sku=f"SKU-{n}") for n in range(COUNT)]
    ingest(services, items=validate_batch(config=config, raw_items=raw))
    with runtime.database.transaction() as session:  # the first messages went out at 09:00
        session.execute(update(OutboxItem).values(state=OutboxState.SENT))
    sweep(database=runtime.database, config=config, calendars=services.calendars, now=REMINDERS_AT)


def reminders(fake: FakeSlackApi) -> Counter[str]:
    return Counter(
        str(params.get("text", "")).split("SLOW-")[1][:2]
        for params in fake.calls_to("chat.postMessage")
        if str(params.get("text", "")).startswith("Reminder:")
    )


def pending_reminders(runtime: Runtime) -> int:
    with runtime.database.transaction() as session:
        rows = session.scalars(
            select(OutboxItem.state).where(
                OutboxItem.kind == OutboxKind.DELIVER, OutboxItem.dedupe_key.like("sla:%")
            )
        ).all()
    assert len(rows) == COUNT
    return sum(1 for state in rows if state == OutboxState.PENDING)


def test_a_slow_send_past_the_lease_is_not_sent_twice(
    db_url: str, config: Config, slow_slack: FakeSlackApi
) -> None:
    clock = AdjustableClock(REMINDERS_AT)  # runs in real time: leases really run out
    replicas = [
        build_runtime(slack_settings(db_url, slow_slack), config=config, clock=clock, upgrade=False)
        for _ in range(2)
    ]
    try:
        seed_due_reminders(db_url, config, replicas[0])
        slow_slack.slow_down("chat.postMessage", SEND_SECONDS)
        workers = [
            OutboxWorker(database=r.database, config=config, chat=r.chat, clock=clock, lease=LEASE)
            for r in replicas
        ]
        done = threading.Event()
        errors: list[BaseException] = []
        rounds = [0, 0]  # run_once calls each worker has finished

        def work(index: int, start: Callable[[], bool]) -> None:
            try:
                while not done.is_set():
                    if start():
                        workers[index].run_once()
                        rounds[index] += 1
                    time.sleep(0.05)
            except BaseException as exc:  # noqa: BLE001 - reported by the test thread
                errors.append(exc)

        # The first takes the whole batch; the second starts polling once it sends.
        starts: list[Callable[[], bool]] = [
            lambda: True,
            lambda: bool(slow_slack.calls_to("chat.postMessage")),
        ]
        threads = [threading.Thread(target=work, args=(i, starts[i])) for i in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120  # a bound for a loaded machine, not a measurement
        while pending_reminders(replicas[0]) and time.monotonic() < deadline and not errors:
            time.sleep(0.1)
        # A late duplicate would come from a round after the last row was sent: let each
        # worker finish two more rounds (one may have begun before), then stop them.
        after = list(rounds)
        while min(r - a for r, a in zip(rounds, after, strict=True)) < 2 and not errors:
            assert time.monotonic() < deadline, f"workers stopped polling: {rounds}"
            time.sleep(0.05)
        done.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        for replica in replicas:
            replica.stop()
    assert errors == []
    counts = reminders(slow_slack)
    assert sorted(counts) == [f"{n:02d}" for n in range(COUNT)]
    assert set(counts.values()) == {1}, counts
