"""Reaching a person with several chat platforms on: first where they are known, then
the next platform, and only when every platform missed is it the backup's turn.

A person is *known* on a platform that already has an address for them (a configured
or stored Slack user id, a stored Teams conversation); a platform that could only look
them up (Slack by e-mail) or that reaches everyone (the web chat) comes after those.
A permanent refusal on one platform (`users_not_found`, no conversation, a DM Slack
refuses) did not deliver anything there, so the next platform is tried; each miss is
audited (`platform_missed`), and the `delivered` event names the platform that took it.
A transient failure is retried on the same platform (the outbox backs off): trying the
next one could deliver the same message twice."""

from __future__ import annotations

from collections.abc import Sequence

from core.chat import (
    Chat,
    ChatRouter,
    DeliveryError,
    FindsSent,
    KnowsPeople,
    MessageRef,
    SendKey,
)
from core.clock import Clock
from core.config import Person
from core.domain import EventKind
from core.messages import Message
from storage.db import Database
from workflows.audit import record_event


class Reach(ChatRouter):
    """The `Chat` the outbox sends through: a router that falls through on a miss."""

    platform = "reach"

    def __init__(self, chats: Sequence[Chat], *, database: Database, clock: Clock) -> None:
        super().__init__(chats)
        self.database = database
        self.clock = clock

    def candidates(self, person: Person) -> list[Chat]:
        """The platforms to try, in order: those that know the person, then those that
        can only try (each group in the configured platform order)."""
        if len(self.chats) == 1:  # nothing to choose between: no extra look-ups
            return [c for c in self.chats if c.can_reach(person)]
        known = [c for c in self.chats if isinstance(c, KnowsPeople) and c.knows(person)]
        return known + [c for c in self.chats if c not in known and c.can_reach(person)]

    def for_person(self, person: Person) -> Chat | None:
        return next(iter(self.candidates(person)), None)

    def finds_sent(self, person: Person) -> bool:
        """Only when every platform the send may fall through to finds it again."""
        chats = self.candidates(person)
        return bool(chats) and all(isinstance(c, FindsSent) and c.finds_sent(person) for c in chats)

    def send(self, *, person: Person, message: Message, key: SendKey | None = None) -> MessageRef:
        chats = self.candidates(person)
        misses = [f"{c.platform}: does not know {person.id}" for c in self.chats if c not in chats]
        for index, chat in enumerate(chats):
            try:
                return chat.send(person=person, message=message, key=key)
            except DeliveryError as exc:
                if exc.transient:
                    raise
                misses.append(f"{chat.platform}: {exc}")
                following = chats[index + 1].platform if index + 1 < len(chats) else None
                self._audit_miss(
                    person=person,
                    message=message,
                    platform=chat.platform,
                    error=str(exc),
                    following=following,
                )
        if not chats:
            detail = f" ({'; '.join(misses)})" if misses else ""
            raise DeliveryError(f"no chat platform can reach {person.id}{detail}", transient=False)
        raise DeliveryError("; ".join(misses), transient=False)

    def _audit_miss(
        self, *, person: Person, message: Message, platform: str, error: str, following: str | None
    ) -> None:
        with self.database.transaction() as session:
            record_event(
                session,
                kind=EventKind.PLATFORM_MISSED,
                at=self.clock.now(),
                recommendation_id=message.recommendation_id,
                to=person.id,
                platform=platform,
                error=error[:500],
                next=following,
            )
