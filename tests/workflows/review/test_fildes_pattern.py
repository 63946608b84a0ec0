"""The published pattern as a cross-check (Fildes, Goodwin, Lawrence & Nikolopoulos
2009, IJF 25(1)): large adjustments helped more often than small ones, upward ones much
less often than downward ones. A history generated with that pattern is recovered by
the report's direction x size grid (win rate and FVA), on both databases."""

from __future__ import annotations

import pytest

from core.config import Config
from storage.db import Database
from tests.workflows.review.builder import Item, write_items
from tests.workflows.review.test_review_metrics import fraction, review_of
from workflows.review.document import review_blocks

AI = 100.0
# cell: (override value, wins of 40). Sizes: |70-100|/100 = 30% and 30%: large;
# 10%: small (the split is 20% of the AI value).
PATTERN = {
    "down_large": (70.0, 30),
    "down_small": (90.0, 22),
    "up_large": (130.0, 18),
    "up_small": (110.0, 8),
}
PER_CELL = 40


def fildes_history() -> list[Item]:
    """A win: the actual is the override's value (the AI off by the adjustment); a loss:
    the actual is the AI's value (the adjustment was the whole error)."""
    items = []
    for value, wins in PATTERN.values():
        for n in range(PER_CELL):
            actual = value if n < wins else AI
            items.append(Item(ai=AI, kind="override", value=value, actual=actual))
    return items


def expected_fva(value: float, wins: int) -> float:
    change = abs(value - AI)
    losses = PER_CELL - wins
    # WAPE(AI) - WAPE(final) over the cell: AI errs on wins, the final on losses.
    return (wins * change - losses * change) / (wins * abs(value) + losses * AI)


def test_the_report_recovers_the_fildes_pattern(database: Database, config: Config) -> None:
    write_items(database, fildes_history())
    review = review_of(database, config, type_="stockout_risk")  # minimum sample 10
    grid = review.scopes["stockout_risk"]["adjustments"]
    for cell, (value, wins) in PATTERN.items():
        assert fraction(grid[cell]["win_rate"]) == (wins, PER_CELL), cell
        assert grid[cell]["value_added"].value == pytest.approx(expected_fva(value, wins)), cell
    assert fraction(grid["up"]["win_rate"]) == (26, 80)
    assert fraction(grid["down"]["win_rate"]) == (52, 80)
    assert fraction(grid["large"]["win_rate"]) == (48, 80)
    assert fraction(grid["small"]["win_rate"]) == (30, 80)
    # The pattern, as the reader sees it: large beats small in each direction, up is
    # much less likely to help, and small upward adjustments destroy value.
    rates = {cell: grid[cell]["win_rate"].fraction for cell in PATTERN}
    assert rates["down_large"] > rates["down_small"] and rates["up_large"] > rates["up_small"]
    assert grid["up"]["win_rate"].fraction < grid["down"]["win_rate"].fraction
    assert grid["up_small"]["value_added"].value < 0 < grid["down_large"]["value_added"].value
    [table] = [b for b in review_blocks(review) if b.text.startswith("Overrides by direction")]
    # (30 * 30 - 10 * 30) / (30 * 70 + 10 * 100) = 600 / 3100 = 19.4 points.
    assert ["down, large", "40", "75%", "+19.4 pts"] in table.rows
