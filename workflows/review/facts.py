"""The review's per-recommendation facts as SQL expressions: the same definitions as
`ReviewRow`'s properties (final value, verdict, direction, size, the naive forecast),
written once for the database so the report aggregates a million decisions with GROUP BY
instead of a Python object per row. tests/workflows/review/test_fast_path.py holds the two equal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from core.domain import DecisionKind, Status, Tier
from storage.models import Assignment, Decision, Outcome, Recommendation, SlaClock
from workflows.review.adjustments import LARGE_CHANGE
from workflows.review.calibration import BINS, _right_expression
from workflows.review.history import Window
from workflows.review.thresholds import bands

R = Recommendation
HUMAN = aliased(Decision, name="human")
AUTO = aliased(Decision, name="auto")

# The decision a row reports: the human one, else the automatic one (one of each at most).
KIND = func.coalesce(HUMAN.kind, AUTO.kind)
VALUE = case((HUMAN.id.is_not(None), HUMAN.value), else_=AUTO.value)
REASON = case((HUMAN.id.is_not(None), HUMAN.reason_code), else_=AUTO.reason_code)
OVERRIDDEN = KIND == DecisionKind.OVERRIDE
HUMAN_KIND = KIND.in_((DecisionKind.ACCEPT, DecisionKind.OVERRIDE))
KEPT = R.status != Status.WITHDRAWN  # withdrawn items are out of every accuracy figure
FINAL = case(
    (OVERRIDDEN, VALUE),
    (KIND.in_((DecisionKind.ACCEPT, DecisionKind.AUTO)), R.quantity),
    else_=null(),
)
ACTUAL, AI = Outcome.actual_value, R.quantity


def scoped(query: Select[Any], window: Window) -> Select[Any]:
    if window.start is not None:
        query = query.where(R.received_at >= window.start)
    if window.end is not None:
        query = query.where(R.received_at < window.end)
    if window.type is not None:
        query = query.where(R.type == window.type)
    return query


def joined(query: Select[Any], *, naive: Any = None) -> Select[Any]:
    """Recommendations with their human and automatic decision and their outcome; with
    `naive`, starting from it (one row per recommendation, joined by primary key: SQLite
    would otherwise scan the window result once per recommendation)."""
    start = (
        query.select_from(R)
        if naive is None
        else query.select_from(naive).join(R, R.id == naive.c.rec_id)
    )
    return (
        start.outerjoin(HUMAN, and_(HUMAN.recommendation_id == R.id, HUMAN.automatic.is_(False)))
        .outerjoin(AUTO, and_(AUTO.recommendation_id == R.id, AUTO.automatic.is_(True)))
        .outerjoin(Outcome, Outcome.recommendation_id == R.id)
        .outerjoin(SlaClock, SlaClock.recommendation_id == R.id)
    )


# The escalation level reached, read through the join above (a correlated lookup per
# row, as `Recommendation.escalation_level` is in SQL, made the review 38% slower).
ESCALATION = func.coalesce(SlaClock.escalation_level, 0)


def _observations(rec: Any, outcome: Any) -> Select[Any]:
    """The actuals the naive forecast may use: kept items', with a sku."""
    return (
        select(rec.type, rec.sku, rec.site)
        .join(outcome, outcome.recommendation_id == rec.id)
        .where(
            rec.status != Status.WITHDRAWN,
            outcome.actual_value.is_not(None),
            rec.sku.is_not(None),
            rec.sku != "",
        )
    )


def _observed(outcome: Any) -> ColumnElement[Any]:
    return func.coalesce(outcome.observed_at, outcome.recorded_at)


def _bounded(seen: Select[Any], window: Window, asked_at: ColumnElement[Any]) -> Select[Any]:
    """Only the actuals that can be a window row's naive value: those of the (type, sku,
    site) series the window's rows belong to, observed before the latest of their event
    times; so a report of last week does not sort the actuals of every other series nor
    those observed after it. (Bounding each series from below too, at the last actual
    before its earliest event time, needs a lookup per series that costs PostgreSQL
    more to plan and run (JIT) than sorting those earlier actuals: measured, 3x.)"""
    same = (R.type, R.sku, R.site)
    series = (
        scoped(
            select(
                *(c.label(c.key) for c in same),
                func.max(asked_at).label("last"),
            ),
            window,
        )
        .where(R.sku.is_not(None), R.sku != "")
        .group_by(*same)
        .subquery("series")
    )
    observed = _observed(Outcome)
    return seen.join(
        series,
        and_(
            R.type == series.c.type,
            R.sku == series.c.sku,
            R.site.is_not_distinct_from(series.c.site),
        ),
    ).where(observed < series.c.last)


