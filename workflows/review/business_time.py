"""Business hours between receipt and decision for a million decisions: the calendar's
`between(start, end)` is B(end) - B(start), where B(t) is the business time from a fixed
day up to t. B is tabulated once per calendar and day (local midnight, opening, closing
and the business time before, in integer microseconds), so each decision is two
bisections instead of a walk through time zones; the result is the same timedelta."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta

from core.business_calendar import BusinessCalendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
HOUR_US = 3_600_000_000


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


class BusinessClock:
    """B(t) of one calendar over the local days first..last (others: the calendar)."""

    def __init__(self, calendar: BusinessCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.starts: list[int] = []
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.before: list[int] = []
        running, day = 0, first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            start = micros(datetime.combine(day, time(0), tzinfo=calendar.tz))
            opens = closes = start
            if calendar.is_business_day(day):
                opens, closes = micros(calendar.open_at(day)), micros(calendar.close_at(day))
            self.starts.append(start)
            self.opens.append(opens)
            self.closes.append(closes)
            self.before.append(running)
            running += closes - opens
            day += timedelta(days=1)

    def _b(self, t: int) -> int | None:
        index = bisect.bisect_right(self.starts, t) - 1
        if index <= 0 or index >= len(self.starts) - 1:
            return None  # outside the table: ask the calendar
        return self.before[index] + max(min(self.closes[index], t) - self.opens[index], 0)

    def hours(self, start: datetime, end: datetime) -> float:
        """calendar.between(start, end) / 1 hour, exactly."""
        if end <= start:
            return 0.0
        b_start, b_end = self._b(micros(start)), self._b(micros(end))
        if b_start is None or b_end is None:
            return self.calendar.between(start, end) / timedelta(hours=1)
        return (b_end - b_start) / HOUR_US
