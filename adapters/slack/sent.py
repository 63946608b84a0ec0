"""Finding a direct message sopbot already sent, by the outbox row's mark in its message
metadata (see core.chat.SendKey).

Every direct message about a recommendation carries `metadata` of event type SENT_BY
with the row's key. When a row is tried again (its worker died before recording the
send, or the answer to a send was lost), the person's DM is read first, newest first,
and a message with the key is taken as the delivery: the row is recorded with it and
nothing is posted twice. The DM channel is remembered from each send, else opened with
`conversations.open` (scope `im:write`); the history is read with `im:history`.

A follow-up in a card's thread (a reminder, an escalation) carries the mark too and is
looked for among the thread's replies (`conversations.replies`).

Only the newest LOOK_BACK messages are searched: a copy can only be as old as the row's
first claim, and sopbot posts far fewer than that to one person within a lease. If the
lookup is refused for good (a workspace that has not granted the scopes yet), the row is
sent as before, at the cost of a possible copy, and the refusal is logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.metadata import Metadata

from adapters.slack.block_dicts import plain
from core.chat import DeliveryError

SENT_BY = "sopbot_outbox_row"  # the metadata event type of a message an outbox row sent
PAGE = 200  # messages per conversations.history page (Slack's recommended maximum)
LOOK_BACK = 400  # newest messages searched for a row's key

log = logging.getLogger(__name__)

Call = Callable[..., Any]


def mark(key: str) -> dict[str, Any]:
    """The `metadata` of a message sent for an outbox row (checked by slack_sdk's model)."""
    return plain(Metadata(event_type=SENT_BY, event_payload={"key": key}))


def key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != SENT_BY:
        return None
    payload = metadata.get("event_payload") or {}
    key = payload.get("key")
    return key if isinstance(key, str) else None


class SentMessages:
    """DM channels as Slack named them, and the lookup of a row's message in one."""

    def __init__(self, *, client: WebClient, call: Callable[..., Any]) -> None:
        self.client = client
        self._call = call  # the adapter's call wrapper: Slack failures as DeliveryError
        self._channels: dict[str, str] = {}  # Slack user id -> their DM channel with sopbot
        self._lock = threading.Lock()
        self._refused = False  # logged once: the workspace refused a lookup for good

    def remember(self, *, user_id: str, channel: str) -> None:
        self._channels[user_id] = channel

    def find(self, *, user_id: str, key: str) -> tuple[str, str] | None:
        """(channel, ts) of the message sent with `key`, or None. A transient failure
        raises (the row is retried: sending blind could post it twice); a permanent
        refusal returns None, so the row is sent."""
        try:
            channel = self._channels.get(user_id) or self._open(user_id)
            return self._search(channel, key)
        except DeliveryError as exc:
            if exc.transient:
                raise
            self._refusal(exc)
            return None

    def find_reply(self, *, channel: str, thread_ts: str, key: str) -> tuple[str, str] | None:
        """(channel, ts) of the reply in the thread of `thread_ts` sent with `key`, or
        None; failures as for `find`. A thread holds the card's few follow-ups (its
        reminders and escalations), far fewer than LOOK_BACK."""
        try:
            return self._search(channel, key, thread_ts=thread_ts)
        except DeliveryError as exc:
            if exc.transient:
                raise
            self._refusal(exc)
            return None

    def _refusal(self, exc: DeliveryError) -> None:
        with self._lock:
            first, self._refused = not self._refused, True
        if first:
            log.warning(
                "Slack refused to look up sent messages (%s): a row tried again "
                "is sent again, which may post a copy",
                exc,
            )

    def _open(self, user_id: str) -> str:
        opened = self._call(self.client.conversations_open, users=user_id)
        channel = str(opened["channel"]["id"])
        self.remember(user_id=user_id, channel=channel)
        return channel

    def _search(
        self, channel: str, key: str, *, thread_ts: str | None = None
    ) -> tuple[str, str] | None:
        """The DM newest first (`conversations.history`), or the thread oldest first
        (`conversations.replies`, the same `im:history` scope) when `thread_ts` is given."""
        cursor: str | None = None
        for _ in range(LOOK_BACK // PAGE):
            if thread_ts is None:
                page = self._call(
                    self.client.conversations_history,
                    channel=channel,
                    limit=PAGE,
                    include_all_metadata=True,
                    cursor=cursor,
                )
            else:
                page = self._call(
                    self.client.conversations_replies,
                    channel=channel,
                    ts=thread_ts,
                    limit=PAGE,
                    include_all_metadata=True,
                    cursor=cursor,
                )
            for message in page.get("messages") or []:
                if key_of(message) == key:
                    return channel, str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None
