"""The numbers' building blocks. A rate carries its denominator, so every format can
refuse to show a percentage built on too few decisions ("n too small (n=4)")."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    hits: int
    n: int
    min_n: int

    @property
    def too_small(self) -> bool:
        return self.n < self.min_n

    @property
    def fraction(self) -> float | None:
        return None if self.too_small or self.n == 0 else self.hits / self.n

    def text(self) -> str:
        if self.too_small:
            return f"n too small (n={self.n})"
        return f"{self.hits / self.n:.0%}" if self.n else "-"

    def json(self) -> float | str | None:
        """A fraction, or the sentence when n is too small (the API's `_rate` keys)."""
        return self.text() if self.too_small else self.fraction


@dataclass(frozen=True)
class Measure:
    """An accuracy figure (WAPE, bias, value added) with the n it rests on: like a rate,
    below the minimum sample it is the sentence, never a number."""

    value: float | None
    n: int
    min_n: int
    style: str = "percent"  # percent | points (signed percentage points) | number (signed)

    @property
    def too_small(self) -> bool:
        return self.n < self.min_n

    @property
    def shown(self) -> float | None:
        return None if self.too_small else self.value

    def text(self) -> str:
        if self.too_small:
            return f"n too small (n={self.n})"
        if self.value is None:
            return "-"
        if self.style == "points":
            return f"{self.value * 100:+.1f} pts"
        if self.style == "number":
            return f"{self.value:+,.2f}"
        return f"{self.value:.1%}"

    def json(self) -> float | str | None:
        return self.text() if self.too_small else self.value


def rate(hits: int, n: int, min_n: int) -> Rate:
    return Rate(hits=hits, n=n, min_n=min_n)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest rank: the smallest value with at least 90% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def p95(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def wape(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Weighted absolute percentage error of (forecast, actual) pairs:
    sum |forecast - actual| / sum |actual|. The absolute value in the denominator is the
    standard definition: with actuals that can be negative (a supplier delay in days,
    early is negative) a plain sum cancels out and flips the sign of the verdict."""
    total = sum(abs(actual) for _forecast, actual in pairs)
    if not pairs or total == 0:
        return None
    return sum(abs(forecast - actual) for forecast, actual in pairs) / total


def mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None
