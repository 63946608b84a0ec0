"""Overrides feed the loop: when one reason code is used for one entity `count` times
within `window` (sopbot.yml `context.override_pattern`, default 3 in 30 days), the
override reviewer is offered a draft rule from those overrides or an interview with the
planner who made them. Once per pattern: a unique key on (reason, entity) decides, so
two replicas recording the third override at the same moment offer it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import DecisionKind, OutboxKind
from core.messages import Message, Section, Tone
from storage.driver_writes import insert_if_absent
from storage.models import ContextRule, Decision, OverridePattern, Recommendation
from workflows.audit import record_event
from workflows.context.rules.events import ContextEvent
from workflows.context.rules.people import may_review
from workflows.context.rules.store import draft_rule
from workflows.errors import NotFound, NotPermitted
from workflows.outbox import enqueue

PATTERN_KINDS = ("supplier", "customer", "sku", "product_family", "site")  # most specific first
TEMPLATE_FOR_KIND = {
    "supplier": "suppliers",
    "customer": "customers",
    "site": "data_quirks",
    "sku": "data_quirks",
    "product_family": "customers",
    "line": "equipment",
}


def _matching_overrides(
    session: Session, *, reason_code: str, kind: str, value: str, since: datetime
) -> list[Decision]:
    return list(
        session.scalars(
            select(Decision)
            .join(Recommendation, Recommendation.id == Decision.recommendation_id)
            .where(
                Decision.kind == DecisionKind.OVERRIDE,
                Decision.automatic.is_(False),
                Decision.reason_code == reason_code,
                Decision.decided_at >= since,
                getattr(Recommendation, kind) == value,
            )
            .order_by(Decision.id)
        )
    )


def _insert_once(session: Session, row: dict) -> int | None:
    """The pattern's id if this transaction recorded it, None if it already existed."""
    inserted = insert_if_absent(session, OverridePattern, row)
    return inserted[0] if inserted else None


def detect_override_pattern(
    session: Session, *, config: Config, rec: Recommendation, decision: Decision, now: datetime
) -> list[int]:
    """Called in the override's own transaction; returns the patterns it completed."""
    if decision.kind != DecisionKind.OVERRIDE or not decision.reason_code:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # Overrides with this reason code count one after another, so two concurrent
        # "third" overrides cannot both see two and miss the pattern.
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"override-pattern:{decision.reason_code}"},
        )
    settings = config.context.override_pattern
    fired: list[int] = []
    for kind in PATTERN_KINDS:
        value = getattr(rec, kind)
        if not value:
            continue
        overrides = _matching_overrides(
            session,
            reason_code=decision.reason_code,
            kind=kind,
            value=value,
            since=now - settings.window,
        )
        if len(overrides) < settings.count:
            continue
        pattern_id = _insert_once(
            session,
            {
                "reason_code": decision.reason_code,
                "entity_kind": kind,
                "entity_value": value,
                "decision_ids": [d.id for d in overrides],
                "detected_at": now,
            },
        )
        if pattern_id is None:
            continue
        fired.append(pattern_id)
        record_event(
            session,
            kind=ContextEvent.OVERRIDE_PATTERN,
            at=now,
            pattern=pattern_id,
            reason_code=decision.reason_code,
            entity={kind: value},
            decisions=[d.id for d in overrides],
        )
    if fired and config.override_reviewer:
        offer = pattern_offer(session, config=config, pattern_id=fired[0])
        for also in fired[1:]:
            other = _pattern(session, also)
            offer.context.append(
                f"The same reason also repeats for {_entity(other)}: `rules draft {other.id}`"
            )
        enqueue(
            session,
            kind=OutboxKind.NOTICE,
            key=f"override-pattern:{fired[0]}",
            now=now,
            person_id=config.override_reviewer,
            payload={"message": offer.model_dump(mode="json"), "purpose": "pattern"},
        )
    return fired


def _pattern(session: Session, pattern_id: int) -> OverridePattern:
    pattern = session.get(OverridePattern, pattern_id)
    if pattern is None:
        raise NotFound(f"There is no override pattern #{pattern_id}.")
    return pattern


def _entity(pattern: OverridePattern) -> str:
    return f"{pattern.entity_kind.replace('_', ' ')} {pattern.entity_value}"


def _decisions(session: Session, pattern: OverridePattern) -> list[Decision]:
    return list(
        session.scalars(
            select(Decision).where(Decision.id.in_(pattern.decision_ids)).order_by(Decision.id)
        )
    )


def pattern_offer(session: Session, *, config: Config, pattern_id: int) -> Message:
    pattern = _pattern(session, pattern_id)
    decisions = _decisions(session, pattern)
    reason = config.reason_codes_by_code.get(pattern.reason_code)
    label = reason.label if reason else pattern.reason_code
    planners = list(dict.fromkeys(d.actor_id for d in decisions))
    window = config.context.override_pattern.window.days
    entity = _entity(pattern)
    notes = [
        f"#{d.recommendation_id} {config.display_name(d.actor_id)}: {d.note or '(no note)'}"
        for d in decisions
    ]
    template = TEMPLATE_FOR_KIND.get(pattern.entity_kind, "suppliers")
    return Message(
        header=f"Override pattern: {label} for {entity}",
        text=f"{len(decisions)} overrides for {entity} gave '{label}' within {window} days. "
        "That knowledge could be a context rule shown on the next one.",
        sections=[Section(title="Their notes", lines=notes)],
        context=[
            f"Draft a rule from these overrides (notes prefilled): `rules draft {pattern.id}`",
            f"Or interview the planner: `interview @{planners[0]} {template}`",
        ],
        tone=Tone.ATTENTION,
    )


def draft_from_pattern(
    session: Session, *, config: Config, pattern_id: int, actor_id: str, now: datetime
) -> tuple[str, bool]:
    """The pattern's draft rule key, and whether this call made it (once per pattern)."""
    if not may_review(config=config, person_id=actor_id):
        raise NotPermitted("Only a facilitator or the override reviewer may draft rules.")
    pattern = session.scalars(
        select(OverridePattern).where(OverridePattern.id == pattern_id).with_for_update()
    ).first()
    if pattern is None:
        raise NotFound(f"There is no override pattern #{pattern_id}.")
    if pattern.rule_id is not None:
        existing = session.get(ContextRule, pattern.rule_id)
        if existing is not None:
            return existing.key, False
    decisions = _decisions(session, pattern)
    reason = config.reason_codes_by_code.get(pattern.reason_code)
    planners = list(dict.fromkeys(d.actor_id for d in decisions))
    types = sorted({session.get(Recommendation, d.recommendation_id).type for d in decisions})
    notes = "; ".join(d.note for d in decisions if d.note)
    rule = draft_rule(
        session,
        key_base=f"{pattern.entity_value}-{pattern.reason_code}",
        source=f"pattern:{pattern.id}",
        actor_id=actor_id,
        now=now,
        fields={
            "entity_kind": pattern.entity_kind,
            "entity_value": pattern.entity_value,
            "types": types,
            "effect": notes or (reason.label if reason else ""),
            "evidence": f"{len(decisions)} overrides ({pattern.reason_code}): "
            + ", ".join(f"#{d.recommendation_id}" for d in decisions),
            "confidence": "medium",
            "owner": planners[0],
            "contributors": planners,
        },
    )
    pattern.rule_id = rule.id
    return rule.key, True
