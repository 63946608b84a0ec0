"""Hold the database while a request is made, to show that its answer does not wait on
the database (the ack comes first, the work after it). No timing is measured: the
request must be answered while the lock is still held, which the old code (work before
the answer) could never do, however fast the machine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text

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
