"""`SlackChat`: the Chat port on Slack. Direct messages go to the user id as channel;
the returned D-channel and ts are the reference used to `chat.update` in place later.

Failures are sorted for the outbox: 429 (with Retry-After), 5xx and connection errors
are transient and retried; anything else Slack refuses (channel_not_found, a user that
does not exist) is permanent, so the recommendation goes to the backup person.

A direct message sent for an outbox row carries the row's mark, and a row tried again is
looked for in the person's DM before it is posted (adapters.slack.sent): a Slack send is
delivered once even when the answer or the worker is lost after Slack posted it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from adapters.slack.blocks import as_dicts, fallback_text, message_blocks
from adapters.slack.client import retry_after, without_blind_retries
from adapters.slack.home import HomeTab
from adapters.slack.people import PLATFORM, SlackPeople
from adapters.slack.sent import SentMessages, mark
from adapters.slack.threads import Threads, thread_mark
from core.chat import DeliveryError, MessageRef, SendKey
from core.config import Person
from core.messages import Message


def delivery_error(exc: Exception) -> DeliveryError:
    """A Slack client failure as the outbox understands it."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = exc.response.get("error") or f"HTTP {status}"
        if status == 429:
            wait = retry_after(exc.response.headers)
            return DeliveryError(f"Slack rate limit ({error})", transient=True, retry_after=wait)
        if status >= 500:
            return DeliveryError(f"Slack server error ({error})", transient=True)
        return DeliveryError(f"Slack refused: {error}", transient=False)
    return DeliveryError(f"Slack unreachable: {exc}", transient=True)


def _call(func: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except (SlackApiError, OSError) as exc:
        raise delivery_error(exc) from exc


class SlackChat:
    platform = PLATFORM

    def __init__(self, *, client: WebClient, people: SlackPeople, home: HomeTab) -> None:
        self.client = client
        self.poster = without_blind_retries(client)
        self.people = people
        self.home = home
        self.sent = SentMessages(client=client, call=_call)
        self.threads = Threads(client=client, call=_call)

    def can_reach(self, person: Person) -> bool:
        return self.people.can_reach(person)

    def knows(self, person: Person) -> bool:
        return self.people.knows(person)

    def finds_sent(self, person: Person) -> bool:
        """Every direct message can be found again by its mark (see adapters.slack.sent)."""
        return True

    def _post(self, channel: str, message: Message, key: SendKey | None = None) -> SlackResponse:
        """A top-level post; the first turn of a conversation is marked as its thread's."""
        marked: dict[str, Any] = {}
        if message.thread is not None:
            marked["metadata"] = thread_mark(message.thread, key)
        elif key is not None:
            marked["metadata"] = mark(key)
        return _call(
            self.client.chat_postMessage if key is None else self.poster.chat_postMessage,
            channel=channel,
            text=fallback_text(message),
            blocks=as_dicts(message_blocks(message)),
            unfurl_links=False,
            **marked,
        )

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        user_id = _call(self.people.user_id_for, person=person)
        if not user_id:
            raise DeliveryError(f"{person.id} has no Slack account", transient=False)
        extra = {"person_id": person.id, "user_id": user_id}
        found = self.sent.find(user_id=user_id, key=key) if key and key.retry else None
        root = None
        if found is None and message.thread:  # a retried first turn is found above
            root = self.threads.root(
                channel=user_id, thread=message.thread, started=message.thread_started
            )
        if root is not None:  # a later turn of a conversation: a reply in its thread
            turn = self.reply(ref=self._ref(*root), message=message, key=key)
            return turn.model_copy(update={"extra": {**turn.extra, **extra}})
        if found is not None:
            channel, ts = found
            extra["found_again"] = "1"  # posted by an earlier attempt; audited as such
        else:
            sent = self._post(user_id, message, key)
            channel, ts = sent["channel"], sent["ts"]
            self.sent.remember(user_id=user_id, channel=channel)
        if message.thread:
            self.threads.remember(
                names=(user_id, channel), thread=message.thread, dm=channel, ts=ts
            )
        self.home.refresh(user_id=user_id, person_id=person.id)
        return MessageRef(platform=PLATFORM, channel=channel, message_id=ts, extra=extra)

    @staticmethod
    def _ref(channel: str, ts: str) -> MessageRef:
        return MessageRef(platform=PLATFORM, channel=channel, message_id=ts)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        _call(
            self.client.chat_update,
            channel=ref.channel,
            ts=ref.message_id,
            text=fallback_text(message),
            blocks=as_dicts(message_blocks(message)),
        )
        if ref.extra.get("user_id"):
            self.home.refresh(user_id=ref.extra["user_id"], person_id=ref.extra.get("person_id"))

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        """A reply in the card's thread: the card stays the one message in the DM. With
        `key` it carries the row's mark, and a retry looks for it in the thread first
        (adapters.slack.sent), so a follow-up is posted once, like a direct message."""
        extra = {"thread_ts": ref.message_id}
        found = (
            self.sent.find_reply(channel=ref.channel, thread_ts=ref.message_id, key=key)
            if key and key.retry
            else None
        )
        if found is not None:
            channel, ts = found
            extra["found_again"] = "1"
        else:
            marked: dict[str, Any] = {} if key is None else {"metadata": mark(key)}
            sent = _call(
                self.client.chat_postMessage if key is None else self.poster.chat_postMessage,
                channel=ref.channel,
                thread_ts=ref.message_id,
                text=fallback_text(message),
                blocks=as_dicts(message_blocks(message)),
                unfurl_links=False,
                **marked,
            )
            channel, ts = sent["channel"], sent["ts"]
        return MessageRef(platform=PLATFORM, channel=channel, message_id=ts, extra=extra)

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        sent = self._post(channel.lstrip("#"), message)
        return MessageRef(platform=PLATFORM, channel=sent["channel"], message_id=sent["ts"])
