"""The whole override review of a window: per type and overall, every metric, plus the
rows themselves (the CSV is one row per decision)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.clock import Calendars, Clock
from core.config import Config
from storage.db import Database
from workflows.context.rules.store import rules_past_review
from workflows.review import calibration, metrics, outcomes, thresholds
from workflows.review.history import ReviewRow, Window, direct_messages, load_history
from workflows.review.stats import Rate

ALL = "all"


@dataclass
class Review:
    window: Window
    generated_at: datetime
    min_sample: int
    rows: list[ReviewRow]
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)  # "all", then per type
    labels: dict[str, str] = field(default_factory=dict)
    # Approved context rules past their review-by date: the reviewer re-checks them.
    rules_due: list[str] = field(default_factory=list)


def scope_review(
    rows: Sequence[ReviewRow],
    *,
    messages: dict[str, int],
    calendars: Calendars,
    start: datetime,
    end: datetime,
    now: datetime,
    min_n: int,
) -> dict[str, Any]:
    return {
        "volume": metrics.volume(rows, min_n=min_n),
        "breakdowns": metrics.breakdowns(rows, min_n=min_n),
        "speed": metrics.speed(rows, calendars=calendars, now=now, min_n=min_n),
        "load": metrics.load(
            rows, messages=messages, calendars=calendars, start=start, end=end, min_n=min_n
        ),
        "override_wins": outcomes.override_wins(rows, min_n=min_n),
        "bias": outcomes.bias(rows),
        "stairstep": outcomes.stairstep(rows),
        "reasons_ranked": outcomes.reasons_ranked(rows, min_n=min_n),
        "calibration": calibration.reliability(rows, min_n=min_n),
    }


def build_review(
    session: Session, *, config: Config, calendars: Calendars, window: Window, now: datetime
) -> Review:
    rows = load_history(session, window=window)
    min_n = config.review.min_sample
    start = window.start or min((r.received_at for r in rows), default=now)
    end = min(window.end, now) if window.end else now
    review = Review(window=window, generated_at=now, min_sample=min_n, rows=rows)
    types = [window.type] if window.type else list(config.recommendation_types)
    scopes = [(ALL, rows, None)] if not window.type else []
    scopes += [(t, [r for r in rows if r.type == t], t) for t in types]
    for name, scoped, type_name in scopes:
        messages = direct_messages(
            session,
            window=Window(
                start=window.start,
                end=window.end,
                since=window.since,
                until=window.until,
                type=type_name,
            ),
        )
        section = scope_review(
            scoped,
            messages=messages,
            calendars=calendars,
            start=start,
            end=end,
            now=now,
            min_n=min_n,
        )
        rtype = config.recommendation_types.get(name)
        if rtype is not None:
            section["threshold_advice"] = thresholds.advice(
                scoped, rtype=rtype, now=now, min_n=min_n
            )
        review.scopes[name] = section
        review.labels[name] = rtype.label if rtype else "All types"
    review.rules_due = [
        f"{rule.key}: review was due {rule.review_by:%Y-%m-%d} "
        f"(owner {config.display_name(rule.owner_id) if rule.owner_id else 'none'})"
        for rule in rules_past_review(session, today=now.date())
    ]
    return review


class UnknownType(ValueError):
    """A `type` filter naming no configured recommendation type."""


def review_for(
    *,
    database: Database,
    config: Config,
    calendars: Calendars,
    clock: Clock,
    since: date | None = None,
    until: date | None = None,
    type_: str | None = None,
) -> Review:
    if type_ is not None and type_ not in config.recommendation_types:
        known = ", ".join(config.recommendation_types)
        raise UnknownType(f"unknown type '{type_}'; use {known}")
    if since is not None and until is not None and since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    window = Window.of(since=since, until=until, type_=type_, tz=config.person_tz(None))
    with database.transaction() as session:
        return build_review(
            session, config=config, calendars=calendars, window=window, now=clock.now()
        )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def headline_findings(review: Review, scope: str) -> list[str]:
    """The few numbers a manager reads first; the cadence post and the chat answer."""
    section = review.scopes[scope]
    volume, speed, wins = section["volume"], section["speed"], section["override_wins"]
    lines = [
        f"{volume['received']} received, {volume['decided']} decided, {volume['open']} open; "
        f"override rate {volume['override_rate'].text()}",
        f"Overrides that beat the AI: {wins['win_rate'].text()}",
    ]
    if speed["median_hours"] is not None:
        lines.append(
            f"Time to decide: median {speed['median_hours']:.1f} business hours, "
            f"p90 {speed['p90_hours']:.1f}; SLA breached "
            f"{speed['sla_breach_rate'].text()}"
        )
    steps = section["stairstep"]
    naive, ai, final = (s["wape"] for s in steps["steps"])
    if steps["n"]:
        lines.append(
            f"WAPE naive {_percent(naive)} -> AI {_percent(ai)} -> final "
            f"{_percent(final)} (n={steps['n']})"
        )
    ranked = [r for r in section["reasons_ranked"] if not r["win_rate"].too_small]
    if ranked:
        best = ranked[0]
        lines.append(
            f"Most reliable override reason: {best['reason_code']} "
            f"(right {best['win_rate'].text()})"
        )
    advice = section.get("threshold_advice")
    if advice and advice["suggested"] is not None:
        lines.append(thresholds.advice_sentence(scope, advice))
    return lines


def rate_text(value: Any) -> str:
    return value.text() if isinstance(value, Rate) else str(value)
