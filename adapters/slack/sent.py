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

How far back the DM is read is bounded by time, not by a count: the mark also says when
the message was sent (`at`, the deployment's clock), and an earlier attempt cannot have
posted the row's message before the row was made (SendKey.since). The search stops at
the first page holding a message sent more than CLOCK_SLACK before that; everything
older is older still. A count was wrong: a row re-claimed after its worker died waits
behind the rows due before its lease ran out, and by then the person may have been sent
hundreds more (a replica killed mid-burst re-posted every unrecorded reminder more than
400 messages back: tests/workflows/sla/test_multiprocess.py). MAX_PAGES only guards
against reading a long DM of messages without a time (sent before marks carried one).
The same search (`search_dm`) finds a conversation's first message (adapters.slack.threads),
read back to when the conversation began.
If the lookup is refused for good (a workspace that has not granted the scopes yet), the
row is sent as before, at the cost of a possible copy, and the refusal is logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.metadata import Metadata

from adapters.slack.block_dicts import plain
from core.chat import DeliveryError, SendKey

SENT_BY = "sopbot_outbox_row"  # the metadata event type of a message an outbox row sent
PAGE = 200  # messages per conversations.history page (Slack's recommended maximum)
# Clocks of replicas apart, plus a send's own time between `at` and Slack's posting.
CLOCK_SLACK = timedelta(minutes=10)
MAX_PAGES = 25  # a backstop: 5,000 messages without a send time
THREAD_PAGES = 2  # a card's thread holds its few follow-ups

log = logging.getLogger(__name__)

Call = Callable[..., Any]


def mark(key: SendKey) -> dict[str, Any]:
    """The `metadata` of a message sent for an outbox row (checked by slack_sdk's model):
    the row's key and when it was sent."""
    payload = {"key": key.key}
    if key.at is not None:
        payload["at"] = utc(key.at).isoformat()
    return plain(Metadata(event_type=SENT_BY, event_payload=payload))


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != SENT_BY:
        return {}
    payload = metadata.get("event_payload")
    return payload if isinstance(payload, dict) else {}


def key_of(message: dict[str, Any]) -> str | None:
    key = _payload(message).get("key")
    return key if isinstance(key, str) else None


def sent_at(message: dict[str, Any]) -> datetime | None:
    """When sopbot sent `message` by its mark; None for one without (or not sopbot's)."""
    at = _payload(message).get("at")
    try:
        return utc(datetime.fromisoformat(at)) if isinstance(at, str) else None
    except ValueError:
        return None


def utc(moment: datetime) -> datetime:
    """Aware in UTC (a database may hand back naive UTC times)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def search_dm(
    call: Call,
    client: WebClient,
    *,
    channel: str,
    match: Callable[[dict[str, Any]], bool],
    oldest: datetime | None,
    looking_for: str,
    max_pages: int = MAX_PAGES,
) -> dict[str, Any] | None:
    """The first message of the DM, newest first (`conversations.history`, page by
    page), that `match`es; None once a page reaches messages sent before `oldest` (by
    their mark's `at`: everything further back is older still), at the DM's start, or
    after `max_pages` pages (logged: a DM of messages without a send time, or no
    `oldest` known). Both lookups use it: a row's message (`SentMessages.find`) and a
    conversation's first message (adapters.slack.threads)."""
    cursor: str | None = None
    for _ in range(max_pages):
        page = call(
            client.conversations_history,
            channel=channel,
            limit=PAGE,
            include_all_metadata=True,
            cursor=cursor,
        )
        messages = page.get("messages") or []
        for message in messages:
            if match(message):
                return message
        if oldest is not None and any(
            (at := sent_at(message)) is not None and at < oldest for message in messages
        ):
            return None  # the rest was sent before what is looked for could have been
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    log.warning(
        "looked for %s in %d messages of %s, not all", looking_for, PAGE * max_pages, channel
    )
    return None


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

    def find(self, *, user_id: str, key: SendKey) -> tuple[str, str] | None:
        """(channel, ts) of the message sent with `key`, or None. A transient failure
        raises (the row is retried: sending blind could post it twice); a permanent
        refusal returns None, so the row is sent."""
        try:
            channel = self._channels.get(user_id) or self._open(user_id)
            return self._search_dm(channel, key)
        except DeliveryError as exc:
            if exc.transient:
                raise
            self._refusal(exc)
            return None

    def find_reply(self, *, channel: str, thread_ts: str, key: SendKey) -> tuple[str, str] | None:
        """(channel, ts) of the reply in the thread of `thread_ts` sent with `key`, or
        None; failures as for `find`. A thread holds the card's few follow-ups (its
        reminders and escalations), far fewer than a page."""
        try:
            return self._search_thread(channel, key, thread_ts=thread_ts)
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

    def _search_dm(self, channel: str, key: SendKey) -> tuple[str, str] | None:
        """The DM back to messages sent well before the row was made."""
        oldest = None if key.since is None else utc(key.since) - CLOCK_SLACK
        found = search_dm(
            self._call,
            self.client,
            channel=channel,
            match=lambda message: key_of(message) == key.key,
            oldest=oldest,
            looking_for=key.key,
        )
        return None if found is None else (channel, str(found["ts"]))

    def _search_thread(
        self, channel: str, key: SendKey, *, thread_ts: str
    ) -> tuple[str, str] | None:
        """The thread's replies oldest first (`conversations.replies`, the same
        `im:history` scope)."""
        cursor: str | None = None
        for _ in range(THREAD_PAGES):
            page = self._call(
                self.client.conversations_replies,
                channel=channel,
                ts=thread_ts,
                limit=PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
            for message in page.get("messages") or []:
                if key_of(message) == key.key:
                    return channel, str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None
