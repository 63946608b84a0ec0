"""Evidence behind the go-live gates that only people can give, kept as facts: who
acknowledged which period's override review and how much it covered, and what the
readiness check said each day (so the dossier shows when each gate turned green).
Sign-offs of the matrix and of the success criteria are `MatrixSignoff` rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import JSONType, UTCDateTime


class ReviewAcknowledgement(Base):
    """The override reviewer saying in chat that they read one type's review of one
    period. `sample` is how many decisions that period held when they acknowledged it: a
    review of nothing is no evidence."""

    __tablename__ = "review_acknowledgements"
    __table_args__ = (UniqueConstraint("type", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    reviewer_id: Mapped[str] = mapped_column(String(100))
    sample: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadinessDay(Base):
    """What the readiness check found on one day (the last check of that day wins)."""

    __tablename__ = "readiness_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ready: Mapped[bool] = mapped_column(Boolean)
    gates: Mapped[dict[str, Any]] = mapped_column(JSONType)  # gate id -> passed
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
