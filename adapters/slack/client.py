"""The Slack Web API client: base URL from settings (tests and enterprise proxies point
it elsewhere) and the SDK's retry handlers for connection errors, 5xx and 429.

A 429 is retried in place only when Slack asks for a short wait; a longer Retry-After
is handed to the outbox (as a transient DeliveryError with `retry_after`), so a worker
thread never sleeps for a minute while other deliveries wait."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

MAX_INLINE_WAIT = 3.0  # seconds of Retry-After we are willing to sleep in place
TIMEOUT = 10  # seconds per Web API call

# slack_sdk formats each request and response (every block included) into a debug line
# unless its logger's own level is above DEBUG: it tests `logger.level`, not the effective
# level, so with the default NOTSET that work is done on every call and then discarded
# (about 100 µs of a send's CPU, bench/delivery.py). Set this logger to DEBUG to see them.
SDK_LOG = logging.getLogger("sopbot.slack_sdk")
SDK_LOG.setLevel(logging.INFO)


def retry_after(headers: Any) -> float | None:
    """The Retry-After header (seconds) from a response's headers, if any."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """The SDK's 429 handler, limited to waits of at most `max_wait` seconds."""

    def __init__(self, *, max_retry_count: int = 2, max_wait: float = MAX_INLINE_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:  # noqa: ANN001
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        wait = retry_after(response.headers if response is not None else None)
        return wait is None or wait <= self.max_wait


def build_client(*, token: str, base_url: str, timeout: float = TIMEOUT) -> WebClient:
    """`timeout`: tests of timeout storms use a short one."""
    client = WebClient(token=token, base_url=base_url, timeout=timeout, logger=SDK_LOG)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ShortRateLimitRetryHandler(),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def without_blind_retries(client: WebClient) -> WebClient:
    """The same client for posts that carry an outbox row's mark (adapters.slack.sent):
    a connection error, a timeout or a 5xx may come after Slack posted the message, and
    retrying in place would post it again. Those are handed to the outbox instead, whose
    retry looks the message up first; a 429 (nothing was posted) is still retried here."""
    poster = WebClient(
        token=client.token, base_url=client.base_url, timeout=client.timeout, logger=client.logger
    )
    poster.retry_handlers = [ShortRateLimitRetryHandler()]
    return poster
