"""Out of office: a person (or their manager) says they are away until a date, with a
delegate. While they are away new items route to the delegate (else the type's backup),
their open items are offered to the delegate with the owner's name on them, escalations
skip them to the next level, and the delegate may decide. SLA clocks keep running: an
absence moves who acts, never when. The absence ends by itself at the midnight after its
last day in the person's time zone; every step is audited with both names.

This module is who is away and who acts for them (read everywhere: routing, cards,
permissions, escalation); setting and ending an absence, with what that starts, is
`workflows.ownership.leave`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from storage.models import Absence
from workflows.ownership.routing import RoutingResult


@dataclass(frozen=True)
class Away:
    """An absence as the rest of the product reads it."""

    person_id: str
    until: date
    ends_at: datetime
    delegate_id: str | None
    set_by: str

    def label(self) -> str:
        """ "away until 18 Dec", as a card says it."""
        return f"away until {self.until.day} {self.until:%b}"


def view(row: Absence) -> Away:
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


def absences(session: Session, *, now: datetime) -> dict[str, Away]:
    """Who is away at `now`, by person id."""
    rows = session.scalars(select(Absence).where(Absence.ends_at > now)).all()
    return {r.person_id: view(r) for r in rows}


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


def covering(
    away: Mapping[str, Away], *, owner_id: str, backup: str | None, person_id: str
) -> Away | None:
    """The owner's absence when `person_id` is who acts for them now (their delegate, or
    the item's backup when they named none): that person may decide the owner's open
    items on their behalf, and their card says for whom."""
    absence = away.get(owner_id)
    if absence is None or person_id == owner_id:
        return None
    return absence if stand_in(away, person_id=owner_id, backup=backup) == person_id else None


def next_level(
    config: Config, away: Mapping[str, Away], *, target: str, owner_id: str
) -> tuple[str, list[str]]:
    """Whom an escalation meant for `target` goes to, and who was skipped: `target`, or
    when they are away the next level up (their manager, then theirs), else the override
    reviewer; never the owner. When everyone up the line is away too it still goes to
    `target`: an escalation must reach somebody."""
    skipped: list[str] = []
    current: str | None = target
    while current is not None and current in away and current not in skipped:
        skipped.append(current)
        person = config.people_by_id.get(current)
        above = person.manager if person else None
        if above is None or above == owner_id or above in skipped:
            reviewer = config.override_reviewer
            above = reviewer if reviewer not in (*skipped, owner_id) else None
        current = above
    if current is None or current in away:
        return target, []
    return current, skipped
