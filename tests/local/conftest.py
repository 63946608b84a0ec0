"""A runtime with the local web chat on, served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.local import LocalAdapter, LocalChat
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.clock import AdjustableClock
from core.config import Config
from tests.live import serving


@pytest.fixture
def runtime(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url, local_chat=True, api_open_for_demo=True, scheduler=False
    )
    rt = build_runtime(settings, config=config, clock=clock, upgrade=False)
    yield rt
    rt.stop()


@pytest.fixture
def local_chat(runtime: Runtime) -> LocalChat:
    adapter = next(a for a in runtime.adapters if isinstance(a, LocalAdapter))
    return adapter.chat


@pytest.fixture
def client(runtime: Runtime) -> Iterator[httpx.Client]:
    with (
        serving(create_app(runtime, start_background=False)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def settled(runtime: Runtime) -> None:
    """Wait until the work of every web chat post answered so far is done (it runs after
    the 303, adapters.local.actions)."""
    for adapter in runtime.adapters:
        if isinstance(adapter, LocalAdapter):
            assert adapter.after.wait()
