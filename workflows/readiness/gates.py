"""The go-live check: the five failure patterns of AI planning pilots as gates. Hard
gates (ownership, data feed, override logging, success criteria) must pass before go
live; the soft one (operational context) is reported. Every missing item says exactly
what to do, because the person reading it is the one who will fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Config
from core.durations import format_duration
from storage.models import Recommendation
from workflows.ownership.signoffs import missing_signoffs
from workflows.readiness.context_gate import context_gate_missing
from workflows.review.cadence import period_start, previous_start, review_posted
from workflows.review.stats import p95

FEED_WINDOW = timedelta(days=7)
REQUIRED_FIELDS = ("event_time", "recorded_time", "confidence")  # the gates and review read them


class Gate(BaseModel):
    id: int
    name: str
    hard: bool
    passed: bool
    missing: list[str]
    details: list[str] = []


class Readiness(BaseModel):
    ready: bool
    gates: list[Gate]


@dataclass
class _Found:
    missing: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def ownership(session: Session, *, config: Config) -> _Found:
    found = _Found()
    for name, rtype in config.recommendation_types.items():
        key = f"recommendation_types.{name}"
        if rtype.owner is None:
            found.missing.append(f"{name}: no owner: set {key}.owner")
        if rtype.backup is None:
            found.missing.append(f"{name}: no backup owner: set {key}.backup")
        for i, route in enumerate(rtype.routes):
            if route.backup is None and rtype.backup is None:
                found.missing.append(
                    f"{name}: route {i + 1} ({route.owner}) has no backup: set "
                    f"{key}.routes[{i}].backup"
                )
        if not rtype.sla:
            found.missing.append(f"{name}: no SLA: set {key}.sla, e.g. 8h")
        if not rtype.escalation:
            found.missing.append(
                f"{name}: no escalation path: add {key}.escalation, e.g. "
                "[{after: 0h, notify: manager}]"
            )
    found.missing += missing_signoffs(session, config=config)
    return found


def data_feed(session: Session, *, config: Config, now: datetime) -> _Found:
    found = _Found()
    rows = session.execute(
        select(
            Recommendation.type,
            Recommendation.source,
            Recommendation.event_time,
            Recommendation.recorded_time,
            Recommendation.received_at,
            Recommendation.confidence,
        ).where(Recommendation.received_at >= now - FEED_WINDOW)
    ).all()
    limit = config.readiness.feed_lag_limit
    if not rows:
        found.missing.append(
            "no recommendations received in the last 7 days: connect the feed "
            "(POST /api/v1/recommendations or sopbot ingest FILE)"
        )
    lags = [(r.received_at - r.event_time).total_seconds() for r in rows if r.event_time]
    worst = p95(lags)
    if worst is not None:
        line = (
            f"p95 of received minus event time over the last 7 days: "
            f"{format_duration(timedelta(seconds=worst))} (limit {format_duration(limit)})"
        )
        found.details.append(line)
        if worst > limit.total_seconds():
            found.missing.append(
                f"{line}: send recommendations sooner after the event, or raise "
                "readiness.feed_lag_limit if that lag is acceptable"
            )
    for source in sorted({r.source for r in rows}):
        entry = [
            (r.recorded_time - r.event_time).total_seconds()
            for r in rows
            if r.source == source and r.event_time and r.recorded_time
        ]
        value = p95(entry)
        shown = (
            format_duration(timedelta(seconds=max(value, 0))) if value is not None else "unknown"
        )
        found.details.append(f"entry lag (recorded minus event time) p95 from {source}: {shown}")
    for name in config.recommendation_types:
        mine = [r for r in rows if r.type == name]
        for column in REQUIRED_FIELDS:
            lacking = sum(getattr(r, column) is None for r in mine)
            if lacking:
                found.missing.append(
                    f"{name}: {lacking} of {len(mine)} recommendations in the "
                    f"last 7 days lack {column}: send {column} with every one"
                )
        if not config.recommendation_types[name].field_meanings:
            found.missing.append(
                f"{name}: field meanings not documented: describe what each "
                f"field means under recommendation_types.{name}.field_meanings"
            )
    return found


def override_logging(session: Session, *, config: Config, now: datetime) -> _Found:
    found = _Found()
    if not config.reason_codes:
        found.missing.append(
            "no reason codes configured: list them under reason_codes (an "
            "override always requires one)"
        )
    reviewer = config.override_reviewer
    if reviewer is None:
        found.missing.append("no override reviewer named: set override_reviewer")
    today = now.astimezone(config.person_tz(reviewer)).date()
    for name, rtype in config.recommendation_types.items():
        cadence = rtype.review_cadence
        if not cadence:
            found.missing.append(
                f"{name}: no review cadence: set recommendation_types.{name}.review_cadence"
            )
            continue
        if reviewer is not None and not review_posted(
            session, config=config, type_name=name, today=today
        ):
            since = previous_start(cadence, period_start(cadence, today))
            found.missing.append(
                f"{name}: no {cadence} override review posted since {since}: run `sopbot serve` "
                f"(it posts each period's review to {reviewer}) and make sure {reviewer} can be "
                "reached in chat"
            )
    return found


def success_criteria(config: Config) -> _Found:
    found = _Found()
    for name, rtype in config.recommendation_types.items():
        key = f"recommendation_types.{name}.success"
        success = rtype.success
        if success is None or not success.metric:
            found.missing.append(f"{name}: no success metric: set {key}.metric")
        if success is None or not success.baseline:
            found.missing.append(f"{name}: no baseline captured before go-live: set {key}.baseline")
        if success is None or not success.target:
            found.missing.append(f"{name}: no target: set {key}.target")
    return found


def check_readiness(session: Session, *, config: Config, now: datetime) -> Readiness:
    checks = [
        (1, "ownership", True, ownership(session, config=config)),
        (2, "data feed", True, data_feed(session, config=config, now=now)),
        (3, "override logging", True, override_logging(session, config=config, now=now)),
        (4, "success criteria", True, success_criteria(config)),
        (
            5,
            "operational context",
            False,
            _Found(missing=context_gate_missing(session, config=config)),
        ),
    ]
    gates = [
        Gate(
            id=i,
            name=name,
            hard=hard,
            passed=not found.missing,
            missing=found.missing,
            details=found.details,
        )
        for i, name, hard, found in checks
    ]
    return Readiness(ready=all(g.passed for g in gates if g.hard), gates=gates)


def readiness_text(readiness: Readiness) -> str:
    lines = ["READY to go live" if readiness.ready else "NOT READY to go live"]
    for gate in readiness.gates:
        mark = "pass" if gate.passed else ("FAIL" if gate.hard else "open")
        kind = "hard" if gate.hard else "soft"
        lines.append(f"{gate.id}. {gate.name} ({kind}): {mark}")
        lines += [f"   - {item}" for item in gate.missing]
        lines += [f"   · {item}" for item in gate.details]
    return "\n".join(lines) + "\n"
