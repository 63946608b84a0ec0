"""Gate 4, success criteria: per type, a metric, a numeric baseline with its unit and the
period it was measured in, a numeric target, the signal threshold set on purpose, and a
review cadence; agreed by the lead of every owning function (a sign-off in chat on a
hash of the criteria, like the matrix's). Where outcomes exist from before go-live,
sopbot measures the AI's error itself and shows it beside the stated baseline."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config, RecommendationType
from storage.models import Outcome, Recommendation
from workflows.ownership.signoffs import (
    SHORT,
    Subject,
    criteria_hash,
    missing_signoffs,
    signoff_statuses,
)
from workflows.readiness.evidence import Found

MIN_METRIC_LETTERS = 4  # "x" is not a metric anybody can be held to


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(name: str, rtype: RecommendationType, found: Found) -> None:
    key = f"recommendation_types.{name}.success"
    s = rtype.success
    if s is None:
        found.missing.append(
            f"{name}: no success criteria: set {key} with metric, baseline, unit, "
            "baseline_period, target and review_cadence"
        )
        return
    if sum(c.isalpha() for c in s.metric) < MIN_METRIC_LETTERS:
        found.missing.append(
            f"{name}: '{s.metric}' is not a metric: say what is measured in {key}.metric"
        )
    if not _number(s.baseline):
        found.missing.append(
            f"{name}: baseline {s.baseline!r} is not a number: set {key}.baseline to the value "
            f"measured before go-live, with its unit in {key}.unit"
        )
    if not s.unit:
        found.missing.append(f"{name}: no unit for the baseline and target: set {key}.unit")
    if not s.baseline_period:
        found.missing.append(
            f"{name}: no baseline period: set {key}.baseline_period (when the baseline was "
            "measured, e.g. 2026-Q2)"
        )
    if not _number(s.target):
        found.missing.append(f"{name}: target {s.target!r} is not a number: set {key}.target")
    elif _number(s.baseline) and s.target == s.baseline:
        found.missing.append(f"{name}: the target equals the baseline: nothing to achieve")
    if "actionable_confidence" not in rtype.model_fields_set:
        found.missing.append(
            f"{name}: no signal threshold set (the default lets every signal through): set "
            f"recommendation_types.{name}.actionable_confidence, the confidence below which "
            "a signal goes to the digest"
        )
    if s.review_cadence is None and "review_cadence" not in rtype.model_fields_set:
        found.missing.append(
            f"{name}: no review cadence agreed: set {key}.review_cadence (daily, weekly, monthly)"
        )


def measured_error(session: Session, *, config: Config, type_name: str) -> tuple[float, int] | None:
    """WAPE of the AI's value against the actual, Σ|ai - actual| / Σ|actual|, over the
    outcomes of recommendations received before go-live (all of them when no go-live
    day is set); None without outcomes or with actuals that sum to zero."""
    query = (
        select(Recommendation.quantity, Outcome.actual_value)
        .join(Outcome, Outcome.recommendation_id == Recommendation.id)
        .where(
            Recommendation.type == type_name,
            Recommendation.quantity.is_not(None),
            Outcome.actual_value.is_not(None),
        )
    )
    go_live = config.readiness.go_live
    if go_live is not None:
        start = datetime.combine(go_live, time(0, 0), tzinfo=config.person_tz(None))
        query = query.where(Recommendation.received_at < start)
    pairs = session.execute(query).all()
    total = sum(abs(actual) for _ai, actual in pairs)
    if not pairs or total == 0:
        return None
    return sum(abs(ai - actual) for ai, actual in pairs) / total, len(pairs)


def criteria_gate(session: Session, *, config: Config) -> Found:
    found = Found()
    for name, rtype in config.recommendation_types.items():
        _check(name, rtype, found)
        s = rtype.success
        stated = (
            f"{s.metric}: baseline {s.baseline} {s.unit or ''} ({s.baseline_period or '?'}), "
            f"target {s.target} {s.unit or ''}"
            if s
            else "none"
        )
        measured = measured_error(session, config=config, type_name=name)
        shown = (
            f"; measured before go-live: AI error (WAPE) {measured[0]:.1%} over {measured[1]} "
            "outcomes"
            if measured
            else "; no outcomes before go-live to measure a baseline from"
        )
        found.evidence.append(f"{name}: {stated}{shown}")
    found.missing += missing_signoffs(session, config=config, subject=Subject.CRITERIA)
    short = criteria_hash(config)[:SHORT]
    for status in signoff_statuses(session, config=config, subject=Subject.CRITERIA):
        if status.signed_at is not None:
            found.evidence.append(
                f"{config.display_name(status.lead_id)} agreed to success criteria {short} on "
                f"{status.signed_at:%Y-%m-%d %H:%M} UTC in {status.channel}"
            )
    return found
