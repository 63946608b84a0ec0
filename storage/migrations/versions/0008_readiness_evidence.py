"""Readiness evidence: sign-offs name their subject (matrix or criteria), the reviewer's
acknowledgements of override reviews, and the readiness check's verdict per day (#25)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matrix_signoffs") as batch:
        batch.add_column(
            sa.Column("subject", sa.String(length=20), server_default="matrix", nullable=False)
        )
        batch.drop_constraint("uq_matrix_signoffs_lead_id_config_hash", type_="unique")
        batch.create_unique_constraint(
            "uq_matrix_signoffs_lead_id_subject_config_hash", ["lead_id", "subject", "config_hash"]
        )
    op.create_table(
        "review_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("reviewer_id", sa.String(length=100), nullable=False),
        sa.Column("sample", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_acknowledgements")),
        sa.UniqueConstraint(
            "type", "period_start", name=op.f("uq_review_acknowledgements_type_period_start")
        ),
    )
    op.create_table(
        "readiness_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column(
            "gates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("checked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_readiness_days")),
    )


def downgrade() -> None:
    op.drop_table("readiness_days")
    op.drop_table("review_acknowledgements")
    with op.batch_alter_table("matrix_signoffs") as batch:
        batch.drop_constraint("uq_matrix_signoffs_lead_id_subject_config_hash", type_="unique")
        batch.create_unique_constraint(
            "uq_matrix_signoffs_lead_id_config_hash", ["lead_id", "config_hash"]
        )
        batch.drop_column("subject")
