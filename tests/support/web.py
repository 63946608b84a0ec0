"""The web chat world: a runtime with the local web chat on, served over real HTTP, and
the waits and reads its tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from adapters.local import LocalAdapter, LocalChat
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.support.intake import ingest_one
from tests.support.live import LOOPBACK_TLS, serving


@contextmanager
def web_runtime(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url, local_chat=True, api_open_for_demo=True, scheduler=False
    )
    runtime = build_runtime(settings, config=config, clock=clock, upgrade=False)
    yield runtime
    runtime.stop()


@contextmanager
def web_client(runtime: Runtime) -> Iterator[httpx.Client]:
    with (
        serving(create_app(runtime, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=LOOPBACK_TLS) as http,
    ):
        yield http


def local_chat_of(runtime: Runtime) -> LocalChat:
    adapter = next(a for a in runtime.adapters if isinstance(a, LocalAdapter))
    return adapter.chat


def settled(runtime: Runtime) -> None:
    """Wait until the work of every web chat post answered so far is done (it runs after
    the 303, adapters.local.actions)."""
    for adapter in runtime.adapters:
        if isinstance(adapter, LocalAdapter):
            assert adapter.after.wait()


def ingest(runtime: Runtime, **overrides: Any) -> int:
    """One recommendation in and delivered to the web chat; its id."""
    return ingest_one(runtime.services, outbox=runtime.outbox, **overrides)


def decided(client: httpx.Client, rec_id: int) -> dict[str, Any]:
    return client.get(f"/api/v1/recommendations/{rec_id}").json()
