"""What a card says about where its item stands, drawn from state each time the card is
drawn (sent, updated in place, redrawn after a click): due or overdue in business time
with the due moment, escalated to whom and when, extended by whom. Nothing here is
frozen into a message: a card redrawn a day later says what is true a day later
(issue 27). Also the short follow-ups a reminder or an escalation attaches to the card
the person already has, instead of a second card."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.clock import BusinessCalendar, Calendars, local_time_label
from core.config import Config
from core.domain import EventKind, Status
from core.durations import format_duration
from core.messages import Message, MessageField, Tone
from storage.models import Recommendation


def business_time(delta: Any) -> str:
    """`2 business hours`, `1h 30m of business time`: what a reminder says is left."""
    minutes = int(round(delta.total_seconds() / 60))
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} business hour{'s' if hours != 1 else ''}"
    return f"{format_duration(delta)} of business time"


_calendars: dict[int, tuple[Config, Calendars]] = {}


def owner_calendar(rec: Recommendation, config: Config) -> BusinessCalendar:
    """The owner's own calendar (their hours, holidays, time zone), the one the SLA clock
    counts with: a card's "Overdue by" is the business time the sweep counted, also for
    a Prague planner across a Czech holiday. Kept per configuration object."""
    kept = _calendars.get(id(config))
    if kept is None or kept[0] is not config:
        if len(_calendars) >= 8:  # one configuration in a deployment; tests make many
            _calendars.clear()
        kept = _calendars[id(config)] = (config, Calendars(config))
    return kept[1].for_person(rec.owner_id)


def due_line(*, config: Config, rec: Recommendation, reader_id: str, now: datetime) -> str:
    """`Due in 2 business hours (Mon 30 Nov 17:00 CET)` or `Overdue by 3h 15m of business
    time (due ...)`: business time on the owner's calendar, the moment in the reader's."""
    when = local_time_label(rec.due_at, config.person_tz(reader_id))
    calendar = owner_calendar(rec, config)
    if now < rec.due_at:
        return f"Due in {business_time(calendar.between(now, rec.due_at))} ({when})"
    late = calendar.between(rec.due_at, now)
    if late < timedelta(minutes=1):  # after hours: none of the owner's time has passed yet
        return f"Overdue since {when}"
    return f"Overdue by {business_time(late)} (due {when})"


ESCALATED_PREFIX = "Escalated to "  # the line `clock_lines` names the escalations with


def state_of(
    *,
    due: str,
    clock: list[str],
    waited: str | None,
    snoozed: str | None,
    roles: list[str],
    closed_by: str | None,
    overdue: bool,
    reminded: bool,
) -> tuple[list[str], Tone]:
    """An open card's status line and its colour. The headline first: the hand-over that
    closed the reader's card, else due or overdue with the due moment; then how long the
    owner has had it (on an escalation), who it was escalated to and when, the extension,
    the snooze, and the reader's part in it (a hand-over to them, a re-route, a cover).
    Attention once overdue or escalated; warning while reminded, snoozed or extended, and
    on a card a hand-over closed; good while on time."""
    if closed_by is not None:
        return [closed_by], Tone.WARNING
    lines = [due, *([waited] if waited else []), *clock, *([snoozed] if snoozed else []), *roles]
    if overdue or any(line.startswith(ESCALATED_PREFIX) for line in clock):
        return lines, Tone.ATTENTION
    if reminded or clock or snoozed:
        return lines, Tone.WARNING
    return lines, Tone.GOOD


def open_state(
    *,
    config: Config,
    rec: Recommendation,
    reader_id: str,
    now: datetime,
    clock: list[str],
    roles: list[str],
    closed_by: str | None,
    escalation: bool,
    reminder: bool,
) -> tuple[list[str], Tone]:
    """The open card's status line (`state_of`) from the item's state now."""
    tz = config.person_tz(reader_id)
    waited = None
    if escalation:
        since = rec.clock_started_at or rec.received_at  # a re-route restarts it
        spent = business_time(owner_calendar(rec, config).between(since, now))
        owner = config.display_name(rec.owner_id)
        waited = f"{owner} has had it for {spent} (since {local_time_label(since, tz)})"
    snoozed = (
        f"Reminders snoozed until {local_time_label(rec.snoozed_until, tz)}"
        if rec.snoozed_until is not None and rec.snoozed_until > now
        else None
    )
    return state_of(
        due=due_line(config=config, rec=rec, reader_id=reader_id, now=now),
        clock=clock,
        waited=waited,
        snoozed=snoozed,
        roles=roles,
        closed_by=closed_by,
        overdue=now >= rec.due_at,
        reminded=reminder,
    )


def _who(config: Config, person_id: str | None, reader_id: str) -> str:
    return "you" if person_id == reader_id else config.display_name(person_id or "")


def clock_lines(
    *, config: Config, rec: Recommendation, reader_id: str, events: list[dict[str, Any]]
) -> list[str]:
    """The escalations since the last extension (who was notified, when, which level) and
    the latest extension, in the reader's time zone."""
    tz = config.person_tz(reader_id)
    extended = [e for e in events if e["kind"] == EventKind.SLA_EXTENDED]
    since = extended[-1]["at"] if extended else None
    escalations = [
        e
        for e in events
        if e["kind"] == EventKind.ESCALATED and (since is None or e["at"] >= since)
    ]
    lines = []
    if escalations and rec.status == Status.OPEN:
        steps = "; ".join(
            f"{_who(config, e.get('to'), reader_id)} (level {e.get('level')}) at "
            f"{local_time_label(e['at'], tz)}"
            for e in escalations
        )
        lines.append(f"{ESCALATED_PREFIX}{steps}")
    if extended:
        last = extended[-1]
        lines.append(
            f"SLA extended by {_who(config, last['actor_id'], reader_id)} at "
            f"{local_time_label(last['at'], tz)}"
        )
    return lines


