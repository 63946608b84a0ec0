"""Engines and transactions for SQLite (a pilot) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///./sopbot.db"
SQLITE_BUSY_SECONDS = 30.0
# SQLite's WAL is copied back into the database file by `Database.checkpoint`, which
# `serve` runs on its own timer thread; a commit does it itself (SQLite's auto-checkpoint,
# with an fsync) only once the WAL holds this many pages (64 MB at 4 KB), not SQLite's
# default 1,000. Measured: at the default, a sweep of 10,000 due items paid for about
# six checkpoints inside its own commits (bench/README.md, "SLA sweep").
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 16_384


READ_ONLY = "sopbot_read_only"  # execution option of the engine behind Database.read


def _sqlite_setup(engine: Engine, busy_ms: int) -> None:
    """WAL so readers never wait for the writer, a busy timeout instead of instant
    'database is locked', and BEGIN IMMEDIATE for writes so two writers queue up instead
    of deadlocking when both try to upgrade a read lock. A read-only transaction
    (`Database.read`) opens with a plain deferred BEGIN: it reads a WAL snapshot and
    takes no write lock, so reads never queue behind ingestion or the SLA sweep; and
    `query_only` makes a write in it an error instead of a silent lock upgrade."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = bool(connection.get_execution_options().get(READ_ONLY, False))
        info = connection.connection.info  # lives as long as the pooled DBAPI connection
        if info.get(READ_ONLY, False) != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info[READ_ONLY] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class UnsupportedStore(ValueError):
    """A database URL for a store sopbot does not run on."""


STORES = ("sqlite", "postgresql")  # the dialects every query here is written and tested for


def make_engine(url: str, **kwargs: Any) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend not in STORES:  # refused when opened, not at the first dialect-specific write
        raise UnsupportedStore(
            f"SOPBOT_DATABASE_URL: sopbot stores its data in SQLite or PostgreSQL, not {backend}"
        )
    if url.startswith("sqlite"):
        # How long a writer waits for the lock before 'database is locked' (the API
        # answers 503 then): 30 s, or the URL's `?timeout=` in seconds, as pysqlite reads it.
        seconds = float(make_url(url).query.get("timeout", SQLITE_BUSY_SECONDS))
        engine = create_engine(url, connect_args={"timeout": seconds}, **kwargs)
        _sqlite_setup(engine, busy_ms=int(seconds * 1000))
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """One engine and its session factory; the only way the rest of sopbot gets a session."""

    def __init__(self, url: str = DEFAULT_URL, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL: psycopg opens the read's transaction with BEGIN READ ONLY (no extra
        # SET TRANSACTION round trip per read; reset when the connection goes back).
        readonly = {"postgresql_readonly": True} if self.is_postgres else {}
        reader = self.engine.execution_options(**{READ_ONLY: True}, **readonly)
        self._read_sessions = sessionmaker(reader, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only (on SQLite: no write lock). A write in it fails on
        PostgreSQL's READ ONLY and may fail with 'database is locked' on SQLite: use
        `transaction` for anything that writes."""
        with self._read_sessions.begin() as session:
            yield session

    def ping(self) -> bool:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    def checkpoint(self) -> int:
        """SQLite: copy what the WAL holds back into the database file without waiting
        for readers or writers (PASSIVE), off the path of any request; the WAL pages
        still to copy (0: all done). PostgreSQL checkpoints by itself: 0."""
        if self.is_postgres:
            return 0
        connection = self.engine.raw_connection()  # outside a transaction: no BEGIN
        try:
            _busy, wal_pages, copied = connection.execute(
                "PRAGMA wal_checkpoint(PASSIVE)"
            ).fetchone()
        finally:
            connection.close()
        return max(wal_pages - copied, 0)

    def dispose(self) -> None:
        self.engine.dispose()
