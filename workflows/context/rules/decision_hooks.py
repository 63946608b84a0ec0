"""What a final decision adds to the context loop, in the decision's own transaction:
the audit of which context rules the decider was shown, and the override-pattern check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Decision, Recommendation
from workflows.audit import record_event
from workflows.context.rules.events import ContextEvent
from workflows.context.rules.matching import matching_rules
from workflows.context.rules.patterns import detect_override_pattern


def after_final_decision(
    session: Session, *, config: Config, rec: Recommendation, decision: Decision, now: datetime
) -> None:
    """The review can then tell whether overrides follow the rules people saw."""
    shown = matching_rules(session, config=config, rec=rec)
    if shown:
        record_event(
            session,
            kind=ContextEvent.RULES_SHOWN,
            at=now,
            recommendation_id=rec.id,
            actor_id=decision.actor_id,
            decision=decision.id,
            kind_of=decision.kind,
            rules=[rule.key for rule in shown],
        )
    detect_override_pattern(session, config=config, rec=rec, decision=decision, now=now)
