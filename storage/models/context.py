"""Tables of the context loop: guided interviews, the context rules they draft, and
the override patterns that ask for a rule. Registered on the same metadata as every
other table (storage.models imports this module)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import JSONType, UTCDateTime


class InterviewRecord(Base):
    """One guided interview: where the planner is and what they said, so a restart or a
    pause loses nothing and they continue at the same question."""

    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_person_status", "person_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[str] = mapped_column(String(100))  # who answers
    facilitator_id: Mapped[str] = mapped_column(String(100))  # who started it, reviews it
    status: Mapped[str] = mapped_column(String(20))  # active | paused | completed | cancelled
    position: Mapped[int] = mapped_column(Integer, default=0)  # index of the current question
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # id -> value
    trail: Mapped[list[int]] = mapped_column(JSONType, default=list)  # positions, for "back"
    origin: Mapped[str | None] = mapped_column(String(60))  # e.g. "pattern:3"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rule_id: Mapped[int | None] = mapped_column(Integer)  # the draft it produced


class ContextRule(Base):
    """A planner's knowledge in a form a recommendation can be matched against."""

    __tablename__ = "context_rules"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_context_rules_entity_status", "entity_kind", "entity_value", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120))  # the `id` of the rules YAML
    entity_kind: Mapped[str] = mapped_column(String(30))
    entity_value: Mapped[str] = mapped_column(String(200))
    condition: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    effect: Mapped[str] = mapped_column(Text)
    magnitude: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    evidence: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[str | None] = mapped_column(String(100))
    contributors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    review_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # draft | approved | rejected | expired
    source: Mapped[str] = mapped_column(String(60))  # interview:<id> | import | pattern:<id>
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OverridePattern(Base):
    """One reason code used for one entity often enough to ask for a rule. The unique
    key makes "once per pattern" true for any number of replicas."""

    __tablename__ = "override_patterns"
    __table_args__ = (UniqueConstraint("reason_code", "entity_kind", "entity_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(60))
    entity_kind: Mapped[str] = mapped_column(String(30))
    entity_value: Mapped[str] = mapped_column(String(200))
    decision_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rule_id: Mapped[int | None] = mapped_column(Integer)  # the draft made from it, if any
