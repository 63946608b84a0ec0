"""The naive forecast of the stairstep: what a planner would have said without the AI.

`baseline_value` (the plan before the AI, sent with the recommendation) comes first.
Without one, the naive value is the last actual of the same type, sku and site that was
*observed* before the recommendation's event time: an actual observed later was not
known when the recommendation was made, and another type's actual (a stockout's pieces
for a demand revision, a capacity warning's hours) is not the same quantity. Actuals of
withdrawn recommendations are not used (they are out of every accuracy figure)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import Status
from storage.models import Outcome, Recommendation

_Key = tuple[str, str | None, str | None]  # type, sku, site


def event_time(rec: Recommendation) -> datetime:
    """When the recommendation was made: its event time, else when it arrived."""
    return rec.event_time or rec.received_at


def naive_values(session: Session, recs: Sequence[Recommendation]) -> dict[int, float | None]:
    needed = {(r.type, r.sku, r.site) for r in recs if r.baseline_value is None and r.sku}
    history: dict[_Key, list[tuple[datetime, int, float]]] = {}
    if needed:
        observed = func.coalesce(Outcome.observed_at, Outcome.recorded_at)
        rows = session.execute(
            select(
                Recommendation.type,
                Recommendation.sku,
                Recommendation.site,
                observed.label("observed"),
                Outcome.id,
                Outcome.actual_value,
            )
            .join(Outcome, Outcome.recommendation_id == Recommendation.id)
            .where(
                Recommendation.sku.in_({sku for _type, sku, _site in needed}),
                Recommendation.type.in_({type_ for type_, _sku, _site in needed}),
                Recommendation.status != Status.WITHDRAWN,
                Outcome.actual_value.is_not(None),
            )
        ).all()
        for row in rows:
            key = (row.type, row.sku, row.site)
            if key in needed:
                history.setdefault(key, []).append((row.observed, row.id, row.actual_value))
        for series in history.values():
            series.sort()
    naive: dict[int, float | None] = {}
    for rec in recs:
        if rec.baseline_value is not None:
            naive[rec.id] = rec.baseline_value
            continue
        series = history.get((rec.type, rec.sku, rec.site), [])
        # Strictly before: the last entry observed earlier than the event time.
        cut = bisect.bisect_left(series, (event_time(rec),))
        naive[rec.id] = series[cut - 1][2] if cut else None
    return naive
