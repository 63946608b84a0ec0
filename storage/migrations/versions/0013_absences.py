"""absences: out of office with an end and a delegate (issue #24)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("delegate_id", sa.String(100), nullable=True),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_absences")),
    )
    op.create_index(op.f("ix_absences_ends_at"), "absences", ["ends_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_absences_ends_at"), table_name="absences")
    op.drop_table("absences")
