"""A chunk's leases are renewed as its transaction begins, and drawing its messages takes
a while: a row whose drawing outlasted a quarter lease is renewed again before its send,
so no row is sent on a lease older than the lanes believe. Both databases."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

import workflows.delivery.batch as delivery_batch
from bot.runtime import build_runtime
from core.clock import AdjustableClock
from core.config import Config
from tests.fakes.slack_api import FakeSlackApi
from tests.support.slack import USERS_BY_EMAIL, slack_settings
from tests.workflows.sla.test_slow_send import COUNT, REMINDERS_AT, reminders, seed_due_reminders
from workflows.delivery.worker import OutboxWorker

LEASE = timedelta(seconds=0.4)  # the lanes renew what is older than a quarter: 0.1 s
DRAW_SECONDS = 0.02  # per message: a chunk of COUNT takes 0.6 s to draw


def test_a_row_drawn_for_longer_than_a_quarter_lease_is_renewed_before_its_send(
    db_url: str, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, int]] = []  # ("drawn" | "renewed" | "sent", outbox row id)
    lock = threading.Lock()

    def note(kind: str, ids: list[int]) -> None:
        with lock:
            events.extend((kind, row_id) for row_id in ids)

    renew_many = delivery_batch.renew_many

    def renewing(session: Any, *, items: Any, **kwargs: Any) -> set[int]:
        held = renew_many(session, items=items, **kwargs)
        note("renewed", sorted(held))
        return held

    monkeypatch.setattr(delivery_batch, "renew_many", renewing)
    with FakeSlackApi(users_by_email=USERS_BY_EMAIL) as slack:
        clock = AdjustableClock(REMINDERS_AT)
        runtime = build_runtime(
            slack_settings(db_url, slack), config=config, clock=clock, upgrade=False
        )
        try:
            seed_due_reminders(db_url, config, runtime)
            worker = OutboxWorker(
                database=runtime.database,
                config=config,
                chat=runtime.chat,
                clock=clock,
                lease=LEASE,
            )
            prepare, send_prepared = worker.prepare, worker.send_prepared

            def slow_prepare(session: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
                message = prepare(session, item, *args, **kwargs)
                time.sleep(DRAW_SECONDS)
                note("drawn", [item.id])
                return message

            def sending(item: Any, message: Any) -> Any:
                note("sent", [item.id])
                return send_prepared(item, message)

            monkeypatch.setattr(worker, "prepare", slow_prepare)
            monkeypatch.setattr(worker, "send_prepared", sending)
            report = worker.run_once(limit=COUNT)
        finally:
            runtime.stop()
    assert report.sent == COUNT
    assert set(reminders(slack).values()) == {1} and len(reminders(slack)) == COUNT
    sent = [row_id for kind, row_id in events if kind == "sent"]
    assert len(sent) == COUNT
    for row_id in sent:
        drawn = events.index(("drawn", row_id))
        sent_at = events.index(("sent", row_id))
        assert ("renewed", row_id) in events[drawn:sent_at], f"row {row_id} sent unrenewed"
