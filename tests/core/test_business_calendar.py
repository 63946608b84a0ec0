"""SLAs count business hours in the owner's time zone, skipping weekends and holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.clock import AdjustableClock, BusinessCalendar
from core.config import BusinessHours

BERLIN = ZoneInfo("Europe/Berlin")
CAL = BusinessCalendar(BusinessHours(holidays="DE"), BERLIN)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_adds_within_a_day_and_across_the_night() -> None:
    assert CAL.add(berlin(2026, 11, 30, 9), timedelta(hours=4)) == berlin(2026, 11, 30, 13)
    assert CAL.add(berlin(2026, 11, 30, 15), timedelta(hours=4)) == berlin(2026, 12, 1, 10)


def test_outside_hours_starts_at_next_opening() -> None:
    assert CAL.add(berlin(2026, 11, 30, 22), timedelta(hours=1)) == berlin(2026, 12, 1, 9)
    assert CAL.add(berlin(2026, 11, 30, 6), timedelta(hours=1)) == berlin(2026, 11, 30, 9)


def test_weekend_and_christmas_are_skipped() -> None:
    # Friday 16:00 + 2h -> Monday 09:00
    assert CAL.add(berlin(2026, 12, 4, 16), timedelta(hours=2)) == berlin(2026, 12, 7, 9)
    # Thu 24 Dec 16:00 + 8h: 25/26 Dec holidays, 27 Sunday -> Mon 28 Dec 15:00
    assert CAL.add(berlin(2026, 12, 24, 16), timedelta(hours=8)) == berlin(2026, 12, 28, 15)


def test_between_counts_only_business_time() -> None:
    start = berlin(2026, 12, 4, 16)
    assert CAL.between(start, berlin(2026, 12, 7, 9)) == timedelta(hours=2)
    assert CAL.between(start, start - timedelta(hours=1)) == timedelta(0)


def test_daylight_saving_change_keeps_wall_clock_hours() -> None:
    # Sunday 2026-10-25 is the switch to winter time: Friday 16:00 + 2h -> Monday 09:00
    assert CAL.add(berlin(2026, 10, 23, 16), timedelta(hours=2)) == berlin(2026, 10, 26, 9)
    # Easter 2027: Good Friday (26 Mar) and Easter Monday (29 Mar) are holidays in DE
    assert CAL.add(berlin(2027, 3, 25, 16), timedelta(hours=2)) == berlin(2027, 3, 30, 9)


def test_adjustable_clock_advances() -> None:
    clock = AdjustableClock(datetime(2026, 11, 30, 8, tzinfo=UTC), frozen=True)
    assert clock.advance(timedelta(hours=1)) == datetime(2026, 11, 30, 9, tzinfo=UTC)
