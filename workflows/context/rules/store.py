"""Context rules in the database: drafting, review (approve, reject, edit), and the
YAML import/export that lets a team version them with its configuration."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.rule_fields import (
    AnswerError,
    parse_condition,
    parse_confidence,
    parse_entity,
    parse_magnitude,
    parse_types,
)
from core.rules import RuleSpec, RuleStatus
from storage.models import ContextRule
from workflows.audit import record_event
from workflows.context.rules.entities import known_entities
from workflows.context.rules.events import ContextEvent
from workflows.context.rules.open_work import open_matching, refresh_open_cards
from workflows.context.rules.people import may_review
from workflows.errors import InvalidInput, NotFound, NotPermitted

EDITABLE = (
    "entity",
    "condition",
    "effect",
    "magnitude",
    "evidence",
    "confidence",
    "types",
    "owner",
    "review_by",
)


def slug(*parts: str) -> str:
    text = "-".join(p for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:110] or "rule"


def unique_key(session: Session, base: str) -> str:
    key, n = base, 1
    while session.scalar(select(ContextRule.id).where(ContextRule.key == key)) is not None:
        n += 1
        key = f"{base}-{n}"
    return key


def find_rule(session: Session, key: str) -> ContextRule:
    rule = session.scalar(select(ContextRule).where(ContextRule.key == key.strip().lower()))
    if rule is None and key.strip().isdigit():
        rule = session.get(ContextRule, int(key))
    if rule is None:
        raise NotFound(f"There is no context rule '{key}'. Type `rules` for the list.")
    return rule


def draft_rule(
    session: Session,
    *,
    key_base: str,
    fields: dict[str, Any],
    source: str,
    actor_id: str | None,
    now: datetime,
) -> ContextRule:
    """A new draft; `fields` holds the RuleSpec field values (entity as kind/value)."""
    rule = ContextRule(
        key=unique_key(session, slug(key_base)),
        entity_kind=fields["entity_kind"],
        entity_value=fields["entity_value"],
        condition=fields.get("condition") or {},
        types=fields.get("types") or [],
        effect=fields["effect"],
        magnitude=fields.get("magnitude"),
        evidence=fields.get("evidence"),
        confidence=fields.get("confidence") or "medium",
        owner_id=fields.get("owner"),
        contributors=fields.get("contributors") or [],
        review_by=None,
        status=RuleStatus.DRAFT,
        source=source,
        created_at=now,
        updated_at=now,
    )
    session.add(rule)
    session.flush()
    record_event(
        session,
        kind=ContextEvent.RULE_DRAFTED,
        at=now,
        actor_id=actor_id,
        rule=rule.key,
        source=source,
    )
    return rule


def _reviewer(config: Config, actor_id: str) -> None:
    if not may_review(config=config, person_id=actor_id):
        raise NotPermitted("Only a facilitator or the override reviewer may review context rules.")


def approve_rule(
    session: Session,
    *,
    config: Config,
    key: str,
    actor_id: str,
    now: datetime,
    today: date,
    owner: str | None = None,
    review_by: date | None = None,
) -> ContextRule:
    """Approved rules always have an owner and a review-by date: knowledge goes stale."""
    _reviewer(config, actor_id)
    rule = find_rule(session, key)
    if actor_id in (rule.contributors or []):
        raise NotPermitted(
            "You contributed this rule: someone else approves it (four eyes), e.g. another "
            "facilitator or the override reviewer."
        )
    if owner is not None and owner not in config.people_by_id:
        raise InvalidInput("owner", f"Unknown person '{owner}'.")
    rule.owner_id = owner or rule.owner_id or (rule.contributors or [actor_id])[0]
    rule.review_by = review_by or rule.review_by or today + config.context.review_after
    if rule.review_by <= today:
        raise InvalidInput("review_by", "The review-by date must lie in the future.")
    rule.status = RuleStatus.APPROVED
    rule.reviewed_by, rule.reviewed_at, rule.updated_at = actor_id, now, now
    record_event(
        session,
        kind=ContextEvent.RULE_APPROVED,
        at=now,
        actor_id=actor_id,
        rule=rule.key,
        owner=rule.owner_id,
        review_by=rule.review_by.isoformat(),
    )
    session.flush()
    ids = open_matching(session, config=config, rule=rule)
    refresh_open_cards(session, rule=rule, ids=ids, now=now, why="approved")
    return rule


def reject_rule(
    session: Session,
    *,
    config: Config,
    key: str,
    actor_id: str,
    now: datetime,
    reason: str | None = None,
) -> ContextRule:
    _reviewer(config, actor_id)
    rule = find_rule(session, key)
    if rule.status == RuleStatus.APPROVED:  # retired: off the open cards it was on
        ids = open_matching(session, config=config, rule=rule)
        refresh_open_cards(session, rule=rule, ids=ids, now=now, why="retired")
    rule.status = RuleStatus.REJECTED
    rule.reviewed_by, rule.reviewed_at, rule.updated_at = actor_id, now, now
    record_event(
        session,
        kind=ContextEvent.RULE_REJECTED,
        at=now,
        actor_id=actor_id,
        rule=rule.key,
        reason=reason,
    )
    return rule


def edit_rule(
    session: Session,
    *,
    config: Config,
    key: str,
    field: str,
    value: str,
    actor_id: str,
    now: datetime,
) -> ContextRule:
    """One field, read the way an interview reads it; a bad value names the field."""
    _reviewer(config, actor_id)
    rule = find_rule(session, key)
    if field not in EDITABLE:
        raise InvalidInput("field", f"'{field}' cannot be edited; choose {', '.join(EDITABLE)}.")
    approved = rule.status == RuleStatus.APPROVED
    before = open_matching(session, config=config, rule=rule) if approved else set()
    try:
        if field == "entity":
            rule.entity_kind, rule.entity_value = parse_entity(
                value, default_kind=rule.entity_kind, known=known_entities(session, config=config)
            )
        elif field == "condition":
            rule.condition = parse_condition(value)
        elif field == "magnitude":
            rule.magnitude = parse_magnitude(value)
        elif field == "confidence":
            rule.confidence = parse_confidence(value)
        elif field == "types":
            rule.types = parse_types(value, config.recommendation_types)
        elif field == "owner":
            person = value.strip().lstrip("@")
            if person not in config.people_by_id:
                raise AnswerError(f"Unknown person '{person}'.", "`owner ana`")
            rule.owner_id = person
        elif field == "review_by":
            rule.review_by = date.fromisoformat(value.strip())
        elif not value.strip():
            raise AnswerError(f"The {field} cannot be empty.", "a sentence")
        else:
            setattr(rule, field, value.strip())
    except AnswerError as exc:
        raise InvalidInput(field, str(exc)) from None
    except ValueError:
        raise InvalidInput(field, "Use a date such as 2027-03-31.") from None
    rule.updated_at = now
    record_event(
        session,
        kind=ContextEvent.RULE_EDITED,
        at=now,
        actor_id=actor_id,
        rule=rule.key,
        field=field,
        value=value.strip(),
    )
    if approved:  # the cards it left and the cards it reaches now
        after = open_matching(session, config=config, rule=rule)
        refresh_open_cards(session, rule=rule, ids=before | after, now=now, why=f"edit-{field}")
    return rule


def list_rules(session: Session, *, status: str | None = None) -> list[ContextRule]:
    query = select(ContextRule).order_by(ContextRule.status, ContextRule.key)
    if status:
        query = query.where(ContextRule.status == status)
    return list(session.scalars(query))


def rules_past_review(session: Session, *, today: date) -> list[ContextRule]:
    """Approved rules whose review-by date has passed: listed for review, owner nudged."""
    return list(
        session.scalars(
            select(ContextRule)
            .where(ContextRule.status == RuleStatus.APPROVED, ContextRule.review_by < today)
            .order_by(ContextRule.review_by)
        )
    )


def to_spec(rule: ContextRule) -> RuleSpec:
    return RuleSpec(
        id=rule.key,
        entity={rule.entity_kind: rule.entity_value},
        condition=rule.condition or None,
        types=rule.types or [],
        effect=rule.effect,
        magnitude=rule.magnitude,
        evidence=rule.evidence,
        confidence=rule.confidence,
        owner=rule.owner_id,
        contributors=rule.contributors or [],
        review_by=rule.review_by,
        status=RuleStatus(rule.status),
    )


def import_specs(
    session: Session, *, specs: list[RuleSpec], actor_id: str | None, now: datetime
) -> tuple[int, int]:
    """Upsert by id, in the caller's transaction (all or nothing); (created, updated)."""
    created = updated = 0
    for spec in specs:
        rule = session.scalar(select(ContextRule).where(ContextRule.key == spec.id))
        if rule is None:
            rule = ContextRule(key=spec.id, source="import", created_at=now)
            session.add(rule)
            created += 1
        else:
            updated += 1
        rule.entity_kind, rule.entity_value = spec.entity_kind, spec.entity_value
        rule.condition = spec.condition.model_dump(exclude_none=True) if spec.condition else {}
        rule.types, rule.effect = list(spec.types), spec.effect
        rule.magnitude = spec.magnitude.model_dump(exclude_none=True) if spec.magnitude else None
        rule.evidence, rule.confidence = spec.evidence, spec.confidence
        rule.owner_id, rule.contributors = spec.owner, list(spec.contributors)
        rule.review_by, rule.status, rule.updated_at = spec.review_by, spec.status.value, now
    session.flush()
    record_event(
        session,
        kind=ContextEvent.RULES_IMPORTED,
        at=now,
        actor_id=actor_id,
        created=created,
        updated=updated,
        rules=[s.id for s in specs],
    )
    return created, updated
