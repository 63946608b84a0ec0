"""Bounded retries for calls to the Bot Connector.

Teams throttles bots (HTTP 429, and 412/502/504 under load) and botbuilder does not
retry by itself. A short in-process retry (tenacity: exponential backoff with jitter,
at least the server's `Retry-After`, bounded in calls and in total time) hides a blip;
a longer `Retry-After` than we are willing to wait, or the last failed attempt, becomes
a transient `DeliveryError` so the outbox reschedules the message instead of holding a
worker thread."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)

from core.chat import DeliveryError

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({412, 429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # calls in all, the first included
    base: float = 0.5  # seconds before the first retry; doubles each time
    cap: float = 10.0  # the longest single wait here; longer Retry-After -> the outbox
    jitter: float = 0.25  # +/- fraction, so throttled replicas do not retry in step
    total: float = 30.0  # no retry is started that would end later than this after the first call

    def retries_here(self, exc: BaseException) -> bool:
        """Worth another call in this thread: transient, and any Retry-After is short."""
        return (
            isinstance(exc, DeliveryError)
            and exc.transient
            and (exc.retry_after is None or exc.retry_after <= self.cap)
        )

    def wait(self, state: RetryCallState) -> float:
        """Exponential backoff with +/- jitter, never shorter than the server's Retry-After."""
        backoff = wait_exponential(multiplier=self.base, max=self.cap)(state)
        backoff *= random.uniform(1 - self.jitter, 1 + self.jitter)
        failure = state.outcome.exception() if state.outcome is not None else None
        retry_after = getattr(failure, "retry_after", None) or 0.0
        return max(backoff, retry_after)

    def retrying(self, sleep: Callable[[float], Awaitable[object]]) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | stop_before_delay(self.total),
            wait=self.wait,
            retry=retry_if_exception(self.retries_here),
            sleep=sleep,
            reraise=True,
        )


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def retry_after_seconds(headers: Any) -> float | None:
    """`Retry-After` as seconds, from either form the header may take."""
    raw = headers.get("Retry-After") if headers is not None else None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def as_delivery_error(exc: BaseException, *, what: str) -> DeliveryError:
    """Classify a failed connector call: throttling, gateway trouble and unreachable
    hosts are transient; any other HTTP refusal (403 uninstalled, 404 gone) is not."""
    if isinstance(exc, DeliveryError):
        return exc
    status = _status(exc)
    if status is not None:
        headers = getattr(getattr(exc, "response", None), "headers", None)
        transient = status in RETRYABLE_STATUS or status >= 500
        return DeliveryError(
            f"Teams {what} failed: HTTP {status}",
            transient=transient,
            retry_after=retry_after_seconds(headers),
        )
    if isinstance(exc, ClientRequestError | OSError | asyncio.TimeoutError):
        return DeliveryError(f"Teams {what} failed: {type(exc).__name__}", transient=True)
    if isinstance(exc, HttpOperationError):
        return DeliveryError(f"Teams {what} failed: {exc}", transient=False)
    return DeliveryError(f"Teams {what} failed: {type(exc).__name__}: {exc}", transient=False)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    what: str,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Run `call`, retrying transient failures within `policy`; raise DeliveryError."""

    async def classified() -> T:
        try:
            return await call()
        except Exception as exc:  # noqa: BLE001 - every failure is classified here
            raise as_delivery_error(exc, what=what) from exc

    return await policy.retrying(sleep)(classified)
