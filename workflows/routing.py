"""The ownership matrix applied: type + first matching route -> owner, backup, due time,
reminder times and delivery tier. Pure functions of the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Calendars
from bot.config import MANAGER, Config, RecommendationType
from bot.domain import Tier
from bot.recommendation import RecommendationIn


class NoOwner(Exception):
    """Neither the matrix nor an override reviewer can take this type."""


@dataclass(frozen=True)
class RoutingResult:
    owner: str
    backup: str | None
    due_at: datetime
    route: str  # which line of the matrix decided, for the audit trail
    tier: Tier
    unowned: bool = False
    reminder_times: list[datetime] = field(default_factory=list)

    @property
    def next_action_at(self) -> datetime | None:
        """When the SLA sweep must first look: the first reminder, else the due time.
        Digest and auto-accepted items are not nudged one by one."""
        if self.tier != Tier.DIRECT:
            return None
        return self.reminder_times[0] if self.reminder_times else self.due_at


def choose_tier(rtype: RecommendationType, confidence: float | None) -> Tier:
    if confidence is None:
        return Tier.DIRECT
    if rtype.auto_accept_confidence is not None and confidence >= rtype.auto_accept_confidence:
        return Tier.AUTO
    if confidence < rtype.actionable_confidence:
        return Tier.DIGEST
    return Tier.DIRECT


def route(
    *, config: Config, calendars: Calendars, rec: RecommendationIn, received_at: datetime
) -> RoutingResult:
    rtype = config.recommendation_types[rec.type]
    scope = rec.scope()
    owner, backup, sla, how = rtype.owner, rtype.backup, rtype.sla, "default owner"
    for index, candidate in enumerate(rtype.routes):
        if all(scope.get(key) == value for key, value in candidate.match.items()):
            owner = candidate.owner
            backup = candidate.backup or rtype.backup
            sla = candidate.sla or rtype.sla
            matched = ", ".join(f"{k}={v}" for k, v in candidate.match.items())
            how = f"route {index + 1} ({matched})"
            break
    unowned = owner is None
    if owner is None:
        if config.override_reviewer is None:
            raise NoOwner(
                f"recommendation type '{rec.type}' has no owner and no override_reviewer is set"
            )
        owner, how = config.override_reviewer, "unowned: sent to the override reviewer"
    calendar = calendars.for_person(owner)
    due_at = rec.respond_by or calendar.add(received_at, sla)
    reminders = [calendar.add(received_at, sla * fraction) for fraction in rtype.reminders]
    reminders = [t for t in reminders if t < due_at]
    return RoutingResult(
        owner=owner,
        backup=backup if backup != owner else None,
        due_at=due_at,
        route=how,
        tier=choose_tier(rtype, rec.confidence),
        unowned=unowned,
        reminder_times=reminders,
    )


def escalation_contacts(*, config: Config, type_name: str, owner_id: str) -> list[str]:
    """Everyone on the escalation chain for this owner, in order, without repeats."""
    rtype = config.recommendation_types.get(type_name)
    contacts: list[str] = []
    if rtype is None:
        return contacts
    for step in rtype.escalation:
        if step.notify == MANAGER:
            person = config.people_by_id.get(owner_id)
            target = person.manager if person else None
        else:
            target = step.notify
        if target and target != owner_id and target not in contacts:
            contacts.append(target)
    return contacts
