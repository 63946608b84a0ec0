"""The change feed and webhook cursors (issue #28): public events derived from the audit
trail, each stamped once with a position in commit order, and how far each webhook
subscription has been delivered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import JSONType, UTCDateTime

# The audit kinds that become public events (workflows/events/catalogue.py maps each to
# its public type). A literal here because the partial index below names them.
PUBLISHED_KINDS: tuple[str, ...] = (
    "received",
    "revised",
    "withdrawn",
    "reassigned",
    "accepted",
    "overridden",
    "auto_accepted",
    "escalated",
    "outcome",
    "rule_approved",
    "rule_rejected",
    "readiness_changed",
)
PUBLISHED_PREDICATE = "feed_position IS NULL AND kind IN ({})".format(
    ", ".join(f"'{kind}'" for kind in PUBLISHED_KINDS)
)


class FeedEvent(Base):
    """One public event. `position` is its id and the feed's cursor: assigned by one
    sequencer at a time in commit order, so a reader paging `position > cursor` never
    skips a row that commits later. `data` is frozen when stamped, with person ids like
    the audit log. `body` is the public event's JSON text as the feed sends it (`{"id",
    "type", "timestamp", "data"}`, people rewritten for the privacy mode; a webhook sends
    it without the id), written beside it so both stream stored text without decoding;
    `body_key` names the privacy settings it was rewritten under
    (workflows/events/bodies.py): a body whose key is not the reader's is never sent, it
    is rendered again from `data`."""

    __tablename__ = "feed_events"
    __table_args__ = (
        Index("ix_feed_events_at", "at"),
        Index("ix_feed_events_body_key", "body_key"),
    )

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    audit_event_id: Mapped[int] = mapped_column(Integer, unique=True)
    type: Mapped[str] = mapped_column(String(40))
    recommendation_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    body: Mapped[str | None] = mapped_column(Text)
    body_key: Mapped[str | None] = mapped_column(String(40))


class WebhookCursor(Base):
    """A subscription's durable outbox: every event after `position` is still to be sent,
    in position order. One replica delivers a subscription at a time (`lease_until`)."""

    __tablename__ = "webhook_cursors"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # of the event after position
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)
    failed: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
