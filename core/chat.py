"""The `Chat` port every adapter implements, a router over several adapters, and the
in-memory chat used by workflow tests (Errbot's test backend is the model)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from core.config import Person
from core.messages import Message


class MessageRef(BaseModel):
    """Where a sent message lives, so it can be updated in place later."""

    platform: str
    channel: str
    message_id: str
    extra: dict[str, str] = Field(default_factory=dict)


class SendKey(BaseModel):
    """What makes one outbox row's message recognisable where it was sent. A send may
    reach the person and its answer still be lost (a timeout after the platform did the
    work, a worker killed before recording it); a platform that can look messages up
    carries `key` with the message and, on a `retry`, looks for it before sending again,
    so the row is delivered once however often it is tried.

    How far back to look is a matter of time, not of a count of messages: an earlier
    attempt posted it no earlier than the row was made (`since`), and each message
    carries when it was sent (`at`, the deployment's clock), so a lookup stops at the
    first message sent well before `since`, however many were sent to the person
    since (a retry can come after hundreds: re-claimed rows wait behind fresh ones)."""

    key: str  # unique for the row (its id and creation time: ids repeat after a reset)
    retry: bool = False  # an earlier attempt may have delivered it
    since: datetime | None = None  # the row's creation: no attempt posted it before
    at: datetime | None = None  # when this attempt sends it


class DeliveryError(Exception):
    """A send that failed. `transient` ones are retried (after `retry_after` seconds if
    the platform said so); permanent ones go to the fallback person."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


@runtime_checkable
class Chat(Protocol):
    platform: str

    def can_reach(self, person: Person) -> bool:
        """Whether this platform knows how to address the person at all."""
        ...

    def send(
        self, *, person: Person, message: Message, key: SendKey | None = None
    ) -> MessageRef: ...

    def update(self, *, ref: MessageRef, message: Message) -> None: ...

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        """A short follow-up attached to the message at `ref` (a Slack thread reply, a
        Teams reply to the card's activity, a line under the card in the web chat): a
        reminder or an escalation adds to the card the person already has instead of
        posting another one (issue 27). `key` as for `send`: a platform that finds
        sent messages looks for a retried follow-up under the card first."""
        ...

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef: ...


@runtime_checkable
class KnowsPeople(Protocol):
    """A platform that can tell, without asking its cloud, that it already has an address
    for a person (a configured or stored user id, a stored conversation). With several
    platforms on, a person is sent to first where they are known, before any platform
    that could only look them up (see workflows/reach)."""

    def knows(self, person: Person) -> bool: ...


@runtime_checkable
class FindsSent(Protocol):
    """A platform that finds a message it was sent with a `SendKey` (see SendKey): a
    send to such a person costs no copy when its worker dies before recording it, so
    the outbox may have many of them under way (workflows/send_lanes)."""

    def finds_sent(self, person: Person) -> bool: ...


class ChatRouter:
    """Sends each person's messages through the first adapter that can reach them, and
    updates a message through the adapter that sent it."""

    platform = "router"

    def __init__(self, chats: Sequence[Chat]) -> None:
        self.chats = list(chats)
        self._by_platform = {c.platform: c for c in self.chats}

    def for_person(self, person: Person) -> Chat | None:
        return next((c for c in self.chats if c.can_reach(person)), None)

    def can_reach(self, person: Person) -> bool:
        return self.for_person(person) is not None

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        chat = self.for_person(person)
        if chat is None:
            raise DeliveryError(f"no chat platform can reach {person.id}", transient=False)
        return chat.send(person=person, message=message, key=key)

    def finds_sent(self, person: Person) -> bool:
        chat = self.for_person(person)
        return isinstance(chat, FindsSent) and chat.finds_sent(person)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        chat = self._by_platform.get(ref.platform)
        if chat is None:
            raise DeliveryError(f"platform {ref.platform} is not enabled", transient=False)
        chat.update(ref=ref, message=message)

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        chat = self._by_platform.get(ref.platform)
        if chat is None:
            raise DeliveryError(f"platform {ref.platform} is not enabled", transient=False)
        return chat.reply(ref=ref, message=message, key=key)

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        if not self.chats:
            raise DeliveryError("no chat platform is enabled", transient=False)
        return self.chats[0].post_to_channel(channel=channel, message=message)


class SentMessage(BaseModel):
    ref: MessageRef
    to: str  # person id or "#channel"
    message: Message
    versions: int = 1
    key: str | None = None
    reply_to: str | None = None  # the card's message id, for a follow-up


class InMemoryChat:
    """A chat platform that keeps everything in memory: the fake used in workflow tests.

    `fail_next(n, transient=...)` makes the next n sends raise, to exercise retries.
    With `finds=True` it finds a message sent with a `SendKey` again, as Slack does.
    """

    def __init__(
        self, platform: str = "memory", *, unreachable: Sequence[str] = (), finds: bool = False
    ) -> None:
        self.platform = platform
        self.finds = finds
        self.unreachable = set(unreachable)
        self.sent: list[SentMessage] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._failures: list[DeliveryError] = []

    def fail_next(
        self, count: int = 1, *, transient: bool = True, retry_after: float | None = None
    ):
        with self._lock:
            for _ in range(count):
                self._failures.append(
                    DeliveryError("simulated failure", transient=transient, retry_after=retry_after)
                )

    def can_reach(self, person: Person) -> bool:
        return person.id not in self.unreachable

    def finds_sent(self, person: Person) -> bool:
        return self.finds

    def _record(
        self,
        to: str,
        channel: str,
        message: Message,
        key: SendKey | None = None,
        reply_to: str | None = None,
    ) -> MessageRef:
        with self._lock:
            if self.finds and key is not None and key.retry:
                found = next((s.ref for s in self.sent if s.key == key.key), None)
                if found is not None:
                    return found
            if self._failures:
                raise self._failures.pop(0)
            ref = MessageRef(
                platform=self.platform, channel=channel, message_id=str(next(self._ids))
            )
            self.sent.append(
                SentMessage(
                    ref=ref,
                    to=to,
                    message=message,
                    key=key.key if key else None,
                    reply_to=reply_to,
                )
            )
            return ref

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        if person.id in self.unreachable:
            raise DeliveryError(f"{person.id} is not reachable", transient=False)
        return self._record(person.id, f"dm-{person.id}", message, key)

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        return self._record(f"#{channel}", channel, message)

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        card = next((s for s in self.sent if s.ref.message_id == ref.message_id), None)
        if card is None:
            raise DeliveryError(f"no message {ref.message_id}", transient=False)
        return self._record(card.to, card.ref.channel, message, key, reply_to=ref.message_id)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        with self._lock:
            for sent in self.sent:
                if sent.ref.message_id == ref.message_id:
                    sent.message = message
                    sent.versions += 1
                    return
        raise DeliveryError(f"no message {ref.message_id}", transient=False)

    def to(self, person_id: str) -> list[Message]:
        """The person's top-level messages (cards, notices), without follow-ups."""
        with self._lock:
            return [s.message for s in self.sent if s.to == person_id and s.reply_to is None]

    def replies(self, message_id: str) -> list[Message]:
        """The follow-ups under one message, oldest first."""
        with self._lock:
            return [s.message for s in self.sent if s.reply_to == message_id]
