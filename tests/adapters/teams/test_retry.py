"""Bounded retries with backoff and Retry-After, classified for the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import pytest

from adapters.teams.retry import RetryPolicy, as_delivery_error, retry_after_seconds, with_retries
from core.chat import DeliveryError


class HttpFailure(Exception):
    def __init__(self, status: int, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}")
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.response = SimpleNamespace(status_code=status, headers=headers)


def run(failures: list[Exception], policy: RetryPolicy) -> tuple[object, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    async def main() -> object:
        return await with_retries(call, policy=policy, what="send", sleep=sleep)

    return asyncio.run(main()), waits


@pytest.mark.parametrize("status", [412, 429, 502, 504])
def test_throttling_and_gateway_errors_are_retried_with_growing_waits(status: int) -> None:
    policy = RetryPolicy(attempts=4, base=0.1, cap=5, jitter=0.25)
    result, waits = run([HttpFailure(status)] * 3, policy)
    assert result == "ok" and len(waits) == 3
    for n, wait in enumerate(waits):
        assert 0.1 * 2**n * 0.75 <= wait <= 0.1 * 2**n * 1.25


def test_retry_after_is_honoured() -> None:
    _, waits = run([HttpFailure(429, "1.5")], RetryPolicy(base=0.01, cap=5))
    assert waits == [1.5]


def test_the_bound_ends_in_a_transient_error_for_the_outbox() -> None:
    with pytest.raises(DeliveryError) as caught:
        run([HttpFailure(429, "0")] * 5, RetryPolicy(attempts=3, base=0.001))
    assert caught.value.transient


def test_a_long_retry_after_goes_back_to_the_outbox_at_once() -> None:
    with pytest.raises(DeliveryError) as caught:
        run([HttpFailure(429, "120")], RetryPolicy(cap=10))
    assert caught.value.transient and caught.value.retry_after == 120


def test_no_retry_starts_that_would_end_past_the_total_bound() -> None:
    with pytest.raises(DeliveryError) as caught:
        run([HttpFailure(503, "3"), HttpFailure(503)], RetryPolicy(cap=5, total=2))
    assert caught.value.transient and caught.value.retry_after == 3


def test_a_503_is_retried_and_its_cause_is_kept() -> None:
    result, waits = run([HttpFailure(503)], RetryPolicy(base=0.01))
    assert result == "ok" and len(waits) == 1
    with pytest.raises(DeliveryError) as caught:
        run([HttpFailure(404)], RetryPolicy(base=0.01))
    assert isinstance(caught.value.__cause__, HttpFailure)


@pytest.mark.parametrize("status", [400, 403, 404])
def test_refusals_are_permanent_and_not_retried(status: int) -> None:
    with pytest.raises(DeliveryError) as caught:
        run([HttpFailure(status)], RetryPolicy(base=0.001))
    assert not caught.value.transient


def test_retry_after_as_http_date_and_unreachable_hosts() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds({"Retry-After": when}) or 0) <= 30
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert as_delivery_error(ConnectionRefusedError(), what="send").transient
