"""The calendar's look-ups against the slow definitions (tests/support/business_time):
per-year holiday sets against the `holidays` package asked day by day, per-day hours
against the opening and closing computed afresh, and the reminders of one arrival
(several fractions of the time to a `respond_by` up to the horizon, the start shared
and remembered) against walking every day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.business_hours import WEEKDAYS
from core.clock import BusinessCalendar
from core.config import BusinessHours
from core.recommendation import RESPOND_BY_HORIZON
from tests.support.business_time import walked_add, walked_between, walked_is_business_day
from workflows.ownership.routing import reminder_times

BERLIN = ZoneInfo("Europe/Berlin")
SPECS = ["DE", "DE-BY", "CZ", "US", "GB", "FR", "JP"]


@pytest.mark.parametrize("spec", SPECS)
def test_business_days_agree_with_the_holidays_package(spec: str) -> None:
    rng = random.Random(spec)
    cal = BusinessCalendar(BusinessHours(holidays=spec), BERLIN)
    days = [date(2024, 1, 1) + timedelta(days=rng.randrange(0, 7 * 366)) for _ in range(400)]
    days += [date(y, m, d) for y in range(2024, 2031) for m, d in ((1, 1), (12, 24), (12, 31))]
    for day in days:
        expected = walked_is_business_day(cal, day)
        assert cal.is_business_day(day) == expected, day
        hours = (cal.open_at(day), cal.close_at(day)) if expected else ()
        assert cal._business_hours(day) == hours, day


def calendars() -> list[BusinessCalendar]:
    return [
        BusinessCalendar(BusinessHours(holidays="DE"), BERLIN),
        BusinessCalendar(BusinessHours(start=time(8), end=time(17), holidays="CZ"), BERLIN),
        BusinessCalendar(
            BusinessHours(start=time(0), end="24:00", days=list(WEEKDAYS), holidays="US"),
            ZoneInfo("America/New_York"),
        ),
    ]


@pytest.mark.parametrize("seed", range(2))
def test_reminders_of_one_arrival_agree_with_walking_every_day(seed: int) -> None:
    rng = random.Random(seed)
    for cal in calendars():
        arrival = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(0, 365 * 24 * 60)
        )
        for _ in range(6):  # one batch: the arrival shared, each row its own respond_by
            due = arrival + timedelta(
                minutes=rng.randrange(1, RESPOND_BY_HORIZON // timedelta(minutes=1))
            )
            window = cal.between(arrival, due)
            assert window == walked_between(cal, arrival, due)
            fractions = [0.25, 0.5, 0.9, 1.0]
            expected = [walked_add(cal, arrival, window * f) for f in fractions]
            expected = [t for t in expected if t < due]
            assert (
                reminder_times(calendar=cal, start=arrival, due_at=due, fractions=fractions)
                == expected
            )
