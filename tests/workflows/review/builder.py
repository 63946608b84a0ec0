"""Write hand-made recommendations, decisions, outcomes and audit events straight into
the tables, for review tests whose expected numbers are worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import Database
from storage.models import Decision, Event, Outcome, Recommendation

MONDAY_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
MONDAY_17 = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@dataclass
class Item:
    type: str = "stockout_risk"
    ai: float | None = 100
    baseline: float | None = None
    sku: str = "SKU-9"
    site: str = "DC-NORTH"
    received_at: datetime = MONDAY_9
    event_time: datetime | None = None
    due_at: datetime = MONDAY_17
    status: str = "decided"
    tier: str = "direct"
    confidence: float | None = 0.8
    owner: str = "ana"
    kind: str | None = "accept"  # accept | override | auto | None (no decision)
    value: float | None = None  # the override's value
    reason: str | None = None
    note: str | None = None
    decided_at: datetime | None = None  # default: an hour after receipt
    actor: str | None = None  # default: the owner
    actual: float | None = None
    ai_correct: bool | None = None
    observed_at: datetime | None = None  # default: recorded_at
    recorded_at: datetime = datetime(2026, 12, 20, tzinfo=UTC)
    events: list[tuple[str, datetime, str | None, dict[str, Any]]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def write_items(database: Database, items: list[Item]) -> list[int]:
    ids = []
    with database.transaction() as session:
        for number, item in enumerate(items):
            rec = Recommendation(
                source="planner-ai",
                external_id=f"b-{number}",
                revision=1,
                content_hash=f"{number:064d}",
                type=item.type,
                title=f"built {number}",
                action="act",
                sku=item.sku,
                site=item.site,
                quantity=item.ai,
                baseline_value=item.baseline,
                confidence=item.confidence,
                event_time=item.event_time,
                received_at=item.received_at + timedelta(seconds=number),
                owner_id=item.owner,
                due_at=item.due_at,
                status=item.status,
                tier=item.tier,
                drivers=[],
                links=[],
                escalation_level=0,
                reminders_sent=0,
                **item.extra,
            )
            session.add(rec)
            session.flush()
            ids.append(rec.id)
            if item.kind is not None:
                at = item.decided_at or rec.received_at + timedelta(hours=1)
                session.add(
                    Decision(
                        recommendation_id=rec.id,
                        automatic=item.kind == "auto",
                        kind=item.kind,
                        actor_id=item.actor or item.owner,
                        role="owner",
                        reason_code=item.reason,
                        note=item.note,
                        value=item.value,
                        channel="local",
                        decided_at=at,
                    )
                )
                rec.decided_at = at
            if item.actual is not None or item.ai_correct is not None:
                session.add(
                    Outcome(
                        recommendation_id=rec.id,
                        actual_value=item.actual,
                        ai_correct=item.ai_correct,
                        observed_at=item.observed_at,
                        recorded_at=item.recorded_at,
                    )
                )
            for kind, at, actor, data in item.events:
                session.add(
                    Event(recommendation_id=rec.id, kind=kind, actor_id=actor, at=at, data=data)
                )
    return ids
