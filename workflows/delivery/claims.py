"""Outbox claims as leases with an owner.

A worker claims due rows under a fresh token and a lease (`next_attempt_at` moves ahead).
Every later write about the row (renewing the lease before a send, marking it sent,
backing off, failing it) names the token in its WHERE clause: once a lease has run out
and another worker has re-claimed the row, the first worker's writes match nothing and
it does not send. Each row's lease is renewed just before its send, so a batch may take
longer than one lease; a single send must finish within it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from core.domain import OutboxState
from storage.models import OutboxItem


def new_token() -> str:
    return uuid.uuid4().hex


def held(item: OutboxItem) -> ColumnElement[bool]:
    """The row is still pending and still claimed by whoever loaded `item`."""
    return and_(
        OutboxItem.id == item.id,
        OutboxItem.claim_token == item.claim_token,
        OutboxItem.state == OutboxState.PENDING,
    )


def claim_due(
    session: Session,
    *,
    postgres: bool,
    now: datetime,
    lease: timedelta,
    limit: int,
    token: str,
) -> list[OutboxItem]:
    """Due rows, claimed for `token` (attempts counted here: a claim is an attempt)."""
    query = (
        select(OutboxItem)
        .where(OutboxItem.state == OutboxState.PENDING, OutboxItem.next_attempt_at <= now)
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True)
    items = list(session.scalars(query))
    if items:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_([i.id for i in items]))
            .values(
                next_attempt_at=now + lease, attempts=OutboxItem.attempts + 1, claim_token=token
            )
            # The loaded objects are counted up below, once: the ORM's default in-session
            # sync would count them twice (one attempt short of the bound).
            .execution_options(synchronize_session=False)
        )
    for item in items:
        session.expunge(item)
        item.attempts += 1
        item.claim_token = token
    return items


def renew(session: Session, *, item: OutboxItem, now: datetime, lease: timedelta) -> bool:
    """A full lease for the send about to start; False if the claim was lost."""
    statement = update(OutboxItem).where(held(item)).values(next_attempt_at=now + lease)
    return session.execute(statement).rowcount == 1


def write_if_held(session: Session, *, item: OutboxItem, **values: Any) -> bool:
    """Change the row only while this worker still holds it."""
    return session.execute(update(OutboxItem).where(held(item)).values(**values)).rowcount == 1


def write_many_if_held(session: Session, *, items: Sequence[OutboxItem], **values: Any) -> set[int]:
    """`write_if_held` for many rows in one statement per claim token (a claimed batch
    has one): the token is checked in the very statement that writes. Returns the ids
    written; a row another worker has re-claimed is not among them."""
    written: set[int] = set()
    by_token: dict[str | None, list[int]] = {}
    for item in items:
        by_token.setdefault(item.claim_token, []).append(item.id)
    table = OutboxItem.__table__  # Core: the ORM's bulk-update bookkeeping is not needed
    for token, ids in by_token.items():
        statement = (
            update(table)
            .where(
                table.c.id.in_(ids),
                table.c.claim_token == token,
                table.c.state == OutboxState.PENDING,
            )
            .values(**values)
            .returning(table.c.id)
        )
        written.update(session.scalars(statement))
    return written


def renew_many(
    session: Session, *, items: Sequence[OutboxItem], now: datetime, lease: timedelta
) -> set[int]:
    """A full lease for each of the sends about to start; the ids still held."""
    return write_many_if_held(session, items=items, next_attempt_at=now + lease)
