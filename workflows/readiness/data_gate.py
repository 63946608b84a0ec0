"""Gate 2, data: the feed is the production feed, not the pilot's. Per type, over the last
`readiness.window_days` business days (and only once the feed has run that long): every
declared source system and every site in scope seen, volume per site at least the
declared share of what production generates, p95 of receipt minus `recorded_time`
under the limit (entry lag, `recorded_time` minus `event_time`, reported apart: an ERP
that books late is another problem than a feed that delivers late), the fields every
recommendation needs present, and a data dictionary whose units every row matched."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.clock import Calendars
from core.config import Config
from core.durations import format_duration
from core.readiness_settings import FieldDefinition
from storage.models import Recommendation
from workflows.readiness.evidence import Found
from workflows.review.stats import p95

REQUIRED_FIELDS = ("event_time", "recorded_time", "confidence")  # the gates and review read them


@dataclass
class _Seen:
    rows: int = 0
    by_site: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_source: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_unit: dict[str | None, int] = field(default_factory=lambda: defaultdict(int))
    lacking: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    delivery_p95: float | None = None  # seconds from recorded_time to receipt
    entry_p95: float | None = None  # seconds from event_time to recorded_time


def window_start(config: Config, calendars: Calendars, now: datetime) -> datetime:
    """Midnight (company time) of the `window_days`-th business day before today."""
    calendar = calendars.for_person(None)
    day = now.astimezone(calendar.tz).date()
    counted = 0
    while counted < config.readiness.window_days:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return datetime.combine(day, time(0, 0), tzinfo=calendar.tz)


def _read(session: Session, start: datetime) -> dict[str, _Seen]:
    seen: dict[str, _Seen] = defaultdict(_Seen)
    rec = Recommendation
    lacking = [func.sum(case((getattr(rec, c).is_(None), 1), else_=0)) for c in REQUIRED_FIELDS]
    grouped = session.execute(
        select(rec.type, rec.site, rec.source, rec.unit, func.count(), *lacking)
        .where(rec.received_at >= start)
        .group_by(rec.type, rec.site, rec.source, rec.unit)
    )
    for type_, site, source, unit, count, *nulls in grouped:
        mine = seen[type_]
        mine.rows += count
        mine.by_site[site or "(no site)"] += count
        mine.by_source[source] += count
        mine.by_unit[unit] += count
        for column, n in zip(REQUIRED_FIELDS, nulls, strict=True):
            mine.lacking[column] += int(n or 0)
    for type_, delivery, entry in _lag_p95(session, start):
        seen[type_].delivery_p95, seen[type_].entry_p95 = delivery, entry
    return seen


def _seconds(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _lag_p95(session: Session, start: datetime) -> list[tuple[str, float | None, float | None]]:
    """Per type, the nearest-rank p95 of the two lags over the window: computed by
    PostgreSQL itself (percentile_disc is nearest-rank), on SQLite from the lags alone."""
    rec = Recommendation
    delivery = _seconds(session, rec.received_at, rec.recorded_time)
    entry = _seconds(session, rec.recorded_time, rec.event_time)
    where = (rec.received_at >= start, rec.recorded_time.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            select(
                rec.type,
                func.percentile_disc(0.95).within_group(delivery),
                func.percentile_disc(0.95).within_group(entry),
            )
            .where(*where)
            .group_by(rec.type)
        )
        return [(t, _float(d), _float(e)) for t, d, e in rows]
    lags: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for type_, d, e in session.execute(select(rec.type, delivery, entry).where(*where)):
        lags[type_][0].append(d)
        if e is not None:
            lags[type_][1].append(e)
    return [(t, p95(d), p95(e)) for t, (d, e) in lags.items()]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    return format_duration(timedelta(seconds=max(seconds, 0)))


def data_gate(session: Session, *, config: Config, calendars: Calendars, now: datetime) -> Found:
    found = Found()
    days = config.readiness.window_days
    start = window_start(config, calendars, now)
    first = session.scalar(select(func.min(Recommendation.received_at)))
    if first is None or first > start:
        since = f"since {first:%Y-%m-%d}" if first else "not at all"
        found.missing.append(
            f"the feed has run {since}: the data gate reads the last {days} business days "
            f"(from {start:%Y-%m-%d}), so it needs that long a run (readiness.window_days)"
        )
    seen = _read(session, start)
    limit = config.readiness.feed_lag_limit
    for name, rtype in config.recommendation_types.items():
        key = f"recommendation_types.{name}.data"
        mine = seen.get(name, _Seen())
        spec = rtype.data
        if spec is None:
            found.missing.append(
                f"{name}: no data declaration: set {key} with sources, sites, "
                "production_volume and fields (unit and definition per field)"
            )
            continue
        if not spec.sources:
            found.missing.append(
                f"{name}: no source systems declared: list them under {key}.sources"
            )
        for source in spec.sources:
            if mine.by_source.get(source, 0) == 0:
                found.missing.append(
                    f"{name}: declared source {source} not seen in the last {days} business days"
                )
        for source in sorted(set(mine.by_source) - set(spec.sources)):
            found.missing.append(
                f"{name}: {mine.by_source[source]} recommendations came from '{source}', which "
                f"is not a declared source: add it to {key}.sources or stop that feed"
            )
        if not spec.sites:
            found.missing.append(f"{name}: no sites in scope declared: list them under {key}.sites")
        if spec.production_volume is None:
            found.missing.append(
                f"{name}: no production volume declared: set {key}.production_volume "
                "(recommendations per business day per site in production)"
            )
        for site in spec.sites:
            count = mine.by_site.get(site, 0)
            if count == 0:
                found.missing.append(
                    f"{name}: site {site} not seen in the last {days} business days"
                )
            elif spec.production_volume is not None:
                needed = spec.min_share * spec.production_volume * days
                if count < needed:
                    found.missing.append(
                        f"{name}: {site} sent {count} in {days} business days, below "
                        f"{spec.min_share:.0%} of the declared production volume "
                        f"({spec.production_volume:g}/day, so at least {needed:g}): pilot "
                        "volume is not production volume"
                    )
        _fields(name, key, spec.fields, mine, found)
        for column, lacking in sorted(mine.lacking.items()):
            if lacking:
                found.missing.append(
                    f"{name}: {lacking} of {mine.rows} recommendations lack {column}: "
                    f"send {column} with every one"
                )
        delivery = mine.delivery_p95
        if delivery is not None and delivery > limit.total_seconds():
            found.missing.append(
                f"{name}: p95 from recorded_time to receipt is {_duration(delivery)} (limit "
                f"{format_duration(limit)}): deliver sooner after entry, or raise "
                "readiness.feed_lag_limit if that delay is acceptable"
            )
        found.evidence.append(
            f"{name}: {mine.rows} received since {start:%Y-%m-%d}; sources "
            + (", ".join(f"{s} {n}" for s, n in sorted(mine.by_source.items())) or "none")
            + "; sites "
            + (", ".join(f"{s} {n}" for s, n in sorted(mine.by_site.items())) or "none")
            + f"; p95 recorded->received {_duration(delivery)} (limit {format_duration(limit)})"
            + f"; p95 event->recorded {_duration(mine.entry_p95)} (entry lag, reported)"
        )
    return found


def _fields(
    name: str, key: str, fields: dict[str, FieldDefinition], mine: _Seen, found: Found
) -> None:
    quantity = fields.get("quantity")
    if quantity is None:
        found.missing.append(
            f"{name}: the data dictionary does not define quantity: set {key}.fields.quantity "
            "with its unit and definition"
        )
        return
    wrong = {
        unit: n for unit, n in mine.by_unit.items() if unit is not None and unit != quantity.unit
    }
    for unit, n in sorted(wrong.items()):
        found.missing.append(
            f"{name}: {n} recommendations in '{unit}' where the dictionary says "
            f"'{quantity.unit}': fix the unit at the source"
        )
