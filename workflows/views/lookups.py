"""The lines of a recommendation message that are read from other rows: the similar
history, the context rules, the model's track record.

Drawing one message reads them with a query each (`SessionLookups`). The outbox draws
a claimed batch of messages at once, so `BatchLookups` reads them for the whole batch
in one query per kind of scope and one for the rules: with a query per line per
message, the reads cost more than the send itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.config import Config
from core.domain import DecisionKind, EventKind
from core.messages import Section
from storage.models import ContextRule, Decision, Event, Recommendation
from workflows.context.rules.matching import (
    candidate_rules,
    context_rules_section,
    rules_bearing_on,
    rules_section,
)
from workflows.review.calibration import track_record_line

SIMILAR_LOOKBACK = 5


class Lookups(Protocol):
    """What `recommendation_message` reads besides the recommendation itself."""

    def history(self, rec: Recommendation) -> str | None: ...

    def rules(self, rec: Recommendation) -> Section | None: ...

    def track_record(self, rec: Recommendation) -> str | None: ...

    def clock_events(self, rec: Recommendation) -> list[dict[str, Any]]: ...


# What the card says happened to the item: escalated to whom, extended, handed over.
CLOCK_EVENTS = (EventKind.ESCALATED, EventKind.SLA_EXTENDED, EventKind.REASSIGNED)


def _clock_event_rows(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each recommendation's escalations and extensions, oldest first, as
    `{"kind", "at", "actor_id", **data}`."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(
        select(Event.recommendation_id, Event.kind, Event.at, Event.actor_id, Event.data)
        .where(Event.recommendation_id.in_(list(ids)), Event.kind.in_(CLOCK_EVENTS))
        .order_by(Event.id)
    )
    for rec_id, kind, at, actor, data in rows:
        found[rec_id].append({**(data or {}), "kind": kind, "at": at, "actor_id": actor})
    return found


def _scope(rec: Recommendation) -> tuple[str, tuple[Any, ...]] | None:
    """The most specific scope `rec` shares with similar ones: supplier, else customer,
    else item at site (kind, values); None when it has none."""
    if rec.supplier:
        return "supplier", (rec.supplier,)
    if rec.customer:
        return "customer", (rec.customer,)
    if rec.sku:
        return "item", (rec.sku, rec.site)
    return None


SCOPE_COLUMNS: dict[str, tuple[InstrumentedAttribute[Any], ...]] = {
    "supplier": (Recommendation.supplier,),
    "customer": (Recommendation.customer,),
    "item": (Recommendation.sku, Recommendation.site),
}


def _equal(column: InstrumentedAttribute[Any], value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def similar_history(session: Session, rec: Recommendation, *, config: Config) -> str | None:
    """ "3 of the last 4 similar overridden (SUPPLIER_PATTERN)": same type and the most
    specific shared scope (supplier, else customer, else item at site)."""
    scope = _scope(rec)
    if scope is None:
        return None
    kind, values = scope
    rows = session.execute(
        select(Decision.kind, Decision.reason_code)
        .join(Recommendation, Recommendation.id == Decision.recommendation_id)
        .where(
            Recommendation.type == rec.type,
            Recommendation.id != rec.id,
            *[_equal(c, v) for c, v in zip(SCOPE_COLUMNS[kind], values, strict=True)],
            Decision.automatic.is_(False),
        )
        .order_by(Decision.decided_at.desc(), Decision.id.desc())  # ties: the later one
        .limit(SIMILAR_LOOKBACK)
    ).all()
    return history_line(rows, config=config)


def history_line(rows: Sequence[Any], *, config: Config) -> str | None:
    """The History line from the last similar human decisions, newest first (rows with
    `kind` and `reason_code`)."""
    if not rows:
        return None
    overrides = [r for r in rows if r.kind == DecisionKind.OVERRIDE]
    line = f"Similar recommendations: {len(overrides)} of the last {len(rows)} overridden"
    reasons = [r.reason_code for r in overrides if r.reason_code]
    if reasons:
        common = max(set(reasons), key=reasons.count)
        reason = config.reason_codes_by_code.get(common)
        line += f" ({reason.label if reason else common})"
    return line


class SessionLookups:
    """One message's lookups, each a query in `session` (the track record is cached)."""

    def __init__(self, session: Session, *, config: Config) -> None:
        self.session = session
        self.config = config

    def history(self, rec: Recommendation) -> str | None:
        return similar_history(self.session, rec, config=self.config)

    def rules(self, rec: Recommendation) -> Section | None:
        return context_rules_section(self.session, config=self.config, rec=rec)

    def track_record(self, rec: Recommendation) -> str | None:
        return track_record_line(self.session, config=self.config, rec=rec)

    def clock_events(self, rec: Recommendation) -> list[dict[str, Any]]:
        return _clock_event_rows(self.session, [rec.id]).get(rec.id, [])


