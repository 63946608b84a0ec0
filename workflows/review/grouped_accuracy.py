"""The accuracy figures of the review from grouped facts (workflows.review.facts): the
override win rate, the adjustment grid, bias, the stairstep, reasons ranked and
calibration, each the same as its row-by-row definition in workflows.review.outcomes,
adjustments and calibration (tests/workflows/review/test_fast_path.py holds them equal)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row

from workflows.review.adjustments import DIRECTIONS, LARGE_CHANGE, SIZES
from workflows.review.calibration import BINS
from workflows.review.outcomes import steps_section
from workflows.review.stats import Measure, rate

Group = Row[Any]


def _wape(off: float | None, total: float | None, n: int) -> float | None:
    return None if not n or not total else (off or 0.0) / total


def summed(groups: Iterable[Group], name: str = "n") -> Any:
    return sum(getattr(g, name) or 0 for g in groups)


def pick(groups: Iterable[Group], test: Callable[[Group], bool]) -> list[Group]:
    return [g for g in groups if test(g)]


def override_wins(groups: Sequence[Group], *, min_n: int) -> dict[str, Any]:
    judged = pick(groups, lambda g: g.verdict is not None)
    n = summed(judged)
    won = summed(pick(judged, lambda g: g.verdict == "won"))
    tied = summed(pick(judged, lambda g: g.verdict == "tie"))
    return {"win_rate": rate(won, n, min_n), "tie_rate": rate(tied, n, min_n)}


def _cell(groups: Sequence[Group], *, min_n: int) -> dict[str, Any]:
    judged = pick(groups, lambda g: g.verdict is not None)
    valued = pick(groups, lambda g: g.accuracy >= 1)
    n, total = summed(valued), summed(valued, "abs_actual")
    ai = _wape(summed(valued, "off_ai"), total, n)
    final = _wape(summed(valued, "off_final"), total, n)
    fva = None if ai is None or final is None else ai - final
    return {
        "overrides": summed(groups),
        "win_rate": rate(summed(pick(judged, lambda g: g.verdict == "won")), summed(judged), min_n),
        "value_added": Measure(fva, n, min_n, "points"),
    }


def adjustments(groups: Sequence[Group], *, min_n: int) -> dict[str, Any]:
    overrides = pick(groups, lambda g: g.direction is not None)
    grid: dict[str, Any] = {"large_change": LARGE_CHANGE}
    for d in DIRECTIONS:
        grid[d] = _cell(pick(overrides, lambda g, d=d: g.direction == d), min_n=min_n)
    for s in SIZES:
        grid[s] = _cell(pick(overrides, lambda g, s=s: g.size == s), min_n=min_n)
    for d in DIRECTIONS:
        for s in SIZES:
            picked = pick(overrides, lambda g, d=d, s=s: g.direction == d and g.size == s)
            grid[f"{d}_{s}"] = _cell(picked, min_n=min_n)
    return grid


def bias(groups: Sequence[Group], units: Mapping[str, str], *, min_n: int) -> dict[str, Any]:
    keyed: dict[str, list[Group]] = {}
    for g in pick(groups, lambda g: g.accuracy >= 2):
        unit = g.unit or units.get(g.type, "quantity")
        keyed.setdefault(f"{g.type} ({unit})", []).append(g)
    out = {}
    for key, picked in sorted(keyed.items()):
        n = summed(picked)
        unit = picked[0].unit or units.get(picked[0].type, "quantity")
        out[key] = {
            "type": picked[0].type,
            "unit": unit,
            "n": n,
            "ai_mean_error": Measure(summed(picked, "err_ai") / n, n, min_n, "number"),
            "final_mean_error": Measure(summed(picked, "err_final") / n, n, min_n, "number"),
        }
    return out


def stairstep(groups: Sequence[Group], *, min_n: int) -> dict[str, Any]:
    full = pick(groups, lambda g: g.accuracy == 3)
    n, total = summed(full), summed(full, "abs_actual")
    naive = _wape(summed(full, "off_naive"), total, n)
    ai = _wape(summed(full, "off_ai"), total, n)
    final = _wape(summed(full, "off_final"), total, n)

    return steps_section(naive=naive, ai=ai, final=final, n=n, min_n=min_n)


def reasons_ranked(groups: Sequence[Group], *, min_n: int) -> list[dict[str, Any]]:
    counts: dict[str, list[int]] = {}
    for g in pick(groups, lambda g: g.verdict is not None):
        entry = counts.setdefault(g.reason or "(none)", [0, 0])
        entry[0] += g.n if g.verdict == "won" else 0
        entry[1] += g.n
    ranked = [
        {"reason_code": code, "win_rate": rate(won, n, min_n)} for code, (won, n) in counts.items()
    ]
    ranked.sort(
        key=lambda r: (
            r["win_rate"].fraction is None,
            -(r["win_rate"].fraction or 0),
            -r["win_rate"].n,
            r["reason_code"],
        )
    )
    return ranked


def calibration(groups: Sequence[Group], *, min_n: int) -> list[dict[str, Any]]:
    table = []
    for bin_ in BINS:
        judged = pick(groups, lambda g, b=bin_.label: g.bin == b and g.ai_right is not None)
        n = summed(judged)
        if not n:
            continue
        right = summed(pick(judged, lambda g: g.ai_right == 1))
        table.append(
            {
                "bin": bin_.label,
                "n": n,
                "right": right,
                "right_rate": rate(right, n, min_n),
                "mean_confidence": summed(judged, "confidence") / n,
            }
        )
    return table
