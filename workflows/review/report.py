"""The whole override review of a window: per type and overall, every metric, plus the
rows themselves (the CSV is one row per decision)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from workflows.base import WorkflowContext
from workflows.context.rules.store import rules_past_review
from workflows.review import (
    adjustments,
    aggregates,
    calibration,
    facts,
    metrics,
    outcomes,
    thresholds,
)
from workflows.review.history import ReviewRow, Window, direct_messages, load_history
from workflows.review.privacy import People, apply_privacy
from workflows.review.secrets import report_secret
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
    reason_labels: dict[str, str] = field(default_factory=dict)  # code -> label
    privacy_mode: str = "pseudonymous"  # privacy.people_in_reports
    privacy: str = ""  # the mode as a sentence, printed on every report
    # Approved context rules past their review-by date: the reviewer re-checks them.
    rules_due: list[str] = field(default_factory=list)

    def reason_label(self, code: str) -> str:
        """The configured label ("Judgment, no specific information"), else the code."""
        return self.reason_labels.get(code, code)


def scope_review(
    rows: Sequence[ReviewRow],
    *,
    messages: dict[str, int],
    calendars: Calendars,
    first_day: date,
    last_day: date,
    now: datetime,
    min_n: int,
    one_type: bool,
) -> dict[str, Any]:
    """One scope's figures. WAPE, FVA and the adjustment grid need one unit: only a
    type's scope has them (the all-types scope shows None, whatever its rows)."""
    return {
        "volume": metrics.volume(rows, min_n=min_n),
        "breakdowns": metrics.breakdowns(rows, min_n=min_n),
        "speed": metrics.speed(rows, calendars=calendars, now=now, min_n=min_n),
        "load": metrics.load(
            rows,
            messages=messages,
            calendars=calendars,
            first_day=first_day,
            last_day=last_day,
            min_n=min_n,
        ),
        "override_wins": outcomes.override_wins(rows, min_n=min_n),
        "adjustments": (adjustments.by_direction_and_size(rows, min_n=min_n) if one_type else None),
        "bias": outcomes.bias(rows, min_n=min_n),
        "stairstep": outcomes.stairstep(rows, min_n=min_n) if one_type else None,
        "reasons_ranked": outcomes.reasons_ranked(rows, min_n=min_n),
        "calibration": calibration.reliability(rows, min_n=min_n),
    }


def build_review(
    session: Session,
    *,
    config: Config,
    calendars: Calendars,
    window: Window,
    now: datetime,
    with_rows: bool = True,
) -> Review:
    """The figures come from GROUP BY queries (workflows.review.aggregates); the rows, one
    per recommendation, only when a format lists them (`with_rows`: the CSV)."""
    rows = (
        load_history(session, window=window, types=config.recommendation_types) if with_rows else []
    )
    min_n = config.review.min_sample
    tz = config.person_tz(None)
    first = session.scalar(facts.scoped(select(func.min(facts.R.received_at)), window))
    first_day = window.since or (first or now).astimezone(tz).date()
    last_day = window.until or now.astimezone(tz).date()
    review = Review(
        window=window,
        generated_at=now,
        min_sample=min_n,
        rows=rows,
        reason_labels={r.code: r.label for r in config.reason_codes},
        privacy_mode=config.privacy.people_in_reports,
    )
    people = People(config, report_secret(session, name="pseudonyms", now=now))
    found = aggregates.load_facts(
        session, config=config, calendars=calendars, window=window, now=now
    )
    types = [window.type] if window.type else list(config.recommendation_types)
    present = {g.type for g in found.groups}
    scopes = [(ALL, present, None)] if not window.type else []
    scopes += [(t, {t}, t) for t in types]
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
        section = aggregates.scope_sections(
            found,
            scoped,
            config=config,
            messages=messages,
            calendars=calendars,
            first_day=first_day,
            last_day=last_day,
            one_type=type_name is not None,
        )
        rtype = config.recommendation_types.get(name)
        if rtype is not None:
            section["threshold_advice"] = aggregates.threshold_advice(
                [g for g in found.groups if g.type == name],
                current=rtype.actionable_confidence,
                min_n=min_n,
            )
        review.scopes[name] = section
        review.labels[name] = rtype.label if rtype else "All types"
    review.rules_due = [
        f"{rule.key}: review was due {rule.review_by:%Y-%m-%d} "
        f"(owner {(people.label(rule.owner_id) or 'hidden') if rule.owner_id else 'none'})"
        for rule in rules_past_review(session, today=now.date())
    ]
    apply_privacy(review, people)
    return review


class UnknownType(ValueError):
    """A `type` filter naming no configured recommendation type."""


# At most this many reviews are computed at once in a process: a burst of `report`
# requests (a double-click storm, a team asking at the same moment) queues here instead
# of taking every pooled connection, which would refuse clicks and decisions too.
REVIEWS_AT_ONCE = 4
_REVIEWS = threading.BoundedSemaphore(REVIEWS_AT_ONCE)


def review_for(
    ctx: WorkflowContext,
    *,
    since: date | None = None,
    until: date | None = None,
    type_: str | None = None,
    with_rows: bool = True,
) -> Review:
    if type_ is not None and type_ not in ctx.config.recommendation_types:
        known = ", ".join(ctx.config.recommendation_types)
        raise UnknownType(f"unknown type '{type_}'; use {known}")
    if since is not None and until is not None and since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    window = Window.of(since=since, until=until, type_=type_, tz=ctx.config.person_tz(None))
    now = ctx.clock.now()
    with ctx.database.transaction() as session:  # the one write: the pseudonyms' secret
        report_secret(session, name="pseudonyms", now=now)
    # Read-only: on SQLite a review no longer holds the write lock while it computes.
    with _REVIEWS, ctx.database.read() as session:
        return build_review(
            session,
            config=ctx.config,
            calendars=ctx.calendars,
            window=window,
            now=now,
            with_rows=with_rows,
        )


def _wape_line(stairstep: dict[str, Any] | None) -> str | None:
    if stairstep is None or not stairstep["n"]:
        return None
    naive, ai, final = (s["wape"].text() for s in stairstep["steps"])
    if stairstep["steps"][0]["wape"].too_small:
        return f"WAPE: n too small (n={stairstep['n']})"
    return f"WAPE naive {naive} -> AI {ai} -> final {final} (n={stairstep['n']})"


def headline_findings(review: Review, scope: str) -> list[str]:
    """The few numbers a manager reads first; the cadence post and the chat answer."""
    section = review.scopes[scope]
    volume, speed, wins = section["volume"], section["speed"], section["override_wins"]
    lines = [
        f"{volume['received']} received, {volume['decided']} decided, {volume['open']} open; "
        f"override rate {volume['override_rate'].text()}",
        f"Overrides that beat the AI: {wins['win_rate'].text()} (ties {wins['tie_rate'].text()})",
    ]
    if speed["median_hours"] is not None:
        lines.append(
            f"Time to decide: median {speed['median_hours']:.1f} business hours, "
            f"p90 {speed['p90_hours']:.1f}; SLA as first set breached "
            f"{speed['sla_breach_rate'].text()}; open past due: {speed['open_past_due']}"
        )
    wape_line = _wape_line(section["stairstep"])
    if wape_line:
        lines.append(wape_line)
    ranked = [r for r in section["reasons_ranked"] if not r["win_rate"].too_small]
    if ranked:
        best, rated = review.reason_label(ranked[0]["reason_code"]), ranked[0]["win_rate"]
        count = f"right {rated.hits} of {rated.n}, {rated.text()}; n={rated.n}"
        if (rated.fraction or 0) > 0.5:
            lines.append(f"Most reliable override reason: {best} ({count})")
        else:
            lines.append(
                f"No override reason was right more often than not (best: {best}, {count})"
            )
    advice = section.get("threshold_advice")
    if advice and advice["suggested"] is not None:
        lines.append(thresholds.advice_sentence(scope, advice))
    return lines


def rate_text(value: Any) -> str:
    return value.text() if isinstance(value, Rate) else str(value)
