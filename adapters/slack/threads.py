"""A conversation's turns (`Message.thread`: an interview's questions and answers) kept in
one Slack thread of the person's DM: its first message is posted top-level and every
later turn is a reply in its thread (`thread_ts`), so an interview is one entry in the
DM, like the web chat's thread, not twelve top-level posts between the cards.

The first message carries the conversation's name in its message metadata (beside the
outbox row's key when an outbox row sent it, see adapters.slack.sent), so after a
restart the thread is found again in the DM's history (`conversations.history`, scope
`im:history`); within a process it is remembered. The DM is read back to when the
conversation began (`Message.thread_started`, less CLOCK_SLACK), however many messages
came after its first one (an interview paused for a week may have hundreds of cards and
reminders after it): the search shared with adapters.slack.sent stops at the first page
holding a message sent before that. A conversation without a known start is read back
at most MAX_PAGES pages (5,000 messages), and one whose first message is further back
starts a new thread. A lookup Slack refuses for good starts a new thread too, rather
than losing the turn."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.metadata import Metadata

from adapters.slack.block_dicts import plain
from adapters.slack.sent import CLOCK_SLACK, mark, search_dm, utc
from core.chat import DeliveryError, SendKey

THREAD_OF = "sopbot_thread"  # the metadata event type of a thread's first message

Call = Callable[..., Any]


def thread_mark(thread: str, key: SendKey | None = None) -> dict[str, Any]:
    """The `metadata` of a conversation's first message: the conversation's name, and
    the outbox row's mark when a row sends it (its retry looks for the key, back to
    the row's time: adapters.slack.sent)."""
    if key is None:
        return plain(Metadata(event_type=THREAD_OF, event_payload={"thread": thread}))
    marked = mark(key)
    marked["event_payload"]["thread"] = thread
    return marked


def thread_of(message: dict[str, Any]) -> str | None:
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    thread = payload.get("thread")
    return thread if isinstance(thread, str) else None


class Threads:
    """Where each conversation's thread is: (DM channel or user id, conversation) -> the
    DM channel and the ts of its first message."""

    def __init__(self, *, client: WebClient, call: Call) -> None:
        self.client = client
        self._call = call  # Slack failures as DeliveryError
        self._roots: dict[tuple[str, str], tuple[str, str]] = {}
        self._lock = threading.Lock()

    def remember(self, *, names: tuple[str, ...], thread: str, dm: str, ts: str) -> None:
        """The thread of `thread` is at (dm, ts); `names` are what callers call the DM by
        (its channel id, the person's user id)."""
        with self._lock:
            for name in names:
                self._roots.setdefault((name, thread), (dm, ts))

    def root(
        self, *, channel: str, thread: str, started: datetime | None
    ) -> tuple[str, str] | None:
        """(DM channel, ts) of the conversation's first message in `channel` (a DM channel
        id, or a user id, whose DM is opened), None when it has none yet; `started` is
        when the conversation began (none of its turns was posted before). A transient
        failure raises, so the turn is tried again instead of starting a second thread."""
        with self._lock:
            known = self._roots.get((channel, thread))
        if known is not None:
            return known
        try:
            dm = self._dm(channel)
            found = self._search(dm, thread, started)
        except DeliveryError as exc:
            if exc.transient:
                raise
            return None
        if found is None:
            return None
        self.remember(names=(channel, dm), thread=thread, dm=dm, ts=found)
        return dm, found

    def _dm(self, channel: str) -> str:
        if not channel.startswith(("U", "W")):
            return channel
        opened = self._call(self.client.conversations_open, users=channel)
        return str(opened["channel"]["id"])

    def _search(self, channel: str, thread: str, started: datetime | None) -> str | None:
        """The DM's top-level message that started `thread`, read back to `started`."""

        def first_of_thread(message: dict[str, Any]) -> bool:
            top = message.get("thread_ts") in (None, message.get("ts"))
            return top and thread_of(message) == thread

        found = search_dm(
            self._call,
            self.client,
            channel=channel,
            match=first_of_thread,
            oldest=None if started is None else utc(started) - CLOCK_SLACK,
            looking_for=thread,
        )
        return None if found is None else str(found["ts"])
