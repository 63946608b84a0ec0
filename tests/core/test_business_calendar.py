"""SLAs count business hours in the owner's time zone, skipping weekends and holidays."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.business_hours import WEEKDAYS
from core.clock import AdjustableClock, BusinessCalendar, Calendars
from core.config import BusinessHours, ConfigError, parse_config
from core.durations import parse_business_duration
from tests.support.business_time import walked_add, walked_between

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


# --- issue 24: business days, calendars per person, DST in absolute time, bounded -------

NINE_TO_FIVE = BusinessCalendar(BusinessHours(start=time(8), end=time(17)), BERLIN)


def test_two_business_days_from_monday_ten_is_wednesday_ten() -> None:
    monday = berlin(2026, 11, 30, 10)
    assert NINE_TO_FIVE.add(monday, parse_business_duration("2d")) == berlin(2026, 12, 2, 10)
    # Not 48 business hours (what `2d` used to mean: five and a third working days).
    assert NINE_TO_FIVE.add(monday, timedelta(hours=48)) == berlin(2026, 12, 7, 13)


def test_business_days_weeks_and_fractions() -> None:
    friday = berlin(2026, 12, 4, 15)
    assert NINE_TO_FIVE.add(friday, parse_business_duration("1d")) == berlin(2026, 12, 7, 15)
    assert NINE_TO_FIVE.add(friday, parse_business_duration("1w")) == berlin(2026, 12, 11, 15)
    # From an opening, one day ends at that day's close (the same business time).
    assert NINE_TO_FIVE.add(berlin(2026, 12, 7, 8), parse_business_duration("1d")) == berlin(
        2026, 12, 7, 17
    )
    # Saturday: counted from Monday's opening. Half a day is half of 08:00-17:00.
    saturday = berlin(2026, 12, 5, 11)
    assert NINE_TO_FIVE.add(saturday, parse_business_duration("1.5d")) == berlin(
        2026, 12, 8, 12, 30
    )
    # Holidays count as no day: Thu 24 Dec 10:00 + 2d (DE: 25, 26 Dec) -> Tue 29 Dec 10:00.
    assert CAL.add(berlin(2026, 12, 24, 10), parse_business_duration("2d")) == berlin(
        2026, 12, 29, 10
    )
    # A part-time week is her week: mon, tue, wed.
    part_time = BusinessCalendar(BusinessHours(days=["mon", "tue", "wed"]), BERLIN)
    assert part_time.add(berlin(2026, 12, 1, 10), parse_business_duration("1w")) == berlin(
        2026, 12, 8, 10
    )


def test_a_24_hour_sla_across_the_dst_change_lasts_24_real_hours() -> None:
    always = BusinessCalendar(
        BusinessHours(start=time(0), end="24:00", days=list(WEEKDAYS)), BERLIN
    )
    saturday = berlin(2026, 10, 24, 12)  # CEST; clocks go back at 03:00 on Sunday
    due = always.add(saturday, timedelta(hours=24))
    assert due - saturday == timedelta(hours=24)
    assert due == datetime(2026, 10, 25, 11, tzinfo=BERLIN)  # 11:00 CET: 24 real hours
    assert always.between(saturday, due) == timedelta(hours=24)
    # And in spring the short day loses nothing: 29 March 2026, 02:00 -> 03:00.
    spring = berlin(2026, 3, 28, 12)
    assert always.add(spring, timedelta(hours=24)) - spring == timedelta(hours=24)


PRAGUE_CONFIG = """
timezone: Europe/Berlin
business_hours: {start: "08:00", end: "17:00", holidays: DE}
people:
  - {id: dora, name: Dora, timezone: Europe/Prague, holidays: CZ}
  - {id: ana, name: Ana}
  - {id: pia, name: Pia, business_hours: {start: "06:00", end: "14:00", days: [mon, tue, wed]}}
