"""Which approved rules bear on a recommendation: same entity, condition true at the
recommendation's date (in its owner's time zone), and a type the rule names (or none).
A trigger in words cannot be checked by sopbot: it is shown, and the reader judges."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import SCOPE_KEYS
from core.messages import Section
from core.rule_fields import DAYS, MONTHS
from core.rules import RuleStatus
from storage.models import ContextRule, Recommendation
from workflows.rules.describe import rule_line

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
    pairs = [(kind, getattr(rec, kind)) for kind in SCOPE_KEYS if getattr(rec, kind)]
    entity_match = [and_(ContextRule.entity_kind == kind, ContextRule.entity_value == value)
                    for kind, value in pairs]  # fmt: skip
    candidates = session.scalars(
        select(ContextRule)
        .where(ContextRule.status == RuleStatus.APPROVED,
               or_(ContextRule.entity_kind == "line", *entity_match))
        .order_by(ContextRule.id)
    ).all()  # fmt: skip
    return [
        rule for rule in candidates
        if (rule.entity_kind != "line" or _line_mentioned(rule, rec))
        and (not rule.types or rec.type in rule.types)
        and _condition_holds(rule, rec, config)
    ]  # fmt: skip


def context_rules_section(session: Session, *, config: Config,
                          rec: Recommendation) -> Section | None:  # fmt: skip
    """The "Context rules" block of a recommendation message, or None when none match."""
    rules = matching_rules(session, config=config, rec=rec)
    if not rules:
        return None
    return Section(title=SECTION_TITLE, lines=[rule_line(rule, config) for rule in rules])
