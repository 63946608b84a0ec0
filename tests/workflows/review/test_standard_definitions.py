"""The review's numbers by their standard definitions, each case worked out by hand and
run on SQLite and PostgreSQL: negative actuals, the naive forecast (same type, observed
before, never withdrawn), an extension after a breach, `--until` load, ties, withdrawn
items and small samples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.clock import Calendars
from core.config import Config
from storage.db import Database
from storage.models import ChatMessage
from tests.support.history import NOW
from tests.workflows.review.builder import MONDAY_9, MONDAY_17, Item, write_items
from tests.workflows.review.test_review_metrics import (
    fraction,
    review_of,
    with_min_sample,
    with_people,
)
from workflows.review.document import review_blocks
from workflows.review.history import Window
from workflows.review.report import build_review, headline_findings

NOV = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_wape_divides_by_absolute_actuals(database: Database, config: Config) -> None:
    # Supplier delay in days, early is negative. Actuals -3, -2, 1: sum |a| = 6.
    # naive |-1+3| + |-4+2| + |4-1| = 7; AI |2+3| + |-5+2| + |3-1| = 10;
    # final |0+3| + |-4+2| + |4-1| = 8.
    days = {"type": "supplier_delay", "kind": "override", "extra": {"unit": "days"}}
    write_items(
        database,
        [
            Item(ai=2, baseline=-1, value=0, actual=-3, **days),  # type: ignore[arg-type]
            Item(ai=-5, baseline=-4, value=-4, actual=-2, **days),  # type: ignore[arg-type]
            Item(ai=3, baseline=4, value=4, actual=1, **days),  # type: ignore[arg-type]
        ],
    )
    review = review_of(database, with_min_sample(config, 1), type_="supplier_delay")
    section = review.scopes["supplier_delay"]
    naive, ai, final = section["stairstep"]["steps"]
    assert naive["wape"].value == pytest.approx(7 / 6)  # 116.7%
    assert ai["wape"].value == pytest.approx(10 / 6)  # 166.7%
    assert final["wape"].value == pytest.approx(8 / 6)  # 133.3%
    assert ai["value_added"].value == pytest.approx(-3 / 6)  # the AI made it worse
    assert final["value_added"].value == pytest.approx(2 / 6)
    assert "WAPE naive 116.7% -> AI 166.7% -> final 133.3% (n=3)" in headline_findings(
        review, "supplier_delay"
    )
    # Bias in days: AI errors 5, -3, 2; final 3, -2, 3.
    assert list(section["bias"]) == ["supplier_delay (days)"]
    bias = section["bias"]["supplier_delay (days)"]
    assert bias["ai_mean_error"].value == pytest.approx(4 / 3)
    assert bias["final_mean_error"].text() == "+1.33"


def test_bias_and_wape_are_never_mixed_across_units(database: Database, config: Config) -> None:
    write_items(
        database,
        [
            Item(type="supplier_delay", ai=5, baseline=4, actual=3, extra={"unit": "days"}),
            Item(type="stockout_risk", ai=100, baseline=90, actual=50),
        ],
    )
    review = review_of(database, with_min_sample(config, 1))
    overall = review.scopes["all"]
    assert set(overall["bias"]) == {"supplier_delay (days)", "stockout_risk (quantity)"}
    assert overall["stairstep"] is None and overall["adjustments"] is None
    assert not any(line.startswith("WAPE") for line in headline_findings(review, "all"))


def test_the_naive_forecast_is_the_same_types_last_actual_observed_before(
    database: Database, config: Config
) -> None:
    same = {"type": "demand_revision", "sku": "X", "site": "S", "kind": None}
    made = datetime(2026, 11, 10, 9, tzinfo=UTC)
    write_items(
        database,
        [
            Item(**same, received_at=NOV, actual=900, observed_at=NOV),  # type: ignore[arg-type]
            Item(
                **{**same, "type": "stockout_risk"},  # type: ignore[arg-type]
                received_at=NOV,
                actual=90,
                observed_at=NOV + timedelta(days=7),
            ),
            Item(
                **{**same, "type": "capacity_warning"},  # type: ignore[arg-type]
                received_at=NOV,
                actual=12,
                observed_at=NOV + timedelta(days=8),
            ),
            Item(
                **same,  # type: ignore[arg-type]
                status="withdrawn",
                received_at=NOV,
                actual=5000,
                observed_at=NOV + timedelta(days=8),
            ),
            Item(
                **{**same, "site": "OTHER"},  # type: ignore[arg-type]
                received_at=NOV,
                actual=777,
                observed_at=NOV + timedelta(days=8),
            ),
            Item(  # observed after the recommendation was made: the future
                **same,  # type: ignore[arg-type]
                received_at=NOV,
                actual=1200,
                observed_at=NOV + timedelta(days=11),
            ),
            Item(**{**same, "kind": "accept"}, event_time=made, ai=1000, actual=1100),  # type: ignore[arg-type]
            Item(**{**same, "kind": "accept"}, event_time=made, baseline=950, actual=1100),  # type: ignore[arg-type]
        ],
    )
    review = review_of(
        database, with_min_sample(config, 1), since=date(2026, 11, 30), type_="demand_revision"
    )
    assert [r.naive_value for r in review.rows] == [900, 950]


def test_an_extension_does_not_erase_a_breach(database: Database, config: Config) -> None:
    # Due Monday 17:00; escalated Monday 17:00; extended Tuesday 10:00 (to Wednesday
    # 17:00) by ben; decided Tuesday 11:00 Berlin: breached, extended, after escalation.
    tuesday = MONDAY_9 + timedelta(days=1)
    write_items(
        database,
        [
            Item(
                due_at=MONDAY_17 + timedelta(days=2),
                decided_at=tuesday + timedelta(hours=2),
                events=[
                    ("escalated", MONDAY_17, None, {"to": "ben", "level": 1}),
                    (
                        "sla_extended",
                        tuesday + timedelta(hours=1),
                        "ben",
                        {
                            "previous_due": MONDAY_17.isoformat(),
                            "due_at": (MONDAY_17 + timedelta(days=2)).isoformat(),
                        },
                    ),
                ],
            ),
            Item(),  # decided Monday 10:00: on time
            Item(kind=None, status="open"),  # open past due: its own line
        ],
    )
    named = with_min_sample(with_people(config, "named"), 1)
    review = review_of(database, named, type_="stockout_risk")
    speed = review.scopes["stockout_risk"]["speed"]
    assert fraction(speed["sla_breach_rate"]) == (1, 2)
    assert fraction(speed["extended_rate"]) == (1, 2) and speed["extended_by"] == {"Ben Okafor": 1}
    assert fraction(speed["after_escalation_rate"]) == (1, 2)
    assert (speed["open"], speed["open_past_due"]) == (1, 1)


def test_load_per_day_counts_the_until_day_once_whatever_the_run_day(
    database: Database, config: Config
) -> None:
    [rec_id] = write_items(database, [Item()])
    with database.transaction() as session:
        for n in range(2):
            session.add(
                ChatMessage(
                    recommendation_id=rec_id,
                    person_id="ana",
                    purpose="owner",
                    platform="local",
                    channel="c",
                    message_id=f"m{n}",
                    ref={},
                    created_at=MONDAY_9 + timedelta(minutes=n),
                )
            )
    monday = date(2026, 11, 30)
    config = with_people(config, "named")
    window = Window.of(since=monday, until=monday, type_=None, tz=config.person_tz(None))
    for now in (NOW, NOW + timedelta(days=30)):
        with database.transaction() as session:
            review = build_review(
                session, config=config, calendars=Calendars(config), window=window, now=now
            )
        per = review.scopes["stockout_risk"]["load"]["direct_messages_by_owner"]["Ana Lopez"]
        assert per == {"direct_messages": 2, "business_days": 1, "per_business_day": 2.0}


def test_ties_apart_and_withdrawn_items_out(database: Database, config: Config) -> None:
    write_items(
        database,
        [
            # Withdrawn, overridden closer to the actual, the AI judged wrong: out of all.
            Item(status="withdrawn", kind="override", value=60, actual=60, ai_correct=False),
            # 120 and 100 are both 10 from 110: a tie, not a win.
            Item(kind="override", value=120, actual=110, confidence=0.85),
            Item(ai_correct=True, confidence=0.85, actual=100),
        ],
    )
    review = review_of(database, with_min_sample(config, 1), type_="stockout_risk")
    section = review.scopes["stockout_risk"]
    assert fraction(section["override_wins"]["win_rate"]) == (0, 1)
    assert fraction(section["override_wins"]["tie_rate"]) == (1, 1)
    assert [(b["bin"], b["n"], b["right"]) for b in section["calibration"]] == [("0.8-0.9", 1, 1)]
    assert section["stairstep"]["n"] == 0  # no baseline anywhere, nothing observed before


def test_small_samples_read_n_too_small_in_every_accuracy_figure(
    database: Database, config: Config
) -> None:
    write_items(database, [Item(baseline=90, kind="override", value=95, actual=97)])
    review = review_of(database, config, type_="stockout_risk")  # minimum 10
    findings = headline_findings(review, "stockout_risk")
    assert "WAPE: n too small (n=1)" in findings
    assert "Overrides that beat the AI: n too small (n=1) (ties n too small (n=1))" in findings
    text = "\n".join(" | ".join(row) for block in review_blocks(review) for row in block.rows)
    assert "1.1%" not in text and "n too small (n=1)" in text  # |95-97| / 97 never shown
