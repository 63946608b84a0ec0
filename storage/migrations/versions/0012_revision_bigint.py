"""recommendations.revision as BIGINT: the API takes revisions up to 2^63 - 1 (issue #24)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite's INTEGER is 64-bit already: only PostgreSQL's 4-byte INTEGER changes.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "recommendations", "revision", type_=sa.BigInteger(), existing_type=sa.Integer()
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "recommendations", "revision", type_=sa.Integer(), existing_type=sa.BigInteger()
        )
