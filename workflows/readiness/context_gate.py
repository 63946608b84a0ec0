"""Readiness gate 5 (operational context): for each recommendation type, is there
planners' knowledge behind it? At least one finished context interview that bears on
the type (its template's types, or its rule's), and at least one approved rule for it
(a rule naming no types bears on every type)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.interviews import load_templates
from core.rules import RuleStatus
from storage.models import ContextRule, InterviewRecord


def context_gate_missing(session: Session, *, config: Config) -> list[str]:
    templates = load_templates(config.context.templates_dir)
    rules = session.scalars(select(ContextRule).where(ContextRule.status == RuleStatus.APPROVED))
    approved_types: set[str] = set()
    for rule in rules:
        approved_types.update(rule.types or config.recommendation_types)
    interviewed: set[str] = set()
    done = session.execute(
        select(InterviewRecord.template, ContextRule.types)
        .outerjoin(ContextRule, ContextRule.id == InterviewRecord.rule_id)
        .where(InterviewRecord.status == "completed")
    ).all()
    for template_name, rule_types in done:
        template = templates.get(template_name)
        bears_on = list(rule_types or []) + (template.types if template else [])
        interviewed.update(bears_on or config.recommendation_types)
    missing = []
    for type_name in config.recommendation_types:
        if type_name not in interviewed:
            missing.append(f"{type_name}: no context interview run")
        if type_name not in approved_types:
            missing.append(f"{type_name}: no approved context rule")
    return missing
