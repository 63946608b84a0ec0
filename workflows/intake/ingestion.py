"""Recommendations in: validated whole, routed, stored with their first outbox row in
one transaction. Idempotent on (source, external_id); revisions and withdrawals update
undecided recommendations only, and a revision is routed again (workflows.intake.revisions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from core.domain import DecisionKind, EventKind, IngestStatus, OutboxKind, Status, Tier
from core.recommendation import RecommendationIn
from storage.bulk import RowBatch, insert_rows, reserve_ids
from storage.models import Decision, Event, OutboxItem, Recommendation, SlaClock
from storage.models.sla_clock import stop_clock
from storage.types import NEVER
from workflows.base import WorkflowContext
from workflows.intake.revisions import ROUTING_COLUMNS, reroute_revision, routed_on
from workflows.intake.validation import (
    BatchRejected,
    IngestResult,
    ItemError,
    content_hash,
    stored_content,
)
from workflows.outbox import enqueue_refresh
from workflows.ownership.absences import absences, route_around
from workflows.ownership.routing import NoOwner, RoutingResult, route


@dataclass
class _Existing:
    id: int
    revision: int
    content_hash: str
    status: str
    owner_id: str
    due_at: datetime
    tier: str
    routed_on: tuple[Any, ...]  # what routing reads (revisions.routed_on)


def ingest(ctx: WorkflowContext, *, items: Sequence[RecommendationIn]) -> list[IngestResult]:
    """Store a validated batch in one transaction. A concurrent writer of the same
    ids makes the unique key fire; the batch is then retried once and those items
    come back as duplicates."""
    for attempt in range(2):
        try:
            with ctx.database.transaction() as session:
                results = _ingest(ctx, session, items)
        except IntegrityError:
            if attempt == 1:
                raise
            continue
        _meter(ctx, items, results)
        return results
    raise AssertionError("unreachable")


def _meter(
    ctx: WorkflowContext, items: Sequence[RecommendationIn], results: list[IngestResult]
) -> None:
    """Counted once committed; an auto-tier item is also an (automatic) decision."""
    for item, result in zip(items, results, strict=True):
        ctx.meter.ingested(type_=item.type, tier=result.tier, status=result.status)
        automatic = result.tier == Tier.AUTO and not item.withdrawn
        if automatic and result.status == IngestStatus.CREATED:
            ctx.meter.decided(action=DecisionKind.AUTO, type_=item.type, seconds=0.0)


def _ingest(
    ctx: WorkflowContext, session: Session, items: Sequence[RecommendationIn]
) -> list[IngestResult]:
    now = ctx.clock.now()
    existing = _existing(ctx, session, [(i.source, i.external_id) for i in items])
    results: list[IngestResult | None] = [None] * len(items)
    new_rows: list[dict[str, Any]] = []
    new_routes: list[tuple[int, RecommendationIn, RoutingResult, str]] = []
    away = absences(session, now=now)  # owners away: new items go to their stand-in
    for index, item in enumerate(items):
        digest = content_hash(item)
        found = existing.get((item.source, item.external_id))
        if found is not None:
            try:
                results[index] = _update_existing(ctx, session, found, item, digest, now)
            except NoOwner as exc:  # a revision to a type nobody owns
                raise BatchRejected(
                    [ItemError(index=index, field="type", message=str(exc))]
                ) from None
            continue
        try:
            routing = route_around(
                route(config=ctx.config, calendars=ctx.calendars, rec=item, received_at=now),
                away,
            )
        except NoOwner as exc:
            raise BatchRejected([ItemError(index=index, field="type", message=str(exc))]) from None
        new_rows.append(
            {
                **stored_content(item),
                "source": item.source,
                "external_id": item.external_id,
                "revision": item.revision,
                "content_hash": digest,
                "received_at": now,
                "status": Status.WITHDRAWN if item.withdrawn else Status.OPEN,
                "tier": routing.tier,
                "owner_id": routing.owner,
                "backup_id": routing.backup,
                "route": routing.route,
                "due_at": routing.due_at,
            }
        )
        new_routes.append((index, item, routing, digest))
    if new_rows:
        batch = RowBatch(session.connection())
        ids = _insert_recommendations(ctx, session, new_rows, batch)
        _write_side_rows(ctx, session, list(zip(ids, new_routes, strict=True)), now, batch)
        for rec_id, (index, item, routing, _digest) in zip(ids, new_routes, strict=True):
            results[index] = IngestResult(
                id=rec_id,
                external_id=item.external_id,
                source=item.source,
                status=IngestStatus.CREATED,
                owner=routing.owner,
                due_at=routing.due_at,
                tier=routing.tier,
                note="unowned: sent to the override reviewer" if routing.unowned else None,
            )
    return [r for r in results if r is not None]


def _insert_recommendations(
    ctx: WorkflowContext, session: Session, rows: list[dict[str, Any]], batch: RowBatch
) -> list[int]:
    """The new rows, with their ids in order.

    PostgreSQL: the ids come from the table's sequence in one round trip
    (storage.bulk.reserve_ids) and the rows join `batch`, which writes them with the
    audit and outbox rows in one statement. SQLite runs an
    ordered RETURNING row by row, so there the rows go in with one driver-level
    executemany and the ids are read off the table: the transaction began with BEGIN
    IMMEDIATE, so nobody else can insert meanwhile and the new rows take the ids
    after the current maximum, in order."""
    connection = session.connection()
    table = Recommendation.__table__
    if connection.dialect.name == "postgresql":
        ids = reserve_ids(connection, table, len(rows))
        batch.add(table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids
    before = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    insert_rows(connection, table, rows)
    after = connection.execute(select(func.max(table.c.id))).scalar_one()
    if after - before != len(rows):  # never expected; fall back to looking them up
        keys = [(row["source"], row["external_id"]) for row in rows]
        stored = _existing(ctx, session, keys)
        return [stored[key].id for key in keys]
    return list(range(before + 1, after + 1))


def _existing(
    ctx: WorkflowContext, session: Session, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], _Existing]:
    # One query per source with `external_id IN (...)`: uses the unique index on
    # (source, external_id), where a row-value IN makes SQLite scan the table.
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found: dict[tuple[str, str], _Existing] = {}
    for source, external_ids in by_source.items():
        for chunk_start in range(0, len(external_ids), 500):
            chunk = external_ids[chunk_start : chunk_start + 500]
            rows = session.execute(
                select(
                    Recommendation.external_id,
                    Recommendation.id,
                    Recommendation.revision,
                    Recommendation.content_hash,
                    Recommendation.status,
                    Recommendation.owner_id,
                    Recommendation.due_at,
                    Recommendation.tier,
                    *(getattr(Recommendation, name) for name in ROUTING_COLUMNS),
                ).where(Recommendation.source == source, Recommendation.external_id.in_(chunk))
            )
            for row in rows:
                found[(source, row.external_id)] = _Existing(*row[1:8], tuple(row[8:]))
    return found


def _write_side_rows(
    ctx: WorkflowContext,
    session: Session,
    created: list[tuple[int, tuple[int, RecommendationIn, RoutingResult, str]]],
    now: datetime,
    batch: RowBatch,
) -> None:
    # The routed owner is recorded in the `received` event (and on the row); the
    # assignments table holds hand-overs. One row fewer per recommendation on the
    # hot path; the owner history read joins both (workflows.views.queries).
    events, outbox, decisions, clocks = [], [], [], []
    for rec_id, (_index, item, routing, _digest) in created:
        events.append(
            {
                "recommendation_id": rec_id,
                "kind": EventKind.RECEIVED,
                "actor_id": None,
                "at": now,
                "data": {
                    "source": item.source,
                    "external_id": item.external_id,
                    "owner": routing.owner,
                    "backup": routing.backup,
                    "route": routing.route,
                    "tier": routing.tier,
                    "due_at": routing.due_at.isoformat(),
                },
            }
        )
        if routing.unowned:
            events.append(
                {
                    "recommendation_id": rec_id,
                    "kind": EventKind.UNOWNED,
                    "actor_id": None,
                    "at": now,
                    "data": {"type": item.type, "sent_to": routing.owner},
                }
            )
        # Every item has its clock row (its SLA state): NEVER when nothing is to come
        # (withdrawn on arrival; auto: decided).
        scheduled = not item.withdrawn and routing.tier != Tier.AUTO
        clocks.append(
            {
                "next_action_at": routing.next_action_at or NEVER if scheduled else NEVER,
                "recommendation_id": rec_id,
                "reminders_sent": 0,
                "escalation_level": 0,
            }
        )
        if item.withdrawn:  # stored withdrawn: the audit says so, or it replays as open
            events.append(
                {
                    "recommendation_id": rec_id,
                    "kind": EventKind.WITHDRAWN,
                    "actor_id": None,
                    "at": now,
                    "data": {"source": item.source, "on_arrival": True},
                }
            )
            continue
        if routing.tier == Tier.AUTO:
            decisions.append(
                {
                    "recommendation_id": rec_id,
                    "automatic": True,
                    "kind": DecisionKind.AUTO,
                    "actor_id": "sopbot",
                    "role": "system",
                    "channel": "system",
                    "decided_at": now,
                }
            )
            events.append(
                {
                    "recommendation_id": rec_id,
                    "kind": EventKind.AUTO_ACCEPTED,
                    "actor_id": None,
                    "at": now,
                    "data": {"confidence": item.confidence},
                }
            )
        if routing.tier in (Tier.DIRECT, Tier.AUTO):
            outbox.append(
                {
                    "kind": OutboxKind.DELIVER,
                    "dedupe_key": f"deliver:{rec_id}:1",
                    "recommendation_id": rec_id,
                    "person_id": routing.owner,
                    "payload": {},
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    batch.add(SlaClock.__table__, clocks)
    batch.add(Event.__table__, events)
    batch.add(OutboxItem.__table__, outbox)
    batch.write()
    connection = session.connection()
    if decisions:
        connection.execute(insert(Decision.__table__), decisions)
        auto_ids = [d["recommendation_id"] for d in decisions]
        session.execute(
            update(Recommendation)
            .where(Recommendation.id.in_(auto_ids))
            .values(status=Status.DECIDED, decided_at=now)
        )


def _update_existing(
    ctx: WorkflowContext,
    session: Session,
    found: _Existing,
    item: RecommendationIn,
    digest: str,
    now: datetime,
) -> IngestResult:
    def result(status: IngestStatus, note: str | None = None) -> IngestResult:
        return IngestResult(
            id=found.id,
            external_id=item.external_id,
            source=item.source,
            status=status,
            owner=found.owner_id,
            due_at=found.due_at,
            tier=Tier(found.tier),
            note=note,
        )

    if found.content_hash == digest:
        return result(IngestStatus.DUPLICATE)
    if found.status != Status.OPEN:
        return result(IngestStatus.DUPLICATE, f"already {found.status}; not changed")
    # Both writes below are compare-and-set on `status = open`: a decision committed
    # since the read above (another replica, a click) wins, and nothing changes.
    decided_meanwhile = result(IngestStatus.DUPLICATE, "already decided; not changed")
    if item.withdrawn:
        changed = session.execute(
            update(Recommendation)
            .where(Recommendation.id == found.id, Recommendation.status == Status.OPEN)
            .values(status=Status.WITHDRAWN, content_hash=digest)
        ).rowcount
        if changed != 1:
            return decided_meanwhile
        session.execute(stop_clock(found.id))
        session.add(
            Event(
                recommendation_id=found.id,
                kind=EventKind.WITHDRAWN,
                at=now,
                data={"source": item.source},
            )
        )
        enqueue_refresh(session, recommendation_id=found.id, key=f"withdrawn:{found.id}", now=now)
        return result(IngestStatus.WITHDRAWN)
    if item.revision <= found.revision:
        return result(
            IngestStatus.DUPLICATE,
            f"revision {item.revision} is not newer than stored revision {found.revision}",
        )
    changed = session.execute(
        update(Recommendation)
        .where(Recommendation.id == found.id, Recommendation.status == Status.OPEN)
        .values(**stored_content(item), revision=item.revision, content_hash=digest)
    ).rowcount
    if changed != 1:
        return decided_meanwhile
    session.add(
        Event(
            recommendation_id=found.id,
            kind=EventKind.REVISED,
            at=now,
            data={"revision": item.revision},
        )
    )
    enqueue_refresh(
        session, recommendation_id=found.id, key=f"revised:{found.id}:{item.revision}", now=now
    )
    if routed_on(item) == found.routed_on:
        return result(IngestStatus.REVISED)
    # Routed again on the row as it is now (the UPDATE above holds its lock): a
    # reassignment committed since the first read is seen, not overwritten.
    rec = session.get(
        Recommendation,
        found.id,
        populate_existing=True,
        options=[lazyload(Recommendation.decisions)],
    )  # not needed here
    assert rec is not None
    reroute_revision(
        session, config=ctx.config, calendars=ctx.calendars, rec=rec, item=item, now=now
    )
    return IngestResult(
        id=found.id,
        external_id=item.external_id,
        source=item.source,
        status=IngestStatus.REVISED,
        owner=rec.owner_id,
        due_at=rec.due_at,
        tier=Tier(rec.tier),
    )
