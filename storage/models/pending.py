"""Clicks acked and not yet worked: the journal behind the work after an ack, so a
process that dies between the ack and the work leaves the click to be done by the next
one. Registered on the same metadata as every other table (storage.models imports it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import JSONType, UTCDateTime


class PendingAction(Base):
    """One acked request whose work has not finished, keyed by the platform's delivery
    id; deleted when its work is done. `claimed_by`/`claimed_at` say which process is
    working on it since when: a claim older than the lease belongs to a process gone."""

    __tablename__ = "pending_actions"
    __table_args__ = (
        UniqueConstraint("platform", "key"),
        Index("ix_pending_actions_claimed_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    claimed_by: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
