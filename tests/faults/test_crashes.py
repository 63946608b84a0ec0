"""SIGKILL of `sopbot serve` during an ingestion batch and during delivery (both
databases), and a PostgreSQL restart while ingestion and delivery run: every item
acknowledged to the client is stored and delivered, none twice (a Slack direct message
in flight when the process dies is found in the DM after the restart, not posted again;
tests/adapters/slack/test_found_again.py), and the service recovers by itself.

The PostgreSQL restart uses a throwaway server of its own (tests/services/postgres.sh
on another port and data directory), never the shared test server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.crashes import own_postgres
from tests.faults.scenarios import Result, database_restart, sigkill
from tests.support.pg import scratch_database

PG_PORT = int(os.environ.get("SOPBOT_FAULTS_PG_PORT", "54347"))
BATCHES, SIZE = 4, 25


def assert_recovered(result: Result) -> None:
    print(result.line())
    counts = result.counts
    assert counts.acknowledged == BATCHES * SIZE
    assert counts.stored == counts.acknowledged, "an acknowledged item was lost"
    assert result.all_delivered, "not every acknowledged item reached Slack by itself"
    assert counts.delivered == counts.acknowledged
    assert counts.duplicated == 0, "a message in flight at a crash was posted again"


def test_sigkill_during_ingestion_and_during_delivery(db_url: str, tmp_path: Path) -> None:
    result = sigkill(db_url, tmp_path, batches=BATCHES, size=SIZE)
    assert result.crashes == 2
    assert_recovered(result)


@pytest.fixture(scope="module")
def restartable_postgres() -> Iterator[tuple[str, Callable[[], None]]]:
    admin_url, restart, stop = own_postgres(PG_PORT)
    try:
        yield admin_url, restart
    finally:
        stop()


def test_postgres_restart_while_ingesting_and_delivering(
    restartable_postgres: tuple[str, Callable[[], None]], tmp_path: Path
) -> None:
    admin_url, restart = restartable_postgres
    with scratch_database(admin_url, "sopbot_faults") as url:
        result = database_restart(url, tmp_path, restart, batches=BATCHES, size=SIZE)
    assert_recovered(result)
