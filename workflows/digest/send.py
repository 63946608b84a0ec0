"""Sending a digest: one outbox row, as many messages as its parts (see digest).

Each part's references are stored right after that part is sent, and the lease is
renewed with them; a retry (a transient failure at part 3, a worker that died) lists
only what no part has listed yet, so no entry reaches its owner twice. A digest that
fails for good is audited per entry, and each entry goes to a fallback person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.chat import Chat, DeliveryError, MessageRef
from core.clock import Clock
from core.config import Config
from core.messages import Message
from storage.db import Database
from storage.models import ChatMessage, OutboxItem, Recommendation
from workflows.digest.compose import digest_message, digest_pages, digest_rows

Hold = Callable[[Session, OutboxItem], None]
MarkSent = Callable[..., bool]
PART, TOTAL = "digest_part", "digest_total"  # stored beside the reference: "2/3", "25"


class DigestDelivery:
    def __init__(self, *, database: Database, config: Config, chat: Chat, clock: Clock) -> None:
        self.database = database
        self.config = config
        self.chat = chat
        self.clock = clock

    def unlisted(self, session: Session, item: OutboxItem) -> list[Recommendation]:
        """The day's open entries that no part of this digest has listed yet."""
        assert item.person_id is not None
        day = date.fromisoformat(item.payload["day"])
        rows = digest_rows(session, person_id=item.person_id, day=day)
        listed = set(
            session.scalars(
                select(ChatMessage.recommendation_id).where(
                    ChatMessage.person_id == item.person_id,
                    ChatMessage.purpose == "digest",
                    ChatMessage.recommendation_id.in_([r.id for r in rows]),
                    ChatMessage.created_at >= item.created_at,
                )
            )
        )
        return [rec for rec in rows if rec.id not in listed]

    def send(self, item: OutboxItem, *, hold: Hold, mark_sent: MarkSent) -> None:
        assert item.person_id is not None
        person = self.config.people_by_id.get(item.person_id)
        if person is None:
            raise DeliveryError(f"{item.person_id} is not in the configuration", transient=False)
        day = date.fromisoformat(item.payload["day"])
        with self.database.transaction() as session:
            hold(session, item)
            rows = self.unlisted(session, item)
            pages = digest_pages(
                session,
                config=self.config,
                person_id=person.id,
                day=day,
                now=self.clock.now(),
                rows=rows,
            )
            if not pages:
                mark_sent(session, item, note="skipped: nothing left open")
                return
        total = len(rows)
        for number, (listed, message) in enumerate(pages, start=1):
            ref = self.chat.send(person=person, message=message)
            ref.extra = {**ref.extra, PART: f"{number}/{len(pages)}", TOTAL: str(total)}
            with self.database.transaction() as session:
                hold(session, item)  # and a fresh lease for the next part
                self._store(
                    session, ref=ref, person_id=person.id, rows=listed, now=self.clock.now()
                )
                if number == len(pages):
                    mark_sent(session, item)

    @staticmethod
    def _store(
        session: Session,
        *,
        ref: MessageRef,
        person_id: str,
        rows: list[Recommendation],
        now: datetime,
    ) -> None:
        """One stored reference per listed entry: a decision on any of them re-renders
        that part in place (see again)."""
        for rec in rows:
            session.add(
                ChatMessage(
                    recommendation_id=rec.id,
                    person_id=person_id,
                    purpose="digest",
                    platform=ref.platform,
                    channel=ref.channel,
                    message_id=ref.message_id,
                    ref=ref.model_dump(),
                    created_at=now,
                )
            )

    def again(self, session: Session, stored: ChatMessage, rec: Recommendation) -> Message | None:
        """A sent part as it should read now: the same items, in the same order."""
        return digest_part_again(
            session, config=self.config, stored=stored, now=self.clock.now(), day=rec.digest_on
        )


def digest_part_again(
    session: Session,
    *,
    config: Config,
    stored: ChatMessage,
    now: datetime,
    day: date | None = None,
) -> Message | None:
    """The digest part `stored` belongs to (one of its entries' references), drawn as it
    should read now: the same items in the same order, decided ones showing who decided.
    Both the outbox's refresh and a click on one entry redraw a part through here."""
    listed = session.scalars(
        select(ChatMessage.recommendation_id)
        .where(
            ChatMessage.purpose == "digest",
            ChatMessage.channel == stored.channel,
            ChatMessage.message_id == stored.message_id,
        )
        .order_by(ChatMessage.id)
    )
    rows = [r for r in (session.get(Recommendation, i) for i in listed) if r is not None]
    if not rows:
        return None
    extra = stored.ref.get("extra") or {}
    number, _, of = str(extra.get(PART, "1/1")).partition("/")
    total = int(extra.get(TOTAL) or len(rows))
    return digest_message(
        session,
        config=config,
        person_id=stored.person_id or rows[0].owner_id,
        day=day or rows[0].digest_on or now.date(),
        now=now,
        rows=rows,
        part=(int(number), int(of or 1)),
        total=total,
    )


def stored_digest_part(
    session: Session, *, platform: str, channel: str, message_id: str
) -> ChatMessage | None:
    """One stored reference of the digest part sent as (`channel`, `message_id`)."""
    return session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.purpose == "digest",
            ChatMessage.platform == platform,
            ChatMessage.channel == channel,
            ChatMessage.message_id == message_id,
        )
        .order_by(ChatMessage.id)
        .limit(1)
    ).first()
