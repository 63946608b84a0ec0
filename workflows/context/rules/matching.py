"""Which approved rules bear on a recommendation: same entity, condition true at the
recommendation's date (in its owner's time zone), and a type the rule names (or none).
A trigger in words cannot be checked by sopbot: it is shown, and the reader judges."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import SCOPE_KEYS
from core.messages import Section
from core.rule_fields import DAYS, MONTHS
from core.rules import RuleStatus
from storage.models import ContextRule, Recommendation
from workflows.context.rules.describe import rule_line

SECTION_TITLE = "Context rules"


def _condition_holds(rule: ContextRule, rec: Recommendation, config: Config) -> bool:
    condition = rule.condition or {}
    moment = (rec.event_time or rec.received_at).astimezone(config.person_tz(rec.owner_id))
    if condition.get("months") and MONTHS[moment.month - 1] not in condition["months"]:
        return False
    return not (condition.get("weekdays") and DAYS[moment.weekday()] not in condition["weekdays"])


def _line_mentioned(rule: ContextRule, rec: Recommendation) -> bool:
    """A `line` has no field of its own: it bears on recommendations that name it."""
    needle = rule.entity_value.lower()
    texts = [rec.title, rec.action, *(str(d.get("detail") or "") for d in rec.drivers or [])]
    return any(needle in (t or "").lower() for t in texts)


def matching_rules(session: Session, *, config: Config, rec: Recommendation) -> list[ContextRule]:
    return rules_bearing_on(candidate_rules(session, recs=[rec]), config=config, rec=rec)


def _pairs(rec: Recommendation) -> list[tuple[str, str]]:
    return [(kind, getattr(rec, kind)) for kind in SCOPE_KEYS if getattr(rec, kind)]


def candidate_rules(session: Session, *, recs: Sequence[Recommendation]) -> list[ContextRule]:
    """The approved rules that may bear on any of `recs` (one query for a whole batch:
    the outbox draws a claimed batch's messages together)."""
    pairs = {pair for rec in recs for pair in _pairs(rec)}
    # A superset (each kind against each value): `rules_bearing_on` keeps the exact pairs.
    kinds, values = sorted({k for k, _ in pairs}), sorted({v for _, v in pairs})
    return list(
        session.scalars(
            select(ContextRule)
            .where(
                ContextRule.status == RuleStatus.APPROVED,
                or_(
                    ContextRule.entity_kind == "line",
                    and_(ContextRule.entity_kind.in_(kinds), ContextRule.entity_value.in_(values)),
                ),
            )
            .order_by(ContextRule.id)
        ).all()
    )


def rules_bearing_on(
    candidates: Sequence[ContextRule], *, config: Config, rec: Recommendation
) -> list[ContextRule]:
    """Those of `candidates` (from `candidate_rules`) that match `rec`."""
    pairs = set(_pairs(rec))
    return [
        rule
        for rule in candidates
        if (rule.entity_kind == "line" or (rule.entity_kind, rule.entity_value) in pairs)
        and (rule.entity_kind != "line" or _line_mentioned(rule, rec))
        and (not rule.types or rec.type in rule.types)
        and _condition_holds(rule, rec, config)
    ]


def rules_section(rules: Sequence[ContextRule], *, config: Config) -> Section | None:
    if not rules:
        return None
    return Section(title=SECTION_TITLE, lines=[rule_line(rule, config) for rule in rules])


def context_rules_section(
    session: Session, *, config: Config, rec: Recommendation
) -> Section | None:
    """The "Context rules" block of a recommendation message, or None when none match."""
    return rules_section(matching_rules(session, config=config, rec=rec), config=config)
