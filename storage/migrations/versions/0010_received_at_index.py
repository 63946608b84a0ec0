"""An index on recommendations.received_at: the readiness data gate and the review read
a window of receipt times (#25)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_recommendations_received_at", "recommendations", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_recommendations_received_at", table_name="recommendations")
