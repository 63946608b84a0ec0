"""The review as a sequence of headings, sentences and tables, rendered by both the
Markdown and the HTML format: one wording, and "n too small (n=4)" in both."""

from __future__ import annotations

from typing import Any

from workflows.review.document_accuracy import DEFINITIONS, accuracy_blocks
from workflows.review.document_parts import Block, cell, percent
from workflows.review.report import Review, headline_findings
from workflows.review.thresholds import advice_sentence


def _breakdown_tables(review: Review, section: dict[str, Any]) -> list[Block]:
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
                text="Overrides by reason",
                headers=["reason", "overrides", "share of overrides"],
                rows=[
                    [review.reason_label(k), cell(v["overridden"]), cell(v["share_rate"])]
                    for k, v in reasons.items()
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
    blocks += _breakdown_tables(review, section)
    levels = (
        ", ".join(
            f"{k.replace('_', ' ')}: {cell(v['share_rate'])}"
            for k, v in speed["by_escalation_level"].items()
        )
        or "none"
    )
    extenders = ", ".join(f"{k} ({v})" for k, v in speed["extended_by"].items()) or "nobody"
    blocks.append(
        Block(
            "table",
            text="Speed (business hours; SLA as first set, before any extension)",
            headers=[
                "decided by people",
                "median",
                "p90",
                "SLA breached",
                "SLA extended",
                "extended by",
                "decided after escalation",
                "by escalation level",
            ],
            rows=[
                [
                    cell(speed["decided_by_people"]),
                    cell(speed["median_hours"]),
                    cell(speed["p90_hours"]),
                    cell(speed["sla_breach_rate"]),
                    cell(speed["extended_rate"]),
                    extenders,
                    cell(speed["after_escalation_rate"]),
                    levels,
                ]
            ],
        )
    )
    blocks.append(
        Block(
            "paragraph",
            text=f"Still open: {speed['open']}, of which past the SLA as first set: "
            f"{speed['open_past_due']} (not in the rates above: nobody has decided them).",
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
            "paragraph",
            text=f"Overrides strictly closer to the actual than the AI: {cell(wins['win_rate'])}; "
            f"equally close (ties, not wins): {cell(wins['tie_rate'])}.",
        )
    )
    blocks += accuracy_blocks(section, scope)
    if section["reasons_ranked"]:
        blocks.append(
            Block(
                "table",
                text="Reasons by how often their overrides were right",
                headers=["reason", "right"],
                rows=[
                    [review.reason_label(r["reason_code"]), cell(r["win_rate"])]
                    for r in section["reasons_ranked"]
                ],
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
                        percent(b["mean_confidence"]),
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
        blocks.append(
            Block(
                "table",
                text="Direct messages per confidence band (each band on its own)",
                headers=["confidence", "direct messages", "wrongly overridden or ignored"],
                rows=[
                    [b["band"], cell(b["direct_messages"]), cell(b["unhelpful_rate"])]
                    for b in advice["bands"]
                    if b["direct_messages"]
                ],
            )
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
        Block("paragraph", text=review.privacy),
    ]
    for scope in review.scopes:
        blocks += scope_blocks(review, scope)
    blocks.append(Block("heading", text="Definitions"))
    blocks.append(Block("list", items=DEFINITIONS))
    blocks.append(Block("heading", text="Context rules due for review"))
    if review.rules_due:
        blocks.append(Block("list", items=review.rules_due))
    else:
        blocks.append(
            Block("paragraph", text="None: every approved rule is within its review-by date.")
        )
    return blocks
