"""LocalChat: the `Chat` port for the local web chat, an in-memory store of direct
messages and channel posts that the browser reads.

Nothing here is a fact of record (the database holds decisions and the stored message
references), so memory is enough. A message reference from an earlier process (the demo
restarted on the same data directory) is re-created on update instead of failing, so
"update in place" still shows the decided state. Every change bumps `revision`, which
the browser polls to fetch new and changed messages without a reload.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from core.chat import MessageRef, SendKey
from core.clock import Clock, SystemClock
from core.config import Person
from core.messages import Message

PLATFORM = "local"
DM_PREFIX = "dm-"


@dataclass(frozen=True)
class Post:
    """One message as the web chat shows it: to a person (`to` = id) or a channel
    (`to` = "#name"); `version` counts in-place updates."""

    ref: MessageRef
    to: str
    message: Message
    seq: int
    sent_at: datetime
    version: int = 1
    reply_to: str | None = None  # a follow-up: shown under the card with this id

    @property
    def is_channel(self) -> bool:
        return self.to.startswith("#")


class LocalChat:
    platform = PLATFORM

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        # Ids unique across restarts, so an old reference never hits a new message.
        self._instance = secrets.token_hex(3)
        self._ids = itertools.count(1)
        self._posts: dict[str, Post] = {}
        self._changed = threading.Condition()
        self._revision = 0

    # --- the Chat port ------------------------------------------------------------------

    def can_reach(self, person: Person) -> bool:
        """Everyone in the configuration has an inbox in the web chat."""
        return True

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        """The web chat keeps its posts in this process: a crash loses them with the send,
        so there is nothing to find again and `key` is not used."""
        return self._add(person.id, f"{DM_PREFIX}{person.id}", message)

    def post_to_channel(self, *, channel: str, message: Message) -> MessageRef:
        return self._add(f"#{channel}", channel, message)

    def reply(self, *, ref: MessageRef, message: Message, key: SendKey | None = None) -> MessageRef:
        """A follow-up shown under the card (`replies`), not a post of its own; `key` is
        not used, as for `send`."""
        with self._changed:
            card = self._posts.get(ref.message_id)
            to = card.to if card is not None else _address(ref.channel)
        return self._add(to, ref.channel, message, reply_to=ref.message_id)

    def update(self, *, ref: MessageRef, message: Message) -> None:
        with self._changed:
            post = self._posts.get(ref.message_id)
            if post is None:
                to = _address(ref.channel)
                self._posts[ref.message_id] = Post(
                    ref=ref, to=to, message=message, seq=next(self._ids), sent_at=self._clock.now()
                )
            else:
                self._posts[ref.message_id] = replace(
                    post, message=message, version=post.version + 1
                )
            self._bump()

    # --- what the web UI reads ------------------------------------------------------------

    @property
    def revision(self) -> int:
        with self._changed:
            return self._revision

    def touch(self) -> None:
        """Something the browser shows changed outside the chat (e.g. the demo clock)."""
        with self._changed:
            self._bump()

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Block until the revision moves past `since` or `timeout` seconds pass."""
        with self._changed:
            self._changed.wait_for(lambda: self._revision != since, timeout=timeout)
            return self._revision

    def direct_messages(self, person_id: str) -> list[Post]:
        """The person's direct messages, oldest first (a chat reads top to bottom);
        follow-ups are shown under their card (`replies`)."""
        return self._select(lambda p: p.to == person_id and p.reply_to is None)

    def channel_posts(self) -> list[Post]:
        return self._select(lambda p: p.is_channel and p.reply_to is None)

    def replies(self, message_id: str) -> list[Post]:
        """The follow-ups under one card, oldest first."""
        return self._select(lambda p: p.reply_to == message_id)

    def all_posts(self) -> list[Post]:
        """Everything, cards and follow-ups (tests count them)."""
        return self._select(lambda p: True)

    def needing_action(self, person_id: str) -> int:
        """How many of the person's messages still have buttons (a digest counts when one
        of its entries has): the sidebar badge."""
        return sum(
            1
            for p in self.direct_messages(person_id)
            if p.message.buttons or any(item.buttons for item in p.message.items)
        )

    # --- internals ------------------------------------------------------------------------

    def _add(
        self, to: str, channel: str, message: Message, reply_to: str | None = None
    ) -> MessageRef:
        with self._changed:
            seq = next(self._ids)
            ref = MessageRef(
                platform=PLATFORM, channel=channel, message_id=f"{self._instance}-{seq}"
            )
            self._posts[ref.message_id] = Post(
                ref=ref,
                to=to,
                message=message,
                seq=seq,
                sent_at=self._clock.now(),
                reply_to=reply_to,
            )
            self._bump()
            return ref

    def _bump(self) -> None:
        self._revision += 1
        self._changed.notify_all()

    def _select(self, keep: Callable[[Post], bool]) -> list[Post]:
        with self._changed:
            posts = [p for p in self._posts.values() if keep(p)]
        return sorted(posts, key=lambda p: p.seq)


def _address(channel: str) -> str:
    """Who a post in `channel` is to: a person for a direct message, else "#channel"."""
    return channel.removeprefix(DM_PREFIX) if channel.startswith(DM_PREFIX) else f"#{channel}"