def naive_table(window: Window) -> Any:
    """Per recommendation of `window`: the last actual of the same type,
    sku and site observed strictly before its event time (withdrawn items' and sku-less
    actuals unused; the baseline, where there is one, takes precedence in `grouped`).
    One window pass: observations and questions in time order (at equal times the
    question first, so an actual observed at the event time is not used), each question
    reading the observation that opened its run. A window bounded in time reads only
    the actuals that can matter to its rows (`_bounded`)."""
    observed = _observed(Outcome)
    seen = _observations(R, Outcome).add_columns(
        observed.label("at"),
        literal(1).label("phase"),
        Outcome.id.label("tiebreak"),
        Outcome.actual_value.label("actual"),
        null().label("rec_id"),
    )
    asked_at = func.coalesce(R.event_time, R.received_at)
    if window.type is not None:
        seen = seen.where(R.type == window.type)
    if window.start is not None or window.end is not None:
        seen = _bounded(seen, window, asked_at)
    asked = scoped(
        select(R.type, R.sku, R.site, asked_at, literal(0), R.id, null(), R.id), window
    )  # every recommendation of the window: one naive row each, so the facts start here
    both = union_all(seen, asked).subquery("both")
    key = (both.c.type, both.c.sku, both.c.site)
    run = func.count(both.c.actual).over(
        partition_by=key,
        order_by=(both.c.at, both.c.phase, both.c.tiebreak),
        rows=(None, 0),
    )
    runs = select(both.c.rec_id, both.c.actual, *key, run.label("run")).subquery("runs")
    opened = func.max(runs.c.actual).over(
        partition_by=(runs.c.type, runs.c.sku, runs.c.site, runs.c.run)
    )
    found = select(runs.c.rec_id, opened.label("naive")).subquery("found")
    return select(found.c.rec_id, found.c.naive).where(found.c.rec_id.is_not(None)).subquery("nv")


def _verdict() -> ColumnElement[Any]:
    off_final, off_ai = func.abs(VALUE - ACTUAL), func.abs(AI - ACTUAL)
    judged = and_(OVERRIDDEN, KEPT)
    return case(
        (
            and_(judged, VALUE.is_not(None), AI.is_not(None), ACTUAL.is_not(None)),
            case((off_final < off_ai, "won"), (off_final == off_ai, "tie"), else_="lost"),
        ),
        (
            and_(judged, Outcome.ai_correct.is_not(None)),
            case((Outcome.ai_correct.is_(True), "lost"), else_="won"),
        ),
        else_=null(),
    )


def _direction() -> ColumnElement[Any]:
    return case(
        (or_(VALUE.is_(None), AI.is_(None)), null()),
        (VALUE > AI, "up"),
        (VALUE < AI, "down"),
        else_=null(),
    )


def _size() -> ColumnElement[Any]:
    change = func.abs(VALUE - AI) / func.abs(AI)
    return case(
        (or_(VALUE.is_(None), AI.is_(None), AI == 0), null()),
        (change >= LARGE_CHANGE, "large"),
        else_="small",
    )


def _in(low: float, high: float) -> ColumnElement[bool]:
    upper = R.confidence < high
    if high >= 1.0:
        upper = or_(upper, R.confidence <= 1.0)
    return and_(R.confidence >= low, upper)


def _bin() -> ColumnElement[Any]:
    """The calibration bin (workflows.review.calibration.Bin.holds: the last includes 1)."""
    return case(*((_in(b.low, b.high), b.label) for b in BINS), else_=null())


