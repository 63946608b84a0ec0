"""Business calendars: the time an SLA is counted in, one per person.

An SLA of `8h` means eight *business* hours of the owner, skipping their weekends and
public holidays, because a recommendation sent at 16:30 on a Friday is not overdue at
00:30 on Saturday; `2d` means two of the owner's business days (the same time two
business days later). Each person may have their own time zone, holidays (`holidays:
CZ`) and working days and hours (part-time, shifts); the company's apply otherwise.

Business time is measured in absolute time: every opening and closing is a moment in
UTC, so a day that the switch to or from daylight saving time shortens or lengthens
counts the hours it really has (a 24-hour operation's `24h` lasts 24 real hours).
The arithmetic takes whole years at once: each year's running totals are counted once
and kept, so a due time two years out costs a few look-ups and a bisection, about what
one a day out costs."""

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


@lru_cache(maxsize=64)
def _holiday_calendar(spec: str | None) -> holiday_calendars.HolidayBase | None:
    if not spec:
        return None
    country, _, subdivision = spec.partition("-")
    return holiday_calendars.country_holidays(country, subdiv=subdivision or None)


@lru_cache(maxsize=4096)
def _holiday_dates(spec: str, year: int) -> frozenset[date]:
    """The holidays of one year (an observed day falls in the year it is observed in:
    the `holidays` package files it there), looked up as a set: asking the package's
    calendar itself costs tens of microseconds per day."""
    country, _, subdivision = spec.partition("-")
    return frozenset(
        holiday_calendars.country_holidays(country, subdiv=subdivision or None, years=year)
    )


_K = TypeVar("_K")
_V = TypeVar("_V")
_MEMO_SIZE = 4096
# Each year's running totals, shared by every calendar of the same shape: a card drawn
# builds its owner's calendar afresh, and counting a year walks its 365 days.
_YEARS: dict[tuple[object, ...], list[timedelta]] = {}


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
        _holiday_calendar(self.holidays)  # an unknown calendar is refused here, at once
        # A batch of recommendations arrives at one instant with a handful of SLAs:
        # remember recent answers instead of walking the calendar for each row.
        self._added: dict[tuple[datetime, timedelta | BusinessSpan], datetime] = {}
        self._between: dict[tuple[datetime, datetime], timedelta] = {}
        self._years: dict[int, list[timedelta]] = {}
        # Each day's opening and closing in UTC, () when closed: a due time two years
        # out is a few such look-ups, each otherwise two time zone conversions.
        self._hours_of: dict[date, tuple[datetime, datetime] | tuple[()]] = {}
        self._openings: dict[datetime, tuple[datetime, date, timedelta]] = {}
        self._shape = (tz, hours.start, hours.end, tuple(sorted(self._days)), self.holidays)

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
        return not (self.holidays and day in _holiday_dates(self.holidays, day.year))

    def _business_hours(self, day: date) -> tuple[datetime, datetime] | tuple[()]:
        """`day`'s (opening, closing) in UTC if it is a business day, else ()."""
        found = self._hours_of.get(day)
        if found is not None:
            return found
        return _remember(
            self._hours_of,
            day,
            lambda: (self.open_at(day), self.close_at(day)) if self.is_business_day(day) else (),
        )

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

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself if within business hours, else the next opening time."""
        day = self._local_day(moment)
        hours = self._business_hours(day)
        if hours:
            if moment < hours[0]:
                return hours[0]
            if moment < hours[1]:
                return moment.astimezone(UTC)
        return self.open_at(self.next_business_day(day))

    def start_of_next_business_day(self, moment: datetime) -> datetime:
        day = self._local_day(moment)
        if self.is_business_day(day) and moment < self.open_at(day):
            return self.open_at(day)
        return self.open_at(self.next_business_day(day))

    def _year(self, year: int) -> list[timedelta]:
        """Business time before each day of `year`, from 1 January (one entry per day and
        one for the whole year): counted once per year and kept, so any span is a few
        look-ups however far it reaches. Each day counts as absolute time between its
        opening and closing, so the days the clocks change count what they really have."""

        def count() -> list[timedelta]:
            first = date(year, 1, 1)
            off = _holiday_dates(self.holidays, year) if self.holidays else frozenset()
            totals, running = [timedelta(0)], timedelta(0)
            for ordinal in range(first.toordinal(), date(year, 12, 31).toordinal() + 1):
                day = date.fromordinal(ordinal)
                if day.weekday() in self._days and day not in off:
                    running += self.close_at(day) - self.open_at(day)
                totals.append(running)
            return totals

        found = self._years.get(year)  # the common case, without building `count`
        if found is None:  # calendars of the same shape share each year's totals
            found = self._years[year] = _remember(_YEARS, (*self._shape, year), count)
        return found

    def _before(self, day: date) -> timedelta:
        """Business time of 1 January of `day`'s year up to (not including) `day`."""
        return self._year(day.year)[day.toordinal() - date(day.year, 1, 1).toordinal()]

    def _whole_days(self, first: date, stop: date) -> timedelta:
        """Business time of the whole days from `first` up to (not including) `stop`."""
        if stop <= first:
            return timedelta(0)
        total = -self._before(first)
        for year in range(first.year, stop.year):
            total += self._year(year)[-1]
        return total + self._before(stop)

    def _day_reaching(self, first: date, remaining: timedelta) -> tuple[date, timedelta]:
        """The business day, from `first` on, in which `remaining` business time (> 0)
        runs out, and how much of it is left at that day's opening: whole years are
        subtracted at once, then the day is found by bisection in that year's totals."""
        year, already = first.year, self._before(first)
        totals = self._year(year)
        barren = 0
        while remaining > totals[-1] - already:
            gained = totals[-1] - already
            barren = 0 if gained else barren + 1
            if barren > 10 or year >= 9999:
                raise ValueError("no business day within ten years; check business_hours")
            remaining -= gained
            year, already = year + 1, timedelta(0)
            totals = self._year(year)
        index = bisect_left(totals, already + remaining) - 1  # the day it runs out in
        return date(year, 1, 1) + ONE_DAY * index, already + remaining - totals[index]

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
        cursor, day, available = self._opening(start)
        if remaining <= available:
            return cursor + remaining
        day, left = self._day_reaching(day + ONE_DAY, remaining - available)
        hours = self._business_hours(day)  # the day it runs out in is a business day
        return (hours[0] if hours else self.open_at(day)) + left

    def _opening(self, start: datetime) -> tuple[datetime, date, timedelta]:
        """Where adding to `start` begins: its next open moment, that day, and the
        business time left in it. A batch's rows share their start (arrival), and
        reminders add several fractions to it: found once."""

        def find() -> tuple[datetime, date, timedelta]:
            cursor = self.next_open(start)
            day = self._local_day(cursor)
            return cursor, day, self.close_at(day) - cursor

        found = self._openings.get(start)
        return found if found is not None else _remember(self._openings, start, find)

    # --- measuring ----------------------------------------------------------------------

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from `start` to `end` (zero if end is earlier)."""
        return _remember(self._between, (start, end), lambda: self._between_uncached(start, end))

    def _between_uncached(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        first, last = self._local_day(start), self._local_day(end)
        if first == last:
            return self._within(first, start, end)
        return (
            self._within(first, start, end)
            + self._whole_days(first + ONE_DAY, last)
            + self._within(last, start, end)
        )

    def _within(self, day: date, start: datetime, end: datetime) -> timedelta:
        """Business time of `day` that falls between `start` and `end`."""
        hours = self._business_hours(day)
        if not hours:
            return timedelta(0)
        return max(min(hours[1], end) - max(hours[0], start), timedelta(0))


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
