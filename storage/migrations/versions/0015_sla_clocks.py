"""sla_clocks: the SLA state of each recommendation in a narrow table of its own (issue 27)

Revision ID: h20_sla_clocks
Revises: 0014
Create Date: 2026-12-07 22:30:00

Every sweep step wrote the wide `recommendations` row (ten indexes; `next_action_at`
indexed, so non-HOT on PostgreSQL). All the state the sweep writes (`next_action_at`,
`reminders_sent`, `escalation_level`, `snoozed_until`, `digest_on`) moves to
`sla_clocks`, one row per recommendation, keyed by (next_action_at, recommendation_id):
the due rows are contiguous (WITHOUT ROWID on SQLite: the table is that b-tree); a
unique index on recommendation_id serves per-item reads. No next action (closed, or
every step taken) is the far-future NEVER, as a key cannot be NULL. Backfill: one row
per recommendation from its 0014 columns; the downgrade puts them back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import NEVER, UTCDateTime

revision = "h20_sla_clocks"
down_revision = "0014"
branch_labels = None
depends_on = None

_STATE = ("reminders_sent", "escalation_level", "snoozed_until", "digest_on")


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("next_action_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("snoozed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_sla_clocks_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("next_action_at", "recommendation_id", name=op.f("pk_sla_clocks")),
        sqlite_with_rowid=False,
    )
    never = sa.bindparam("never", NEVER, type_=UTCDateTime(timezone=True))
    op.get_bind().execute(
        sa.text(
            "INSERT INTO sla_clocks (next_action_at, recommendation_id, reminders_sent, "
            "escalation_level, snoozed_until, digest_on) SELECT CASE WHEN status = 'open' "
            "AND next_action_at IS NOT NULL THEN next_action_at ELSE :never END, id, "
            "COALESCE(reminders_sent, 0), COALESCE(escalation_level, 0), snoozed_until, "
            "digest_on FROM recommendations"
        ).bindparams(never)
    )
    op.create_index(
        "ix_sla_clocks_recommendation", "sla_clocks", ["recommendation_id"], unique=True
    )
    op.drop_index("ix_recommendations_due", table_name="recommendations")
    # Native DROP COLUMN (SQLite >= 3.35): a batch copy would drop a table others reference.
    for column in ("next_action_at", *_STATE):
        op.drop_column("recommendations", column)


def downgrade() -> None:
    for column in (
        sa.Column("next_action_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("snoozed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest_on", sa.Date(), nullable=True),
    ):
        op.add_column("recommendations", column)
    never = sa.bindparam("never", NEVER, type_=UTCDateTime(timezone=True))
    for column in _STATE:
        op.execute(
            f"UPDATE recommendations SET {column} = COALESCE((SELECT c.{column} FROM "
            f"sla_clocks c WHERE c.recommendation_id = recommendations.id), {column})"
        )
    op.get_bind().execute(
        sa.text(
            "UPDATE recommendations SET next_action_at = (SELECT c.next_action_at "
            "FROM sla_clocks c WHERE c.recommendation_id = recommendations.id "
            "AND c.next_action_at < :never)"
        ).bindparams(never)
    )
    op.create_index(
        "ix_recommendations_due",
        "recommendations",
        ["next_action_at"],
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_sla_clocks_recommendation", table_name="sla_clocks")
    op.drop_table("sla_clocks")
