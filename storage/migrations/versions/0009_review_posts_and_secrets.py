"""Review posts as a durable record; per-database report secrets (issue #26)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_posts")),
        sa.UniqueConstraint("type", "period_start", name=op.f("uq_review_posts_type_period_start")),
    )
    op.create_table(
        "report_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_secrets")),
        sa.UniqueConstraint("name", name=op.f("uq_report_secrets_name")),
    )
    # Reviews already posted through the outbox stay posted: carry their keys over
    # (`review:<type>:<period start>`) so the upgrade does not post them again.
    op.execute(
        """
        INSERT INTO review_posts (type, period_start, posted_at, reviewer_id)
        SELECT DISTINCT ON (type, start) type, start, created_at, person_id FROM (
          SELECT split_part(dedupe_key, ':', 2) AS type,
                 CAST(split_part(dedupe_key, ':', 3) AS DATE) AS start,
                 created_at, COALESCE(person_id, '') AS person_id
          FROM outbox WHERE dedupe_key LIKE 'review:%'
        ) AS old
        """
        if op.get_bind().dialect.name == "postgresql"
        else """
        INSERT OR IGNORE INTO review_posts (type, period_start, posted_at, reviewer_id)
        SELECT substr(dedupe_key, 8, instr(substr(dedupe_key, 8), ':') - 1),
               substr(dedupe_key, 8 + instr(substr(dedupe_key, 8), ':')),
               created_at, COALESCE(person_id, '')
        FROM outbox WHERE dedupe_key LIKE 'review:%'
        """
    )


def downgrade() -> None:
    op.drop_table("report_secrets")
    op.drop_table("review_posts")
