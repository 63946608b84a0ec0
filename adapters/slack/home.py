"""Publishing the Home tab: the person's open queue. Called when they open it and after
every change that touches their queue (a delivery, a decision, a message update)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.modals import home_view, stranger_home_view
from workflows.inbox import queue_messages
from workflows.service import Services

HOME_QUEUE_LIMIT = 12  # about seven blocks each: stays under the view's 100 blocks

log = logging.getLogger(__name__)


class HomeTab:
    def __init__(self, *, services: Services, client: WebClient) -> None:
        self.services = services
        self.client = client

    def publish(self, *, user_id: str, person_id: str | None) -> None:
        """Raises SlackApiError; use `refresh` where a failure must not stop the caller."""
        if person_id is None:
            view = stranger_home_view()
        else:
            view = home_view(
                queue_messages(self.services, person_id=person_id, limit=HOME_QUEUE_LIMIT)
            )
        self.client.views_publish(user_id=user_id, view=view)

    def refresh(self, *, user_id: str | None, person_id: str | None) -> None:
        """Best effort: a stale Home tab is repaired by the next change or visit."""
        if not user_id:
            return
        try:
            self.publish(user_id=user_id, person_id=person_id)
        except (SlackApiError, OSError) as exc:
            log.warning("could not refresh the Home tab of %s: %s", person_id, exc)
