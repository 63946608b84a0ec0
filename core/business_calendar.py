"""Business calendars: the time an SLA is counted in, one per person.

An SLA of `8h` means eight *business* hours of the owner, skipping their weekends and
public holidays, because a recommendation sent at 16:30 on a Friday is not overdue at
00:30 on Saturday; `2d` means two of the owner's business days (the same time two
business days later). Each person may have their own time zone, holidays (`holidays:
CZ`) and working days and hours (part-time, shifts); the company's apply otherwise.

Business time is measured in absolute time: every opening and closing is a moment in
UTC, so a day that the switch to or from daylight saving time shortens or lengthens
counts the hours it really has (a 24-hour operation's `24h` lasts 24 real hours).
The arithmetic takes whole weeks at once: its cost grows with the number of weeks
crossed, not days, and repeated weeks are remembered."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from core.business_hours import END_OF_DAY, BusinessHours
from core.config import Config
from core.durations import BusinessSpan

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)


@lru_cache(maxsize=64)
def _holiday_calendar(spec: str | None) -> holiday_calendars.HolidayBase | None:
    if not spec:
        return None
    country, _, subdivision = spec.partition("-")
    return holiday_calendars.country_holidays(country, subdiv=subdivision or None)


@lru_cache(maxsize=4096)
def _holiday_dates(spec: str, year: int) -> tuple[date, ...]:
    """The holidays of one year, sorted: a week is checked against them by bisection."""
    country, _, subdivision = spec.partition("-")
    found = holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=year)
    return tuple(sorted(found))


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
    """One person's business time: open days, opening hours and public holidays in a
    time zone. `holidays` overrides the hours' own holiday calendar."""

    def __init__(self, hours: BusinessHours, tz: ZoneInfo, *, holidays: str | None = None) -> None:
        self.hours = hours
        self.tz = tz
        self.holidays = holidays or hours.holidays
        self._days = hours.weekday_numbers
        self._holidays = _holiday_calendar(self.holidays)
        # A batch of recommendations arrives at one instant with a handful of SLAs:
        # remember recent answers instead of walking the calendar for each row.
        self._added: dict[tuple[datetime, timedelta | BusinessSpan], datetime] = {}
        self._between: dict[tuple[datetime, datetime], timedelta] = {}
        self._weeks: dict[date, timedelta] = {}

    @property
    def days_per_week(self) -> int:
        """What `1w` means here: the number of working days in a week."""
        return len(self._days)

    @property
    def day_length(self) -> timedelta:
        """Nominal business time of one day (wall clock), for fractions of a day."""
        end = datetime.combine(date.min, self.hours.end)
        if self.hours.end == END_OF_DAY:
            end = datetime.combine(date.min + ONE_DAY, time(0))
        return end - datetime.combine(date.min, self.hours.start)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() not in self._days:
            return False
        return not (self._holidays is not None and day in self._holidays)

    def open_at(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.start, tzinfo=self.tz).astimezone(UTC)

    def close_at(self, day: date) -> datetime:
        if self.hours.end == END_OF_DAY:
            return datetime.combine(day + ONE_DAY, time(0), tzinfo=self.tz).astimezone(UTC)
        return datetime.combine(day, self.hours.end, tzinfo=self.tz).astimezone(UTC)

    def next_business_day(self, day: date) -> date:
        day += ONE_DAY
        for _ in range(3660):
            if self.is_business_day(day):
                return day
            day += ONE_DAY
        raise ValueError("no business day within ten years; check business_hours")

    def _business_day_on_or_after(self, day: date) -> date:
        return day if self.is_business_day(day) else self.next_business_day(day)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself if within business hours, else the next opening time."""
        day = self._local_day(moment)
        if self.is_business_day(day):
            if moment < self.open_at(day):
                return self.open_at(day)
            if moment < self.close_at(day):
                return moment.astimezone(UTC)
        return self.open_at(self.next_business_day(day))

    def start_of_next_business_day(self, moment: datetime) -> datetime:
        day = self._local_day(moment)
        if self.is_business_day(day) and moment < self.open_at(day):
            return self.open_at(day)
        return self.open_at(self.next_business_day(day))

    def _holiday_within(self, first: date, last: date) -> bool:
        if not self.holidays:
            return False
        for year in range(first.year, last.year + 1):
            dates = _holiday_dates(self.holidays, year)
            at = bisect_left(dates, first)
            if at < len(dates) and dates[at] <= last:
                return True
        return False

    def _week(self, first: date) -> timedelta:
        """Business time of the seven days from `first`: the standard week unless a
        holiday or a change of UTC offset falls in it, then counted day by day."""

        def total() -> timedelta:
            last = first + 6 * ONE_DAY
            same_offset = self.open_at(first).astimezone(self.tz).utcoffset() == (
                self.close_at(last).astimezone(self.tz).utcoffset()
            )
            if same_offset and not self._holiday_within(first, last):
                return self.day_length * self.days_per_week
            days = (first + ONE_DAY * i for i in range(7))
            return sum(
                (self.close_at(d) - self.open_at(d) for d in days if self.is_business_day(d)),
                timedelta(0),
            )

        return _remember(self._weeks, first, total)

    # --- adding -------------------------------------------------------------------------

    def add(self, start: datetime, delta: timedelta | BusinessSpan) -> datetime:
        """`start` plus `delta`: a timedelta is business time; a BusinessSpan adds its
        business days and weeks first, then its business time."""
        return _remember(self._added, (start, delta), lambda: self._add(start, delta))

    def _add(self, start: datetime, delta: timedelta | BusinessSpan) -> datetime:
        if isinstance(delta, timedelta):
            return self._add_time(start, delta)
        days = delta.days + delta.weeks * self.days_per_week
        whole = int(days)
        cursor = self.next_open(start)
        if whole:
            cursor = self._add_days(cursor, whole)
        rest = delta.time + self.day_length * (days - whole)
        return self._add_time(cursor, rest) if rest else cursor

    def _add_days(self, cursor: datetime, count: int) -> datetime:
        """The same local time `count` business days after `cursor` (an open moment);
        from an opening, the close of the last of those days (Monday 08:00 + 1d is
        Monday 17:00, not Tuesday 08:00: the same business time, the earlier moment)."""
        day = self._local_day(cursor)
        local = cursor.astimezone(self.tz).replace(tzinfo=None)
        offset = local - datetime.combine(day, self.hours.start)
        previous, target = day, day
        for _ in range(count):
            previous, target = target, self.next_business_day(target)
        if offset <= timedelta(0):
            return self.close_at(previous)
        moment = (datetime.combine(target, self.hours.start) + offset).replace(tzinfo=self.tz)
        return min(moment.astimezone(UTC), self.close_at(target))

    def _add_time(self, start: datetime, remaining: timedelta) -> datetime:
        cursor = self.next_open(start)
        day = self._local_day(cursor)
        while True:
            available = self.close_at(day) - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            day = self.next_business_day(day)
            while remaining > self._week(day):  # whole weeks at once
                remaining -= self._week(day)
                day = self._business_day_on_or_after(day + ONE_WEEK)
            cursor = self.open_at(day)

    # --- measuring ----------------------------------------------------------------------

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from `start` to `end` (zero if end is earlier)."""
        return _remember(self._between, (start, end), lambda: self._between_uncached(start, end))

    def _between_uncached(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        cursor = self.next_open(start)
        while cursor < end:
            day = self._local_day(cursor)
            total += min(self.close_at(day), end) - cursor
            day = self.next_business_day(day)
            while self.close_at(day + 6 * ONE_DAY) <= end:  # whole weeks at once
                total += self._week(day)
                day = self._business_day_on_or_after(day + ONE_WEEK)
            cursor = self.open_at(day)
        return total


class Calendars:
    """One business calendar per person: their time zone, their working hours (else the
    company's) and their holidays (else those of their hours, else the company's)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._cache: dict[tuple[str, str, str | None], BusinessCalendar] = {}
        self._by_person: dict[str, BusinessCalendar] = {}

    def for_person(self, person_id: str | None) -> BusinessCalendar:
        key = person_id or ""
        calendar = self._by_person.get(key)
        if calendar is None:
            calendar = self._by_person[key] = self._build(person_id)
        return calendar

    def _build(self, person_id: str | None) -> BusinessCalendar:
        company = self._config.business_hours
        person = self._config.people_by_id.get(person_id or "")
        tz = self._config.person_tz(person_id)
        hours = (person.business_hours if person else None) or company
        holidays = (person.holidays if person else None) or hours.holidays or company.holidays
        shared = (tz.key, hours.model_dump_json(), holidays)
        calendar = self._cache.get(shared)
        if calendar is None:
            calendar = self._cache[shared] = BusinessCalendar(hours, tz, holidays=holidays)
        return calendar