def handover(
    *, config: Config, rec: Recommendation, reader_id: str, events: list[dict[str, Any]]
) -> tuple[str | None, bool]:
    """The line about the latest hand-over by a person that involves the reader, and
    whether the reader's card is closed by it: the old owner's card says "Handed over to
    Dora Novak by Ana Lopez" and has no buttons (a later Accept there would be recorded
    on behalf of the new owner); the new owner's says from whom and why. Re-routes by a
    revision are `handover_note`'s."""
    for event in reversed(events):
        if event["kind"] != EventKind.REASSIGNED or event.get("revision") is not None:
            continue
        previous, new = event.get("previous_owner"), event.get("new_owner")
        if reader_id not in (previous, new):
            continue
        by = config.display_name(event["actor_id"] or "")
        if reader_id == previous and rec.owner_id != reader_id:
            return f"Handed over to {config.display_name(new or '')} by {by}", True
        if reader_id == new and rec.owner_id == reader_id:
            note = event.get("note")
            return f"Handed over to you by {by}" + (f": {note}" if note else ""), False
        return None, False
    return None, False


def channel_entry(
    *,
    config: Config,
    rec: Recommendation,
    channel: str,
    now: datetime,
    events: list[dict[str, Any]],
    title: str,
    status: str | None,
    tone: Tone,
) -> Message:
    """The escalation channel's one compact entry per item, redrawn in place at each
    escalation and when it is decided: level, who was notified and when, since when it
    waits, and who decided it."""
    tz = config.person_tz(channel)
    since = rec.clock_started_at or rec.received_at
    lines = clock_lines(config=config, rec=rec, reader_id=channel, events=events)
    if rec.status == Status.OPEN:
        waited = business_time(owner_calendar(rec, config).between(since, now))
        lines.append(f"Waiting since {local_time_label(since, tz)} ({waited})")
        lines.append(due_line(config=config, rec=rec, reader_id=channel, now=now))
    lines.append(f"#{rec.id} from {rec.source}")
    level = rec.escalation_level
    return Message(
        header=f"Escalated (level {level}): {title}" if level else f"Escalated: {title}",
        fields=[
            MessageField(label="Item", value=rec.sku or "-"),
            MessageField(label="Owner", value=config.display_name(rec.owner_id)),
        ],
        context=lines,
        status=status,
        tone=tone if status else Tone.ATTENTION,
        recommendation_id=rec.id,
    )


def follow_up(
    *, config: Config, rec: Recommendation, purpose: str, level: int, reader_id: str, now: datetime
) -> Message:
    """The one line a reminder or an escalation adds under the card the reader has."""
    due = due_line(config=config, rec=rec, reader_id=reader_id, now=now)
    if purpose == "escalation":
        owner = config.display_name(rec.owner_id)
        since = rec.clock_started_at or rec.received_at
        waited = business_time(owner_calendar(rec, config).between(since, now))
        header = f"Escalated to you (level {level}): {owner} has had it for {waited}. {due}"
    else:
        header = f"Reminder: {due[0].lower()}{due[1:]}"
    return Message(
        header=header,
        tone=Tone.ATTENTION if now >= rec.due_at or purpose == "escalation" else Tone.INFO,
        recommendation_id=rec.id,
    )
