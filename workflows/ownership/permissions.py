"""Who may decide a recommendation: its owner, whoever acts for the owner while they are
away (their delegate, else the backup: `absences.covering`), the backup, someone on the
escalation chain deciding on the owner's behalf, or a stand-in: whoever a message of it
was sent to because its recipient could not be reached (or instead of an absent
escalation contact). Nobody else; a delegate's right ends with the absence.

One rule each way: the escalation chain is `routing.escalation_target` (whom the SLA
escalates to is who may decide), and a stand-in is whoever the outbox's delivery
fallback actually sent it to (recorded with the fallback, `record_stand_in`), so a
person is never sent a recommendation they may not decide, nor may decide one that
was never put in front of them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import EventKind, Role
from storage.models import Event, Recommendation
from workflows.audit import record_event
from workflows.ownership.absences import absences, covering
from workflows.ownership.routing import escalation_contacts


def role_of(
    *, config: Config, rec: Recommendation, person_id: str, stand_ins: Collection[str] = ()
) -> Role | None:
    if person_id == rec.owner_id:
        return Role.OWNER
    if rec.backup_id and person_id == rec.backup_id:
        return Role.BACKUP
    contacts = escalation_contacts(config=config, type_name=rec.type, owner_id=rec.owner_id)
    if person_id in contacts:
        return Role.ESCALATION
    if person_id in stand_ins:
        return Role.REVIEWER
    return None


def deciders(*, config: Config, rec: Recommendation) -> list[str]:
    """Everyone the configuration lets decide, owner first: the people a reassign list or
    a queue uses (stand-ins come from the outbox's history: `role_in`)."""
    people = [rec.owner_id]
    if rec.backup_id:
        people.append(rec.backup_id)
    people += escalation_contacts(config=config, type_name=rec.type, owner_id=rec.owner_id)
    return list(dict.fromkeys(people))


def record_stand_in(
    session: Session,
    *,
    rec: Recommendation,
    person_id: str,
    instead_of: str | None,
    at: datetime,
) -> None:
    """`person_id` is sent `rec` because `instead_of` could not be reached: from now on
    they may decide it, on behalf of its current owner (a later hand-over ends that)."""
    record_event(
        session,
        kind=EventKind.FALLBACK,
        at=at,
        recommendation_id=rec.id,
        to=person_id,
        instead_of=instead_of,
        owner=rec.owner_id,
    )


def stand_ins(session: Session, *, rec: Recommendation) -> set[str]:
    """Who was sent `rec` as a fallback while its current owner held it."""
    rows = session.scalars(
        select(Event.data).where(
            Event.recommendation_id == rec.id, Event.kind == EventKind.FALLBACK
        )
    )
    return {data["to"] for data in rows if data.get("owner") == rec.owner_id and "to" in data}


def role_in(
    session: Session, *, config: Config, rec: Recommendation, person_id: str, now: datetime
) -> Role | None:
    """`role_of` with what the configuration cannot say read from the database: whether
    `person_id` acts for the owner, away at `now` (a delegate decides as the delegate,
    whatever else they are), and the stand-ins from the audit trail. The owner deciding,
    the common case, costs no query."""
    role = role_of(config=config, rec=rec, person_id=person_id)
    if role == Role.OWNER:
        return role
    away = absences(session, now=now)
    if covering(away, owner_id=rec.owner_id, backup=rec.backup_id, person_id=person_id):
        return Role.DELEGATE
    if role is not None:
        return role
    return role_of(
        config=config, rec=rec, person_id=person_id, stand_ins=stand_ins(session, rec=rec)
    )
