"""`sopbot db upgrade`: Alembic migrations, configured in code (no alembic.ini to lose)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(database: Database, revision: str = "head") -> None:
    cfg = alembic_config()
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def revision(database: Database, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""
    cfg = alembic_config()
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True, rev_id=None)
