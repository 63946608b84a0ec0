"""The change feed and webhook cursors; the audit trail's feed position (issue #28)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The literal as of this revision (storage/models/feed.py may grow later, by migration).
PUBLISHED = (
    "feed_position IS NULL AND kind IN ('received', 'revised', 'withdrawn', 'reassigned', "
    "'accepted', 'overridden', 'auto_accepted', 'escalated', 'outcome', 'rule_approved', "
    "'rule_rejected', 'readiness_changed')"
)


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("feed_position", sa.BigInteger(), nullable=True))
    op.create_index("ix_events_feed_position", "events", ["feed_position"], unique=True)
    op.create_index(
        "ix_events_unpublished",
        "events",
        ["id"],
        postgresql_where=sa.text(PUBLISHED),
        sqlite_where=sa.text(PUBLISHED),
    )
    op.create_table(
        "feed_events",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("audit_event_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_feed_events")),
        sa.UniqueConstraint("audit_event_id", name=op.f("uq_feed_events_audit_event_id")),
    )
    op.create_index("ix_feed_events_at", "feed_events", ["at"])
    op.create_table(
        "webhook_cursors",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failing_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("failed", sa.BigInteger(), nullable=False),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_webhook_cursors")),
    )


def downgrade() -> None:
    op.drop_table("webhook_cursors")
    op.drop_index("ix_feed_events_at", table_name="feed_events")
    op.drop_table("feed_events")
    op.drop_index("ix_events_unpublished", table_name="events")
    op.drop_index("ix_events_feed_position", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("feed_position")
