"""Interactions no sopbot listener claims: an action id, a callback id that sopbot never
rendered (an old message after an upgrade, or a hand-made request that is still signed).
Bolt answers those 404 ("unhandled request"), which Slack shows the clicker as an error
and which tells a prober which ids exist; they are acked and dropped instead. Registered
after every other listener: Bolt tries listeners in order, so these only see leftovers.

A payload of a shape Slack never sends (`actions: []`, a view without a type, a JSON
list) makes Bolt's own listener matching raise, and a listener that meets one raises
before its ack: both are a 400 with a one-line body (the error is logged), never a 500
with Bolt's default answer."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltResponse

log = logging.getLogger(__name__)

ANYTHING = re.compile(r".*", re.DOTALL)
MALFORMED = '{"error": "malformed Slack request"}'


def malformed() -> BoltResponse:
    return BoltResponse(status=400, body=MALFORMED, headers={"content-type": "application/json"})


def listener_failed(error: Exception) -> BoltResponse:
    log.warning("a Slack listener could not handle its request: %r", error)
    return malformed()


def ack_unknown(ack: Ack, body: dict[str, Any]) -> None:
    ack()
    log.info("ignored a Slack %s sopbot has no listener for", body.get("type", "request"))


def ignore_unknown(app: App) -> None:
    app.action(ANYTHING)(ack_unknown)
    app.view_submission(ANYTHING)(ack_unknown)
    app.error(listener_failed)
