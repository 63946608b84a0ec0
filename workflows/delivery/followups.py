"""The card as the item's one place: a reminder or an escalation to someone who already
has a card about the item is a short follow-up attached to that card plus an in-place
update of it, never a second card; the escalation channel keeps one entry per item,
updated in place (issue 27).

`Outgoing` is what the worker prepared for one outbox row, in the transaction holding
the row; `send` makes its calls. The card is updated before the follow-up is posted: a
failure between the two retries the row, and an update is idempotent, so a retry costs
no second follow-up. A card that is gone for good (a deleted DM) is replaced by a new
card."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.chat import Chat, DeliveryError, MessageRef, SendKey
from core.config import Config
from core.domain import OutboxKind
from core.messages import Message
from storage.models import ChatMessage, OutboxItem, Recommendation
from workflows.outbox import channel_of, enqueue_many, outbox_row
from workflows.views.card_state import follow_up

CLOCK_PURPOSES = ("reminder", "escalation")  # SLA steps: moot once the item is not open
# Stored messages that are a person's card about an item (the digest is a list).
CARD_PURPOSES = ("owner", "escalation", "reminder")
FOLLOW_UP = "follow_up"  # MessageRef.extra: the ref is a follow-up, not a card
UPDATED = "updated"  # MessageRef.extra: an existing entry updated, nothing posted


@dataclass(frozen=True)
class Outgoing:
    """One row's message. Without `card` it is a new card (`message`); with `card`, the
    card is redrawn as `card_message` in place and `message` is posted under it as a
    follow-up, or, with `update_only` (a channel entry), nothing is posted."""

    message: Message
    card: MessageRef | None = None
    card_message: Message | None = None
    update_only: bool = False

    @property
    def is_card(self) -> bool:
        return self.card is None


def card_of(session: Session, *, recommendation_id: int, address: str) -> ChatMessage | None:
    """The first card `address` (a person id or "#channel") was sent about the item."""
    return session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.recommendation_id == recommendation_id,
            ChatMessage.person_id == address,
            ChatMessage.purpose.in_(CARD_PURPOSES),
        )
        .order_by(ChatMessage.id)
        .limit(1)
    ).first()


Cards = Mapping[tuple[int, str], ChatMessage]


def cards_of(session: Session, items: Sequence[OutboxItem]) -> dict[tuple[int, str], ChatMessage]:
    """`card_of` for every reminder and escalation among `items`, in one query: the
    first card per (recommendation, address), keyed so."""
    wanted = {
        (item.recommendation_id, item.person_id)
        for item in items
        if item.payload.get("purpose") in CLOCK_PURPOSES
        and item.recommendation_id is not None
        and item.person_id is not None
    }
    if not wanted:
        return {}
    found: dict[tuple[int, str], ChatMessage] = {}
    rows = session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.recommendation_id.in_({rec_id for rec_id, _ in wanted}),
            ChatMessage.purpose.in_(CARD_PURPOSES),
        )
        .order_by(ChatMessage.id)
    )
    for card in rows:
        key = (card.recommendation_id or 0, card.person_id or "")
        if key in wanted:
            found.setdefault(key, card)
    return found


def outgoing_for(
    session: Session,
    *,
    config: Config,
    item: OutboxItem,
    rec: Recommendation,
    message: Message,
    now: datetime,
    cards: Cards | None = None,
) -> Outgoing:
    """What row `item` sends, `message` being its card drawn for its reader now. `cards`
    (from `cards_of` for a batch holding `item`) spares the per-row lookup."""
    purpose = item.payload.get("purpose", "owner")
    address = item.person_id or ""
    card = (
        None
        if purpose not in CLOCK_PURPOSES
        else cards.get((rec.id, address))
        if cards is not None
        else card_of(session, recommendation_id=rec.id, address=address)
    )
    if card is None:
        return Outgoing(message=message)
    ref = MessageRef.model_validate(card.ref)
    if channel_of(address) is not None:  # one entry per item, kept current
        return Outgoing(message=message, card=ref, card_message=message, update_only=True)
    card.purpose = purpose  # redrawn later as what it now is (Snooze, Extend SLA)
    note = follow_up(
        config=config,
        rec=rec,
        purpose=purpose,
        level=int(item.payload.get("level") or 0),
        reader_id=address,
        now=now,
    )
    return Outgoing(message=note, card=ref, card_message=message)


def send(
    chat: Chat,
    outgoing: Outgoing,
    new_card: Callable[[Message], MessageRef],
    *,
    key: SendKey | None = None,
) -> MessageRef:
    """Make the row's calls; `new_card()` posts a card (the first one, or a replacement
    for one that is gone). The follow-up carries the row's `key`, as a card does, so a
    platform that finds sent messages finds a retried one under the card."""
    card = outgoing.card
    if card is None:
        return new_card(outgoing.message)
    assert outgoing.card_message is not None
    try:
        chat.update(ref=card, message=outgoing.card_message)
    except DeliveryError as exc:
        if exc.transient:
            raise
        return new_card(outgoing.card_message)  # the card is gone: the person gets a new one
    if outgoing.update_only:
        return card.model_copy(update={"extra": {**card.extra, UPDATED: "1"}})
    ref = chat.reply(ref=card, message=outgoing.message, key=key)
    return ref.model_copy(update={"extra": {**ref.extra, FOLLOW_UP: "1"}})


def is_new_card(ref: MessageRef) -> bool:
    """Whether a send posted a card to store (a follow-up or an update stores nothing:
    refreshes redraw the card itself)."""
    return not (ref.extra.get(FOLLOW_UP) or ref.extra.get(UPDATED))


def refresh_after_escalations(session: Session, items: list[OutboxItem], *, now: datetime) -> None:
    """An escalation changes what every card of the item says (escalated to whom, when):
    each delivered escalation redraws them all in place, the owner's card included."""
    rows = [
        outbox_row(
            kind=OutboxKind.REFRESH,
            key=f"refresh:{item.dedupe_key}",
            now=now,
            recommendation_id=item.recommendation_id,
        )
        for item in items
        if item.payload.get("purpose") == "escalation"
        and not (item.person_id or "").startswith("#")
        and not item.payload.get("fallback")  # keeps its "sent to you instead" line
    ]
    if rows:
        enqueue_many(session, rows)
