"""Human-friendly durations (`8h`, `2d`, `90m`) and percentages (`50%`) used in sopbot.yml.

Two kinds. A *business* duration (an SLA, an escalation's `after`) is counted in the
owner's calendar: `h`/`m` are business hours and minutes, `d` is one business day (the
same time on the next business day) and `w` the calendar's working week (five days for
mon-fri). A *plain* duration (retention, `max_age`, windows) is elapsed time, `d` = 24 h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str | int | float) -> timedelta:
    """Parse `8h`, `2d`, `30m`, `1w`; a bare number means hours (business-hours SLAs)."""
    if isinstance(text, bool):
        raise ValueError("expected a duration like '8h' or '2d'")
    if isinstance(text, int | float):
        return timedelta(hours=float(text))
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration; use e.g. '30m', '8h', '2d' or '1w'")
    amount, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


@dataclass(frozen=True, slots=True)
class BusinessSpan:
    """A business duration as written: whole and fractional business days and working
    weeks, plus business time. Only a calendar turns it into a due time
    (core.business_calendar.BusinessCalendar.add)."""

    days: float = 0.0
    weeks: float = 0.0
    time: timedelta = timedelta(0)
    written: str = ""

    def __bool__(self) -> bool:
        return bool(self.days or self.weeks or self.time)

    def __str__(self) -> str:
        return self.written or format_duration(self.time)

    @classmethod
    def of(cls, time: timedelta) -> BusinessSpan:
        """Business time only (what a timedelta meant before `d` was a business day)."""
        return cls(time=time, written=format_duration(time))


def parse_business_duration(text: str | int | float | timedelta | BusinessSpan) -> BusinessSpan:
    """`2d` two business days, `1w` a working week, `8h`/`30m` business time; a bare
    number is business hours (what configurations have always meant by it)."""
    if isinstance(text, BusinessSpan):
        return text
    if isinstance(text, timedelta):
        return BusinessSpan.of(text)
    if isinstance(text, bool):
        raise ValueError("expected a duration like '8h' or '2d'")
    if isinstance(text, int | float):
        return BusinessSpan(time=timedelta(hours=float(text)), written=f"{text}h")
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a duration; use e.g. '30m', '8h', '2d' or '1w'")
    amount, unit = float(match.group(1)), match.group(2).lower()
    written = f"{match.group(1)}{unit}"
    if unit == "d":
        return BusinessSpan(days=amount, written=written)
    if unit == "w":
        return BusinessSpan(weeks=amount, written=written)
    return BusinessSpan(time=timedelta(seconds=amount * _UNIT_SECONDS[unit]), written=written)


def parse_fraction(text: str | int | float) -> float:
    """Parse `50%` or `0.5` into 0.5; must lie in (0, 1]."""
    if isinstance(text, bool):
        raise ValueError("expected a percentage like '50%'")
    if isinstance(text, str):
        stripped = text.strip()
        try:
            value = float(stripped[:-1]) / 100 if stripped.endswith("%") else float(stripped)
        except ValueError:
            raise ValueError(f"'{text}' is not a percentage; use e.g. '50%'") from None
    else:
        value = float(text)
    if not 0 < value <= 1:
        raise ValueError(f"'{text}' must be between 0% and 100%")
    return value


def format_duration(delta: timedelta) -> str:
    """Short form for messages: `2h`, `1h 30m`, `3d`."""
    minutes = int(round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"
