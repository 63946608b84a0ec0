"""Delivery exactly once: outbox claim tokens, daily direct-message counts decided at
claim, indexes for similar history, digest references and pruning by age

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_recommendations_type_supplier", "recommendations", ["type", "supplier"]),
    ("ix_recommendations_type_customer", "recommendations", ["type", "customer"]),
    ("ix_recommendations_type_sku_site", "recommendations", ["type", "sku", "site"]),
    ("ix_chat_messages_channel_message", "chat_messages", ["channel", "message_id"]),
    ("ix_outbox_state_sent_at", "outbox", ["state", "sent_at"]),
    ("ix_processed_deliveries_at", "processed_deliveries", ["at"]),
]


def upgrade() -> None:
    op.add_column("outbox", sa.Column("claim_token", sa.String(length=32), nullable=True))
    op.create_table(
        "direct_message_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_message_counts")),
        sa.UniqueConstraint(
            "person_id", "day", name=op.f("uq_direct_message_counts_person_id_day")
        ),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("direct_message_counts")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
