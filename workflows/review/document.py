"""The review as a sequence of headings, sentences and tables, rendered by both the
Markdown and the HTML format: one wording, and "n too small (n=4)" in both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflows.review.report import Review, headline_findings
from workflows.review.stats import Rate
from workflows.review.thresholds import advice_sentence


@dataclass
class Block:
    kind: str  # title | heading | subheading | paragraph | list | table | chart
    text: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    scope: str = ""  # chart: which scope's data


def cell(value: Any) -> str:
    if isinstance(value, Rate):
        return value.text()
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _breakdown_tables(section: dict[str, Any]) -> list[Block]:
    blocks = []
    for name in ("owner", "site", "supplier", "customer"):
        groups = section["breakdowns"][name]
        if groups:
            blocks.append(
                Block(
                    "table",
                    text=f"Override rate by {name}",
                    headers=[name, "decided", "overridden", "override rate"],
                    rows=[
                        [k, cell(v["decided"]), cell(v["overridden"]), cell(v["override_rate"])]
                        for k, v in groups.items()
                    ],
                )
            )
    reasons = section["breakdowns"]["reason"]
    if reasons:
        blocks.append(
            Block(
                "table",
                text="Overrides by reason code",
                headers=["reason code", "overrides", "share of overrides"],
                rows=[
                    [k, cell(v["overridden"]), cell(v["share_rate"])] for k, v in reasons.items()
                ],
            )
        )
    return blocks


def scope_blocks(review: Review, scope: str) -> list[Block]:
    section = review.scopes[scope]
    volume, speed, load = section["volume"], section["speed"], section["load"]
    blocks = [
        Block("heading", text=review.labels[scope]),
        Block("list", items=headline_findings(review, scope)),
    ]
    keys = (
        "received",
        "decided",
        "accepted",
        "overridden",
        "reassigned",
        "auto",
        "open",
        "withdrawn",
        "override_rate",
    )
    blocks.append(
        Block(
            "table",
            text="Volume",
            headers=[k.replace("_", " ") for k in keys],
            rows=[[cell(volume[k]) for k in keys]],
        )
    )
    blocks += _breakdown_tables(section)
    levels = (
        ", ".join(
            f"{k.replace('_', ' ')}: {cell(v['share_rate'])}"
            for k, v in speed["by_escalation_level"].items()
        )
        or "none"
    )
    blocks.append(
        Block(
            "table",
            text="Speed (business hours)",
            headers=[
                "decided by people",
                "median",
                "p90",
                "SLA breached",
                "decided after escalation",
                "by escalation level",
            ],
            rows=[
                [
                    cell(speed["decided_by_people"]),
                    cell(speed["median_hours"]),
                    cell(speed["p90_hours"]),
                    cell(speed["sla_breach_rate"]),
                    cell(speed["after_escalation_rate"]),
                    levels,
                ]
            ],
        )
    )
    per_owner = load["direct_messages_by_owner"]
    blocks.append(
        Block(
            "table",
            text=f"Load (digest share {cell(load['digest_rate'])})",
            headers=["person", "direct messages", "business days", "per day"],
            rows=[
                [
                    k,
                    cell(v["direct_messages"]),
                    cell(v["business_days"]),
                    cell(v["per_business_day"]),
                ]
                for k, v in per_owner.items()
            ],
        )
    )
    wins = section["override_wins"]
    blocks.append(
        Block(
            "table",
            text="Were the overrides right? (closer to the actual than the AI)",
            headers=["all", "up", "down", "small (<20%)", "large"],
            rows=[
                [
                    cell(wins["win_rate"]),
                    cell(wins["by_direction"]["up"]["win_rate"]),
                    cell(wins["by_direction"]["down"]["win_rate"]),
                    cell(wins["by_size"]["small"]["win_rate"]),
                    cell(wins["by_size"]["large"]["win_rate"]),
                ]
            ],
        )
    )
    bias = section["bias"]
    blocks.append(
        Block(
            "paragraph",
            text=(
                f"Bias (mean of forecast minus actual, n={bias['n']}): "
                f"AI {cell(bias['ai_mean_error'])}, "
                f"final decision {cell(bias['final_mean_error'])}. Positive means too high."
            ),
        )
    )
    steps = section["stairstep"]
    blocks.append(
        Block(
            "table",
            text=f"Forecast value added (WAPE, n={steps['n']})",
            headers=["step", "WAPE", "value added"],
            rows=[
                [
                    s["step"],
                    _percent(s["wape"]),
                    "-" if s["value_added"] is None else f"{s['value_added']:+.1%}",
                ]
                for s in steps["steps"]
            ],
        )
    )
    blocks.append(Block("chart", text="stairstep", scope=scope))
    if section["reasons_ranked"]:
        blocks.append(
            Block(
                "table",
                text="Reason codes by how often their overrides were right",
                headers=["reason code", "right"],
                rows=[[r["reason_code"], cell(r["win_rate"])] for r in section["reasons_ranked"]],
            )
        )
    if section["calibration"]:
        blocks.append(
            Block(
                "table",
                text="Model calibration (how often the AI was right)",
                headers=["confidence", "n", "right", "right rate", "mean confidence"],
                rows=[
                    [
                        b["bin"],
                        cell(b["n"]),
                        cell(b["right"]),
                        cell(b["right_rate"]),
                        _percent(b["mean_confidence"]),
                    ]
                    for b in section["calibration"]
                ],
            )
        )
        blocks.append(Block("chart", text="calibration", scope=scope))
    advice = section.get("threshold_advice")
    if advice is not None:
        blocks.append(
            Block("paragraph", text="Threshold advice: " + advice_sentence(scope, advice))
        )
    return blocks


def review_blocks(review: Review) -> list[Block]:
    blocks = [
        Block("title", text=f"Override review: {review.window.label()}"),
        Block(
            "paragraph",
            text=(
                f"Generated {review.generated_at:%Y-%m-%d %H:%M} UTC. A rate built on fewer "
                f'than {review.min_sample} decisions reads "n too small".'
            ),
        ),
    ]
    for scope in review.scopes:
        blocks += scope_blocks(review, scope)
    blocks.append(Block("heading", text="Context rules due for review"))
    if review.rules_due:
        blocks.append(Block("list", items=review.rules_due))
    else:
        blocks.append(
            Block("paragraph", text="None: every approved rule is within its review-by date.")
        )
    return blocks
