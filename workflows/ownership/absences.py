"""Out of office: a person (or their manager) says they are away until a date, with a
delegate. While they are away new items route to the delegate (else the type's backup),
their open items are offered to the delegate with the owner's name on them, escalations
skip them to the next level, and the delegate may decide. SLA clocks keep running: an
absence moves who acts, never when. The absence ends by itself at the midnight after its
last day in the person's time zone; every step is audited with both names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import EventKind
from storage.models import Absence
from workflows.audit import record_event
from workflows.errors import InvalidInput, NotPermitted
from workflows.ownership.routing import RoutingResult


@dataclass(frozen=True)
class Away:
    """An absence as the rest of the product reads it."""

    person_id: str
    until: date
    ends_at: datetime
    delegate_id: str | None
    set_by: str


def _view(row: Absence) -> Away:
    return Away(row.person_id, row.until, row.ends_at, row.delegate_id, row.set_by)


def ends_at(config: Config, *, person_id: str, until: date) -> datetime:
    """The midnight after `until` in the person's time zone: the last day is theirs."""
    return datetime.combine(until + timedelta(days=1), time(0), config.person_tz(person_id))


def may_set(config: Config, *, actor_id: str | None, person_id: str) -> bool:
    """The person themself or their manager; None is the operator's CLI."""
    if actor_id is None or actor_id == person_id:
        return True
    person = config.people_by_id.get(person_id)
    return person is not None and person.manager == actor_id


def set_absence(
    session: Session,
    *,
    config: Config,
    now: datetime,
    actor_id: str | None,
    person_id: str,
    until: date,
    delegate_id: str | None,
) -> Away:
    """Set (or replace) `person_id`'s absence; refused with a sentence saying why."""
    if person_id not in config.people_by_id:
        raise InvalidInput("person", f"nobody called '{person_id}' is in the configuration")
    if not may_set(config, actor_id=actor_id, person_id=person_id):
        raise NotPermitted(f"only {person_id} or their manager may set their absence")
    if delegate_id is not None and delegate_id not in config.people_by_id:
        raise InvalidInput("delegate", f"nobody called '{delegate_id}' is in the configuration")
    if delegate_id == person_id:
        raise InvalidInput("delegate", "the delegate must be someone else")
    end = ends_at(config, person_id=person_id, until=until)
    if end <= now:
        raise InvalidInput("until", f"{until.isoformat()} has passed: give the last day away")
    row = session.get(Absence, person_id)
    if row is None:
        row = Absence(person_id=person_id)
        session.add(row)
    row.until, row.ends_at, row.delegate_id = until, end, delegate_id
    row.set_by, row.set_at = actor_id or "cli", now
    record_event(
        session,
        kind=EventKind.AWAY,
        at=now,
        actor_id=actor_id,
        person_id=person_id,
        delegate_id=delegate_id,
        until=until.isoformat(),
    )
    return _view(row)


def clear_absence(
    session: Session, *, config: Config, now: datetime, actor_id: str | None, person_id: str
) -> bool:
    """End `person_id`'s absence now; False if they were not away."""
    if not may_set(config, actor_id=actor_id, person_id=person_id):
        raise NotPermitted(f"only {person_id} or their manager may end their absence")
    row = session.get(Absence, person_id)
    if row is None:
        return False
    record_event(
        session,
        kind=EventKind.BACK,
        at=now,
        actor_id=actor_id,
        person_id=person_id,
        delegate_id=row.delegate_id,
        reason="cleared",
    )
    session.delete(row)
    return True


def end_expired(session: Session, *, now: datetime) -> list[Away]:
    """Delete and audit the absences whose end has passed (the absence ends by itself;
    readers already ignore them, this keeps the trail saying when)."""
    rows = session.scalars(select(Absence).where(Absence.ends_at <= now)).all()
    for row in rows:
        record_event(
            session,
            kind=EventKind.BACK,
            at=now,
            person_id=row.person_id,
            delegate_id=row.delegate_id,
            reason=f"ended after {row.until.isoformat()}",
        )
    if rows:
        session.execute(delete(Absence).where(Absence.ends_at <= now))
    return [_view(r) for r in rows]


def absences(session: Session, *, now: datetime) -> dict[str, Away]:
    """Who is away at `now`, by person id."""
    rows = session.scalars(select(Absence).where(Absence.ends_at > now)).all()
    return {r.person_id: _view(r) for r in rows}


def stand_in(away: Mapping[str, Away], *, person_id: str, backup: str | None) -> str | None:
    """Who acts for `person_id`: themself if present, else their delegate, else the
    backup, skipping anyone who is away too (a chain of delegates, at most one round)."""
    seen: set[str] = set()
    current: str | None = person_id
    while current is not None and current in away and current not in seen:
        seen.add(current)
        current = away[current].delegate_id or (backup if backup not in seen else None)
    return current if current not in away else None


def route_around(routing: RoutingResult, away: Mapping[str, Away]) -> RoutingResult:
    """A new item for an absent owner goes to their stand-in; the route says both names.
    The due time and reminders stay those of the owner's SLA: the clock keeps running."""
    owner = routing.owner
    if owner not in away:
        return routing
    taker = stand_in(away, person_id=owner, backup=routing.backup)
    if taker is None or taker == owner:
        return routing
    until = away[owner].until.isoformat()
    return replace(
        routing,
        owner=taker,
        backup=routing.backup if routing.backup != taker else None,
        route=f"{routing.route}; {owner} away until {until}: delegated to {taker}",
    )


def delegators(away: Mapping[str, Away], *, person_id: str) -> list[str]:
    """Whose work `person_id` covers now."""
    return sorted(p for p, a in away.items() if a.delegate_id == person_id)
