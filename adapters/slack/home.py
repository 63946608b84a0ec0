"""Publishing the Home tab: the person's open queue. Published when they open it and
after every change that touches their queue (a delivery, a decision, a message update).

Republishing is coalesced per person, on a publisher thread of its own: whoever asks
(the outbox worker holding its claimed batch, a click's work) only marks the person's
tab stale and never waits for the queue to be read and rendered or for
`views.publish`. A person's tab is published at most once per `MIN_INTERVAL`, so a
burst of changes for them is one publish (or one every `MIN_INTERVAL` while it lasts),
and a change that lands while their publish runs is shown by the next one. A publish
also waits for the Slack requests being answered (adapters.slack.after_ack)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.block_dicts import plain
from adapters.slack.modals import home_view, stranger_home_view
from workflows.chat import queue_page
from workflows.service import Services

HOME_QUEUE_LIMIT = 12  # drawn at most; home_view shows the ones that fit 100 blocks
MIN_INTERVAL = 2.0  # seconds between two publishes of one person's tab

log = logging.getLogger(__name__)


class HomeTab:
    def __init__(
        self,
        *,
        services: Services,
        client: WebClient,
        yield_to_acks: Callable[..., None] | None = None,
    ) -> None:
        self.services = services
        self.client = client
        self._yield_to_acks = yield_to_acks
        # Slack user id -> (person id, when it became stale); what is waiting to publish.
        self._stale: dict[str, tuple[str | None, float]] = {}
        self._published_at: dict[str, float] = {}  # one entry per person with a Home tab
        self._publishing = False
        self._hurry = False  # publish what is stale now, ignoring MIN_INTERVAL
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def publish(self, *, user_id: str, person_id: str | None) -> None:
        """Raises SlackApiError; use `refresh` where a failure must not stop the caller."""
        if person_id is None:
            view = stranger_home_view()
        else:
            first = queue_page(self.services, person_id=person_id, per_page=HOME_QUEUE_LIMIT)
            view = home_view(first.items, total=first.total)
        # plain(): the view's JSON as its to_dict() gives it, for a third of the CPU
        self.client.views_publish(user_id=user_id, view=plain(view))

    def refresh(self, *, user_id: str | None, person_id: str | None) -> None:
        """Mark the tab stale (best effort: a stale Home tab is repaired by the next
        change or visit); returns at once."""
        if not user_id:
            return
        with self._changed:
            since = self._stale.get(user_id, (None, time.monotonic()))[1]
            self._stale[user_id] = (person_id, since)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="slack-home", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def _due(self, user_id: str, since: float) -> float:
        if self._hurry:
            return since
        return max(since, self._published_at.get(user_id, since - MIN_INTERVAL) + MIN_INTERVAL)

    def _next(self) -> tuple[str, str | None, float]:
        """Wait for the stale tab due first; take it off the list."""
        with self._changed:
            while True:
                if self._stale:
                    user_id = min(self._stale, key=lambda u: self._due(u, self._stale[u][1]))
                    person_id, since = self._stale[user_id]
                    wait = self._due(user_id, since) - time.monotonic()
                    if wait <= 0:
                        del self._stale[user_id]
                        self._publishing = True
                        self._published_at[user_id] = time.monotonic()
                        return user_id, person_id, since
                    self._changed.wait(wait)
                else:
                    self._changed.wait()

    def _run(self) -> None:
        while True:
            user_id, person_id, since = self._next()
            try:
                if self._yield_to_acks is not None:
                    self._yield_to_acks(since=since)
                self.publish(user_id=user_id, person_id=person_id)
            except (SlackApiError, OSError) as exc:
                log.warning("could not refresh the Home tab of %s: %s", person_id, exc)
            except Exception:
                log.exception("could not refresh the Home tab of %s", person_id)
            finally:
                with self._changed:
                    self._publishing = False
                    self._changed.notify_all()

    def wait_published(self, timeout: float = 10.0) -> bool:
        """Publish every stale tab now and wait until done (tests, shutdown)."""
        with self._changed:
            self._hurry = True
            self._changed.notify_all()
            try:
                return self._changed.wait_for(
                    lambda: not self._stale and not self._publishing, timeout
                )
            finally:
                self._hurry = False

    def stop(self) -> None:
        self.wait_published()
