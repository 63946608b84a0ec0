"""Override review and readiness: the plan before the AI on recommendations, an index
for the track-record line, and matrix sign-offs

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: a plain ALTER TABLE on SQLite and PostgreSQL.
    op.add_column("recommendations", sa.Column("baseline_value", sa.Float(), nullable=True))
    op.create_index(
        "ix_recommendations_type_confidence",
        "recommendations",
        ["type", "confidence"],
        unique=False,
    )
    op.create_table(
        "matrix_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("signed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matrix_signoffs")),
        sa.UniqueConstraint(
            "lead_id", "config_hash", name=op.f("uq_matrix_signoffs_lead_id_config_hash")
        ),
    )


def downgrade() -> None:
    op.drop_table("matrix_signoffs")
    op.drop_index("ix_recommendations_type_confidence", table_name="recommendations")
    with op.batch_alter_table("recommendations") as batch:
        batch.drop_column("baseline_value")
