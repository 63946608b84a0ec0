"""Interactions no sopbot listener claims: an action id, a callback id that sopbot never
rendered (an old message after an upgrade, or a hand-made request that is still signed).
Bolt answers those 404 ("unhandled request"), which Slack shows the clicker as an error
and which tells a prober which ids exist; they are acked and dropped instead. Registered
after every other listener: Bolt tries listeners in order, so these only see leftovers."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

log = logging.getLogger(__name__)

ANYTHING = re.compile(r".*", re.DOTALL)


def ack_unknown(ack: Ack, body: dict[str, Any]) -> None:
    ack()
    log.info("ignored a Slack %s sopbot has no listener for", body.get("type", "request"))


def ignore_unknown(app: App) -> None:
    app.action(ANYTHING)(ack_unknown)
    app.view_submission(ANYTHING)(ack_unknown)
