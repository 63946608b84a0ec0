"""Read side: a recommendation with its history, lists, queues and metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import Status
from storage.models import Assignment, Decision, Event, Recommendation
from workflows.ownership.routing import escalation_target


class DecisionView(BaseModel):
    kind: str
    actor: str
    role: str
    on_behalf_of: str | None
    reason_code: str | None
    note: str | None
    value: float | None
    channel: str
    decided_at: datetime


class EventView(BaseModel):
    kind: str
    actor: str | None
    at: datetime
    data: dict[str, Any]


class AssignmentView(BaseModel):
    owner: str
    backup: str | None
    assigned_at: datetime
    assigned_by: str | None
    reason: str | None


class RecommendationView(BaseModel):
    id: int
    external_id: str
    source: str
    revision: int
    type: str
    title: str
    action: str
    sku: str | None
    site: str | None
    supplier: str | None
    customer: str | None
    product_family: str | None
    quantity: float | None
    baseline_value: float | None = None
    unit: str | None
    confidence: float | None
    interval_low: float | None
    interval_high: float | None
    drivers: list[dict[str, Any]]
    links: list[dict[str, Any]]
    event_time: datetime | None
    recorded_time: datetime | None
    received_at: datetime
    respond_by: datetime | None
    status: str
    tier: str
    owner: str
    backup: str | None
    route: str | None
    due_at: datetime
    decided_at: datetime | None
    decision: DecisionView | None = None
    decisions: list[DecisionView] = []
    owners: list[AssignmentView] = []
    events: list[EventView] = []


def _decision_view(d: Decision) -> DecisionView:
    return DecisionView(
        kind=d.kind,
        actor=d.actor_id,
        role=d.role,
        on_behalf_of=d.on_behalf_of,
        reason_code=d.reason_code,
        note=d.note,
        value=d.value,
        channel=d.channel,
        decided_at=d.decided_at,
    )


def summary_view(rec: Recommendation) -> RecommendationView:
    decisions = [_decision_view(d) for d in rec.decisions]
    human = [d for d in decisions if d.kind != "auto"]
    return RecommendationView(
        id=rec.id,
        external_id=rec.external_id,
        source=rec.source,
        revision=rec.revision,
        type=rec.type,
        title=rec.title,
        action=rec.action,
        sku=rec.sku,
        site=rec.site,
        supplier=rec.supplier,
        customer=rec.customer,
        product_family=rec.product_family,
        quantity=rec.quantity,
        baseline_value=rec.baseline_value,
        unit=rec.unit,
        confidence=rec.confidence,
        interval_low=rec.interval_low,
        interval_high=rec.interval_high,
        drivers=rec.drivers or [],
        links=rec.links or [],
        event_time=rec.event_time,
        recorded_time=rec.recorded_time,
        received_at=rec.received_at,
        respond_by=rec.respond_by,
        status=rec.status,
        tier=rec.tier,
        owner=rec.owner_id,
        backup=rec.backup_id,
        route=rec.route,
        due_at=rec.due_at,
        decided_at=rec.decided_at,
        decision=(human or decisions or [None])[0],
        decisions=decisions,
    )


def recommendation_detail(session: Session, recommendation_id: int) -> RecommendationView | None:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        return None
    view = summary_view(rec)
    events = list(
        session.scalars(select(Event).where(Event.recommendation_id == rec.id).order_by(Event.id))
    )
    view.events = [
        EventView(kind=e.kind, actor=e.actor_id, at=e.at, data=e.data or {}) for e in events
    ]
    # Owner history: the routed owner (from the `received` event), then each hand-over.
    received = next((e for e in events if e.kind == "received"), None)
    if received is not None:
        view.owners.append(
            AssignmentView(
                owner=received.data.get("owner", rec.owner_id),
                backup=received.data.get("backup"),
                assigned_at=received.at,
                assigned_by=None,
                reason=received.data.get("route"),
            )
        )
    view.owners += [
        AssignmentView(
            owner=a.owner_id,
            backup=a.backup_id,
            assigned_at=a.assigned_at,
            assigned_by=a.assigned_by,
            reason=a.reason,
        )
        for a in session.scalars(
            select(Assignment).where(Assignment.recommendation_id == rec.id).order_by(Assignment.id)
        )
    ]
    return view


def list_recommendations(
    session: Session,
    *,
    status: str | None = None,
    type_: str | None = None,
    owner: str | None = None,
    limit: int = 50,
    after_id: int | None = None,
) -> list[Recommendation]:
    query = select(Recommendation).order_by(Recommendation.id).limit(limit)
    if status:
        query = query.where(Recommendation.status == status)
    if type_:
        query = query.where(Recommendation.type == type_)
    if owner:
        query = query.where(Recommendation.owner_id == owner)
    if after_id is not None:
        query = query.where(Recommendation.id > after_id)
    return list(session.scalars(query))


def waiting_on(config: Config | None, person_id: str) -> ColumnElement[bool]:
    """What waits on `person_id`: what they own, and what has escalated to them (an
    escalation level at or past one whose target is them, by the same rule the SLA
    escalates with and `escalation_contacts` lets decide). A manager's queue is the
    escalations waiting on them, not only their own items. Read from the owner's
    columns (the owner-queue index), not from the ever-growing audit trail."""
    owned = Recommendation.owner_id == person_id
    if config is None:
        return owned
    escalated: list[ColumnElement[bool]] = []
    for type_name, rtype in config.recommendation_types.items():
        for owner in config.people:
            levels = [
                level
                for level in range(1, len(rtype.escalation) + 1)
                if escalation_target(
                    config=config, type_name=type_name, owner_id=owner.id, level=level
                )
                == person_id
            ]
            if levels:
                escalated.append(
                    and_(
                        Recommendation.owner_id == owner.id,
                        Recommendation.type == type_name,
                        Recommendation.escalation_level >= min(levels),
                    )
                )
    return or_(owned, *escalated) if escalated else or_(owned, false())


def open_queue(
    session: Session,
    *,
    person_id: str,
    limit: int = 50,
    offset: int = 0,
    config: Config | None = None,
) -> list[Recommendation]:
    """A person's undecided recommendations, soonest due first (App Home, `queue`);
    with `config`, the escalations waiting on them too; `offset` for a page."""
    return list(
        session.scalars(
            select(Recommendation)
            .where(waiting_on(config, person_id), Recommendation.status == Status.OPEN)
            .order_by(Recommendation.due_at, Recommendation.id)
            .limit(limit)
            .offset(offset)
        )
    )


def count_open_for(session: Session, *, person_id: str, config: Config | None = None) -> int:
    """How many recommendations wait for `person_id` (with `config`, escalations to them
    included): the queue's length, for its pages."""
    query = (
        select(func.count())
        .select_from(Recommendation)
        .where(waiting_on(config, person_id), Recommendation.status == Status.OPEN)
    )
    return session.scalar(query) or 0


def count_open(session: Session) -> int:
    """Recommendations waiting for a decision, across every replica: answered from the
    partial index of open rows (ix_recommendations_due), cheap enough for each scrape."""
    query = (
        select(func.count()).select_from(Recommendation).where(Recommendation.status == Status.OPEN)
    )
    return session.scalar(query) or 0
