"""One row per recommendation in the review window, with its decision and its outcome:
everything the review computes is a function of these rows, so the numbers of every
format (md, html, csv, json, chat) come from the same place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.domain import DecisionKind
from storage.models import Assignment, ChatMessage, Decision, Outcome, Recommendation

DIRECT_PURPOSES = ("owner", "reminder", "escalation")


@dataclass(frozen=True)
class Window:
    """Received in [start, end); the dates as typed, for titles."""

    start: datetime | None
    end: datetime | None
    since: date | None
    until: date | None
    type: str | None

    @classmethod
    def of(
        cls, *, since: date | None, until: date | None, type_: str | None, tz: ZoneInfo
    ) -> Window:
        start = datetime.combine(since, time(0), tz) if since else None
        end = datetime.combine(until + timedelta(days=1), time(0), tz) if until else None
        return cls(start=start, end=end, since=since, until=until, type=type_)

    def label(self) -> str:
        since = self.since.isoformat() if self.since else "the beginning"
        until = self.until.isoformat() if self.until else "now"
        return f"{since} to {until}" + (f", type {self.type}" if self.type else "")


@dataclass(frozen=True)
class ReviewRow:
    id: int
    external_id: str
    type: str
    owner: str
    site: str | None
    supplier: str | None
    customer: str | None
    sku: str | None
    status: str
    tier: str
    confidence: float | None
    interval_low: float | None
    interval_high: float | None
    ai_value: float | None  # the recommendation's quantity
    naive_value: float | None  # baseline_value, else the last earlier actual of sku + site
    received_at: datetime
    due_at: datetime
    escalation_level: int
    reassigned: bool
    kind: str | None  # accept | override | auto (auto only when no human decision)
    actor: str | None
    reason_code: str | None
    override_value: float | None
    decided_at: datetime | None  # the human decision's time
    actual: float | None
    ai_correct: bool | None

    @property
    def human(self) -> bool:
        return self.kind in (DecisionKind.ACCEPT, DecisionKind.OVERRIDE)

    @property
    def overridden(self) -> bool:
        return self.kind == DecisionKind.OVERRIDE

    @property
    def final_value(self) -> float | None:
        """What was decided: the override's value, else the AI's (accepted as is). An
        override without a value has no number to compare."""
        if self.kind == DecisionKind.OVERRIDE:
            return self.override_value
        if self.kind in (DecisionKind.ACCEPT, DecisionKind.AUTO):
            return self.ai_value
        return None

    @property
    def ai_right(self) -> bool | None:
        """The verdict if reported, else whether the actual fell inside the interval."""
        if self.ai_correct is not None:
            return self.ai_correct
        if self.actual is None or self.interval_low is None or self.interval_high is None:
            return None
        return self.interval_low <= self.actual <= self.interval_high

    @property
    def override_won(self) -> bool | None:
        """Did the override land closer to the actual than the AI? Without values, the
        verdict on the AI answers it (the AI wrong: the override was right)."""
        if not self.overridden:
            return None
        final, ai, actual = self.override_value, self.ai_value, self.actual
        if final is not None and ai is not None and actual is not None:
            return abs(final - actual) < abs(ai - actual)
        if self.ai_correct is not None:
            return not self.ai_correct
        return None


def _scoped(query: Select[Any], window: Window) -> Select[Any]:
    if window.start is not None:
        query = query.where(Recommendation.received_at >= window.start)
    if window.end is not None:
        query = query.where(Recommendation.received_at < window.end)
    if window.type is not None:
        query = query.where(Recommendation.type == window.type)
    return query


def _naive_values(session: Session, recs: Sequence[Recommendation]) -> dict[int, float | None]:
    """Per recommendation without a baseline, the actual of the latest earlier
    recommendation of the same sku at the same site (the naive "same as last time")."""
    needed = {(r.sku, r.site) for r in recs if r.baseline_value is None and r.sku}
    history: dict[tuple[str | None, str | None], list[tuple[datetime, float]]] = {}
    if needed:
        rows = session.execute(
            select(
                Recommendation.sku,
                Recommendation.site,
                Recommendation.received_at,
                Outcome.actual_value,
            )
            .join(Outcome, Outcome.recommendation_id == Recommendation.id)
            .where(
                Recommendation.sku.in_({sku for sku, _ in needed}),
                Outcome.actual_value.is_not(None),
            )
        ).all()
        for row in rows:
            history.setdefault((row.sku, row.site), []).append((row.received_at, row.actual_value))
    naive: dict[int, float | None] = {}
    for rec in recs:
        if rec.baseline_value is not None:
            naive[rec.id] = rec.baseline_value
            continue
        earlier = [
            (at, v) for at, v in history.get((rec.sku, rec.site), []) if at < rec.received_at
        ]
        naive[rec.id] = max(earlier)[1] if earlier else None
    return naive


def load_history(session: Session, *, window: Window) -> list[ReviewRow]:
    recs = list(
        session.scalars(_scoped(select(Recommendation), window).order_by(Recommendation.id))
    )
    ids = [r.id for r in recs]
    outcomes: dict[int, Outcome] = {}
    reassigned: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for outcome in session.scalars(select(Outcome).where(Outcome.recommendation_id.in_(chunk))):
            outcomes[outcome.recommendation_id] = outcome
        reassigned.update(
            session.scalars(
                select(Assignment.recommendation_id).where(Assignment.recommendation_id.in_(chunk))
            )
        )
    naive = _naive_values(session, recs)
    rows = []
    for rec in recs:
        human = next((d for d in rec.decisions if not d.automatic), None)
        auto = next((d for d in rec.decisions if d.automatic), None)
        decision: Decision | None = human or auto
        outcome = outcomes.get(rec.id)
        rows.append(
            ReviewRow(
                id=rec.id,
                external_id=rec.external_id,
                type=rec.type,
                owner=rec.owner_id,
                site=rec.site,
                supplier=rec.supplier,
                customer=rec.customer,
                sku=rec.sku,
                status=rec.status,
                tier=rec.tier,
                confidence=rec.confidence,
                interval_low=rec.interval_low,
                interval_high=rec.interval_high,
                ai_value=rec.quantity,
                naive_value=naive.get(rec.id),
                received_at=rec.received_at,
                due_at=rec.due_at,
                escalation_level=rec.escalation_level,
                reassigned=rec.id in reassigned,
                kind=decision.kind if decision else None,
                actor=decision.actor_id if decision else None,
                reason_code=decision.reason_code if decision else None,
                override_value=decision.value if decision else None,
                decided_at=human.decided_at if human else None,
                actual=outcome.actual_value if outcome else None,
                ai_correct=outcome.ai_correct if outcome else None,
            )
        )
    return rows


def direct_messages(session: Session, *, window: Window) -> dict[str, int]:
    """Interactive direct messages per person in the window (digests and channel posts
    are not direct messages)."""
    query = select(ChatMessage.person_id, ChatMessage.recommendation_id, ChatMessage.created_at)
    query = query.where(
        ChatMessage.purpose.in_(DIRECT_PURPOSES), ChatMessage.person_id.is_not(None)
    )
    if window.start is not None:
        query = query.where(ChatMessage.created_at >= window.start)
    if window.end is not None:
        query = query.where(ChatMessage.created_at < window.end)
    if window.type is not None:
        query = query.join(Recommendation, Recommendation.id == ChatMessage.recommendation_id)
        query = query.where(Recommendation.type == window.type)
    counts: dict[str, int] = {}
    for row in session.execute(query):
        if row.person_id.startswith("#"):
            continue
        counts[row.person_id] = counts.get(row.person_id, 0) + 1
    return counts
