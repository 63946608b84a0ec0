"""Shared fixtures: a real SQLite file and a real PostgreSQL server for every test that
asks for `database`, the demo configuration, and a controllable clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from core.chat import InMemoryChat
from core.clock import AdjustableClock
from core.config import Config, load_config
from storage import migrate
from storage.db import Database
from storage.models import Base
from tests.scratch_pg import scratch_database
from workflows.delivery.worker import OutboxWorker
from workflows.service import Services, build_services

ROOT = Path(__file__).resolve().parent.parent
# A Monday 09:00 in Berlin: inside business hours, so SLAs start counting at once.
MONDAY_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _pg_admin_url() -> str:
    url = os.environ.get("SOPBOT_TEST_PG_URL")
    if url:
        return url
    script = ROOT / "tests" / "services" / "postgres.sh"
    out = subprocess.run(["bash", str(script), "url"], capture_output=True, text=True, check=True)
    url = out.stdout.strip().splitlines()[-1]
    os.environ["SOPBOT_TEST_PG_URL"] = url
    return url


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
    with scratch_database(_pg_admin_url(), f"sopbot_test_{worker_id}") as url:
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url


def _truncate_all(db: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "sopbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    db = Database(url)
    _truncate_all(db)
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


@pytest.fixture
def chat() -> InMemoryChat:
    return InMemoryChat()


@pytest.fixture
def outbox(services: Services, chat: InMemoryChat) -> OutboxWorker:
    return OutboxWorker(
        database=services.database, config=services.config, chat=chat, clock=services.clock
    )


def make_rec(**overrides: object) -> dict[str, object]:
    """A valid recommendation payload; tests override what they care about."""
    base: dict[str, object] = {
        "external_id": f"ext-{uuid.uuid4().hex[:8]}",
        "source": "planner-ai",
        "type": "stockout_risk",
        "title": "SKU-4711 bearing 6204-2RS at DC-NORTH",
        "action": "Transfer 240 units from DC-SOUTH to DC-NORTH by Wednesday",
        "sku": "SKU-4711",
        "site": "DC-NORTH",
        "quantity": 240,
        "unit": "pcs",
        "confidence": 0.82,
        "interval_low": 180,
        "interval_high": 310,
        "drivers": [
            {"factor": "Open sales orders", "weight": 0.45, "detail": "3 large orders this week"},
            {"factor": "Inbound PO late", "weight": 0.3},
        ],
        "event_time": "2026-11-30T07:02:00+00:00",
        "recorded_time": "2026-11-30T07:40:00+00:00",
    }
    base.update(overrides)
    return base
