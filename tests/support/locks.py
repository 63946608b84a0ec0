"""Hold the database while a request is made, to show that its answer does not wait on
the database (the ack comes first, the work after it). No timing is measured: the
request must be answered while the lock is still held, which the old code (work before
the answer) could never do, however fast the machine."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event, text

from storage.db import Database

T = TypeVar("T")

# Far longer than any answer takes on a loaded machine, shorter than SQLite's busy
# timeout (30 s), so work on the request path fails the test instead of going through.
ANSWER_BOUND = 20.0


@contextmanager
def database_held(database: Database) -> Iterator[None]:
    """While inside: on PostgreSQL nobody may even read `recommendations` (ACCESS
    EXCLUSIVE); on SQLite nobody may write (the write lock; WAL readers go on)."""
    with database.transaction() as session:
        if database.is_postgres:
            session.execute(text("LOCK TABLE recommendations IN ACCESS EXCLUSIVE MODE"))
        else:  # BEGIN IMMEDIATE runs with the first statement and takes the write lock
            session.execute(text("SELECT 1"))
        yield


def answered_while_held(database: Database, request: Callable[[], T]) -> T:
    """`request()`'s result, which must arrive while the database is held."""
    with ThreadPoolExecutor(max_workers=1) as pool, database_held(database):
        future = pool.submit(request)
        return future.result(timeout=ANSWER_BOUND)


# How long a racing statement may take to reach the lock on a loaded machine.
REACH_BOUND = 30.0


class LockWait:
    """Holds a transaction open exactly until another thread's statement waits for its
    lock, instead of sleeping for a guessed while: enter it in the thread that will
    wait, before the holder starts; the holder calls `until_blocked()` before it commits.

    PostgreSQL: a backend of this (per-test) database shows wait_event_type 'Lock' in
    pg_stat_activity. SQLite: the waiting thread issued BEGIN IMMEDIATE, the first
    statement of every write transaction, which waits for the write lock in SQLite's busy
    handler. SQLite serialises writers at that BEGIN, so the waiter sees only committed
    state whether it reached the lock a moment before or after the commit."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.waiter = threading.get_ident()
        self._begun = threading.Event()
        self._finished = threading.Event()
        if not database.is_postgres:
            event.listen(database.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() == self.waiter and statement == "BEGIN IMMEDIATE":
            self._begun.set()

    def finished(self) -> None:
        """The waiter's call returned (it never waited): the holder need not wait more."""
        self._finished.set()

    def until_blocked(self) -> None:
        """Return once the waiter waits on the holder's lock (or is done without it)."""
        deadline = time.monotonic() + REACH_BOUND
        while not self._finished.is_set():
            if self._waiting():
                return
            assert time.monotonic() < deadline, "the racing statement never reached the lock"
            self._finished.wait(0.005)

    def _waiting(self) -> bool:
        if not self.database.is_postgres:
            return self._begun.is_set()
        with self.database.engine.connect() as connection:
            query = text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return bool(connection.execute(query).scalar())

    def __enter__(self) -> LockWait:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._finished.set()
        if not self.database.is_postgres:
            event.remove(self.database.engine, "before_cursor_execute", self._on_execute)
