"""Time: a replaceable clock; the business calendars SLAs are counted in live in
core.business_calendar and are re-exported here, where every caller imports them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from core.business_calendar import BusinessCalendar, Calendars

__all__ = [
    "MIDNIGHT",
    "AdjustableClock",
    "BusinessCalendar",
    "Calendars",
    "Clock",
    "SystemClock",
    "as_utc",
    "local_time_label",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat naive datetimes as UTC (what a database without time zones hands back)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class AdjustableClock:
    """Real time plus an offset that can be moved forward: the demo's "advance the clock"
    control and tests' controllable time. `frozen` stops real time from moving."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen_at = as_utc(start) if (frozen and start) else None
        self._offset = (as_utc(start) - utcnow()) if (start and not frozen) else timedelta(0)
        if frozen and start is None:
            self._frozen_at = utcnow()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return utcnow() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta
        return self.now()

    def set(self, moment: datetime) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = as_utc(moment)
            else:
                self._offset = as_utc(moment) - utcnow()


def local_time_label(moment: datetime, tz: ZoneInfo) -> str:
    """`Mon 30 Nov 14:00 CET`: short and unambiguous for a due time in a message."""
    local = moment.astimezone(tz)
    return local.strftime("%a %d %b %H:%M ") + (local.tzname() or "")


MIDNIGHT = time(0, 0)
