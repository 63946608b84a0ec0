"""The review as JSON (the API and `--format json`): rates are fractions under keys
ending in `_rate`, each with its `_n` beside it; a rate on fewer decisions than the
minimum is the sentence "n too small (n=4)" instead of a number."""

from __future__ import annotations

from typing import Any

from workflows.review.report import Review, headline_findings
from workflows.review.stats import Measure, Rate


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, Rate | Measure):
                out[key] = item.json()
                out[f"{key}_n"] = item.n
            else:
                out[key] = plain(item)
        return out
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def review_json(review: Review) -> dict[str, Any]:
    window = review.window
    return {
        "window": {
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
            "type": window.type,
        },
        "generated_at": review.generated_at.isoformat(),
        "min_sample": review.min_sample,
        "privacy": {"people_in_reports": review.privacy_mode, "text": review.privacy},
        "rules_due_for_review": review.rules_due,
        "scopes": {
            name: {
                "label": review.labels[name],
                "findings": headline_findings(review, name),
                **plain(section),
            }
            for name, section in review.scopes.items()
        },
    }
