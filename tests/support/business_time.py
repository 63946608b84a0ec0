"""The slow definitions of business time, for tests of the calendar's fast arithmetic:
walk every day, ask the `holidays` package itself whether it is a holiday, and count
each business day's hours as absolute time. Nothing here uses the calendar's own
look-ups (year totals, per-day hours, per-year holiday sets)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from core.clock import BusinessCalendar


@lru_cache(maxsize=32)
def _package_calendar(spec: str) -> holidays.HolidayBase:
    country, _, subdivision = spec.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


def walked_is_business_day(cal: BusinessCalendar, day: date) -> bool:
    if day.weekday() not in cal.hours.weekday_numbers:
        return False
    return not (cal.holidays and day in _package_calendar(cal.holidays))


def walked_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The reference: every day walked, each business day's hours as absolute time."""
    total, day = timedelta(0), start.astimezone(cal.tz).date()
    while cal.open_at(day) < end:
        if walked_is_business_day(cal, day):
            total += max(min(cal.close_at(day), end) - max(cal.open_at(day), start), timedelta(0))
        day += timedelta(days=1)
    return total


def walked_add(cal: BusinessCalendar, start: datetime, span: timedelta) -> datetime:
    """The reference for adding: day by day, the earliest moment `span` is used up
    (from the first business moment at or after `start`)."""
    day = start.astimezone(cal.tz).date()
    while True:
        if walked_is_business_day(cal, day):
            begin, close = max(cal.open_at(day), start), cal.close_at(day)
            if begin < close:
                if span <= close - begin:
                    return begin + span
                span -= close - begin
        day += timedelta(days=1)