class BatchLookups:
    """The lookups of every message about `recs`, read up front: per kind of scope one
    query for the last decisions of each scope the batch touches (a window per scope,
    long enough that dropping a recommendation's own decisions still leaves the last
    SIMILAR_LOOKBACK of the others), and one query for the candidate rules. Gives
    exactly what `SessionLookups` gives for each of `recs`."""

    def __init__(self, session: Session, *, config: Config, recs: Sequence[Recommendation]) -> None:
        self.session = session
        self.config = config
        self._candidates: list[ContextRule] = candidate_rules(session, recs=recs)
        self._decisions: dict[tuple[Any, ...], list[Any]] = {}
        self._clock = _clock_event_rows(session, [rec.id for rec in recs])
        own = max((sum(not d.automatic for d in rec.decisions) for rec in recs), default=0)
        wanted: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        for rec in recs:
            scope = _scope(rec)
            if scope is not None:
                wanted[scope[0]].add((rec.type, *scope[1]))
        for kind, keys in wanted.items():
            self._read(kind, keys, limit=SIMILAR_LOOKBACK + own)

    def _read(self, kind: str, keys: set[tuple[Any, ...]], *, limit: int) -> None:
        columns = (Recommendation.type, *SCOPE_COLUMNS[kind])
        filters = []
        for position, column in enumerate(columns):
            values = {key[position] for key in keys}
            present = sorted(v for v in values if v is not None)
            either = [column.in_(present)] if present else []
            filters.append(or_(*either, column.is_(None)) if None in values else either[0])
        number = func.row_number().over(
            partition_by=columns, order_by=(Decision.decided_at.desc(), Decision.id.desc())
        )
        ranked = (
            select(
                *columns,
                Decision.recommendation_id,
                Decision.kind,
                Decision.reason_code,
                number.label("n"),
            )
            .join(Recommendation, Recommendation.id == Decision.recommendation_id)
            .where(Decision.automatic.is_(False), and_(*filters))
            .subquery()
        )
        rows = self.session.execute(
            select(ranked).where(ranked.c.n <= limit).order_by(ranked.c.n)
        ).all()
        width = len(columns)
        for row in rows:
            key = (kind, *row[:width])
            if key[1:] in keys:
                self._decisions.setdefault(key, []).append(row)

    def history(self, rec: Recommendation) -> str | None:
        scope = _scope(rec)
        if scope is None:
            return None
        rows = self._decisions.get((scope[0], rec.type, *scope[1]), [])
        others = [r for r in rows if r.recommendation_id != rec.id][:SIMILAR_LOOKBACK]
        return history_line(others, config=self.config)

    def rules(self, rec: Recommendation) -> Section | None:
        rules = rules_bearing_on(self._candidates, config=self.config, rec=rec)
        return rules_section(rules, config=self.config)

    def track_record(self, rec: Recommendation) -> str | None:
        return track_record_line(self.session, config=self.config, rec=rec)

    def clock_events(self, rec: Recommendation) -> list[dict[str, Any]]:
        return self._clock.get(rec.id, [])
