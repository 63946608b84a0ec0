"""Replicas: three `sopbot serve` processes started at the same moment on a fresh
PostgreSQL database each migrate it on start; the migrations run under an advisory lock,
so one builds the schema, the others wait and find it built, and all three serve
(without the lock two create the tables and one dies on a duplicate key). Replicas share
PostgreSQL; SQLite serializes migrations by its write lock (storage.migrate)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import text

from bench.serving import wait_healthy
from storage.db import Database
from tests.support.data import ROOT
from tests.support.live import LOOPBACK_TLS, free_port
from tests.support.pg import pg_admin_url, scratch_database

REPLICAS = 3


pytestmark = pytest.mark.postgres_only


@pytest.fixture
def fresh_url() -> Iterator[str]:
    with scratch_database(pg_admin_url(), "sopbot_replicas") as url:
        yield url


def start_serve(url: str, port: int, stack: ExitStack) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SOPBOT_DATABASE_URL": url,
        "SOPBOT_API_TOKEN": "replica-token",
        "SOPBOT_LOCAL_CHAT": "0",
        "SOPBOT_SCHEDULER": "0",
    }
    env.pop("SOPBOT_CONFIG", None)
    log = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (the stack closes it)
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "sopbot"), "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    stack.callback(stop)
    process.log = log  # type: ignore[attr-defined]
    return process


def log_of(process: subprocess.Popen[bytes]) -> str:
    log = process.log  # type: ignore[attr-defined]
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def test_three_replicas_started_together_on_a_fresh_database_all_serve(fresh_url: str) -> None:
    ports = [free_port() for _ in range(REPLICAS)]
    with ExitStack() as stack:
        replicas = [start_serve(fresh_url, port, stack) for port in ports]
        for port, replica in zip(ports, replicas, strict=True):
            try:
                wait_healthy(f"http://127.0.0.1:{port}", process=replica, timeout=120)
            except RuntimeError:
                pytest.fail(f"replica on {port} did not come up:\n{log_of(replica)}")
        for port in ports:
            response = httpx.get(
                f"http://127.0.0.1:{port}/healthz", timeout=10, verify=LOOPBACK_TLS
            )
            assert response.json() == {"status": "ok", "database": "ok"}
    database = Database(fresh_url)
    try:
        with database.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        database.dispose()
    assert len(versions) == 1  # migrated once, to one head
