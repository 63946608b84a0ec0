"""The demo served for real and driven in headless Chromium (the system's, never a
downloaded one; `browser`, one per test module, is in tests/conftest.py). Every page
records console errors and page errors; a test that causes one fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

from bot.demo import prepare_demo
from bot.runtime import Runtime
from bot.server import create_app
from tests.support.browser import VIEWPORT
from tests.support.live import LiveServer, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's data directory as `sopbot demo` seeds it (samples, history, rules),
    nothing delivered yet: seeded once per module (a few seconds), copied per test. Per
    module, not per session: the samples' times are set relative to when they were
    seeded, so the copy a test gets is at most a module's run old."""
    data_dir = tmp_path_factory.mktemp("seeded") / "demo"
    runtime, count = prepare_demo(data_dir)
    runtime.stop()  # closes the SQLite file (its WAL checkpointed) before it is copied
    assert count > 0
    return data_dir


@pytest.fixture
def demo(tmp_path: Path, seeded_demo: Path) -> Iterator[tuple[Runtime, LiveServer]]:
    """`sopbot demo` as it runs for a person: seeded, timer on, real HTTP. It reuses the
    seeded copy as `sopbot demo` reuses its data directory (nothing seeded twice)."""
    shutil.copytree(seeded_demo, tmp_path / "demo")
    runtime, _count = prepare_demo(tmp_path / "demo")
    with serving(create_app(runtime)) as server:
        runtime.outbox.drain()  # the seeded messages are in the chats before the page opens
        yield runtime, server


@pytest.fixture
def base_url(demo: tuple[Runtime, LiveServer]) -> str:
    return demo[1].url


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"pageerror: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield page
    context.close()
    assert problems == [], problems
