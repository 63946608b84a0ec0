"""One row per recommendation in the review window, with its decision and its outcome:
everything the review computes is a function of these rows, so the numbers of every
format (md, html, csv, json, chat) come from the same place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.config import RecommendationType
from core.domain import DecisionKind, EventKind, Status
from storage.models import Assignment, ChatMessage, Decision, Event, Outcome, Recommendation
from workflows.review.naive import event_time, naive_values

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
    unit: str  # the unit of the values: the recommendation's, else its type's value label
    ai_value: float | None  # the recommendation's quantity
    naive_value: float | None  # see workflows.review.naive
    event_time: datetime
    received_at: datetime
    due_at: datetime  # the current due time (after any extension)
    first_due_at: datetime  # the SLA as first set: before any extension
    extended_by: tuple[str, ...]  # who extended the SLA, in order
    escalation_level: int  # the highest escalation reached before the human decision
    reassigned: bool
    kind: str | None  # accept | override | auto (auto only when no human decision)
    actor: str | None
    reason_code: str | None
    override_value: float | None
    note: str | None  # the decision's note: the reason in the decider's words
    decided_at: datetime | None  # the human decision's time
    actual: float | None
    ai_correct: bool | None

    @property
    def withdrawn(self) -> bool:
        return self.status == Status.WITHDRAWN

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
    def override_verdict(self) -> str | None:
        """won (strictly closer to the actual than the AI), tie (equally close) or lost.
        Without values, the verdict on the AI answers it (the AI wrong: won). Withdrawn
        items are never judged."""
        if not self.overridden or self.withdrawn:
            return None
        final, ai, actual = self.override_value, self.ai_value, self.actual
        if final is not None and ai is not None and actual is not None:
            off_final, off_ai = abs(final - actual), abs(ai - actual)
            return "won" if off_final < off_ai else "tie" if off_final == off_ai else "lost"
        if self.ai_correct is not None:
            return "lost" if self.ai_correct else "won"
        return None

    @property
    def override_won(self) -> bool | None:
        """Strictly closer: a tie is not a win (ties are reported apart)."""
        verdict = self.override_verdict
        return None if verdict is None else verdict == "won"


def _scoped(query: Select[Any], window: Window) -> Select[Any]:
    if window.start is not None:
        query = query.where(Recommendation.received_at >= window.start)
    if window.end is not None:
        query = query.where(Recommendation.received_at < window.end)
    if window.type is not None:
        query = query.where(Recommendation.type == window.type)
    return query


def _sla_events(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, list[tuple[datetime, str, datetime]]], dict[int, list[tuple[datetime, int]]]]:
    """Per recommendation: its SLA extensions (at, by whom, the due time before) and its
    escalations (at, level), oldest first: an extension resets the current escalation
    level and due time, the audit trail keeps both."""
    extensions: dict[int, list[tuple[datetime, str, datetime]]] = {}
    escalations: dict[int, list[tuple[datetime, int]]] = {}
    kinds = (EventKind.SLA_EXTENDED, EventKind.ESCALATED)
    for start in range(0, len(ids), 500):
        query = (
            select(Event.recommendation_id, Event.kind, Event.at, Event.actor_id, Event.data)
            .where(Event.recommendation_id.in_(ids[start : start + 500]), Event.kind.in_(kinds))
            .order_by(Event.at, Event.id)
        )
        for row in session.execute(query):
            if row.kind == EventKind.SLA_EXTENDED:
                before = datetime.fromisoformat(row.data["previous_due"])
                entry = (row.at, row.actor_id or "?", before)
                extensions.setdefault(row.recommendation_id, []).append(entry)
            else:
                level = int(row.data.get("level") or 1)
                escalations.setdefault(row.recommendation_id, []).append((row.at, level))
    return extensions, escalations


def _level_before(
    escalated: list[tuple[datetime, int]], current: int, decided_at: datetime | None
) -> int:
    """The highest escalation reached before the decision (or so far, while undecided)."""
    if not escalated:  # rows written without an audit trail (imports): the stored level
        return current
    return max((lvl for at, lvl in escalated if decided_at is None or at < decided_at), default=0)


def load_history(
    session: Session, *, window: Window, types: Mapping[str, RecommendationType]
) -> list[ReviewRow]:
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
    naive = naive_values(session, recs)
    extensions, escalations = _sla_events(session, ids)
    units = {name: rtype.value_label for name, rtype in types.items()}
    rows = []
    for rec in recs:
        human = next((d for d in rec.decisions if not d.automatic), None)
        auto = next((d for d in rec.decisions if d.automatic), None)
        decision: Decision | None = human or auto
        outcome = outcomes.get(rec.id)
        extended = extensions.get(rec.id, [])
        decided_at = human.decided_at if human else None
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
                unit=rec.unit or units.get(rec.type, "quantity"),
                ai_value=rec.quantity,
                naive_value=naive.get(rec.id),
                event_time=event_time(rec),
                received_at=rec.received_at,
                due_at=rec.due_at,
                first_due_at=extended[0][2] if extended else rec.due_at,
                extended_by=tuple(by for _at, by, _before in extended),
                escalation_level=_level_before(
                    escalations.get(rec.id, []), rec.escalation_level, decided_at
                ),
                reassigned=rec.id in reassigned,
                kind=decision.kind if decision else None,
                actor=decision.actor_id if decision else None,
                reason_code=decision.reason_code if decision else None,
                override_value=decision.value if decision else None,
                note=decision.note if decision else None,
                decided_at=decided_at,
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
