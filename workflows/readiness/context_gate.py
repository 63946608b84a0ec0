"""Gate 5 (soft), operational context: for each recommendation type, planners' knowledge
behind it. At least one finished interview with an experienced planner (`experienced:
true` on the person) that bears on the type and whose required questions were answered,
not skipped; at least one rule for it approved by someone other than those who wrote it
(four eyes, imported rules included: an import carries no approver until someone
approves it); and no override-pattern alert of the last 30 days left without a rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.interviews import load_templates
from core.rules import RuleStatus
from storage.models import ContextRule, InterviewRecord, OverridePattern
from workflows.readiness.evidence import Found

PATTERN_WINDOW = timedelta(days=30)


def _four_eyes(rule: ContextRule, config: Config) -> bool:
    reviewer = rule.reviewed_by
    return (
        reviewer is not None
        and reviewer in config.people_by_id
        and reviewer not in (rule.contributors or [])
    )


def context_gate(session: Session, *, config: Config, now: datetime) -> Found:
    found = Found()
    templates = load_templates(config.context.templates_dir)
    every_type = list(config.recommendation_types)
    approved: dict[str, list[ContextRule]] = {name: [] for name in every_type}
    for rule in session.scalars(
        select(ContextRule).where(ContextRule.status == RuleStatus.APPROVED)
    ):
        if not _four_eyes(rule, config):
            who = rule.reviewed_by or "nobody"
            found.missing.append(
                f"rule {rule.key} ({rule.source}) is approved by {who}, not by someone other "
                f"than its authors: a facilitator approves it (`rules approve {rule.key}`)"
            )
            continue
        for name in rule.types or every_type:
            approved.setdefault(name, []).append(rule)
    interviewed: dict[str, list[str]] = {name: [] for name in every_type}
    done = session.execute(
        select(InterviewRecord, ContextRule.types)
        .outerjoin(ContextRule, ContextRule.id == InterviewRecord.rule_id)
        .where(InterviewRecord.status == "completed")
    ).all()
    for record, rule_types in done:
        template = templates.get(record.template)
        person = config.people_by_id.get(record.person_id)
        if person is None or not person.experienced or template is None:
            continue
        skipped = [
            q.id
            for q in template.questions
            if q.required and record.answers.get(q.id, {"skipped": True}).get("skipped")
        ]
        if skipped:
            continue
        for name in list(rule_types or []) + template.types or every_type:
            interviewed.setdefault(name, []).append(
                f"{config.display_name(record.person_id)} ({record.template}, "
                f"{record.completed_at:%Y-%m-%d})"
            )
    for name in every_type:
        if not interviewed.get(name):
            found.missing.append(
                f"{name}: no finished interview with an experienced planner (all required "
                "questions answered): mark the planner `experienced: true` and run "
                f"`interview @planner TEMPLATE`"
            )
        if not approved.get(name):
            found.missing.append(f"{name}: no context rule approved by a second person")
        found.evidence.append(
            f"{name}: interviews {', '.join(interviewed.get(name, [])) or 'none'}; rules "
            + (
                ", ".join(
                    f"{r.key} approved by {config.display_name(r.reviewed_by)}"
                    for r in approved.get(name, [])
                )
                or "none"
            )
        )
    open_alerts = session.scalars(
        select(OverridePattern).where(
            OverridePattern.detected_at >= now - PATTERN_WINDOW, OverridePattern.rule_id.is_(None)
        )
    ).all()
    for alert in open_alerts:
        found.missing.append(
            f"override pattern {alert.id} ({alert.reason_code} for {alert.entity_kind} "
            f"{alert.entity_value}, {len(alert.decision_ids)} overrides) has no rule: "
            f"`rules draft {alert.id}` to capture it"
        )
    return found
