"""SLA clock: digest date on recommendations, index for the daily direct-message cap

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: a plain ALTER TABLE on SQLite and PostgreSQL.
    op.add_column("recommendations", sa.Column("digest_on", sa.Date(), nullable=True))
    op.create_index(
        "ix_chat_messages_person_purpose_created",
        "chat_messages",
        ["person_id", "purpose", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_chat_messages_person_purpose_created", table_name="chat_messages")
    with op.batch_alter_table("recommendations") as batch:
        batch.drop_column("digest_on")
