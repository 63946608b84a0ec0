"""sla_clocks: the SLA sweep's next-action time in a narrow table of its own (issue 27)

Revision ID: h20_sla_clocks
Revises: 0014
Create Date: 2026-12-07 22:30:00

`recommendations.next_action_at` was indexed, so every sweep step was a non-HOT update
that wrote all ten indexes of the wide table. It moves to `sla_clocks` (a row only while
the item has a next action: open and scheduled), with its own index; the counters stay
on `recommendations`, whose pages keep 10% free (fillfactor 90, PostgreSQL) so their
update is HOT. Backfill: one row per open recommendation with a next action.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "h20_sla_clocks"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("next_action_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_sla_clocks_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_sla_clocks")),
    )
    op.execute(
        "INSERT INTO sla_clocks (recommendation_id, next_action_at) "
        "SELECT id, next_action_at FROM recommendations "
        "WHERE status = 'open' AND next_action_at IS NOT NULL"
    )
    op.create_index("ix_sla_clocks_due", "sla_clocks", ["next_action_at", "recommendation_id"])
    op.drop_index("ix_recommendations_due", table_name="recommendations")
    # Native DROP COLUMN (SQLite >= 3.35): a batch copy would drop a table others reference.
    op.drop_column("recommendations", "next_action_at")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE recommendations SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE recommendations RESET (fillfactor)")
    op.add_column(
        "recommendations", sa.Column("next_action_at", UTCDateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE recommendations SET next_action_at = (SELECT c.next_action_at "
        "FROM sla_clocks c WHERE c.recommendation_id = recommendations.id)"
    )
    op.create_index(
        "ix_recommendations_due",
        "recommendations",
        ["next_action_at"],
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_sla_clocks_due", table_name="sla_clocks")
    op.drop_table("sla_clocks")
