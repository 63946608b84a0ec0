"""`away until 2026-12-18 [delegate @dora]`, `away off`, `away` (who is away), and the
same for someone else by their manager: `away @ana until ... delegate @dora`, `away
@ana off`. One handler for Slack, Teams and the web chat (workflows.chat.commands)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from core.messages import Message, Section
from workflows.chat.request import CommandRequest, Reply
from workflows.errors import WorkflowError
from workflows.ownership.absences import Away, absences
from workflows.ownership.leave import clear_absence, end_expired, set_absence
from workflows.service import Services

USAGE = "away until YYYY-MM-DD [delegate @person] | away off | away [@person] ..."


def _subject(request: CommandRequest) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Whose absence (the sender, or a leading @person), the words after it, and the
    remaining mentions (the delegate)."""
    args, people = request.args, request.people
    if args and args[0].startswith("@") and people:
        return people[0], args[1:], people[1:]
    return request.person_id, args, people


def away_reply(services: Services, request: CommandRequest) -> Reply:
    person_id, words, mentioned = _subject(request)
    lowered = [w.lower() for w in words]
    now = services.clock.now()
    try:
        with services.database.transaction() as session:
            end_expired(session, now=now)
            if not lowered:
                return _listing(services, absences(session, now=now))
            if lowered[0] == "off":
                cleared = clear_absence(
                    session,
                    config=services.config,
                    now=now,
                    actor_id=request.person_id,
                    person_id=person_id,
                )
                return f"{person_id} is back." if cleared else f"{person_id} was not away."
            if lowered[0] != "until" or len(words) < 2:
                return f"Usage: {USAGE}"
            try:
                until = date.fromisoformat(words[1])
            except ValueError:
                return f"'{words[1]}' is not a date: use YYYY-MM-DD. Usage: {USAGE}"
            delegate = mentioned[0] if "delegate" in lowered and mentioned else None
            if "delegate" in lowered and delegate is None:
                return "I don't know that delegate: name them as @person."
            away = set_absence(
                session,
                config=services.config,
                now=now,
                actor_id=request.person_id,
                person_id=person_id,
                until=until,
                delegate_id=delegate,
            )
    except WorkflowError as exc:
        return str(exc)
    services.kick()
    stand_in = away.delegate_id or "the backup of each item"
    return (
        f"{person_id} is away until {away.until.isoformat()} (inclusive); new items go to "
        f"{stand_in}. SLA clocks keep running. `away off` ends it early."
    )


def _listing(services: Services, away: Mapping[str, Away]) -> Message:
    lines = [
        f"{a.person_id}: until {a.until.isoformat()}, delegate {a.delegate_id or '(backup)'}"
        for a in (away[k] for k in sorted(away))
    ]
    return Message(
        header="Out of office",
        sections=[Section(title="Away now", lines=lines or ["Nobody is away."])],
    )