reason_codes: [{code: X, label: X}]
recommendation_types: {t: {label: T, owner: ana}}
"""


def test_a_prague_planner_has_czech_holidays() -> None:
    calendars = Calendars(parse_config(PRAGUE_CONFIG))
    dora, ana = calendars.for_person("dora"), calendars.for_person("ana")
    independence_day, whit_monday = date(2026, 10, 28), date(2026, 5, 25)  # both weekdays
    assert not dora.is_business_day(independence_day) and ana.is_business_day(independence_day)
    assert dora.is_business_day(whit_monday) and not ana.is_business_day(whit_monday)
    assert dora.tz.key == "Europe/Prague" and calendars.for_person(None).holidays == "DE"
    # Her SLA skips her holiday, not Germany's.
    tuesday = datetime(2026, 10, 27, 10, tzinfo=ZoneInfo("Europe/Prague"))
    assert dora.add(tuesday, parse_business_duration("1d")) == datetime(
        2026, 10, 29, 10, tzinfo=ZoneInfo("Europe/Prague")
    )
    # A shift worker's own hours and days (holidays: the company's).
    pia = calendars.for_person("pia")
    assert pia.add(berlin(2026, 12, 2, 13), timedelta(hours=2)) == berlin(2026, 12, 7, 7)
    assert pia.holidays == "DE"


def test_unknown_holiday_calendars_are_named() -> None:
    with pytest.raises(ConfigError, match=r"people\[0\].holidays.*unknown holiday calendar 'XX'"):
        parse_config(PRAGUE_CONFIG.replace("holidays: CZ", "holidays: XX"))
    with pytest.raises(ConfigError, match="unknown subdivision 'ZZ' of DE"):
        parse_config(PRAGUE_CONFIG.replace("holidays: DE", "holidays: DE-ZZ"))
    assert BusinessHours(holidays="de-by").holidays == "DE-BY"


@pytest.mark.parametrize("seed", range(3))
def test_whole_weeks_at_once_agree_with_walking_every_day(seed: int) -> None:
    rng = random.Random(seed)
    always = BusinessCalendar(
        BusinessHours(start=time(0), end="24:00", days=list(WEEKDAYS), holidays="CZ"), BERLIN
    )
    for cal in (CAL, always, NINE_TO_FIVE):
        for _ in range(25):
            start = berlin(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            end = start + timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
            expected = walked_between(cal, start, end)
            assert cal.between(start, end) == expected
            if expected:
                assert cal.add(start, expected) <= end
                assert cal.between(start, cal.add(start, expected)) == expected


@pytest.mark.parametrize("seed", range(3))
def test_years_at_once_agree_with_walking_every_day(seed: int) -> None:
    """Spans across New Year, Christmas, Easter and both DST changes, up to the 730-day
    `respond_by` horizon and beyond: the same answer as walking every day."""
    rng = random.Random(100 + seed)
    shifts = BusinessCalendar(
        BusinessHours(start=time(22), end="24:00", days=["sun", "mon", "thu"], holidays="CZ"),
        ZoneInfo("America/New_York"),
    )
    for cal in (CAL, NINE_TO_FIVE, shifts):
        for _ in range(15):
            start = berlin(2025, 12, 20) + timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
            span = timedelta(minutes=rng.randrange(1, 1000 * 24 * 60 // 3))
            due = cal.add(start, span)
            assert due == walked_add(cal, start, span)
            assert cal.between(start, due) == span == walked_between(cal, start, due)


def test_a_far_due_time_costs_about_what_a_near_one_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten years of business time: each year is counted once and kept; after that a
    span of any length is a handful of look-ups (a day-by-day walk would check 3,652
    days, a week-by-week one 522 weeks)."""
    calls = 0
    original = BusinessCalendar.open_at

    def counted(self: BusinessCalendar, day: date) -> datetime:
        nonlocal calls
        calls += 1
        return original(self, day)

    monkeypatch.setattr(BusinessCalendar, "open_at", counted)
    cal = BusinessCalendar(BusinessHours(), BERLIN)  # no holidays: only the weeks count
    start = berlin(2026, 12, 1, 10)
    ten_years = cal.between(start, start + timedelta(days=3652))
    # Tue 1 Dec 2026 10:00-17:00, then the 2,608 weekdays before Sun 30 Nov 2036.
    assert ten_years == timedelta(hours=7) + timedelta(hours=9) * 2608
    assert cal.add(start, ten_years) == berlin(2036, 11, 28, 17)  # Friday's close
    # Another far item (the years are known now): as few look-ups as a near one.
    later = start + timedelta(minutes=7)
    calls = 0
    far = cal.between(later, later + timedelta(days=3650))
    assert cal.add(later, far) == later + timedelta(days=3650)  # Fri 28 Nov 2036 10:07
    assert calls <= 8
    calls = 0
    near = cal.between(later, later + timedelta(days=2))
    cal.add(later, near)
    assert 0 < calls <= 8


@pytest.mark.parametrize(
    ("hours", "tz", "expected"),
    [
        # 12:00-17:00 on Mon 21 Dec, then 9h on each weekday but 25 Dec and 1 Jan.
        (BusinessHours(holidays="DE"), BERLIN, 5 + 7 * 9),
        # The same hours in New York: Mon 21 Dec 12:00 Berlin is 06:00 there, a whole day.
        (BusinessHours(holidays="DE"), ZoneInfo("America/New_York"), 8 * 9),
        (BusinessHours(holidays="DE", end=time(18)), BERLIN, 6 + 7 * 10),
        # Saturdays too: 26 Dec is a holiday, 2 Jan is not.
        (BusinessHours(holidays="DE", days=list(WEEKDAYS[:6])), BERLIN, 5 + 8 * 9),
        (BusinessHours(), BERLIN, 5 + 9 * 9),
    ],
    ids=["company", "other zone", "longer day", "six days", "no holidays"],
)
def test_calendars_that_differ_in_one_thing_count_their_own_years(
    hours: BusinessHours, tz: ZoneInfo, expected: int
) -> None:
    """Year totals are shared by calendars of the same shape (a card builds its owner's
    calendar afresh each time it is drawn), so one that differs only in its time zone,
    hours, days or holidays must count its own: each is asked right after the company
    calendar has counted both years. Mon 21 Dec 2026 12:00 to Mon 4 Jan 2027 (Berlin)."""
    start, end = berlin(2026, 12, 21, 12), berlin(2027, 1, 4)
    company = BusinessCalendar(BusinessHours(holidays="DE"), BERLIN)
    assert company.between(start, end) == timedelta(hours=5 + 7 * 9)
    assert BusinessCalendar(hours, tz).between(start, end) == timedelta(hours=expected)
