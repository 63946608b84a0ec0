"""Threshold advice per confidence band, by hand (both databases): a band is moved only
when most of its direct messages were wrongly overridden or ignored, and only the run of
such bands just above the current threshold (raising it moves every band below)."""

from __future__ import annotations

from datetime import timedelta

from core.config import Config
from storage.db import Database
from tests.workflows.review.builder import MONDAY_17, Item, write_items
from tests.workflows.review.test_review_metrics import fraction, review_of, with_min_sample
from workflows.review.thresholds import advice_sentence

WRONG = {"kind": "override", "ai": 100, "value": 130, "actual": 100}  # the AI was exact
RIGHT = {"kind": "override", "ai": 100, "value": 80, "actual": 80}


def test_advice_moves_only_the_mostly_unhelpful_bands_from_the_threshold_up(
    database: Database, config: Config
) -> None:
    items = [
        # 0.60-0.65: two wrong overrides and an accept: 2 of 3 unhelpful.
        Item(confidence=0.61, **WRONG),  # type: ignore[arg-type]
        Item(confidence=0.62, **WRONG),  # type: ignore[arg-type]
        Item(confidence=0.63),
        # 0.65-0.70: empty. 0.70-0.75: ignored (open past due) and an override
        # without an outcome: 2 of 2.
        Item(confidence=0.71, kind=None, status="open"),
        Item(confidence=0.72, kind="override", value=90),
        # 0.75-0.80: both overrides right: never moved, and nothing above it either.
        Item(confidence=0.76, **RIGHT),  # type: ignore[arg-type]
        Item(confidence=0.77, **RIGHT),  # type: ignore[arg-type]
        # 0.80-0.85: mostly wrong, but above a band that stays: not moved.
        Item(confidence=0.81, **WRONG),  # type: ignore[arg-type]
        Item(confidence=0.82, **WRONG),  # type: ignore[arg-type]
        # 0.90-0.95: accepted; 0.50 in the digest tier is no direct message.
        Item(confidence=0.91),
        Item(confidence=0.92),
        Item(confidence=0.93),
        Item(confidence=0.50, tier="digest", **WRONG),  # type: ignore[arg-type]
        Item(confidence=0.95, kind=None, status="open", due_at=MONDAY_17 + timedelta(days=30)),
    ]
    write_items(database, items)
    review = review_of(database, with_min_sample(config, 2), type_="stockout_risk")
    advice = review.scopes["stockout_risk"]["threshold_advice"]
    assert advice["actionable_confidence"] == 0.6 and advice["suggested"] == 0.75
    assert advice["bands_moved"] == ["0.60-0.65", "0.70-0.75"]
    bands = {b["band"]: fraction(b["unhelpful_rate"]) for b in advice["bands"]}
    assert bands["0.60-0.65"] == (2, 3) and bands["0.70-0.75"] == (2, 2)
    assert bands["0.75-0.80"] == (0, 2) and bands["0.80-0.85"] == (2, 2)
    assert bands["0.95-1.00"] == (0, 0)  # open, not yet due: no verdict
    # 5 of the 13 direct messages (the not-yet-due one counts as a message).
    assert fraction(advice["direct_messages_moved_rate"]) == (5, 13)
    sentence = advice_sentence("stockout_risk", advice)
    assert "from 0.60 to 0.75" in sentence and "38% of the direct messages" in sentence


def test_a_first_band_mostly_accepted_keeps_the_threshold(
    database: Database, config: Config
) -> None:
    write_items(
        database,
        [
            Item(confidence=0.61),
            Item(confidence=0.62),
            Item(confidence=0.63, **WRONG),  # type: ignore[arg-type]
            Item(confidence=0.71, **WRONG),  # type: ignore[arg-type]
            Item(confidence=0.72, **WRONG),  # type: ignore[arg-type]
        ],
    )
    review = review_of(database, with_min_sample(config, 2), type_="stockout_risk")
    advice = review.scopes["stockout_risk"]["threshold_advice"]
    assert advice["suggested"] is None
    assert fraction(advice["direct_messages_moved_rate"]) == (0, 5)
