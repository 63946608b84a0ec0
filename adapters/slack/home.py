"""Publishing the Home tab: the person's open queue. Published when they open it and
after every change that touches their queue (a delivery, a decision, a message update).

Republishing is coalesced per person, on a publisher thread of its own: a burst of
changes for one person while a publish is waiting is one publish, and whoever asked
(the outbox worker holding its claimed batch, a click's work) never waits for the
queue to be read and rendered or for `views.publish`. A change that lands while that
person's publish is running queues one more, so the last publish always shows it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.modals import home_view, stranger_home_view
from workflows.inbox import queue_messages
from workflows.service import Services

HOME_QUEUE_LIMIT = 12  # about seven blocks each: stays under the view's 100 blocks

log = logging.getLogger(__name__)


class HomeTab:
    def __init__(
        self, *, services: Services, client: WebClient,
        yield_to_acks: Callable[..., None] | None = None,
    ) -> None:  # fmt: skip
        self.services = services
        self.client = client
        self._yield_to_acks = yield_to_acks
        self._pending: dict[str, str | None] = {}  # Slack user id -> person id, to publish
        self._lock = threading.Condition()
        self._publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slack-home")

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
        """Queue a publish (best effort: a stale Home tab is repaired by the next change
        or visit); returns at once."""
        if not user_id:
            return
        with self._lock:
            queued = user_id in self._pending
            self._pending[user_id] = person_id
        if not queued:
            self._publisher.submit(self._publish_pending, user_id, time.monotonic())

    def _publish_pending(self, user_id: str, queued: float) -> None:
        if self._yield_to_acks is not None:
            self._yield_to_acks(since=queued)  # like the work after an ack
        with self._lock:
            person_id = self._pending.pop(user_id)
        try:
            self.publish(user_id=user_id, person_id=person_id)
        except (SlackApiError, OSError) as exc:
            log.warning("could not refresh the Home tab of %s: %s", person_id, exc)
        except Exception:
            log.exception("could not refresh the Home tab of %s", person_id)
        finally:
            with self._lock:
                self._lock.notify_all()

    def wait_published(self, timeout: float = 10.0) -> bool:
        """Block until every queued publish has been made (tests, shutdown)."""
        done = self._publisher.submit(lambda: None)
        try:
            done.result(timeout)
        except TimeoutError:
            return False
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)

    def stop(self) -> None:
        self._publisher.shutdown(wait=True)
