"""The databases a benchmark runs against: a scratch PostgreSQL database when `make
bench` gives one (SOPBOT_TEST_PG_URL), then a SQLite file; each disposed after its run."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storage.db import Database
from tests.support.pg import scratch_database


def each_database(prefix: str, *, skip_sqlite: str | None = None) -> Iterator[tuple[str, Database]]:
    """(label, database) for PostgreSQL (when configured) and SQLite, one at a time.
    `skip_sqlite` names an environment variable that skips SQLite when set to 0."""
    admin_url = os.environ.get("SOPBOT_TEST_PG_URL")
    if admin_url:
        with scratch_database(admin_url, prefix) as url:
            database = Database(url)
            try:
                yield "postgresql", database
            finally:
                database.dispose()
    else:
        print("postgresql: skipped (SOPBOT_TEST_PG_URL not set; `make bench` sets it)")
    if skip_sqlite and os.environ.get(skip_sqlite, "1") == "0":
        print(f"sqlite: skipped ({skip_sqlite}=0)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{Path(tmp) / f'{prefix}.db'}")
        try:
            yield "sqlite", database
        finally:
            database.dispose()
