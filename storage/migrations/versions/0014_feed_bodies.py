"""feed_events.body: the public JSON text, rewritten for the privacy mode (issue #28)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:30:00

Backfill: the existing rows keep `body` NULL here. Their text depends on the configured
privacy mode, its secret and the people in the configuration, none of which a migration
has (and storage imports no workflow), so `sopbot serve`'s `events` job writes them
(workflows/events/bodies.py `refresh_bodies`, a batch per tick), the same step that
rewrites bodies after a privacy change. Until a row is written the feed renders it from
`data`, as before this revision: nothing is served stale or missing meanwhile.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_events") as batch:
        batch.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("body_key", sa.String(length=40), nullable=True))
    op.create_index("ix_feed_events_body_key", "feed_events", ["body_key"])


def downgrade() -> None:
    op.drop_index("ix_feed_events_body_key", table_name="feed_events")
    with op.batch_alter_table("feed_events") as batch:
        batch.drop_column("body_key")
        batch.drop_column("body")
