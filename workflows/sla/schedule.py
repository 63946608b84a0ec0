"""The SLA clock's arithmetic, free of I/O: which reminder or escalation step is due for a
recommendation at a moment, and when it must next be looked at.

A recommendation's progress is three columns of its clock (`reminders_sent`,
`escalation_level`, `snoozed_until`, storage.models.SlaClock) beside its due time, so
the schedule is recomputed from the configuration instead of stored: a change of
business hours or holidays applies to the next step without a data migration. Steps
carry a key unique per (recommendation, due time, step): the outbox's unique index then
makes each step sendable once, and an extended SLA (a new due time) gets fresh keys for
its own reminders and escalations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Row, func

from core.clock import BusinessCalendar, Calendars
from core.config import Config, RecommendationType
from core.domain import Tier
from storage.models import Recommendation, SlaClock
from workflows.ownership.absences import Away, next_level
from workflows.ownership.routing import escalation_target, reminder_times

# The columns the clock reads; the sweep selects only these, never whole ORM objects.
STATE_COLUMNS = (
    Recommendation.id,
    Recommendation.type,
    Recommendation.tier,
    Recommendation.owner_id,
    func.coalesce(Recommendation.clock_started_at, Recommendation.received_at).label("received_at"),
    Recommendation.due_at,
    SlaClock.reminders_sent,
    SlaClock.escalation_level,
    SlaClock.snoozed_until,
)


@dataclass(frozen=True, slots=True)
class SlaState:
    """Where one recommendation stands on its SLA clock."""

    id: int
    type: str
    tier: str
    owner_id: str
    received_at: datetime  # when the clock started: arrival, or a revision's re-route
    due_at: datetime
    reminders_sent: int
    escalation_level: int
    snoozed_until: datetime | None

    @classmethod
    def of(cls, rec: Recommendation | Row) -> SlaState:
        return cls(
            id=rec.id,
            type=rec.type,
            tier=rec.tier,
            owner_id=rec.owner_id,
            received_at=rec.clock_started_at or rec.received_at,
            due_at=rec.due_at,
            reminders_sent=rec.reminders_sent or 0,
            escalation_level=rec.escalation_level or 0,
            snoozed_until=rec.snoozed_until,
        )


class StepKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"


@dataclass(frozen=True, slots=True)
class Step:
    """One message the clock asks for. `level` is the reminder number or escalation level."""

    recommendation_id: int
    kind: StepKind
    key: str
    person_id: str
    level: int = 0
    day: date | None = None  # the digest's local date
    # An escalation past an absent contact: whom it was meant for, and the audit's words.
    instead_of: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class Advance:
    """The outcome of looking at one recommendation: steps to send, the new state and the
    next time to look (None: nothing more will ever be due)."""

    state: SlaState
    steps: list[Step] = field(default_factory=list)
    next_action_at: datetime | None = None
    digest_on: date | None = None


# Enum members bound once: class attribute access on an Enum is slow in a hot loop.
_DIRECT, _DIGEST = Tier.DIRECT.value, Tier.DIGEST.value
_REMINDER, _ESCALATION, _DIGEST_STEP = StepKind.REMINDER, StepKind.ESCALATION, StepKind.DIGEST


def step_key(state: SlaState, step: str) -> str:
    return sla_key(state.id, int(state.due_at.timestamp()), step)


def sla_key(recommendation_id: int, due_stamp: int, step: str) -> str:
    """The outbox key of an SLA step: unique per (recommendation, due time, step)."""
    return f"sla:{recommendation_id}:{due_stamp}:{step}"


_Times = tuple[list[datetime], list[datetime]]
_CACHE_SIZE = 4096


class SlaSchedule:
    """Reminder and escalation times of one configuration, per owner's business calendar.

    Times are remembered per (type, owner, arrival, due time): a sweep after an outage
    meets thousands of rows from the same ingestion batches, which share all four.

    `away` is who is out of office as of the sweep (read once per batch): an escalation
    skips an absent contact to the next level up."""

    def __init__(
        self, *, config: Config, calendars: Calendars, away: Mapping[str, Away] | None = None
    ) -> None:
        self.config = config
        self.calendars = calendars
        self._away: Mapping[str, Away] = away or {}
        self._times: dict[tuple[str, str, datetime, datetime], _Times] = {}
        self._plans: dict[tuple[object, ...], _Plan] = {}

    @property
    def away(self) -> Mapping[str, Away]:
        return self._away

    @away.setter
    def away(self, away: Mapping[str, Away]) -> None:
        self._away = away
        self._plans.clear()  # an escalation's taker depends on who is away

    def times(self, state: SlaState) -> _Times:
        """(reminder times, escalation times) of `state`'s SLA."""
        key = (state.type, state.owner_id, state.received_at, state.due_at)
        found = self._times.get(key)
        if found is None:
            if len(self._times) >= _CACHE_SIZE:
                self._times.clear()
            found = self._times[key] = (self._reminders(state), self._escalations(state))
        return found

    def _type(self, state: SlaState) -> RecommendationType | None:
        return self.config.recommendation_types.get(state.type)

    def calendar(self, state: SlaState) -> BusinessCalendar:
        return self.calendars.for_person(state.owner_id)

    def reminders(self, state: SlaState) -> list[datetime]:
        return self.times(state)[0]

    def escalations(self, state: SlaState) -> list[datetime]:
        return self.times(state)[1]

    def _reminders(self, state: SlaState) -> list[datetime]:
        rtype = self._type(state)
        if rtype is None:
            return []
        return reminder_times(
            calendar=self.calendar(state),
            start=state.received_at,
            due_at=state.due_at,
            fractions=rtype.reminders,
        )

    def _escalations(self, state: SlaState) -> list[datetime]:
        """Step times after expiry, counted in the owner's business hours; `after: 0h`
        is the due time itself."""
        rtype = self._type(state)
        if rtype is None:
            return []
        calendar = self.calendar(state)
        return [
            state.due_at if not step.after else calendar.add(state.due_at, step.after)
            for step in rtype.escalation
        ]

    def escalation_target(self, state: SlaState, level: int) -> str | None:
        return escalation_target(
            config=self.config, type_name=state.type, owner_id=state.owner_id, level=level
        )

    def _escalation(self, state: SlaState, target: str, level: int) -> Step:
        """The escalation step to `target`, or past them to the next level when away."""
        key = step_key(state, f"e{level}")
        if target not in self.away:
            return Step(state.id, _ESCALATION, key, target, level)
        taker, passed = next_level(self.config, self.away, target=target, owner_id=state.owner_id)
        if not passed:
            return Step(state.id, _ESCALATION, key, target, level)
        words = "; ".join(
            f"skipped {p}: away until {self.away[p].until.isoformat()}" for p in passed
        )
        return Step(state.id, _ESCALATION, key, taker, level, instead_of=target, skipped=words)

    def too_old_at(self, state: SlaState) -> datetime:
        return state.received_at + self.config.escalation.max_age

    def next_action_at(
        self,
        state: SlaState,
        reminders: list[datetime] | None = None,
        escalations: list[datetime] | None = None,
    ) -> datetime | None:
        """The earliest pending step: a reminder (reminders inside a snooze wait for its
        end), the snooze's end, or the next escalation. None past `escalation.max_age`."""
        if state.tier != _DIRECT:
            return None
        if reminders is None or escalations is None:
            reminders, escalations = self.times(state)
        snoozed = state.snoozed_until
        best = snoozed if snoozed is not None and snoozed < state.due_at else None
        for moment in reminders[state.reminders_sent :]:
            if snoozed is None or moment > snoozed:
                best = moment if best is None or moment < best else best
                break
        if state.escalation_level < len(escalations):
            moment = escalations[state.escalation_level]
            best = moment if best is None or moment < best else best
        if best is None or best > self.too_old_at(state):
            return None
        return best

    def advance(self, state: SlaState, now: datetime) -> Advance:
        """Everything due for `state` at `now` (see `_advance`), worked out once per
        distinct clock (type, tier, owner, arrival, due time, progress) and applied to each
        row: a sweep after an outage meets thousands of rows from the same ingestion
        batches, whose steps differ only in the recommendation they name."""
        key = (
            state.type,
            state.tier,
            state.owner_id,
            state.received_at,
            state.due_at,
            state.reminders_sent,
            state.escalation_level,
            state.snoozed_until,
            now,
        )
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _CACHE_SIZE:
                self._plans.clear()
            plan = self._plans[key] = _Plan.of(self._advance(state, now))
        return plan.apply(state)

    def _advance(self, state: SlaState, now: datetime) -> Advance:
        """Everything due for `state` at `now`. Several reminders due at once (the bot was
        down, a weekend) collapse into one; every escalation step due is sent, since each
        goes to a different person; past `max_age` steps pass silently."""
        if state.tier == _DIGEST:
            day = now.astimezone(self.calendar(state).tz).date()
            step = Step(
                state.id,
                _DIGEST_STEP,
                f"digest:{state.owner_id}:{day.isoformat()}",
                state.owner_id,
                day=day,
            )
            return Advance(state=state, steps=[step], digest_on=day)
        if state.tier != _DIRECT or self._type(state) is None:
            return Advance(state=state)
        reminders, escalations = self.times(state)
        sent, level, snoozed = state.reminders_sent, state.escalation_level, state.snoozed_until
        steps: list[Step] = []
        if now >= state.due_at:
            sent, snoozed = max(sent, len(reminders)), None
            too_old = now > self.too_old_at(state)
            while level < len(escalations) and escalations[level] <= now:
                level += 1
                target = None if too_old else self.escalation_target(state, level)
                if target is not None:
                    steps.append(self._escalation(state, target, level))
        elif snoozed is not None and snoozed <= now:
            sent += sum(1 for t in reminders[sent:] if t <= now)
            key = step_key(state, f"snooze{int(snoozed.timestamp())}")
            steps.append(Step(state.id, _REMINDER, key, state.owner_id, sent))
            snoozed = None
        elif snoozed is None:
            due_now = [t for t in reminders[sent:] if t <= now]
            if due_now:
                sent += len(due_now)
                steps.append(
                    Step(state.id, _REMINDER, step_key(state, f"r{sent}"), state.owner_id, sent)
                )
        new = SlaState(
            state.id,
            state.type,
            state.tier,
            state.owner_id,
            state.received_at,
            state.due_at,
            sent,
            level,
            snoozed,
        )
        return Advance(
            state=new, steps=steps, next_action_at=self.next_action_at(new, reminders, escalations)
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    """One `Advance` with the recommendation taken out: its steps as (step, key suffix)
    (an SLA step's key names the recommendation; a digest's does not) and the new
    progress, to be applied to every row with the same clock."""

    steps: tuple[tuple[Step, str | None], ...]
    due_stamp: int
    sent: int
    level: int
    snoozed: datetime | None
    next_action_at: datetime | None
    digest_on: date | None

    @classmethod
    def of(cls, advance: Advance) -> _Plan:
        state = advance.state
        due_stamp = int(state.due_at.timestamp())
        prefix = sla_key(state.id, due_stamp, "")  # what step_key put before the step
        steps = tuple(
            (step, step.key.removeprefix(prefix) if step.key.startswith(prefix) else None)
            for step in advance.steps
        )
        return cls(
            steps,
            due_stamp,
            state.reminders_sent,
            state.escalation_level,
            state.snoozed_until,
            advance.next_action_at,
            advance.digest_on,
        )

    def apply(self, state: SlaState) -> Advance:
        id_ = state.id
        steps = [
            Step(
                id_,
                step.kind,
                step.key if suffix is None else sla_key(id_, self.due_stamp, suffix),
                step.person_id,
                step.level,
                step.day,
                step.instead_of,
                step.skipped,
            )
            for step, suffix in self.steps
        ]
        new = SlaState(
            id_,
            state.type,
            state.tier,
            state.owner_id,
            state.received_at,
            state.due_at,
            self.sent,
            self.level,
            self.snoozed,
        )
        return Advance(
            state=new, steps=steps, next_action_at=self.next_action_at, digest_on=self.digest_on
        )
