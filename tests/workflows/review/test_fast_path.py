"""The review's figures come from GROUP BY queries (workflows.review.aggregates), not from
one Python row per recommendation. Here: an awkward history worked out by hand (negative
actuals, a tie, another type's actual and an actual observed at the event time offered
as the naive forecast, a withdrawn override), and a seeded random history on which every
section of every scope equals the row-by-row definition (report.scope_review), on SQLite
and PostgreSQL; the tabulated business time equals the calendar's."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.clock import Calendars
from core.config import Config
from core.domain import EventKind
from storage.db import Database
from tests.support.history import NOW
from tests.workflows.review.builder import MONDAY_9, Item, write_items
from tests.workflows.review.test_review_metrics import fraction, review_of, with_min_sample
from workflows.review import aggregates
from workflows.review.business_time import BusinessClock
from workflows.review.format_json import plain
from workflows.review.history import Window, load_history
from workflows.review.report import scope_review
from workflows.review.thresholds import advice

NOV = datetime(2026, 11, 1, 12, tzinfo=UTC)
MADE = datetime(2026, 11, 10, 9, tzinfo=UTC)  # the event time of the window's items


def test_awkward_history_by_hand(database: Database, config: Config) -> None:
    same = {"type": "demand_revision", "sku": "X", "site": "S"}
    old = {**same, "kind": None, "status": "open", "received_at": NOV}
    write_items(
        database,
        [
            Item(**old, actual=900, observed_at=NOV),  # type: ignore[arg-type]
            # Another type's actual, observed before: not the same quantity.
            Item(
                **{**old, "type": "stockout_risk"}, actual=90, observed_at=NOV + timedelta(days=7)
            ),  # type: ignore[arg-type]
            # A withdrawn item's actual: out of every accuracy figure.
            Item(
                **{**old, "status": "withdrawn"}, actual=5000, observed_at=NOV + timedelta(days=8)
            ),  # type: ignore[arg-type]
            # Observed at the event time itself: not known before it.
            Item(**old, actual=1200, observed_at=MADE),  # type: ignore[arg-type]
            # The window: naive 900 (no baseline) or the baseline.
            Item(**same, event_time=MADE, ai=1000, actual=1100),  # type: ignore[arg-type]
            Item(
                **same,
                event_time=MADE,
                ai=1000,
                baseline=950,
                kind="override",
                value=1050,
                actual=1100,
            ),  # type: ignore[arg-type]
            Item(**same, event_time=MADE, ai=1000, kind="override", value=1200, actual=1100),  # type: ignore[arg-type]
            Item(
                **same,
                event_time=MADE,
                ai=1000,
                kind="override",
                value=1,
                actual=1100,
                status="withdrawn",
            ),  # type: ignore[arg-type]
            Item(
                **same,
                event_time=MADE,
                ai=-50,
                baseline=-80,
                kind="override",
                value=-120,
                actual=-100,
            ),  # type: ignore[arg-type]
        ],
    )
    review = review_of(
        database, with_min_sample(config, 1), since=date(2026, 11, 30), type_="demand_revision"
    )
    section = review.scopes["demand_revision"]
    volume = section["volume"]
    assert (volume["received"], volume["decided"], volume["withdrawn"]) == (5, 4, 1)
    assert (volume["accepted"], volume["overridden"]) == (1, 3)
    # Full rows: 1000/1100 naive 900; 1050 vs 1000/1100 naive 950; 1200 vs 1000/1100 naive
    # 900; -120 vs -50/-100 naive -80. Sum |a| = 3400.
    # Naive |900-1100| + |950-1100| + |900-1100| + |-80+100| = 200+150+200+20 = 570
    # AI 100+100+100+50 = 350; final 100+50+100+20 = 270.
    stair = section["stairstep"]
    naive, ai, final = (s["wape"].value for s in stair["steps"])
    assert stair["n"] == 4
    assert naive == pytest.approx(570 / 3400)
    assert ai == pytest.approx(350 / 3400)
    assert final == pytest.approx(270 / 3400)
    assert stair["steps"][2]["value_added"].value == pytest.approx(80 / 3400)
    # Overrides judged (the withdrawn one is not): won, tie (|1200-1100| = |1000-1100|), won.
    wins = section["override_wins"]
    assert fraction(wins["win_rate"]) == (2, 3) and fraction(wins["tie_rate"]) == (1, 3)
    # Bias: AI errors -100, -100, -100, +50; final -100, -50, +100, -20.
    bias = section["bias"]["demand_revision (forecast units)"]
    assert bias["n"] == 4
    assert bias["ai_mean_error"].value == pytest.approx(-250 / 4)
    assert bias["final_mean_error"].value == pytest.approx(-70 / 4)
    # Fildes grid: up small (1050 vs 1000, 5%: won), up small (1200 vs 1000 is 20%: large,
    # tie), down large (-120 vs -50: 140%, won).
    grid = section["adjustments"]
    assert (grid["up_small"]["overrides"], grid["up_large"]["overrides"]) == (1, 1)
    assert fraction(grid["up_large"]["win_rate"]) == (0, 1)
    assert fraction(grid["down_large"]["win_rate"]) == (1, 1)


def test_a_weeks_naive_values_come_from_actuals_outside_the_week(
    database: Database, config: Config
) -> None:
    """The report of one week reads only the actuals that can matter, yet those lie
    outside the week: before it (a row made before the week, received in it), and
    between its rows' event times from items received long before; an actual observed
    after the last event time is never used. Site may be empty (None)."""
    day = lambda d, h=12: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    same = {"type": "demand_revision", "sku": "X", "site": "S"}
    old = {**same, "kind": None, "status": "open", "received_at": day(1)}
    no_site = {"type": "demand_revision", "sku": "Y", "site": None}
    week = {"ai": 1000, "kind": "accept", "observed_at": datetime(2026, 12, 2, tzinfo=UTC)}
    write_items(
        database,
        [
            Item(**old, actual=700, observed_at=day(2)),  # type: ignore[arg-type]
            Item(**old, actual=800, observed_at=day(10)),  # type: ignore[arg-type]
            Item(**old, actual=9999, observed_at=day(26)),  # type: ignore[arg-type]
            Item(**old, actual=5555, observed_at=day(28)),  # type: ignore[arg-type]
            Item(**{**old, **no_site}, actual=300, observed_at=day(10)),  # type: ignore[arg-type]
            # The week (received 23 to 29 Nov): made 5 Nov (naive 700, observed 2 Nov),
            # 25 Nov (800, observed 10 Nov), 27 Nov (9999, observed 26 Nov).
            Item(**same, **week, received_at=day(24), event_time=day(5), actual=1100),  # type: ignore[arg-type]
            Item(**same, **week, received_at=day(25), event_time=day(25), actual=1100),  # type: ignore[arg-type]
            Item(**same, **week, received_at=day(27), event_time=day(27), actual=1000),  # type: ignore[arg-type]
            Item(
                **no_site,
                **{**week, "ai": 250},
                received_at=day(25),
                event_time=day(25),
                actual=200,
            ),  # type: ignore[arg-type]
        ],
    )
    review = review_of(
        database,
        with_min_sample(config, 1),
        since=date(2026, 11, 23),
        until=date(2026, 11, 29),
        type_="demand_revision",
    )
    stair = review.scopes["demand_revision"]["stairstep"]
    naive, ai, _final = (s["wape"].value for s in stair["steps"])
    # Sum |a| = 1100 + 1100 + 1000 + 200 = 3400. Naive |700-1100| + |800-1100| +
    # |9999-1000| + |300-200| = 400 + 300 + 8999 + 100 = 9799; AI 100 + 100 + 0 + 50 = 250.
    assert stair["n"] == 4
    assert naive == pytest.approx(9799 / 3400)
    assert ai == pytest.approx(250 / 3400)


def _random_items(seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for _ in range(160):
        kind = rng.choice(["accept", "override", "auto", None])
        status = rng.choice(["decided"] * 6 + ["open", "withdrawn"])
        if kind is None and status == "decided":
            status = "open"
        received = MONDAY_9 - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 30))
        ai = rng.choice([None, 0, *range(-6, 7)])
        events: list[tuple[str, datetime, str | None, dict[str, Any]]] = []
        due = received + timedelta(hours=rng.choice([2, 8, 30]))
        if rng.random() < 0.25:
            events.append((EventKind.ESCALATED, due, None, {"level": rng.choice([1, 2])}))
        if rng.random() < 0.25:
            new_due = due + timedelta(days=2)
            events.append(
                (
                    EventKind.SLA_EXTENDED,
                    due + timedelta(hours=1),
                    rng.choice(["ben", "carl"]),
                    {"previous_due": due.isoformat(), "due_at": new_due.isoformat()},
                )
            )
            due = new_due
        items.append(
            Item(
                type=rng.choice(["stockout_risk", "supplier_delay", "demand_revision"]),
                ai=ai,
                baseline=rng.choice([None, None, rng.randint(-5, 5)]),
                sku=rng.choice(["A", "B", ""]),
                site=rng.choice(["S1", "S2"]),
                received_at=received,
                event_time=rng.choice([None, received - timedelta(days=rng.randint(0, 9))]),
                due_at=due,
                status=status,
                tier=rng.choice(["direct", "direct", "digest"]),
                confidence=rng.choice(
                    [None, 0.5, 0.6, 0.65, 0.7, 0.85, 0.9, 0.95, 1.0, rng.random()]
                ),
                owner=rng.choice(["ana", "carl", "dora"]),
                kind=kind,
                value=rng.choice([None, *range(-6, 7)]) if kind == "override" else None,
                reason=rng.choice([None, "DATA_ERROR", "JUDGMENT_NO_SPECIFIC_INFO"]),
                decided_at=received + timedelta(hours=rng.randint(1, 80)),
                actual=rng.choice([None, *range(-6, 7)]),
                ai_correct=rng.choice([None, None, True, False]),
                observed_at=received + timedelta(days=rng.randint(-3, 12)),
                recorded_at=received + timedelta(days=20),
                events=events,
                extra=rng.choice(
                    [{}, {"unit": "days"}, {"interval_low": -2.0, "interval_high": 3.0}]
                ),
            )
        )
    return items


def _same(fast: Any, slow: Any, path: str = "") -> None:
    if isinstance(slow, dict):
        assert isinstance(fast, dict) and list(fast) == list(slow), path
        for key in slow:
            _same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(slow, list):
        assert isinstance(fast, list) and len(fast) == len(slow), path
        for index, (f, s) in enumerate(zip(fast, slow, strict=True)):
            _same(f, s, f"{path}[{index}]")
    elif isinstance(slow, float) and isinstance(fast, float):
        assert math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-12), path
    else:
        assert fast == slow, path


@pytest.mark.parametrize("seed", [1, 2])
def test_every_section_equals_the_row_by_row_definition(
    database: Database, config: Config, seed: int
) -> None:
    write_items(database, _random_items(seed))
    config = with_min_sample(config, 3)
    calendars = Calendars(config)
    tz = config.person_tz(None)
    window = Window.of(since=date(2026, 11, 1), until=date(2026, 11, 30), type_=None, tz=tz)
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    with database.transaction() as session:
        rows = load_history(session, window=window, types=config.recommendation_types)
        found = aggregates.load_facts(
            session, config=config, calendars=calendars, window=window, now=NOW
        )
    assert len(rows) > 100
    scopes = [({r.type for r in rows}, None)] + [({t}, t) for t in config.recommendation_types]
    for types, one in scopes:
        picked = [r for r in rows if r.type in types]
        common = {"messages": {}, "calendars": calendars, "first_day": first, "last_day": last}
        slow = scope_review(picked, now=NOW, min_n=3, one_type=one is not None, **common)
        fast = aggregates.scope_sections(
            found, types, config=config, one_type=one is not None, **common
        )
        _same(plain(fast), plain(slow), str(one))
        if one is not None:
            rtype = config.recommendation_types[one]
            slow_advice = advice(picked, rtype=rtype, now=NOW, min_n=3)
            fast_advice = aggregates.threshold_advice(
                [g for g in found.groups if g.type == one],
                current=rtype.actionable_confidence,
                min_n=3,
            )
            _same(plain(fast_advice), plain(slow_advice), f"{one} advice")


def test_tabulated_business_time_equals_the_calendar(config: Config) -> None:
    calendars = Calendars(config)
    rng = random.Random(7)
    start = datetime(2026, 3, 20, tzinfo=UTC)  # across both clock changes and Christmas
    for person in ("ana", "dora"):
        calendar = calendars.for_person(person)
        clock = BusinessClock(calendar, date(2026, 3, 20), date(2027, 1, 10))
        for _ in range(400):
            a = start + timedelta(
                minutes=rng.randint(0, 420 * 24 * 60), microseconds=rng.randint(0, 999999)
            )
            b = a + timedelta(minutes=rng.randint(-600, 20 * 24 * 60))
            assert clock.hours(a, b) == calendar.between(a, b) / timedelta(hours=1), (a, b)
