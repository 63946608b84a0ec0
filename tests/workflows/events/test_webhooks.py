"""Webhooks through the durable cursor, checked by a receiver that verifies every request
with the `standardwebhooks` library: down then up loses nothing, order per
recommendation holds, retries back off, rotation keeps both secrets valid."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from core.clock import AdjustableClock
from core.config import Config
from core.event_settings import Webhook
from storage.db import Database
from storage.models import Event, WebhookCursor
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS
from tests.workflows.events.helpers import accept, ingest, override, stamp
from tests.workflows.events.receiver import Receiver, receiving
from workflows.events import SecretError, WebhookDeliverer, replay, subscriptions
from workflows.service import Services, build_services

SECRET = "whsec_" + base64.b64encode(b"a-test-secret-of-32-bytes-long!!").decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"the-rotated-secret-32-bytes-long").decode()


def hooked(config: Config, url: str, **extra: object) -> Config:
    hook = Webhook(
        name="ibp",
        url=url,
        secret_env="SOPBOT_WEBHOOK_SECRET_IBP",
        allow_insecure_http=True,
        **extra,  # type: ignore[arg-type]
    )
    return config.model_copy(update={"webhooks": [hook]})


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(verify=LOOPBACK_TLS) as c:
        yield c


def deliverer(services: Services, client: httpx.Client, secrets: str = SECRET) -> WebhookDeliverer:
    subs = subscriptions(services.config.webhooks, {"SOPBOT_WEBHOOK_SECRET_IBP": secrets})
    d = WebhookDeliverer(
        database=services.database,
        config=services.config,
        calendars=services.calendars,
        clock=services.clock,
        subscriptions=subs,
        client=client,
    )
    d.ensure_cursors()
    return d


def cursor(database: Database) -> WebhookCursor:
    with database.read() as session:
        return session.scalars(select(WebhookCursor)).one()


def test_receiver_down_for_an_hour_then_up_gets_everything_in_order(
    database: Database, config: Config, clock: AdjustableClock, client: httpx.Client
) -> None:
    receiver = Receiver(SECRET)  # not listening: connection refused
    services = build_services(database=database, config=hooked(config, receiver.url), clock=clock)
    send = deliverer(services, client)
    recs = ingest(services, make_rec(), make_rec(), make_rec())
    override(services, recs[1].id)
    accept(services, recs[0].id)
    total = stamp(services)
    assert total == 5
    for _ in range(12):  # an hour of retries, each after its backoff
        assert send.run_once() == 0
        state = cursor(database)
        assert state.position == 0 and state.next_attempt_at is not None
        assert send.run_once() == 0  # not before its backoff: no attempt
        clock.advance(state.next_attempt_at - clock.now())
    assert clock.now() - state.failing_since >= timedelta(minutes=59)  # type: ignore[operator]
    receiver.up()
    try:
        assert send.run_once() == total
    finally:
        receiver.down()
    assert receiver.forged == 0
    assert receiver.ids() == [f"evt_{p}" for p in range(1, total + 1)]  # once each, in order
    by_rec: dict[int, list[str]] = {}
    for event in receiver.received:
        by_rec.setdefault(event["data"]["recommendation"]["id"], []).append(event["type"])
    assert by_rec[recs[1].id] == ["recommendation.received", "decision.recorded"]
    state = cursor(database)
    assert (state.position, state.delivered, state.failed, state.attempts) == (total, total, 0, 0)


def test_429_waits_for_retry_after_then_a_4xx_is_failed_audited_and_skipped(
    database: Database, config: Config, clock: AdjustableClock, client: httpx.Client
) -> None:
    with receiving(SECRET) as receiver:
        services = build_services(
            database=database, config=hooked(config, receiver.url), clock=clock
        )
        send = deliverer(services, client)
        ingest(services, make_rec())
        stamp(services)
        receiver.answer, receiver.retry_after = 429, "120"
        assert send.run_once() == 0
        state = cursor(database)
        assert state.next_attempt_at == clock.now() + timedelta(seconds=120)
        clock.advance(timedelta(seconds=119))
        send.run_once()
        assert receiver.refused == ["evt_1"]  # not again before Retry-After
        clock.advance(timedelta(seconds=1))
        receiver.answer, receiver.retry_after = 400, None  # a 4xx is not retried
        send.run_once()
        ingest(services, make_rec())
        stamp(services)
        receiver.answer = 200
        send.run_once()
    assert receiver.refused == ["evt_1", "evt_1"]
    assert receiver.ids() == ["evt_2"]
    state = cursor(database)
    assert (state.position, state.delivered, state.failed) == (2, 1, 1)
    with database.read() as session:
        failed = session.scalars(select(Event).where(Event.kind == "webhook_failed")).all()
    assert [(e.data["event_id"], e.data["error"]) for e in failed] == [("evt_1", "HTTP 400")]


def test_retry_period_over_marks_failed_and_moves_on(
    database: Database, config: Config, clock: AdjustableClock, client: httpx.Client
) -> None:
    with receiving(SECRET) as receiver:
        receiver.answers["evt_1"] = 503  # the receiver chokes on one event only
        services = build_services(
            database=database,
            config=hooked(config, receiver.url, retry_for=timedelta(minutes=10)),
            clock=clock,
        )
        send = deliverer(services, client)
        ingest(services, make_rec(), make_rec())
        stamp(services)
        while cursor(database).failed == 0:
            assert receiver.ids() == []  # evt_2 waits behind evt_1: order holds
            send.run_once()
            clock.advance(timedelta(minutes=5))
    state = cursor(database)
    assert (state.failed, state.delivered, state.position) == (1, 1, 2)
    assert receiver.ids() == ["evt_2"]


def test_rotation_signs_with_both_secrets_and_replay_resends_same_ids(
    database: Database, config: Config, clock: AdjustableClock, client: httpx.Client
) -> None:
    old, new = Receiver(SECRET), Receiver(NEW_SECRET)
    old.up()
    new.up()
    try:
        services = build_services(database=database, config=hooked(config, old.url), clock=clock)
        send = deliverer(services, client, secrets=f"{SECRET} {NEW_SECRET}")
        ingest(services, make_rec())
        stamp(services)
        assert send.run_once() == 1
        # the same request, checked by a receiver holding only the new secret
        hook = services.config.webhooks[0].model_copy(update={"url": new.url})
        services.config = services.config.model_copy(update={"webhooks": [hook]})
        send2 = deliverer(services, client, secrets=f"{SECRET} {NEW_SECRET}")
        with database.transaction() as session:
            assert replay(session, hook=hook, since="1", now=clock.now()) == 1
        assert send2.run_once() == 1
    finally:
        old.down()
        new.down()
    assert old.ids() == new.ids() == ["evt_1"] and old.forged == new.forged == 0
    assert old.received[0]["data"] == new.received[0]["data"]


def test_missing_or_bad_secret_is_refused_naming_the_entry(config: Config) -> None:
    hooks = hooked(config, "https://ibp.example.com/hook").webhooks
    with pytest.raises(SecretError, match="webhooks 'ibp'.*not set"):
        subscriptions(hooks, {})
    with pytest.raises(SecretError, match="webhooks 'ibp'.*whsec_"):
        subscriptions(hooks, {"SOPBOT_WEBHOOK_SECRET_IBP": "plain"})
