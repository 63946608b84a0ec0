"""Accept, override, reassign: the workflow every adapter and the API call.

Exactly one final decision per recommendation is the database's job (a unique key on
decisions), so a double click, a Slack retry or two replicas cannot record two."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import local_time_label
from core.domain import Action, DecisionKind, EventKind, OutboxKind, Role, Status
from storage.models import Assignment, Decision, Recommendation
from storage.models.sla_clock import stop_clock
from workflows.audit import record_event
from workflows.base import WorkflowContext
from workflows.context.rules.decision_hooks import after_final_decision
from workflows.decisions.inbound import any_delivered, claim_deliveries
from workflows.errors import (
    AlreadyDecided,
    InvalidInput,
    NotFound,
    NotPermitted,
    RepeatedDelivery,
    Withdrawn,
)
from workflows.outbox import enqueue, enqueue_refresh
from workflows.ownership.permissions import role_in

NOTE_MAX = 2000


class _Refused(Exception):
    """Internal: the actor may not decide; recorded, then raised as NotPermitted."""


class _HolderChanged(Exception):
    """Internal: the owner changed between reading and writing (a reassignment committed
    meanwhile); the decision is authorised again against the new owner."""


@dataclass(frozen=True)
class DecisionRequest:
    """A decision as any channel submits it; validated by `decide`."""

    recommendation_id: int
    actor_id: str
    action: Action
    channel: str  # slack | teams | local | api
    reason_code: str | None = None
    note: str | None = None
    value: float | None = None
    to: str | None = None  # reassign target
    # Platform delivery ids (a Teams activity, a card submit) marked handled in the
    # decision's own transaction: handled exactly when the decision is recorded.
    deliveries: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionRecorded:
    recommendation_id: int
    action: Action
    actor_id: str
    role: Role
    at: datetime
    summary: str  # "Accepted by Ana Lopez at Mon 30 Nov 10:14 CET"


def decide(ctx: WorkflowContext, request: DecisionRequest) -> DecisionRecorded:
    """Validate and record; raises a WorkflowError a planner can read when refused."""
    _validate_input(ctx, request)
    try:
        try:
            recorded, metered = _decide_once(ctx, request)
        except _HolderChanged:  # ownership moved meanwhile: authorise again
            recorded, metered = _decide_once(ctx, request)
    except _Refused as refused:
        _record_refusal(ctx, request)
        raise NotPermitted(str(refused)) from None
    except IntegrityError:
        if any_delivered(
            database=ctx.database, platform=request.channel, delivery_ids=request.deliveries
        ):
            raise RepeatedDelivery("This click was handled already.") from None
        # Someone else's decision won the race: tell this person who and when.
        with ctx.database.transaction() as session:
            raise _already_decided(ctx, session, request.recommendation_id) from None
    if metered is not None:  # committed final decisions only, not hand-overs
        ctx.meter.decided(action=request.action, type_=metered[0], seconds=metered[1])
    return recorded


def check_decision(ctx: WorkflowContext, request: DecisionRequest) -> None:
    """Raises InvalidInput for what the configuration alone refuses: a chat form can
    answer it next to the field before any database work (the actor is not read)."""
    _validate_input(ctx, request)


def _decide_once(
    ctx: WorkflowContext, request: DecisionRequest
) -> tuple[DecisionRecorded, tuple[str, float] | None]:
    """One attempt in one transaction, the click's delivery ids claimed with it;
    returns what to meter (type, seconds waited) for a final decision."""
    with ctx.database.transaction() as session:
        claim_deliveries(
            session,
            platform=request.channel,
            delivery_ids=request.deliveries,
            at=ctx.clock.now(),
        )
        rec = _load(session, request.recommendation_id)
        role = _authorise(ctx, session, rec, request)
        if request.action == Action.REASSIGN:
            return _reassign(ctx, session, rec, request, role), None
        recorded = _record_final(ctx, session, rec, request, role)
        return recorded, (rec.type, (recorded.at - rec.received_at).total_seconds())


def record_accept(ctx: WorkflowContext, *, recommendation_id: int, actor_id: str, channel: str):
    return decide(ctx, DecisionRequest(recommendation_id, actor_id, Action.ACCEPT, channel))


def record_override(
    ctx: WorkflowContext,
    *,
    recommendation_id: int,
    actor_id: str,
    channel: str,
    reason_code: str | None,
    note: str | None = None,
    value: float | None = None,
) -> DecisionRecorded:
    return decide(
        ctx,
        DecisionRequest(
            recommendation_id,
            actor_id,
            Action.OVERRIDE,
            channel,
            reason_code=reason_code,
            note=note,
            value=value,
        ),
    )


def record_reassign(
    ctx: WorkflowContext,
    *,
    recommendation_id: int,
    actor_id: str,
    channel: str,
    to: str | None,
    note: str | None,
) -> DecisionRecorded:
    return decide(
        ctx,
        DecisionRequest(recommendation_id, actor_id, Action.REASSIGN, channel, to=to, note=note),
    )


def _validate_input(ctx: WorkflowContext, request: DecisionRequest) -> None:
    note = (request.note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("note", f"Keep the note under {NOTE_MAX} characters.")
    if request.value is not None and not math.isfinite(request.value):
        raise InvalidInput("value", "The alternative value must be a number.")
    if request.action == Action.OVERRIDE:
        if not request.reason_code:
            raise InvalidInput("reason_code", "Choose a reason for the override.")
        reason = ctx.config.reason_codes_by_code.get(request.reason_code)
        if reason is None:
            raise InvalidInput("reason_code", f"Unknown reason code '{request.reason_code}'.")
        if reason.note_required and not note:
            raise InvalidInput("note", f"'{reason.label}' needs a note: what do you know?")
    if request.action == Action.REASSIGN:
        if not request.to:
            raise InvalidInput("to", "Choose who should take it.")
        if request.to not in ctx.config.people_by_id:
            raise InvalidInput("to", f"Unknown person '{request.to}'.")
        if not note:
            raise InvalidInput("note", "Say why you are handing it over.")


def _load(session: Session, recommendation_id: int) -> Recommendation:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(f"Recommendation {recommendation_id} does not exist.")
    return rec


def _authorise(
    ctx: WorkflowContext, session: Session, rec: Recommendation, request: DecisionRequest
) -> Role:
    if rec.status == Status.WITHDRAWN:
        raise Withdrawn("The planning system withdrew this recommendation; nothing to decide.")
    human = next((d for d in rec.decisions if not d.automatic), None)
    if human is not None:
        raise _already_decided(ctx, session, rec.id)
    auto = next((d for d in rec.decisions if d.automatic), None)
    if auto is not None and request.action != Action.OVERRIDE:
        raise AlreadyDecided(
            "sopbot (automatic)", auto.decided_at, "auto", _when(ctx, auto.decided_at, request)
        )
    role = role_in(
        session, config=ctx.config, rec=rec, person_id=request.actor_id, now=ctx.clock.now()
    )
    if role is None:
        owner = ctx.config.display_name(rec.owner_id)
        raise _Refused(
            f"Only {owner}, their backup or their escalation contacts may decide this one."
        )
    if auto is not None and ctx.clock.now() > rec.due_at:
        raise NotPermitted("The override window of this automatic acceptance has closed.")
    if request.action == Action.REASSIGN and request.to == rec.owner_id:
        raise InvalidInput("to", f"{ctx.config.display_name(rec.owner_id)} already owns it.")
    return role


def _record_refusal(ctx: WorkflowContext, request: DecisionRequest) -> None:
    """The refused attempt is audited after the checking transaction has ended (SQLite
    has one writer: a second transaction inside the first would wait for itself)."""
    with ctx.database.transaction() as session:
        record_event(
            session,
            kind=EventKind.DECISION_REFUSED,
            at=ctx.clock.now(),
            recommendation_id=request.recommendation_id,
            actor_id=request.actor_id,
            action=request.action.value,
            channel=request.channel,
        )


def _record_final(
    ctx: WorkflowContext,
    session: Session,
    rec: Recommendation,
    request: DecisionRequest,
    role: Role,
) -> DecisionRecorded:
    now = ctx.clock.now()
    kind = DecisionKind.ACCEPT if request.action == Action.ACCEPT else DecisionKind.OVERRIDE
    decision = Decision(
        recommendation_id=rec.id,
        automatic=False,
        kind=kind,
        actor_id=request.actor_id,
        role=role,
        on_behalf_of=rec.owner_id if role != Role.OWNER else None,
        reason_code=request.reason_code if kind == DecisionKind.OVERRIDE else None,
        note=(request.note or "").strip() or None,
        value=request.value if kind == DecisionKind.OVERRIDE else None,
        channel=request.channel,
        decided_at=now,
    )
    session.add(decision)
    session.flush()  # the unique key speaks here
    # Compare-and-set on the status and the holder read above: a withdrawal committed
    # meanwhile wins, a reassignment sends the decision back to be authorised against
    # the new owner; either way this transaction (decision row included) rolls back.
    read_status = rec.status  # the in-session object is synchronised by the UPDATE
    changed = session.execute(
        update(Recommendation)
        .where(
            Recommendation.id == rec.id,
            Recommendation.status == read_status,
            Recommendation.owner_id == rec.owner_id,
        )
        .values(status=Status.DECIDED, decided_at=now)
    ).rowcount
    if changed == 1:  # nothing left for the SLA sweep (the guard holds the row)
        session.execute(stop_clock(rec.id))
    else:
        status = session.scalar(select(Recommendation.status).where(Recommendation.id == rec.id))
        if status == read_status:
            raise _HolderChanged
        raise Withdrawn("The planning system withdrew this recommendation; nothing to decide.")
    event_kind = EventKind.ACCEPTED if kind == DecisionKind.ACCEPT else EventKind.OVERRIDDEN
    record_event(
        session,
        kind=event_kind,
        at=now,
        recommendation_id=rec.id,
        actor_id=request.actor_id,
        role=role.value,
        channel=request.channel,
        reason_code=decision.reason_code,
        note=decision.note,
        value=decision.value,
        on_behalf_of=decision.on_behalf_of,
    )
    after_final_decision(session, config=ctx.config, rec=rec, decision=decision, now=now)
    enqueue_refresh(session, recommendation_id=rec.id, key=f"decision:{decision.id}", now=now)
    verb = "Accepted" if kind == DecisionKind.ACCEPT else "Overridden"
    return DecisionRecorded(
        recommendation_id=rec.id,
        action=request.action,
        actor_id=request.actor_id,
        role=role,
        at=now,
        summary=f"{verb} by {ctx.config.display_name(request.actor_id)} "
        f"at {_when(ctx, now, request)}",
    )


def _reassign(
    ctx: WorkflowContext,
    session: Session,
    rec: Recommendation,
    request: DecisionRequest,
    role: Role,
) -> DecisionRecorded:
    now = ctx.clock.now()
    assert request.to is not None
    previous = rec.owner_id
    backup = rec.backup_id if rec.backup_id != request.to else previous
    changed = session.execute(
        update(Recommendation)
        .where(
            Recommendation.id == rec.id,
            Recommendation.status == Status.OPEN,
            Recommendation.owner_id == previous,
        )
        .values(owner_id=request.to, backup_id=backup)
    ).rowcount
    if changed != 1:
        raise _already_decided(ctx, session, rec.id)
    assignment = Assignment(
        recommendation_id=rec.id,
        owner_id=request.to,
        backup_id=backup,
        assigned_at=now,
        assigned_by=request.actor_id,
        reason=request.note,
    )
    session.add(assignment)
    session.flush()
    record_event(
        session,
        kind=EventKind.REASSIGNED,
        at=now,
        recommendation_id=rec.id,
        actor_id=request.actor_id,
        role=role.value,
        channel=request.channel,
        previous_owner=previous,
        new_owner=request.to,
        note=request.note,
    )
    enqueue_refresh(session, recommendation_id=rec.id, key=f"reassign:{assignment.id}", now=now)
    enqueue(
        session,
        kind=OutboxKind.DELIVER,
        key=f"deliver:{rec.id}:a{assignment.id}",
        now=now,
        recommendation_id=rec.id,
        person_id=request.to,
        payload={"handed_over_by": request.actor_id, "note": request.note},
    )
    return DecisionRecorded(
        recommendation_id=rec.id,
        action=request.action,
        actor_id=request.actor_id,
        role=role,
        at=now,
        summary=f"Reassigned to {ctx.config.display_name(request.to)} by "
        f"{ctx.config.display_name(request.actor_id)} at {_when(ctx, now, request)}",
    )


def _when(ctx: WorkflowContext, moment: datetime, request: DecisionRequest) -> str:
    return local_time_label(moment, ctx.config.person_tz(request.actor_id))


def _already_decided(
    ctx: WorkflowContext, session: Session, recommendation_id: int
) -> AlreadyDecided:
    decision = session.scalars(
        select(Decision)
        .where(Decision.recommendation_id == recommendation_id)
        .order_by(Decision.automatic, Decision.id)
    ).first()
    if decision is None:
        rec = _load(session, recommendation_id)
        when = local_time_label(ctx.clock.now(), ctx.config.person_tz(rec.owner_id))
        return AlreadyDecided(
            ctx.config.display_name(rec.owner_id), ctx.clock.now(), "reassigned", when
        )
    who = ctx.config.display_name(decision.actor_id)
    tz = ctx.config.person_tz(decision.actor_id)
    return AlreadyDecided(
        who, decision.decided_at, decision.kind, local_time_label(decision.decided_at, tz)
    )
