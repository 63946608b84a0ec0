"""The demo's context rules (core/data/demo_rules.yml): two approved, one draft, so a
newcomer sees planner context on a demo recommendation and a rule waiting for review."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.runtime import Runtime
from core.rules import parse_rules
from storage.models import ContextRule
from workflows.context import import_specs

DEMO_RULES_PATH = Path(__file__).resolve().parent.parent / "core" / "data" / "demo_rules.yml"


def seed_rules(runtime: Runtime) -> int:
    """Import the demo rules once (a reused demo database keeps its own)."""
    specs = parse_rules(
        DEMO_RULES_PATH.read_text(encoding="utf-8"),
        config=runtime.config,
        source=str(DEMO_RULES_PATH),
    )
    with runtime.database.transaction() as session:
        if session.scalar(select(func.count()).select_from(ContextRule)):
            return 0
        created, _ = import_specs(session, specs=specs, actor_id=None, now=runtime.clock.now())
    return created
