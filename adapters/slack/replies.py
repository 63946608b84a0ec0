"""Answers only the clicker sees, and the one place a workflow's refusal becomes one:
a `WorkflowError` after a click or a modal submission (both already acked) is an
ephemeral note; input errors a form can show next to a field are found before the ack,
by the handlers, without the database.
A Slack user sopbot does not know is told so and nothing else happens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import escape
from adapters.slack.modals import NOT_CONFIGURED
from adapters.slack.origin import Origin
from adapters.slack.people import SlackPeople
from workflows.errors import WorkflowError

T = TypeVar("T")

log = logging.getLogger(__name__)


class Replies:
    def __init__(self, *, client: WebClient, people: SlackPeople) -> None:
        self.client = client
        self.people = people

    def tell(self, origin: Origin, text: str) -> None:
        """An ephemeral note for the clicker; in the bot's DM when there is no channel.
        Slack reads it as mrkdwn, so &, < and > are escaped (a workflow's words are text)."""
        user_id = origin.user_id
        try:
            self.client.chat_postEphemeral(
                channel=origin.channel or user_id, user=user_id, text=escape(text)
            )
        except (SlackApiError, OSError) as exc:
            log.warning("could not post an ephemeral message: %s", exc)

    def identify(self, origin: Origin, *, ack: Ack | None = None) -> str | None:
        """The clicker's person id. A stranger gets None and is told why; `ack` (a modal
        submission's, not yet called) is called first so Slack is answered at once."""
        person_id = self.people.person_id_for(origin.user_id)
        if person_id is None:
            if ack is not None:
                ack()
            self.tell(origin, NOT_CONFIGURED)
        return person_id

    def attempt(self, origin: Origin, work: Callable[[], T]) -> T | None:
        """`work()` after a click (already acked); a refusal is told, and gives None."""
        try:
            return work()
        except WorkflowError as exc:
            self.tell(origin, str(exc))
            return None
