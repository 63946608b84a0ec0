"""Writing to the outbox: one helper, so every producer uses the same dedupe-key scheme
(`<what>:<recommendation>:<step>`) and the same initial state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.chat import MessageRef, SendKey
from core.domain import OutboxKind, OutboxState
from storage.driver_writes import insert_ignoring_duplicates
from storage.models import OutboxItem


def enqueue(
    session: Session,
    *,
    kind: OutboxKind,
    key: str,
    now: datetime,
    recommendation_id: int | None = None,
    person_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxItem:
    item = OutboxItem(
        kind=kind,
        dedupe_key=key,
        recommendation_id=recommendation_id,
        person_id=person_id,
        payload=payload or {},
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    return item


def enqueue_refresh(session: Session, *, recommendation_id: int, key: str, now: datetime) -> None:
    """Re-render every stored message of a recommendation (after a decision, revision...)."""
    enqueue(
        session,
        kind=OutboxKind.REFRESH,
        key=f"refresh:{key}",
        now=now,
        recommendation_id=recommendation_id,
    )


_PENDING = OutboxState.PENDING.value  # bound once: outbox_row runs per row of a sweep


def outbox_row(
    *,
    kind: OutboxKind,
    key: str,
    now: datetime,
    recommendation_id: int | None = None,
    person_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "dedupe_key": key,
        "recommendation_id": recommendation_id,
        "person_id": person_id,
        "payload": payload or {},
        "state": _PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows in one statement, skipping keys that already exist: a step that
    was already written (by another replica, or before a crash) is not written twice, and
    the rest of the batch still goes in."""
    insert_ignoring_duplicates(session.connection(), rows)


# A delivery payload's mark: the card offers an absent owner's item to whoever acts for
# them (workflows.ownership.leave); the value is the owner it was offered for.
OFFERED_FOR = "offered_for"


def sent_in_stead(payload: dict[str, Any], *, owner_id: str | None) -> bool:
    """Whether a delivery goes to someone other than the owner on purpose: a fallback for
    someone unreachable, or an absent owner's item offered to their stand-in (while it is
    still theirs: a reassigned item's offer is no longer relevant)."""
    return bool(payload.get("fallback")) or (
        owner_id is not None and payload.get(OFFERED_FOR) == owner_id
    )


CHANNEL_PREFIX = "#"


def channel_address(channel: str) -> str:
    """An outbox `person_id` that means "post to this channel" (escalation copies)."""
    return f"{CHANNEL_PREFIX}{channel}"


def channel_of(address: str | None) -> str | None:
    """The channel an outbox address names, or None for a person."""
    if address and address.startswith(CHANNEL_PREFIX):
        return address[len(CHANNEL_PREFIX) :]
    return None


def send_key(item: OutboxItem, *, at: datetime) -> SendKey:
    """The row's mark on its message, sent `at` (see SendKey). Every claim counts an
    attempt, so a row on its second claim or later may already have been delivered: by
    a worker that died before recording it, or by a send whose answer was lost."""
    return SendKey(
        key=f"{item.id}:{item.created_at:%Y%m%dT%H%M%S%f}",
        retry=item.attempts > 1,
        since=item.created_at,
        at=at,
    )


def delivered_data(item: OutboxItem, ref: MessageRef, purpose: str) -> dict[str, Any]:
    """A `delivered` event's data; `found_again` when an earlier attempt had posted it."""
    data: dict[str, Any] = {"to": item.person_id, "platform": ref.platform, "purpose": purpose}
    if ref.extra.get("found_again"):
        data["found_again"] = True
    for how in ("follow_up", "updated"):  # not a card of its own (workflows.delivery.followups)
        if ref.extra.get(how):
            data[how] = True
    return data
