"""A runtime with the local web chat on (tests.support.web), served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.local import LocalChat
from bot.runtime import Runtime
from core.clock import AdjustableClock
from core.config import Config
from tests.support.web import local_chat_of, web_client, web_runtime


@pytest.fixture
def runtime(db_url: str, config: Config, clock: AdjustableClock) -> Iterator[Runtime]:
    with web_runtime(db_url, config, clock) as rt:
        yield rt


@pytest.fixture
def local_chat(runtime: Runtime) -> LocalChat:
    return local_chat_of(runtime)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[httpx.Client]:
    with web_client(runtime) as http:
        yield http
