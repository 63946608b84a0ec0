"""Model calibration: how often the AI was right at each confidence, per type. The same
count feeds the track-record line on every message: one indexed aggregate query (type +
confidence range) per type and bin, kept for a minute per database engine, so a burst of
deliveries or a queue redraw does not repeat it per message."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from core.config import Config
from core.domain import Status
from storage.models import Outcome, Recommendation
from workflows.review.history import ReviewRow
from workflows.review.stats import Rate, mean, rate

EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CACHE_SECONDS = 60.0  # outcomes arrive in batches, days later: a minute old is current

_Counts = dict[tuple[str, str], tuple[float, int, int]]  # (type, bin) -> (at, judged, right)
_CACHE: weakref.WeakKeyDictionary[object, _Counts] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Bin:
    low: float
    high: float

    @property
    def label(self) -> str:
        return f"{self.low:.1f}-{self.high:.1f}"

    def holds(self, confidence: float) -> bool:
        last = self.high >= 1.0
        return self.low <= confidence and (
            confidence <= self.high if last else confidence < self.high
        )


BINS = tuple(Bin(low, high) for low, high in zip(EDGES, EDGES[1:], strict=False))


def bin_of(confidence: float) -> Bin:
    return next(b for b in BINS if b.holds(confidence))


def reliability(rows: Sequence[ReviewRow], *, min_n: int) -> list[dict[str, Any]]:
    """One line per bin with any judged recommendation: n, right, rate, mean confidence.
    Withdrawn items are not judged (the AI took them back)."""
    table = []
    for bin_ in BINS:
        judged = [
            r
            for r in rows
            if r.confidence is not None
            and bin_.holds(r.confidence)
            and r.ai_right is not None
            and not r.withdrawn
        ]
        if not judged:
            continue
        right = sum(bool(r.ai_right) for r in judged)
        table.append(
            {
                "bin": bin_.label,
                "n": len(judged),
                "right": right,
                "right_rate": rate(right, len(judged), min_n),
                "mean_confidence": mean([r.confidence for r in judged]),
            }
        )  # type: ignore[misc]
    return table


def _right_expression() -> ColumnElement[Any]:
    """SQL for ReviewRow.ai_right: the verdict, else the actual inside the interval."""
    inside = and_(
        Outcome.actual_value >= Recommendation.interval_low,
        Outcome.actual_value <= Recommendation.interval_high,
    )
    return case(
        (Outcome.ai_correct.is_not(None), case((Outcome.ai_correct.is_(True), 1), else_=0)),
        (
            and_(
                Outcome.actual_value.is_not(None),
                Recommendation.interval_low.is_not(None),
                Recommendation.interval_high.is_not(None),
            ),
            case((inside, 1), else_=0),
        ),
        else_=None,
    )


def _counts(session: Session, type_name: str, bin_: Bin) -> tuple[int, int]:
    right = _right_expression()
    upper = (
        Recommendation.confidence <= bin_.high
        if bin_.high >= 1.0
        else Recommendation.confidence < bin_.high
    )
    judged, hits = session.execute(
        select(func.count(right), func.coalesce(func.sum(right), 0))
        .select_from(Recommendation)
        .join(Outcome, Outcome.recommendation_id == Recommendation.id)
        .where(
            Recommendation.type == type_name,
            Recommendation.confidence >= bin_.low,
            upper,
            Recommendation.status != Status.WITHDRAWN,
        )
    ).one()
    return int(judged), int(hits)


def track_record(session: Session, *, config: Config, rec: Recommendation) -> Rate | None:
    """Right n of m times for this type at this confidence bin (None without confidence)."""
    if rec.confidence is None:
        return None
    bin_ = bin_of(rec.confidence)
    engine, key, now = session.get_bind(), (rec.type, bin_.label), time.monotonic()
    with _CACHE_LOCK:
        cached = _CACHE.setdefault(engine, {}).get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        judged, hits = cached[1], cached[2]
    else:
        judged, hits = _counts(session, rec.type, bin_)
        with _CACHE_LOCK:
            _CACHE.setdefault(engine, {})[key] = (now, judged, hits)
    return rate(hits, judged, config.review.min_sample)


def track_record_line(session: Session, *, config: Config, rec: Recommendation) -> str | None:
    """ "This model's supplier delay signals at 80-90%: right 41 of 50 times", or
    nothing while there are too few outcomes to say."""
    record = track_record(session, config=config, rec=rec)
    if record is None or record.too_small:
        return None
    rtype = config.recommendation_types.get(rec.type)
    label = (rtype.label if rtype else rec.type).lower()
    bin_ = bin_of(rec.confidence or 0)
    return (
        f"This model's {label} signals at {bin_.low:.0%}-{bin_.high:.0%}: "
        f"right {record.hits} of {record.n} times"
    )
