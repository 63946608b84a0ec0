"""`sopbot db upgrade`: Alembic migrations, configured in code (no alembic.ini to lose)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, text

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# The PostgreSQL advisory lock every `sopbot` process takes to migrate: a constant of
# this project (the bytes of "sopbotmg"), so no other application's lock collides.
MIGRATION_LOCK = int.from_bytes(b"sopbotmg", "big") - 2**63


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def lock_for_migrations(connection: Connection) -> None:
    """Replicas starting together migrate one at a time: the first builds the schema,
    the others wait here and then find it at head (without the lock two of them both
    create the tables and one fails). PostgreSQL: an advisory lock held until the
    migration's transaction ends. SQLite: the migration's BEGIN IMMEDIATE already holds
    the database's write lock (storage.db)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def upgrade(database: Database, revision: str = "head") -> None:
    cfg = alembic_config()
    with database.engine.begin() as connection:
        lock_for_migrations(connection)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def revision(database: Database, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""
    cfg = alembic_config()
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True, rev_id=None)
