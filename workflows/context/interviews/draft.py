"""The end of an interview: the planner's answers become a draft context rule, which
someone else reviews before it reaches anyone's messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.config import Config
from core.domain import OutboxKind
from core.interviews import RuleField, Template
from core.messages import Message, Tone
from core.rules import RuleStatus
from storage.models import ContextRule, InterviewRecord
from workflows.audit import record_event
from workflows.context.interviews import messages
from workflows.context.rules.events import ContextEvent
from workflows.context.rules.store import draft_rule
from workflows.errors import NotPermitted
from workflows.outbox import enqueue

COMPLETED = "completed"


def finish_interview(
    session: Session, *, config: Config, record: InterviewRecord, template: Template, now: datetime
) -> Message:
    """Every question answered or skipped: the answers become a draft context rule (or
    update the draft this interview made before), and the facilitator is told."""
    values = {
        q.fills: record.answers[q.id].get("value")
        for q in template.questions
        if q.fills and not record.answers[q.id].get("skipped")
    }
    entity = values[RuleField.ENTITY]
    types = values.get(RuleField.TYPES)
    fields = {
        "entity_kind": entity["kind"],
        "entity_value": entity["value"],
        "condition": values.get(RuleField.CONDITION) or {},
        "types": template.types if types is None else types,
        "effect": values[RuleField.EFFECT],
        "magnitude": values.get(RuleField.MAGNITUDE),
        "evidence": values.get(RuleField.EVIDENCE),
        "confidence": values.get(RuleField.CONFIDENCE) or "medium",
        "owner": record.person_id,
        "contributors": [record.person_id],
    }
    if record.rule_id is not None:
        rule_key = _redraft(session, record, fields, now)
    else:
        rule = draft_rule(
            session,
            key_base=f"{entity['value']}-{template.name}",
            fields=fields,
            source=f"interview:{record.id}",
            actor_id=record.person_id,
            now=now,
        )
        record.rule_id, rule_key = rule.id, rule.key
    record.status, record.completed_at, record.updated_at = COMPLETED, now, now
    record_event(
        session,
        kind=ContextEvent.INTERVIEW_COMPLETED,
        at=now,
        actor_id=record.person_id,
        interview=record.id,
        rule=rule_key,
    )
    if record.facilitator_id != record.person_id:
        message = Message(
            header=f"Interview finished: {template.title}",
            text=f"{config.display_name(record.person_id)} finished the "
            f"interview. Draft context rule {rule_key} is ready for review.",
            context=[
                f"`rules show {rule_key}`, `rules approve {rule_key}`, `rules reject {rule_key}`"
            ],
            tone=Tone.GOOD,
        )
        enqueue(
            session,
            kind=OutboxKind.NOTICE,
            key=f"interview:{record.id}:done:{rule_key}",
            now=now,
            person_id=record.facilitator_id,
            payload={"message": message.model_dump(mode="json"), "purpose": "interview"},
        )
    return messages.finished_message(record, template, rule_key)


def _redraft(
    session: Session, record: InterviewRecord, fields: dict[str, Any], now: datetime
) -> str:
    rule = session.get(ContextRule, record.rule_id)
    if rule is None or rule.status != RuleStatus.DRAFT:
        raise NotPermitted("That rule has been reviewed already; ask the facilitator to edit it.")
    for name in (
        "entity_kind",
        "entity_value",
        "condition",
        "types",
        "effect",
        "magnitude",
        "evidence",
        "confidence",
    ):
        setattr(rule, name, fields[name])
    rule.updated_at = now
    return rule.key
