"""The web chat answers only for loopback names and the ones SOPBOT_CHAT_HOSTS adds: a
DNS-rebound page (Origin == Host == the attacker's name) cannot act as anyone."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.local import LocalChat
from adapters.local.routes import allowed_hosts, host_name
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.support.live import LOOPBACK_TLS, serving
from tests.support.web import decided, ingest, settled

REBOUND = {"Host": "evil.test:8000", "Origin": "http://evil.test:8000"}


def test_a_rebound_post_is_refused_and_records_nothing(
    runtime: Runtime, client: httpx.Client, local_chat: LocalChat
) -> None:
    rec_id = ingest(runtime)
    revision = local_chat.revision
    data = {"recommendation_id": rec_id, "action": "accept"}
    response = client.post("/chat/ana/act", data=data, headers=REBOUND)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'evil.test:8000'" in detail and "SOPBOT_CHAT_HOSTS" in detail
    clock = client.post("/chat/ana/clock", data={"step": "day"}, headers=REBOUND)
    assert clock.status_code == 400
    body = decided(client, rec_id)
    assert body["status"] == "open" and body["decisions"] == []
    assert "decision_refused" not in [e["kind"] for e in body["events"]]
    assert local_chat.revision == revision
    [post] = local_chat.direct_messages("ana")
    assert post.version == 1


@pytest.mark.parametrize("path", ["/chat", "/chat/ana", "/chat/ana/updates", "/chat/static/app.js"])
def test_pages_are_refused_for_a_foreign_host(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.test:8000"}, follow_redirects=False)
    assert response.status_code == 400
    assert "SOPBOT_CHAT_HOSTS" in response.json()["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000"])
def test_loopback_names_are_served(client: httpx.Client, host: str) -> None:
    assert client.get("/chat/ana", headers={"Host": host}).status_code == 200


@pytest.fixture
def exposed(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    env = {
        "SOPBOT_DATABASE_URL": db_url,
        "SOPBOT_LOCAL_CHAT": "1",
        "SOPBOT_SCHEDULER": "0",
        "SOPBOT_CHAT_HOSTS": " chat.example.internal , 10.0.0.5:8443,,",
    }
    settings = Settings.from_env(env)
    assert settings.chat_hosts == ("chat.example.internal", "10.0.0.5:8443")
    settings = settings.model_copy(update={"api_open_for_demo": True})
    rt = build_runtime(settings, config=config, clock=clock, upgrade=False)
    yield rt
    rt.stop()


def test_a_configured_host_is_served(exposed: Runtime) -> None:
    rec_id = ingest(exposed)
    host = {"Host": "chat.example.internal:8000"}
    with (
        serving(create_app(exposed, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as client,
    ):
        assert client.get("/chat/ana", headers=host).status_code == 200
        assert client.get("/chat/ana", headers={"Host": "10.0.0.5"}).status_code == 200
        data = {"recommendation_id": rec_id, "action": "accept"}
        headers = {**host, "Origin": "http://chat.example.internal:8000"}
        accepted = client.post("/chat/ana/act", data=data, headers=headers)
        assert accepted.status_code == 303
        settled(exposed)  # the decision is recorded after the answer
        assert decided(client, rec_id)["status"] == "decided"
        assert client.get("/chat/ana", headers=REBOUND).status_code == 400  # others still not


def test_host_names_are_parsed_strictly() -> None:
    assert allowed_hosts() == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts(["Chat.Example.Internal:443", "[fd00::5]", "fd00::6", "", "a@b"]) == {
        "127.0.0.1",
        "localhost",
        "::1",
        "chat.example.internal",
        "fd00::5",
        "fd00::6",
    }
    assert host_name("127.0.0.1@evil.test") is None
    assert host_name("evil.test/127.0.0.1") is None
    assert host_name("[::1") is None
    assert host_name(None) is None
    assert host_name("localhost.:8000") == "localhost"


def test_the_open_demo_api_refuses_a_rebound_host(runtime: Runtime, client: httpx.Client) -> None:
    """A DNS-rebinding page cannot decide through the demo's token-less API either: the
    Host check covered only /chat (issue 24). Loopback keeps working."""
    rec_id = ingest(runtime)
    accept = {"actor": "ana", "action": "accept"}
    path = f"/api/v1/recommendations/{rec_id}/decisions"
    refused = client.post(path, json=accept, headers=REBOUND)
    assert refused.status_code == 400
    assert "SOPBOT_CHAT_HOSTS" in refused.json()["detail"]
    assert client.get(f"/api/v1/recommendations/{rec_id}", headers=REBOUND).status_code == 400
    body = decided(client, rec_id)
    assert body["status"] == "open" and body["decisions"] == []
    assert client.get("/api/v1/recommendations", headers={"Host": "localhost:8000"}).is_success
