"""The SLA clock of a recommendation, in a narrow table of its own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, Update, func, select, update
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import NEVER, UTCDateTime


def of_clock(cls: Any, column: Any) -> Any:
    """A recommendation's clock column in SQL: a correlated lookup by the clock's unique
    key (readers that read many rows join `sla_clocks` themselves)."""
    return (
        select(column)
        .where(SlaClock.recommendation_id == cls.id)
        .correlate_except(SlaClock)
        .scalar_subquery()
    )


def clock_field(name: str, *, default: Any = None) -> hybrid_property[Any]:
    """One clock column as a recommendation's own attribute: read from its clock row
    (`default` when there is none or it is NULL), set on it (`_clock()` makes the row
    when missing), and in SQL the correlated lookup of `of_clock`."""

    def read(rec: Any) -> Any:
        value = None if rec.clock is None else getattr(rec.clock, name)
        return default if value is None else value

    def write(rec: Any, value: Any) -> None:
        setattr(rec._clock(), name, value)

    def sql(cls: Any) -> Any:
        found = of_clock(cls, getattr(SlaClock, name))
        return found if default is None else func.coalesce(found, default)

    return hybrid_property(read, write, expr=sql)


class SlaClock(Base):
    """A recommendation's SLA state: when the sweep must next look at it (NEVER: nothing
    left, e.g. decided), the reminders sent, the escalation level reached, the snooze
    and the digest day. One row per recommendation for its whole life. Kept apart from
    `recommendations` (ten indexes, wide rows) so a sweep step writes this narrow row
    only, and keyed by due time (WITHOUT ROWID on SQLite: the table is the due-ordered
    b-tree) so the due rows are contiguous to read and to write (bench/README.md, "SLA
    sweep"). The ORM knows a row by `recommendation_id` (unique), since the key moves."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index("ix_sla_clocks_recommendation", "recommendation_id", unique=True),
        {"sqlite_with_rowid": False},
    )
    __mapper_args__ = {"primary_key": ["recommendation_id"]}

    next_action_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), primary_key=True
    )
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_on: Mapped[date | None] = mapped_column(Date)


def stop_clock(recommendation_id: int) -> Update:
    """The statement that leaves a closed item nothing more to do (its counters stay for
    the views and the review): its clock moves to NEVER."""
    return (
        update(SlaClock)
        .where(SlaClock.recommendation_id == recommendation_id)
        .values(next_action_at=NEVER)
    )
