"""Prometheus text exposition of what the database knows (same on every replica)."""

from __future__ import annotations

from typing import Any


def _labels(**labels: str) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return "{" + inner + "}"


def render_metrics(snapshot: dict[str, Any]) -> str:
    lines = [
        "# HELP sopbot_recommendations_ingested_total Recommendations stored, by type and tier.",
        "# TYPE sopbot_recommendations_ingested_total counter",
    ]
    for type_, tier, count in snapshot["ingested"]:
        lines.append(
            f"sopbot_recommendations_ingested_total{_labels(type=type_, tier=tier)} {count}"
        )
    lines += [
        "# HELP sopbot_decisions_total Final decisions, by action and type.",
        "# TYPE sopbot_decisions_total counter",
    ]
    for kind, type_, count, _seconds in snapshot["decided"]:
        lines.append(f"sopbot_decisions_total{_labels(action=kind, type=type_)} {count}")
    lines += [
        "# HELP sopbot_time_to_decision_seconds Time from arrival to decision.",
        "# TYPE sopbot_time_to_decision_seconds summary",
    ]
    for kind, type_, count, seconds in snapshot["decided"]:
        labels = _labels(action=kind, type=type_)
        lines.append(f"sopbot_time_to_decision_seconds_sum{labels} {float(seconds or 0):.3f}")
        lines.append(f"sopbot_time_to_decision_seconds_count{labels} {count}")
    lines += [
        "# HELP sopbot_open_recommendations Recommendations waiting for a decision.",
        "# TYPE sopbot_open_recommendations gauge",
        f"sopbot_open_recommendations {snapshot['open']}",
    ]
    return "\n".join(lines) + "\n"
