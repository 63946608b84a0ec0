"""Shared fixtures: a real SQLite file and a real PostgreSQL server for every test that
asks for `database`, the demo configuration, a controllable clock, and one Chromium per
test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config, load_config
from storage import migrate
from storage.db import Database
from tests.support.browser import CHROMIUM, chromium
from tests.support.data import MONDAY_9, ROOT
from tests.support.pg import empty_database, pg_admin_url, scratch_database
from workflows.delivery.worker import OutboxWorker
from workflows.service import Services, build_services


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    """One migrated PostgreSQL database per test worker."""
    with scratch_database(pg_admin_url(), f"sopbot_test_{worker_id}") as url:
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "sopbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    db = Database(url)
    empty_database(db)
    db.dispose()
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "core" / "data" / "demo.yml")


@pytest.fixture
def clock() -> AdjustableClock:
    return AdjustableClock(MONDAY_9, frozen=True)


@pytest.fixture
def services(database: Database, config: Config, clock: AdjustableClock) -> Services:
    return build_services(database=database, config=config, clock=clock)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module, shared by its tests: each test opens its
    own context (cookies, storage, viewport) in it. Not per session: Playwright's sync
    API keeps its event loop current in the main thread while it runs, and a later
    test's `asyncio.run` in the same process would then fail."""
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (`make services` installs it)")
    with chromium() as browser:
        yield browser


@pytest.fixture
def chat() -> InMemoryChat:
    return InMemoryChat()


@pytest.fixture
def outbox(services: Services, chat: InMemoryChat) -> OutboxWorker:
    return OutboxWorker(
        database=services.database, config=services.config, chat=chat, clock=services.clock
    )
