"""A throwaway PostgreSQL database on the test server, for tests and benchmarks:
created on entry, dropped (connections and all) on exit."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.models import Base
from tests.support.data import ROOT


def pg_admin_url() -> str:
    """The shared test server's URL: SOPBOT_TEST_PG_URL, else started by
    tests/services/postgres.sh (and remembered for this process and its children)."""
    url = os.environ.get("SOPBOT_TEST_PG_URL")
    if url:
        return url
    script = ROOT / "tests" / "services" / "postgres.sh"
    out = subprocess.run(["bash", str(script), "url"], capture_output=True, text=True, check=True)
    url = out.stdout.strip().splitlines()[-1]
    os.environ["SOPBOT_TEST_PG_URL"] = url
    return url


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """Yields the new database's SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = Database(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_database(db: Database) -> None:
    """Every table emptied and every sequence rewound, so ids start at 1 again. TRUNCATE
    ... RESTART IDENTITY gives each of the 22 tables a new file and took about 200 ms per
    test; a test leaves a few rows, and deleting them takes a few ms."""
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            _emptying_script(db.engine.url.render_as_string(hide_password=False))
        )


@cache
def _emptying_script(url: str) -> str:
    """DELETE every table, children first, then one SELECT of setval per sequence."""
    db = Database(url)
    with db.engine.connect() as connection:
        sequences = list(
            connection.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            ).scalars()
        )
    db.dispose()
    deletes = "; ".join(f"DELETE FROM {t.name}" for t in reversed(Base.metadata.sorted_tables))
    rewinds = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
    return f"{deletes}; SELECT {rewinds}" if rewinds else deletes
