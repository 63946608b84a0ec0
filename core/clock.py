"""Time: a replaceable clock and the business-hours calendar SLAs are counted in.

An SLA of `8h` means eight *business* hours in the owner's time zone, skipping
weekends and public holidays, because a recommendation sent at 16:30 on a Friday is
not overdue at 00:30 on Saturday.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from core.config import BusinessHours, Config


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


@lru_cache(maxsize=64)
def _holiday_calendar(spec: str | None) -> holiday_calendars.HolidayBase | None:
    if not spec:
        return None
    country, _, subdivision = spec.partition("-")
    return holiday_calendars.country_holidays(country, subdiv=subdivision or None)


_K = TypeVar("_K")
_V = TypeVar("_V")
_MEMO_SIZE = 4096


def _remember(cache: dict[_K, _V], key: _K, compute: Callable[[], _V]) -> _V:
    """A small bounded memo: emptied when full, since callers repeat recent keys."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= _MEMO_SIZE:
            cache.clear()
        found = cache[key] = compute()
    return found


class BusinessCalendar:
    """Business hours of one time zone: open days, opening hours and public holidays."""

    def __init__(self, hours: BusinessHours, tz: ZoneInfo) -> None:
        self.hours = hours
        self.tz = tz
        self._days = hours.weekday_numbers
        self._holidays = _holiday_calendar(hours.holidays)
        # A batch of recommendations arrives at one instant with a handful of SLAs:
        # remember recent answers instead of walking the calendar for each row.
        self._added: dict[tuple[datetime, timedelta], datetime] = {}
        self._between: dict[tuple[datetime, datetime], timedelta] = {}

    def is_business_day(self, day: date) -> bool:
        if day.weekday() not in self._days:
            return False
        return not (self._holidays is not None and day in self._holidays)

    def _open(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.start, tzinfo=self.tz)

    def _close(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.end, tzinfo=self.tz)

    def next_business_day(self, day: date) -> date:
        day += timedelta(days=1)
        for _ in range(3660):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no business day within ten years; check business_hours")

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself if within business hours, else the next opening time."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_business_day(day):
            if local < self._open(day):
                return self._open(day).astimezone(UTC)
            if local < self._close(day):
                return moment.astimezone(UTC)
        return self._open(self.next_business_day(day)).astimezone(UTC)

    def start_of_next_business_day(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_business_day(day) and local < self._open(day):
            return self._open(day).astimezone(UTC)
        return self._open(self.next_business_day(day)).astimezone(UTC)

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """`start` plus `delta` of business time."""
        return _remember(self._added, (start, delta), lambda: self._add(start, delta))

    def _add(self, start: datetime, delta: timedelta) -> datetime:
        remaining = delta
        cursor = self.next_open(start).astimezone(self.tz)
        while True:
            available = self._close(cursor.date()) - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(UTC)
            remaining -= available
            cursor = self._open(self.next_business_day(cursor.date()))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from `start` to `end` (zero if end is earlier)."""
        return _remember(self._between, (start, end), lambda: self._between_uncached(start, end))

    def _between_uncached(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        cursor = self.next_open(start).astimezone(self.tz)
        end_local = end.astimezone(self.tz)
        while cursor < end_local:
            close = self._close(cursor.date())
            total += min(close, end_local) - cursor
            cursor = self._open(self.next_business_day(cursor.date()))
        return total


class Calendars:
    """One business calendar per person, from the configuration."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._cache: dict[str, BusinessCalendar] = {}
        self._by_person: dict[str, BusinessCalendar] = {}

    def for_person(self, person_id: str | None) -> BusinessCalendar:
        key = person_id or ""
        calendar = self._by_person.get(key)
        if calendar is None:
            tz = self._config.person_tz(person_id)
            calendar = self._cache.get(tz.key)
            if calendar is None:
                calendar = self._cache[tz.key] = BusinessCalendar(self._config.business_hours, tz)
            self._by_person[key] = calendar
        return calendar


def local_time_label(moment: datetime, tz: ZoneInfo) -> str:
    """`Mon 30 Nov 14:00 CET`: short and unambiguous for a due time in a message."""
    local = moment.astimezone(tz)
    return local.strftime("%a %d %b %H:%M ") + (local.tzname() or "")


MIDNIGHT = time(0, 0)
