"""Slack delivers some things more than once: the Events API retries (X-Slack-Retry-Num)
when we were slow, and a flaky network can replay a click. Each delivery id is claimed
once in the database (whichever replica sees it first), and repeats are acked and
dropped. Decisions are also unique in the database, so even a double click with two
distinct ids records once; the second click is told who decided first."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltResponse

from adapters.slack.people import PLATFORM
from workflows.identities import first_delivery
from workflows.service import Services

log = logging.getLogger(__name__)


def delivery_key(body: Mapping[str, Any]) -> str | None:
    """A stable id for one Slack delivery, or None when there is nothing to de-duplicate."""
    kind = body.get("type")
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if kind == "block_actions" and body.get("actions"):
        action = body["actions"][0]
        user = (body.get("user") or {}).get("id", "")
        return f"action:{user}:{action.get('action_ts')}:{action.get('action_id')}"
    return None


def dedupe_middleware(services: Services) -> Callable[..., BoltResponse | None]:
    def dedupe(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002
        key = delivery_key(body)
        if key is not None and not first_delivery(
            database=services.database, clock=services.clock, platform=PLATFORM, delivery_id=key
        ):
            log.info("ignored a repeated Slack delivery (%s)", key.split(":", 1)[0])
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe
