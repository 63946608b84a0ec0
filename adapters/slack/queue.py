"""`/sopbot queue`: the person's open recommendations as one ephemeral message, and that
message redrawn after a decision taken from it.

An ephemeral message has no ts that `chat.update` accepts, so the redraw goes through the
click's `response_url` with `replace_original`: Slack replaces the list the person is
looking at (the url works for 30 minutes and 5 posts). The redrawn list starts with what
was just recorded, so it is also the clicker's confirmation; when the url cannot be
used, the confirmation is posted as an ephemeral note instead."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from adapters.slack.blocks import as_dicts, fallback_text, message_blocks
from core.messages import Message, Tone
from workflows.inbox import queue_messages
from workflows.service import Services

QUEUE_LIMIT = 8  # the answer is one message: at most 50 blocks
EMPTY = "Nothing waiting for you."
REDRAW_TIMEOUT = 5  # seconds; runs after the ack, but a worker thread waits for it

log = logging.getLogger(__name__)


def queue_reply(services: Services, *, person_id: str) -> Message | str:
    """The answer to `/sopbot queue`: the list, or a plain sentence when it is empty."""
    queue = queue_messages(services, person_id=person_id, limit=QUEUE_LIMIT)
    if not queue:
        return EMPTY
    return Message(header=f"Your open recommendations ({len(queue)})", items=queue)


def redrawn_queue(services: Services, *, person_id: str, notice: str) -> Message:
    """The list after a decision: what was recorded first, then what is still open."""
    queue = queue_messages(services, person_id=person_id, limit=QUEUE_LIMIT)
    return Message(
        header=f"Your open recommendations ({len(queue)})",
        status=notice,
        tone=Tone.GOOD,
        context=[] if queue else [EMPTY],
        items=queue,
    )


def replace_ephemeral(response_url: str, message: Message) -> bool:
    """Replace the ephemeral message a click came from; False when Slack did not take it."""
    client = WebhookClient(url=response_url, timeout=REDRAW_TIMEOUT)
    try:
        sent = client.send(
            text=fallback_text(message),
            blocks=as_dicts(message_blocks(message)),
            response_type="ephemeral",
            replace_original=True,
        )
    except (SlackRequestError, OSError) as exc:
        log.warning("could not redraw an ephemeral queue: %s", exc)
        return False
    if sent.status_code != 200:
        log.warning("Slack refused a queue redraw: %s %s", sent.status_code, sent.body)
        return False
    return True
