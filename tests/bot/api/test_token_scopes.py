"""Who may read and who may decide: outside the demo every /api/v1 request needs a
token; the ingestion token reads and writes recommendations and outcomes, only the
decision token decides. Real HTTP against the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.runtime import build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.support.api import DECISION_TOKEN, TOKEN
from tests.support.data import make_rec
from tests.support.live import LOOPBACK_TLS, serving

Server = Callable[..., Any]
ACCEPT = {"actor": "ana", "action": "accept"}


@pytest.fixture
def server(db_url: str, config: Config, clock: AdjustableClock) -> Server:
    @contextmanager
    def start(**settings: Any) -> Iterator[str]:
        values = {"database_url": db_url, "local_chat": False, "scheduler": False, **settings}
        runtime = build_runtime(Settings(**values), config=config, clock=clock, upgrade=False)
        try:
            with serving(create_app(runtime, start_background=False)) as live:
                yield live.url
        finally:
            runtime.stop()

    return start


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_with_no_token_configured_every_api_call_is_401_naming_the_variable(
    server: Server,
) -> None:
    with server() as url:
        for response in (
            httpx.get(f"{url}/api/v1/recommendations", verify=LOOPBACK_TLS),
            httpx.get(f"{url}/api/v1/recommendations/1", verify=LOOPBACK_TLS),
            httpx.post(f"{url}/api/v1/recommendations", json=make_rec(), verify=LOOPBACK_TLS),
            httpx.post(
                f"{url}/api/v1/recommendations/1/decisions",
                json={"actor": "ana", "action": "accept"},
                verify=LOOPBACK_TLS,
            ),
            httpx.post(f"{url}/api/v1/outcomes", json={"external_id": "x"}, verify=LOOPBACK_TLS),
        ):
            assert response.status_code == 401, response.text
            assert "SOPBOT_API_TOKEN" in response.json()["detail"][0]["message"]
        assert httpx.get(f"{url}/healthz", verify=LOOPBACK_TLS).status_code == 200


def test_the_ingestion_token_may_not_decide(server: Server) -> None:
    with server(api_token=SecretStr(TOKEN), decision_token=SecretStr(DECISION_TOKEN)) as url:
        created = httpx.post(
            f"{url}/api/v1/recommendations",
            json=make_rec(),
            headers=bearer(TOKEN),
            verify=LOOPBACK_TLS,
        )
        assert created.status_code == 201
        rec_id = created.json()["id"]
        refused = httpx.post(
            f"{url}/api/v1/recommendations/{rec_id}/decisions",
            json=ACCEPT,
            headers=bearer(TOKEN),
            verify=LOOPBACK_TLS,
        )
        assert refused.status_code == 403
        assert "SOPBOT_DECISION_TOKEN" in refused.json()["detail"][0]["message"]
        detail = httpx.get(
            f"{url}/api/v1/recommendations/{rec_id}", headers=bearer(TOKEN), verify=LOOPBACK_TLS
        ).json()
        assert detail["status"] == "open" and detail["decisions"] == []


def test_the_decision_token_decides_audited_as_api_and_may_not_ingest(server: Server) -> None:
    with server(api_token=SecretStr(TOKEN), decision_token=SecretStr(DECISION_TOKEN)) as url:
        rec_id = httpx.post(
            f"{url}/api/v1/recommendations",
            json=make_rec(),
            headers=bearer(TOKEN),
            verify=LOOPBACK_TLS,
        ).json()["id"]
        decided = httpx.post(
            f"{url}/api/v1/recommendations/{rec_id}/decisions",
            json={"actor": "ana", "action": "accept"},
            headers=bearer(DECISION_TOKEN),
            verify=LOOPBACK_TLS,
        )
        assert decided.status_code == 201, decided.text
        detail = httpx.get(
            f"{url}/api/v1/recommendations/{rec_id}",
            headers=bearer(DECISION_TOKEN),
            verify=LOOPBACK_TLS,
        ).json()
        assert detail["decision"]["channel"] == "api"
        accepted = [e for e in detail["events"] if e["kind"] == "accepted"]
        assert [e["data"]["channel"] for e in accepted] == ["api"]
        ingest = httpx.post(
            f"{url}/api/v1/recommendations",
            json=make_rec(),
            headers=bearer(DECISION_TOKEN),
            verify=LOOPBACK_TLS,
        )
        assert ingest.status_code == 403


def test_without_a_decision_token_the_api_takes_no_decisions(server: Server) -> None:
    with server(api_token=SecretStr(TOKEN)) as url:
        rec_id = httpx.post(
            f"{url}/api/v1/recommendations",
            json=make_rec(),
            headers=bearer(TOKEN),
            verify=LOOPBACK_TLS,
        ).json()["id"]
        refused = httpx.post(
            f"{url}/api/v1/recommendations/{rec_id}/decisions",
            json=ACCEPT,
            headers=bearer(TOKEN),
            verify=LOOPBACK_TLS,
        )
        assert refused.status_code == 403
        assert "SOPBOT_DECISION_TOKEN" in refused.json()["detail"][0]["message"]


@pytest.mark.parametrize("body", [b"{not json", b"[" * 5000, b'{"actor": 5}'])
def test_the_token_is_checked_before_the_body_is_read(server: Server, body: bytes) -> None:
    with server(api_token=SecretStr(TOKEN), decision_token=SecretStr(DECISION_TOKEN)) as url:
        for path in (
            "/api/v1/recommendations",
            "/api/v1/recommendations/1/decisions",
            "/api/v1/outcomes",
        ):
            response = httpx.post(
                f"{url}{path}",
                content=body,
                headers={"Content-Type": "application/json"},
                verify=LOOPBACK_TLS,
            )
            assert response.status_code == 401, (path, response.text)
