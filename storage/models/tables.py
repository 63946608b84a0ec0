"""The tables of recommendations and what happens to them: owners, decisions, the audit
trail, the outbox and the links to chat accounts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.feed import PUBLISHED_PREDICATE
from storage.models.sla_clock import SlaClock, clock_field
from storage.types import NEVER, BigInt, JSONType, UTCDateTime


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # Queues: a person's open recommendations by due time.
        Index("ix_recommendations_owner_queue", "owner_id", "status", "due_at"),
        Index("ix_recommendations_type_status", "type", "status"),
        # The track-record line on every message counts outcomes per type and confidence.
        Index("ix_recommendations_type_confidence", "type", "confidence"),
        # Similar history on every render: same type and scope (supplier, customer, item).
        Index("ix_recommendations_type_supplier", "type", "supplier"),
        Index("ix_recommendations_type_customer", "type", "customer"),
        Index("ix_recommendations_type_sku_site", "type", "sku", "site"),
        # The data gate and the review read a window of receipt times.
        Index("ix_recommendations_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    # BIGINT: the API takes any revision up to 2^63 - 1 (a sender may number them by time).
    revision: Mapped[int] = mapped_column(BigInt, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(Text)
    sku: Mapped[str | None] = mapped_column(String(100))
    site: Mapped[str | None] = mapped_column(String(100))
    supplier: Mapped[str | None] = mapped_column(String(100))
    customer: Mapped[str | None] = mapped_column(String(100))
    product_family: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[float | None] = mapped_column(Float)
    baseline_value: Mapped[float | None] = mapped_column(Float)  # the plan before the AI
    unit: Mapped[str | None] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)
    interval_low: Mapped[float | None] = mapped_column(Float)
    interval_high: Mapped[float | None] = mapped_column(Float)
    drivers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    event_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the SLA clock last (re)started: a revision routed to a new owner restarts it
    # (workflows.intake.revisions). None: it started at `received_at`.
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status: Mapped[str] = mapped_column(String(20), default="open")
    tier: Mapped[str] = mapped_column(String(20), default="direct")
    owner_id: Mapped[str] = mapped_column(String(100))
    backup_id: Mapped[str | None] = mapped_column(String(100))
    route: Mapped[str | None] = mapped_column(String(300))  # which matrix line chose the owner
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="recommendation", order_by="Decision.id", lazy="selectin"
    )
    # The SLA state (next action, counters, digest day) lives in `clock` (SlaClock): the
    # sweep writes only that narrow row. Read and set it through the properties below.
    clock: Mapped[SlaClock | None] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def _clock(self) -> SlaClock:
        if self.clock is None:
            self.clock = SlaClock(next_action_at=NEVER, reminders_sent=0, escalation_level=0)
        return self.clock

    @property
    def next_action_at(self) -> datetime | None:
        """When the SLA sweep must next look at this row (None: never again)."""
        at = self.clock.next_action_at if self.clock is not None else None
        return None if at is None or at >= NEVER else at

    @next_action_at.setter
    def next_action_at(self, value: datetime | None) -> None:
        self._clock().next_action_at = NEVER if value is None else value

    reminders_sent = clock_field("reminders_sent", default=0)
    escalation_level = clock_field("escalation_level", default=0)
    snoozed_until = clock_field("snoozed_until")
    # Digest tier (or over the daily cap): the owner's local date of the digest that
    # lists it (set by the sweep).
    digest_on = clock_field("digest_on")


class Assignment(Base):
    """Owner history: the routed owner first, then each reassignment."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_recommendation", "recommendation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    owner_id: Mapped[str] = mapped_column(String(100))
    backup_id: Mapped[str | None] = mapped_column(String(100))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str | None] = mapped_column(String(100))  # None: the routing matrix
    reason: Mapped[str | None] = mapped_column(Text)


class Decision(Base):
    """A final decision. The unique key is what makes "exactly one decision" true even
    for two replicas and a double click: the database refuses the second row. An
    automatic acceptance (`automatic`) may still be followed by one human decision."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("recommendation_id", "automatic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(20))  # accept | override | auto
    actor_id: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # owner | backup | escalation | system
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    reason_code: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(20))  # slack | teams | local | api | system
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    recommendation: Mapped[Recommendation] = relationship(back_populates="decisions")


class Event(Base):
    """The append-only audit trail. Never deleted; a fact is never updated. The one later
    write is `feed_position`, stamped once when the row becomes a public event
    (workflows/events/sequencer.py): the partial index finds the rows still to stamp."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_recommendation", "recommendation_id", "id"),
        Index("ix_events_kind_at", "kind", "at"),
        Index("ix_events_feed_position", "feed_position", unique=True),
        Index(
            "ix_events_unpublished",
            "id",
            postgresql_where=text(PUBLISHED_PREDICATE),
            sqlite_where=text(PUBLISHED_PREDICATE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    feed_position: Mapped[int | None] = mapped_column(BigInteger)


class Outcome(Base):
    """What actually happened, reported back by the planning system."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("recommendation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    actual_value: Mapped[float | None] = mapped_column(Float)
    ai_correct: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    observed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatMessage(Base):
    """A message sent about a recommendation, so it can be updated in place."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_recommendation", "recommendation_id"),
        # The daily cap on direct messages counts a person's messages since local midnight.
        Index("ix_chat_messages_person_purpose_created", "person_id", "purpose", "created_at"),
        # A sent digest's entries: every stored reference of one message.
        Index("ix_chat_messages_channel_message", "channel", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"))
    person_id: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(20))  # owner | escalation | notice | digest
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(200))
    ref: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxItem(Base):
    """Something to send. Written in the same transaction as the fact that causes it;
    `dedupe_key` makes each step sendable once, whatever the number of replicas."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        # Pruning delivered rows by age.
        Index("ix_outbox_state_sent_at", "state", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id"))
    person_id: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who holds the row's lease: only that worker may mark it sent (or back off).
    claim_token: Mapped[str | None] = mapped_column(String(32))


class DirectMessageCount(Base):
    """Direct recommendation messages a person was given per local day, counted where an
    outbox row is claimed: one conditional increment decides the daily cap, so replicas
    claiming at the same instant cannot exceed it."""

    __tablename__ = "direct_message_counts"
    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    sent: Mapped[int] = mapped_column(Integer, default=0)


class PersonLink(Base):
    """What a platform needs to reach a person: a looked-up Slack id, a Teams
    conversation reference. Stored so a restart does not forget them."""

    __tablename__ = "person_links"
    __table_args__ = (UniqueConstraint("platform", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedDelivery(Base):
    """Inbound platform deliveries already handled (Slack retries, duplicate Teams
    activities), keyed by the platform's own id."""

    __tablename__ = "processed_deliveries"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id"),
        Index("ix_processed_deliveries_at", "at"),  # pruning old keys by age
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    delivery_id: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class MatrixSignoff(Base):
    """A function lead's approval of what they read, tied to its hash: of the ownership
    matrix (`subject` "matrix") or of the success criteria ("criteria"). A changed matrix
    or changed criteria have another hash, and need a new approval."""

    __tablename__ = "matrix_signoffs"
    __table_args__ = (UniqueConstraint("lead_id", "subject", "config_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(20), server_default="matrix")
    config_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
