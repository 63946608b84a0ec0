"""SLA clock start on recommendations: a revision that re-routes restarts the clock

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default (NULL: the clock started at `received_at`): a plain ALTER TABLE
    # on SQLite and PostgreSQL, no rewrite of existing rows.
    op.add_column(
        "recommendations",
        sa.Column("clock_started_at", storage.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.drop_column("clock_started_at")
