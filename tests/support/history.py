"""A known history of twelve stockout-risk recommendations, written straight into the
tables, so the review's every number can be worked out by hand in the tests.

All are SKU-1 at DC-NORTH, owned by ana (Berlin, 08:00-17:00), received Monday
2026-11-30 09:00 Berlin one second apart, due Monday 17:00 (8 business hours).

| # | conf | AI | naive | decision (business hours after receipt) | actual | right? |
| 1 | .85 | 100 | 90 | accept 1h | 100 | inside 80-120: yes |
| 2 | .85 | 100 | 110 | accept 2h | 130 | outside 80-120: no |
| 3 | .75 | 200 | 180 | override 150 SUPPLIER_PATTERN 3h (SKF-DE) | 160 | no |
| 4 | .75 | 200 | 200 | override 220 SUPPLIER_PATTERN 4h (SKF-DE) | 190 | yes |
| 5 | .65 | 50 | 40 | override 45 CUSTOMER_PATTERN 5h (RETAILER-Y) | 44 | no |
| 6 | .65 | 50 | (none: #5's 44) | accept 6h | 55 | (unknown) |
| 7 | .55 | 80 | 70 | override, no value, DATA_ERROR, Tue 09:00 = 9h, escalated once, |
|   |     |    |    | digest tier | - | no |
| 8 | .95 | 10 | 12 | auto | 10 | yes |
| 9 | .90 | 60 | - | open, due next week | - | - |
| 10 | .58 | 60 | - | open past due, escalation level 2, digest tier | - | - |
| 11 | .80 | 60 | - | withdrawn | - | - |
| 12 | .72 | 30 | 30 | reassigned to dora, she accepts 2h | 30 | inside 25-35: yes |
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import Assignment, ChatMessage, Decision, Outcome, Recommendation

RECEIVED = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 Berlin
DUE = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # Monday 17:00 Berlin
NOW = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # Wednesday noon Berlin

# number: (confidence, ai, baseline, interval, extra columns)
ROWS: dict[int, dict[str, Any]] = {
    1: {
        "confidence": 0.85,
        "quantity": 100,
        "baseline_value": 90,
        "interval_low": 80,
        "interval_high": 120,
    },
    2: {
        "confidence": 0.85,
        "quantity": 100,
        "baseline_value": 110,
        "interval_low": 80,
        "interval_high": 120,
    },
    3: {"confidence": 0.75, "quantity": 200, "baseline_value": 180, "supplier": "SKF-DE"},
    4: {"confidence": 0.75, "quantity": 200, "baseline_value": 200, "supplier": "SKF-DE"},
    5: {"confidence": 0.65, "quantity": 50, "baseline_value": 40, "customer": "RETAILER-Y"},
    6: {"confidence": 0.65, "quantity": 50},
    7: {
        "confidence": 0.55,
        "quantity": 80,
        "baseline_value": 70,
        "tier": "digest",
        "escalation_level": 1,
    },
    8: {"confidence": 0.95, "quantity": 10, "baseline_value": 12, "tier": "auto"},
    9: {"confidence": 0.90, "quantity": 60, "status": "open", "due_at": DUE + timedelta(days=7)},
    10: {
        "confidence": 0.58,
        "quantity": 60,
        "status": "open",
        "tier": "digest",
        "escalation_level": 2,
    },
    11: {"confidence": 0.80, "quantity": 60, "status": "withdrawn"},
    12: {
        "confidence": 0.72,
        "quantity": 30,
        "baseline_value": 30,
        "owner_id": "dora",
        "interval_low": 25,
        "interval_high": 35,
    },
}

# number: (kind, business hours after receipt on Monday, reason, value, actor)
DECISIONS: dict[int, tuple[str, float, str | None, float | None, str]] = {
    1: ("accept", 1, None, None, "ana"),
    2: ("accept", 2, None, None, "ana"),
    3: ("override", 3, "SUPPLIER_PATTERN", 150, "ana"),
    4: ("override", 4, "SUPPLIER_PATTERN", 220, "ana"),
    5: ("override", 5, "CUSTOMER_PATTERN", 45, "ana"),
    6: ("accept", 6, None, None, "ana"),
    8: ("auto", 0, None, None, "sopbot"),
    12: ("accept", 2, None, None, "dora"),
}
TUESDAY_9 = datetime(2026, 12, 1, 8, 0, 7, tzinfo=UTC)  # #7's decision: 9 business hours

# number: (actual, ai_correct)
OUTCOMES: dict[int, tuple[float | None, bool | None]] = {
    1: (100, None),
    2: (130, None),
    3: (160, False),
    4: (190, True),
    5: (44, False),
    6: (55, None),
    7: (None, False),
    8: (10, True),
    12: (30, None),
}


def received(number: int) -> datetime:
    return RECEIVED + timedelta(seconds=number)


def _recommendation(number: int) -> Recommendation:
    columns: dict[str, Any] = {
        "source": "planner-ai",
        "external_id": f"h-{number}",
        "revision": 1,
        "content_hash": f"{number:064d}",
        "type": "stockout_risk",
        "title": f"history {number}",
        "action": "transfer",
        "sku": "SKU-1",
        "site": "DC-NORTH",
        "received_at": received(number),
        "owner_id": "ana",
        "backup_id": "dora",
        "due_at": DUE,
        "status": "decided",
        "tier": "direct",
        "drivers": [],
        "links": [],
        "escalation_level": 0,
        "reminders_sent": 0,
    }
    columns.update(ROWS[number])
    return Recommendation(**columns)


def write_history(database: Database) -> dict[int, int]:
    """Write the twelve; returns their ids by number."""
    ids: dict[int, int] = {}
    with database.transaction() as session:
        for number in ROWS:
            rec = _recommendation(number)
            session.add(rec)
            session.flush()
            ids[number] = rec.id
        for number, (kind, hours, reason, value, actor) in DECISIONS.items():
            at = received(number) + timedelta(hours=hours)
            _decide(session, ids[number], kind, at, reason, value, actor)
        _decide(session, ids[7], "override", TUESDAY_9, "DATA_ERROR", None, "ana")
        session.add(
            Assignment(
                recommendation_id=ids[12],
                owner_id="dora",
                backup_id="ana",
                assigned_at=received(12),
                assigned_by="ana",
                reason="hers",
            )
        )
        for number, (actual, correct) in OUTCOMES.items():
            session.add(
                Outcome(
                    recommendation_id=ids[number],
                    actual_value=actual,
                    ai_correct=correct,
                    recorded_at=NOW,
                )
            )
        _messages(session, ids)
    return ids


def _decide(
    session: Session,
    rec_id: int,
    kind: str,
    at: datetime,
    reason: str | None,
    value: float | None,
    actor: str,
) -> None:
    session.add(
        Decision(
            recommendation_id=rec_id,
            automatic=kind == "auto",
            kind=kind,
            actor_id=actor,
            role="system" if kind == "auto" else "owner",
            reason_code=reason,
            value=value,
            channel="local",
            decided_at=at,
        )
    )
    session.get(Recommendation, rec_id).decided_at = at  # type: ignore[union-attr]


def _messages(session: Session, ids: dict[int, int]) -> None:
    """ana: 3 direct messages and a reminder (plus a digest, not direct);
    dora: one; a channel copy (not a person)."""
    rows = [
        (1, "ana", "owner"),
        (2, "ana", "owner"),
        (3, "ana", "owner"),
        (4, "ana", "reminder"),
        (12, "dora", "owner"),
        (7, "#sop-decisions", "escalation"),
        (10, "ana", "digest"),
    ]
    for number, person, purpose in rows:
        session.add(
            ChatMessage(
                recommendation_id=ids[number],
                person_id=person,
                purpose=purpose,
                platform="local",
                channel="c",
                message_id=f"m{number}",
                ref={},
                created_at=received(number),
            )
        )