def _band(currents: Mapping[str, float]) -> ColumnElement[Any]:
    """The threshold-advice band of a direct message, per type's current threshold."""
    whens = [
        (and_(R.type == name, _in(low, high)), f"{low:.2f}-{high:.2f}")
        for name, current in currents.items()
        for low, high in bands(current)
    ]
    if not whens:
        return null()
    direct = and_(R.tier == Tier.DIRECT, R.confidence.is_not(None), KEPT)
    return case((~direct, null()), *whens, else_=null())


def _accuracy(
    valued: ColumnElement[bool], signed: ColumnElement[bool], full: ColumnElement[bool]
) -> ColumnElement[Any]:
    """Which accuracy figures a row enters: 1 an actual and an AI value (the adjustment
    grid), 2 also a final value (bias), 3 also a naive value (the stairstep)."""
    return case((full, 3), (signed, 2), (valued, 1), else_=0)


def grouped(window: Window, *, currents: Mapping[str, float], now: datetime) -> Select[Any]:
    """One GROUP BY over every fact the sections need; each group's counts and sums."""
    naive = naive_table(window)
    no_sku = or_(R.sku.is_(None), R.sku == "")
    naive_value = case(
        (R.baseline_value.is_not(None), R.baseline_value), (no_sku, null()), else_=naive.c.naive
    )
    valued = and_(KEPT, ACTUAL.is_not(None), AI.is_not(None))
    signed = and_(valued, FINAL.is_not(None))
    full = and_(signed, naive_value.is_not(None))
    reassigned = exists().where(Assignment.recommendation_id == R.id)
    keys: Sequence[ColumnElement[Any]] = (
        R.type.label("type"),
        R.unit.label("unit"),
        R.status.label("status"),
        KIND.label("kind"),
        R.tier.label("tier"),
        case((reassigned, 1), else_=0).label("reassigned"),
        REASON.label("reason"),
        _verdict().label("verdict"),
        case((KEPT, _right_expression()), else_=null()).label("ai_right"),
        case((and_(OVERRIDDEN, KEPT), _direction()), else_=null()).label("direction"),
        case((and_(OVERRIDDEN, KEPT), _size()), else_=null()).label("size"),
        _accuracy(valued, signed, full).label("accuracy"),
        case((KEPT, _bin()), else_=null()).label("bin"),
        _band(currents).label("band"),
        case((R.due_at < now, 1), else_=0).label("past_due"),
        case((and_(HUMAN_KIND, HUMAN.decided_at > R.due_at), 1), else_=0).label("late"),
        case((and_(HUMAN_KIND, HUMAN.decided_at.is_not(None)), 1), else_=0).label("human"),
        ESCALATION.label("escalation"),
        case((R.confidence.is_not(None), 1), else_=0).label("confident"),
    )
    sums = (
        func.count().label("n"),
        func.min(R.id).label("first_id"),
        func.sum(R.confidence).label("confidence"),
        func.sum(func.abs(ACTUAL)).label("abs_actual"),
        func.sum(func.abs(naive_value - ACTUAL)).label("off_naive"),
        func.sum(func.abs(AI - ACTUAL)).label("off_ai"),
        func.sum(func.abs(FINAL - ACTUAL)).label("off_final"),
        func.sum(AI - ACTUAL).label("err_ai"),
        func.sum(FINAL - ACTUAL).label("err_final"),
    )
    query = joined(select(*keys, *sums), naive=naive)
    return scoped(query, window).group_by(*keys)


def breakdown(window: Window, column: ColumnElement[Any]) -> Select[Any]:
    """Decided items per type and value of one breakdown column, and how many overridden."""
    query = joined(
        select(
            R.type,
            column.label("value"),
            func.count(),
            func.sum(case((OVERRIDDEN, 1), else_=0)),
        )
    ).where(R.status == Status.DECIDED, column.is_not(None))
    return scoped(query, window).group_by(R.type, column)


def decision_times(window: Window) -> Select[Any]:
    """What the time-to-decide figures need: one row per human decision."""
    query = joined(select(R.type, R.owner_id, R.received_at, HUMAN.decided_at)).where(
        HUMAN_KIND, HUMAN.decided_at.is_not(None)
    )
    return scoped(query, window)
