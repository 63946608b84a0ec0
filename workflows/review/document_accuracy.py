"""The accuracy part of the review document: adjustments by direction and size, bias
per type and unit, and the forecast-value-added stairstep, each with its definition."""

from __future__ import annotations

from typing import Any

from workflows.review.document_parts import Block, cell


def _adjustment_blocks(grid: dict[str, Any] | None) -> list[Block]:
    if grid is None:
        return []
    rows = []
    for key in ("up_small", "up_large", "down_small", "down_large", "up", "down", "small", "large"):
        found = grid[key]
        label = key.replace("_", ", ") if "_" in key else f"all {key}"
        rows.append(
            [label, cell(found["overrides"]), cell(found["win_rate"]), cell(found["value_added"])]
        )
    return [
        Block(
            "table",
            text=(
                "Overrides by direction and size (large: |override - AI| at least "
                f"{grid['large_change']:.0%} of |AI|; cf. Fildes et al. 2009)"
            ),
            headers=["adjustment", "overrides", "win rate", "value added (WAPE AI - final)"],
            rows=rows,
        )
    ]


def _bias_block(bias: dict[str, Any]) -> Block:
    rows = [
        [
            key,
            cell(group["n"]),
            cell(group["ai_mean_error"]),
            cell(group["final_mean_error"]),
        ]
        for key, group in bias.items()
    ]
    return Block(
        "table",
        text=(
            "Bias: mean of forecast minus actual, in each type's unit (positive: too high; "
            "never added across units)"
        ),
        headers=["type (unit)", "n", "AI", "final decision"],
        rows=rows,
    )


def _stairstep_blocks(steps: dict[str, Any] | None, scope: str) -> list[Block]:
    if steps is None:
        return [
            Block(
                "paragraph",
                text="Forecast value added: per type only (each type has its own unit).",
            )
        ]
    return [
        Block(
            "table",
            text=f"Forecast value added (WAPE, n={steps['n']})",
            headers=["step", "WAPE", "value added"],
            rows=[[s["step"], cell(s["wape"]), cell(s["value_added"])] for s in steps["steps"]],
        ),
        Block("chart", text="stairstep", scope=scope),
    ]


def accuracy_blocks(section: dict[str, Any], scope: str) -> list[Block]:
    return (
        _adjustment_blocks(section["adjustments"])
        + [_bias_block(section["bias"])]
        + _stairstep_blocks(section["stairstep"], scope)
    )


DEFINITIONS = [
    "WAPE = sum |forecast - actual| / sum |actual| over the same rows (absolute actuals: "
    "negative actuals such as days early do not cancel out).",
    "Forecast value added (FVA) of a step = the previous step's WAPE minus its own, in "
    "percentage points; positive means the step made the forecast better. Steps: naive -> "
    "AI -> final decision, over the rows having all three and an actual; per type only.",
    "Naive forecast: the recommendation's baseline_value; else the last actual of the same "
    "type, sku and site observed before the recommendation's event time.",
    "Bias = mean of (forecast - actual) in the type's unit; never added across units.",
    "Win: the final value strictly closer to the actual than the AI's (without values: the "
    "AI judged wrong). Ties (equally close) are reported apart and are not wins.",
    "Withdrawn recommendations are out of every accuracy figure and of calibration.",
    "SLA breached: decided by a person after the due time as first set (an extension "
    "granted later does not erase a breach). Extended, and by whom, and decided after an "
    "escalation are shown beside it; open items past due are on their own line.",
    "Load: direct messages per person per business day from the first to the last day of "
    "the window, both included (without --until: up to the day the report runs).",
    "Threshold advice: per confidence band of 0.05 from actionable_confidence up, each "
    "band on its own; unhelpful = overridden wrongly (or without an outcome) or ignored "
    "past due; only the run of mostly-unhelpful bands from the threshold up is moved.",
    "Small samples: a rate or accuracy figure resting on fewer items than the minimum "
    "sample reads 'n too small (n=K)' instead of a number.",
]
