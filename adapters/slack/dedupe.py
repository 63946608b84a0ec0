"""Slack delivers some things more than once: the Events API retries (X-Slack-Retry-Num)
when we were slow, and a flaky network can replay a click. Each delivery id is claimed
once in the database (whichever replica sees it first), and repeats are dropped. The
claim is made in the work after the ack (adapters.slack.after_ack), never on the
request path: a repeat is answered 200 like any delivery, and then does nothing.
Decisions are also unique in the database, so even a double click with two distinct ids
records once; the second click is told who decided first. A modal submission has no
delivery id, so a replay of the same signed request (inside Slack's five-minute window)
is recognised by the view and what was entered in it: an exact repeat is dropped
without a second answer, while a corrected resubmission (other values) goes through.
A slash command is one invocation per trigger_id, so a replay of it is not answered
twice either."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack.people import PLATFORM
from workflows.decisions import first_delivery
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
    if body.get("command") and body.get("trigger_id"):  # a slash command: one per trigger
        return f"command:{body.get('user_id', '')}:{body['trigger_id']}"
    view = body.get("view")
    if kind == "view_submission" and isinstance(view, Mapping) and view.get("id"):
        user = (body.get("user") or {}).get("id", "")
        state = json.dumps(view.get("state"), sort_keys=True, default=str).encode()
        return f"view:{user}:{view['id']}:{hashlib.sha256(state).hexdigest()[:32]}"
    return None


def first_time(services: Services, body: Mapping[str, Any]) -> bool:
    """False for a delivery already claimed (by this replica or another)."""
    key = delivery_key(body)
    if key is None:
        return True
    if first_delivery(
        database=services.database, clock=services.clock, platform=PLATFORM, delivery_id=key
    ):
        return True
    log.info("ignored a repeated Slack delivery (%s)", key.split(":", 1)[0])
    return False
