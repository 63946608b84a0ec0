"""Context interviews, context rules and override patterns

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _time() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("facilitator_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("trail", _json(), nullable=False),
        sa.Column("origin", sa.String(length=60), nullable=True),
        sa.Column("started_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.Column("paused_at", _time(), nullable=True),
        sa.Column("completed_at", _time(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )
    op.create_index("ix_interviews_person_status", "interviews", ["person_id", "status"])
    op.create_table(
        "context_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("entity_kind", sa.String(length=30), nullable=False),
        sa.Column("entity_value", sa.String(length=200), nullable=False),
        sa.Column("condition", _json(), nullable=False),
        sa.Column("types", _json(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("magnitude", _json(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.String(length=100), nullable=True),
        sa.Column("contributors", _json(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", _time(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_rules")),
        sa.UniqueConstraint("key", name=op.f("uq_context_rules_key")),
    )
    op.create_index(
        "ix_context_rules_entity_status", "context_rules", ["entity_kind", "entity_value", "status"]
    )
    op.create_table(
        "override_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=False),
        sa.Column("entity_kind", sa.String(length=30), nullable=False),
        sa.Column("entity_value", sa.String(length=200), nullable=False),
        sa.Column("decision_ids", _json(), nullable=False),
        sa.Column("detected_at", _time(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override_patterns")),
        sa.UniqueConstraint(
            "reason_code",
            "entity_kind",
            "entity_value",
            name=op.f("uq_override_patterns_reason_code_entity_kind_entity_value"),
        ),
    )


def downgrade() -> None:
    op.drop_table("override_patterns")
    op.drop_index("ix_context_rules_entity_status", table_name="context_rules")
    op.drop_table("context_rules")
    op.drop_index("ix_interviews_person_status", table_name="interviews")
    op.drop_table("interviews")
