"""Readiness recorded per day, so the dossier can say since when each gate has held:
every check writes today's verdict (the last check of a day wins), and a gate's green
streak is the run of passing days up to the latest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ReadinessDay
from workflows.readiness.evidence import Readiness

HISTORY_DAYS = 90  # days the dossier shows


def record_day(session: Session, *, readiness: Readiness, day: date, now: datetime) -> None:
    gates = {str(g.id): g.passed for g in readiness.gates}
    row = session.get(ReadinessDay, day)
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    ReadinessDay(day=day, ready=readiness.ready, gates=gates, checked_at=now)
                )
            return
        except IntegrityError:  # another replica wrote today's row a moment earlier
            row = session.get(ReadinessDay, day)
            assert row is not None
    row.ready, row.gates, row.checked_at = readiness.ready, gates, now


def recorded_days(session: Session) -> list[ReadinessDay]:
    rows = session.scalars(
        select(ReadinessDay).order_by(ReadinessDay.day.desc()).limit(HISTORY_DAYS)
    ).all()
    return list(reversed(rows))


def green_since(days: list[ReadinessDay]) -> dict[str, date | None]:
    """Gate id (and "ready") -> the first day of its current unbroken run of passing
    days, None where the latest recorded day did not pass."""
    since: dict[str, date | None] = {}
    keys = {k for row in days for k in row.gates} | {"ready"}
    for key in keys:
        start: date | None = None
        for row in days:
            passed = row.ready if key == "ready" else bool(row.gates.get(key))
            start = (start or row.day) if passed else None
        since[key] = start
    return since
