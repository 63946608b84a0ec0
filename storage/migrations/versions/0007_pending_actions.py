"""Pending actions: clicks acked and not yet worked (issue #12)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=40), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_actions")),
        sa.UniqueConstraint("platform", "key", name=op.f("uq_pending_actions_platform_key")),
    )
    op.create_index("ix_pending_actions_claimed_at", "pending_actions", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_actions_claimed_at", table_name="pending_actions")
    op.drop_table("pending_actions")
