"""A throwaway PostgreSQL database on the test server, for tests and benchmarks:
created on entry, dropped (connections and all) on exit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database


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
