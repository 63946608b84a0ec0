"""What the server answers when it cannot do the work: 503 with `Retry-After` when the
database is busy or out of reach (the same request later succeeds: SQLite's lock held
past the busy timeout, a PostgreSQL lock or statement timeout, a serialization failure,
a full connection pool, a lost connection), and a 500 in the API's error shape for
anything unexpected, with a reference to find it in the log. Never a plain-text 500."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def busy_answer() -> JSONResponse:
    message = f"the database is busy; retry in {RETRY_AFTER_SECONDS} seconds"
    return JSONResponse(
        {"detail": [{"message": message}]},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def unexpected_answer(request: Request, exc: BaseException) -> JSONResponse:
    reference = uuid.uuid4().hex[:12]
    log.error(
        "unexpected error %s on %s %s",
        reference,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    message = f"internal error (reference {reference} in the server log)"
    return JSONResponse({"detail": [{"message": message}]}, status_code=500)


def is_busy(exc: BaseException) -> bool:
    """A database failure a retry may not meet: operational (locks, timeouts,
    connections; PostgreSQL's serialization failures and deadlocks are operational too)
    or the pool out of connections. Data and programming errors are not."""
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def install_failure_handlers(app: FastAPI) -> None:
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if is_busy(exc):
            log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
            return busy_answer()
        return unexpected_answer(request, exc)

    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_answer(request, exc)

    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    # Starlette answers this one from its outermost middleware (and re-raises, so the
    # server logs it as well): the answer is JSON all the same.
    app.add_exception_handler(Exception, _unexpected)
