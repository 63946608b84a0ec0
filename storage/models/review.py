"""The override review's own facts: which periodic reviews were posted (kept for good:
the outbox row that carried the post is pruned by retention, this record is not) and the
per-database secret behind the reports' pseudonyms and signed report links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class ReviewPost(Base):
    """One type's review of one period, queued for the override reviewer. The unique
    (type, period start) makes it once per period whatever the number of replicas."""

    __tablename__ = "review_posts"
    __table_args__ = (UniqueConstraint("type", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[str] = mapped_column(String(100))


class ReportSecret(Base):
    """A random secret stored once per database, by name (`pseudonyms`, `report_links`),
    used when the environment gives none: pseudonyms stay stable across restarts and
    replicas, and a link signed by one replica opens on another."""

    __tablename__ = "report_secrets"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
