"""The ownership matrix applied: type + first matching route -> owner, backup, due time,
reminder times and delivery tier. Pure functions of the configuration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from core.clock import BusinessCalendar, Calendars
from core.config import MANAGER, Config, RecommendationType
from core.domain import Tier
from core.durations import BusinessSpan
from core.recommendation import RecommendationIn


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
    digest_at: datetime | None = None  # the owner's next digest, for the digest tier
    # The matched line's SLA: a revision keeping a (reassigned) owner counts it in that
    # owner's calendar from the clock's start (workflows.intake.revisions).
    sla: BusinessSpan | None = None

    @property
    def next_action_at(self) -> datetime | None:
        """When the SLA sweep must first look: the first reminder, else the due time.
        Digest items are listed in the owner's next digest instead of being nudged one
        by one; auto-accepted ones need nothing."""
        if self.tier == Tier.DIGEST:
            return self.digest_at
        if self.tier != Tier.DIRECT:
            return None
        return self.reminder_times[0] if self.reminder_times else self.due_at


def reminder_times(
    *, calendar: BusinessCalendar, start: datetime, due_at: datetime, fractions: Sequence[float]
) -> list[datetime]:
    """Reminders at fractions of the business time between arrival and the due time, so
    a `respond_by` or an extended SLA gets its reminders spaced the same way."""
    window = calendar.between(start, due_at)
    times = [calendar.add(start, window * fraction) for fraction in fractions]
    return [t for t in times if t < due_at]


def next_digest_at(
    *, calendar: BusinessCalendar, moment: datetime, send_at: time | None
) -> datetime:
    """The owner's next digest after `moment`: the start of their next business day, or
    `digest.send_at` local time on the next business day that has not reached it yet."""
    if send_at is None:
        return calendar.start_of_next_business_day(moment)
    local = moment.astimezone(calendar.tz)
    day = local.date()
    if not calendar.is_business_day(day) or local >= datetime.combine(day, send_at, calendar.tz):
        day = calendar.next_business_day(day)
    return datetime.combine(day, send_at, calendar.tz).astimezone(UTC)


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
    tier = choose_tier(rtype, rec.confidence)
    # Only what the tier uses: reminders for direct messages, the digest time for the
    # digest tier (this runs once per ingested row).
    reminders = (
        reminder_times(
            calendar=calendar, start=received_at, due_at=due_at, fractions=rtype.reminders
        )
        if tier == Tier.DIRECT
        else []
    )
    digest_at = (
        next_digest_at(calendar=calendar, moment=received_at, send_at=config.digest.send_at)
        if tier == Tier.DIGEST
        else None
    )
    return RoutingResult(
        owner=owner,
        backup=backup if backup != owner else None,
        due_at=due_at,
        route=how,
        tier=tier,
        unowned=unowned,
        reminder_times=reminders,
        digest_at=digest_at,
        sla=sla,
    )


def escalation_target(*, config: Config, type_name: str, owner_id: str, level: int) -> str | None:
    """Who gets escalation `level` (1-based): the owner's manager or a named person; the
    override reviewer when that is nobody or the owner themself. The one rule for both
    whom the SLA escalates to and who may then decide (`escalation_contacts`)."""
    rtype = config.recommendation_types.get(type_name)
    if rtype is None or not 0 < level <= len(rtype.escalation):
        return None
    notify = rtype.escalation[level - 1].notify
    if notify == MANAGER:
        person = config.people_by_id.get(owner_id)
        target = person.manager if person else None
    else:
        target = notify
    if target and target != owner_id:
        return target
    reviewer = config.override_reviewer
    return reviewer if reviewer and reviewer != owner_id else None


def escalation_contacts(*, config: Config, type_name: str, owner_id: str) -> list[str]:
    """Everyone an escalation of this owner's recommendation goes to, in order, once."""
    rtype = config.recommendation_types.get(type_name)
    steps = len(rtype.escalation) if rtype else 0
    targets = (
        escalation_target(config=config, type_name=type_name, owner_id=owner_id, level=level)
        for level in range(1, steps + 1)
    )
    return list(dict.fromkeys(t for t in targets if t))
