from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.support.api import DECISION_TOKEN, TOKEN
from tests.support.live import LOOPBACK_TLS, serving


@pytest.fixture
def runtime(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url,
        api_token=SecretStr(TOKEN),
        decision_token=SecretStr(DECISION_TOKEN),
        local_chat=False,
        scheduler=False,
    )
    rt = build_runtime(settings, config=config, clock=clock, upgrade=False)
    yield rt
    rt.stop()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[httpx.Client]:
    with (
        serving(create_app(runtime)) as server,
        httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
            verify=LOOPBACK_TLS,
        ) as client,
    ):
        yield client


@pytest.fixture
def decider(api: httpx.Client) -> Iterator[httpx.Client]:
    """The same server, with the decision token (the only one that may decide)."""
    with httpx.Client(
        base_url=api.base_url,
        timeout=30,
        headers={"Authorization": f"Bearer {DECISION_TOKEN}"},
        verify=LOOPBACK_TLS,
    ) as client:
        yield client
