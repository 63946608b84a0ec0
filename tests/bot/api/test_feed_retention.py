"""A cursor older than the feed's retention answers 410 Gone (the client would otherwise
silently miss the pruned events), a current one still reads on; the webhook HTTP client
is closed when the runtime stops."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from bot.runtime import EVENTS_JOB
from core.clock import AdjustableClock
from core.config import Config
from core.event_settings import Webhook
from tests.bot.api.test_events_api import READ, instance, post, run_events
from tests.support.data import make_rec
from workflows.events import Sequencer


def test_a_cursor_older_than_the_retention_is_gone(
    db_url: str, config: Config, clock: AdjustableClock
) -> None:
    with instance(db_url, config, clock) as (runtime, client):
        post(client, make_rec())
        run_events(runtime)
        first = client.get("/api/v1/events", params={"limit": 1}, headers=READ).json()
        old_cursor = first["next_cursor"]
        clock.set(clock.now() + timedelta(days=100))  # past the 90-day retention
        post(client, make_rec(), make_rec())
        run_events(runtime)
        head = client.get("/api/v1/events", params={"after": old_cursor}, headers=READ).json()
        current = head["next_cursor"]
        assert head["events"]
        services = runtime.services
        sequencer = Sequencer(
            database=services.database,
            config=services.config,
            calendars=services.calendars,
            clock=services.clock,
        )
        old = [e["id"] for e in [*first["events"], *head["events"]] if e["timestamp"] < "2027"]
        assert sequencer.prune() == len(old) >= 2  # evt_1 and evt_2 are 100 days old
        gone = client.get("/api/v1/events", params={"after": old_cursor}, headers=READ)
        assert gone.status_code == 410, gone.text
        assert gone.json()["detail"][0]["field"] == "after"
        # a cursor at the head, or one whose next event is still kept, reads on
        assert client.get("/api/v1/events", params={"after": current}, headers=READ).json() == {
            "events": [],
            "next_cursor": current,
        }
        kept = client.get("/api/v1/events", headers=READ).json()
        assert kept["events"] and all(e["id"] not in old for e in kept["events"])
        spec = client.get("/openapi.json").json()
        assert "410" in spec["paths"]["/api/v1/events"]["get"]["responses"]


def test_the_webhook_client_is_closed_on_stop(
    db_url: str, config: Config, clock: AdjustableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "whsec_" + base64.b64encode(b"a-test-secret-of-32-bytes-long!!").decode()
    monkeypatch.setenv("SOPBOT_WEBHOOK_SECRET_IBP", secret)
    hook = Webhook(
        name="ibp", url="https://ibp.example/hooks", secret_env="SOPBOT_WEBHOOK_SECRET_IBP"
    )
    hooked = config.model_copy(update={"webhooks": [hook]})
    with instance(db_url, hooked, clock) as (runtime, _client):
        job = next(job for name, _s, job in runtime.jobs if name == EVENTS_JOB)
        http = job.__self__.deliverer.client  # type: ignore[attr-defined]
        assert not http.is_closed
    assert http.is_closed  # instance() ends with runtime.stop()
