"""SQLite copies its WAL back into the database file on `serve`'s timer thread
(`Database.checkpoint`), and a commit does it itself only past a large backstop, so a
click or a sweep batch does not pay for an fsync'd checkpoint every 1,000 pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from storage import migrate
from storage.db import SQLITE_WAL_AUTOCHECKPOINT_PAGES, Database
from storage.models import ProcessedDelivery

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _wal_frames(path: Path) -> int:
    """Frames in the WAL file: a 32-byte header, then a 24-byte header per 4 KB page."""
    return (path.with_name(path.name + "-wal").stat().st_size - 32) // (24 + 4096)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_commits_leave_the_wal_to_the_checkpoint_job(db_url: str) -> None:
    database = Database(db_url)
    try:
        migrate.upgrade(database)
        path = Path(database.engine.url.database or "")
        with database.engine.connect() as connection:
            setting = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert setting == SQLITE_WAL_AUTOCHECKPOINT_PAGES
        database.checkpoint()
        for batch in range(32):  # ~2,000 pages: past SQLite's default of 1,000
            with database.transaction() as session:
                session.execute(
                    insert(ProcessedDelivery),
                    [
                        {"platform": "slack", "delivery_id": f"{batch}:{i}:{'x' * 200}", "at": AT}
                        for i in range(400)
                    ],
                )
        frames = _wal_frames(path)
        assert frames > 1500, frames  # no commit checkpointed (and restarted the WAL)
        assert database.checkpoint() == 0  # everything copied back
        with database.engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM processed_deliveries")
            assert count.scalar() == 32 * 400
    finally:
        database.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_checkpoints_by_itself(database: Database) -> None:
    assert database.is_postgres and database.checkpoint() == 0
